"""The code lists and the importers of s3_strategy: every error at once, nothing from a file with an error."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from services.s3_strategy.domain.codes import Dimension, code_lists, load_code_list
from services.s3_strategy.domain.importing import CSV_COLUMNS, parse_csv, parse_document, parse_json, to_csv, to_json
from services.s3_strategy.examples import alpine_priorities

ALPINE_CODES = {"AT-4", "AT-5", "DE-BY", "DE-BW", "IT-21", "IT-25", "IT-32", "IT-34", "SI", "FR-BFC", "CH-FR"}


def test_the_shipped_code_lists_are_nace_sections_and_divisions_nabs_chapters_and_objectives_with_sources() -> None:
    lists = code_lists()
    nace = lists[Dimension.NACE]
    assert sum(c.level == "section" for c in nace.codes) == 21
    assert sum(c.level == "division" for c in nace.codes) == 88
    assert nace.by_code["28"].parent == "C" and nace.title("C") == "Manufacturing"
    assert [c.code for c in lists[Dimension.NABS].codes] == [f"{i:02d}" for i in range(1, 15)]
    assert lists[Dimension.NABS].title("07") == "Health"
    assert all("Eurostat" in lists[d].source for d in (Dimension.NACE, Dimension.NABS))
    assert "Eye@RIS3" in lists[Dimension.OBJECTIVE].source


def test_a_code_list_with_duplicates_an_unknown_parent_or_no_source_is_refused(tmp_path: Path) -> None:
    def write(codes: list[dict[str, object]], source: str = "somewhere") -> Path:
        path = tmp_path / "list.json"
        path.write_text(json.dumps({"name": "x", "source": source, "codes": codes}))
        return path

    one = {"code": "A", "title": "a", "level": "section", "parent": None}
    with pytest.raises(ValueError, match="duplicate"):
        load_code_list(write([one, one]), Dimension.NACE)
    with pytest.raises(ValueError, match="unknown parent"):
        load_code_list(write([{**one, "parent": "Z"}]), Dimension.NACE)
    with pytest.raises(ValueError, match="source"):
        load_code_list(write([one], source=""), Dimension.NACE)


def test_the_alpine_example_has_the_eleven_regions_of_the_call_example_each_with_its_source() -> None:
    regions, errors = parse_json(alpine_priorities())
    assert errors == []
    assert {r.code for r in regions} == ALPINE_CODES
    call = json.loads(Path("services/call_definition/examples/alpine-call.json").read_text())
    assert {r.code: r.name for r in regions} == {r["code"]: r["name"] for r in call["regions"]}
    assert all(r.source.startswith("illustrative") for r in regions)
    assert next(r for r in regions if r.code == "CH-FR").currency == "CHF"


def _doc(*priorities: dict[str, object], code: str = "AT-4") -> dict[str, object]:
    return {"regions": [{"code": code, "name": "Upper Austria", "priorities": list(priorities)}]}


GOOD = {"key": "robots", "title": "Robotics", "nace": ["28"], "nabs": ["06"], "objectives": ["digital_transformation"]}


def test_every_error_of_a_json_file_comes_at_once_and_no_region_is_returned() -> None:
    document = {
        "regions": [
            {
                "code": "AT-4",
                "name": "Upper Austria",
                "priorities": [
                    {**GOOD, "nace": ["28", "99x"], "nabs": ["15"], "objectives": ["world_peace"]},
                    {**GOOD, "title": "Other"},  # same key
                    {**GOOD, "key": "again", "title": "  ROBOTICS "},  # same title
                    {**GOOD, "key": "money", "title": "Money", "indicative_budget": "-5"},
                ],
            },
            {"code": "SI", "name": "Slovenia", "priorities": []},
            {"code": "AT-4", "name": "Upper Austria again", "priorities": [GOOD]},
            {"code": "austria", "name": "", "currency": "euro", "priorities": [{**GOOD, "key": "Bad Key"}]},
        ]
    }
    regions, errors = parse_json(document)
    assert regions == []
    assert {e.field for e in errors} == {
        "regions.0.priorities.0.nace.1",
        "regions.0.priorities.0.nabs.0",
        "regions.0.priorities.0.objectives.0",
        "regions.0.priorities.1.key",
        "regions.0.priorities.2.title",
        "regions.0.priorities.3.indicative_budget",
        "regions.1.priorities",
        "regions.2.code",
        "regions.3.code",
        "regions.3.name",
        "regions.3.currency",
        "regions.3.priorities.0.key",
    }
    messages = {e.field: e.message for e in errors}
    assert "'99x' is not a code of NACE Rev. 2" in messages["regions.0.priorities.0.nace.1"]
    assert "has no priorities" in messages["regions.1.priorities"]
    assert "duplicate priority 'robots'" in messages["regions.0.priorities.1.key"]


def test_a_valid_json_file_gives_its_regions_in_canonical_order_with_exact_budgets() -> None:
    document = {
        "regions": [
            {"code": "SI", "name": "Slovenia", "priorities": [{**GOOD, "indicative_budget": "1000.5"}]},
            {"code": "AT-4", "name": "Upper Austria", "priorities": [{**GOOD, "key": "b", "title": "B"}, GOOD]},
        ]
    }
    regions, errors = parse_json(document)
    assert errors == []
    assert [r.code for r in regions] == ["AT-4", "SI"]
    assert [p.key for p in regions[0].priorities] == ["b", "robots"]
    assert regions[1].priorities[0].indicative_budget == Decimal("1000.50")


CSV_HEADER = ",".join(CSV_COLUMNS) + "\n"


def test_csv_import_reads_lists_separated_by_semicolons_and_exports_back_to_the_same_data() -> None:
    text = (
        CSV_HEADER
        + "AT-4,Upper Austria,EUR,illustrative,robots,Robotics,Smart production,28;26,06,"
        + "digital_transformation,250000,EFRE\n"
        + "AT-4,Upper Austria,EUR,illustrative,wood,Wood,,16,08,,,\n"
        + "CH-FR,Canton of Fribourg,CHF,illustrative,food,Food,,10,08,sustainable_innovation,100000.00,NRP\n"
    )
    regions, errors = parse_csv(text)
    assert errors == []
    assert regions[0].priorities[0].nace == ("26", "28")
    assert regions[0].priorities[1].indicative_budget is None
    assert parse_csv(to_csv(regions)) == (regions, [])
    assert parse_json(json.loads(to_json(regions))) == (regions, [])


def test_every_error_of_a_csv_file_names_its_row_and_column() -> None:
    text = (
        CSV_HEADER
        + "AT-4,Upper Austria,EUR,,robots,Robotics,,28;ZZ,,,abc,\n"
        + "AT-4,Oberösterreich,EUR,,robots,Robotics again,,28,,,,\n"
        + "SI,Slovenia,EUR,,,,,,,,,\n"
    )
    regions, errors = parse_csv(text)
    assert regions == []
    assert {e.field for e in errors} == {
        "rows.1.nace",
        "rows.1.indicative_budget",
        "rows.2.region_name",
        "rows.2.priority_key",
        "rows.3.priority_key",
    }


def test_a_csv_without_the_needed_columns_or_a_file_that_is_not_json_is_refused_whole() -> None:
    assert parse_csv("code,name\nAT-4,x\n")[1][0].field == "header"
    regions, errors = parse_document(b"{not json", "application/json")
    assert regions == [] and "not valid JSON" in errors[0].message
    assert parse_document("\u00ff".encode("latin-1"), "text/csv")[1][0].message == "the file is not UTF-8 text"
    assert parse_document(b'{"regions": []}', "application/json") == ([], [])
    assert parse_csv(CSV_HEADER)[1][0].message == "the file has no regions"


def test_a_csv_the_csv_module_cannot_read_is_one_error_not_a_crash() -> None:
    # schemathesis sent this shape to POST /imports: a bare carriage return inside an unquoted header field
    # (csv.Error on a StringIO without newline=""); read as the csv module asks, it is a line break
    regions, errors = parse_csv("region_code,re\rgion_name\n")
    assert regions == []
    assert [error.field for error in errors] == ["header"] and "missing column(s)" in errors[0].message
