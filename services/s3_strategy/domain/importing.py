"""Reading and writing regions' priorities as JSON and CSV, validated as a whole.

Every problem is reported at once, each with the field at fault (`regions.2.priorities.0.nace.1`, or for CSV
`rows.4.nace`); a file with any problem yields no regions, so nothing is stored from it.

JSON: {"regions": [{"code", "name", "currency", "source", "priorities": [{"key", "title", "description",
"nace": [...], "nabs": [...], "objectives": [...], "indicative_budget": "250000.00", "programme"}]}]}
CSV: one row per priority, with the columns of `CSV_COLUMNS`; lists are separated by `;`; a region's name,
currency and source repeat on each of its rows and must agree. A region row with an empty `priority_key` declares
a region without priorities (which is an error: a region takes part in the analysis through its priorities).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import FieldError

from .codes import CodeList, Dimension, code_lists
from .model import Priority, RegionPriorities, canonical

REGION_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
PRIORITY_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
CSV_COLUMNS = (
    "region_code",
    "region_name",
    "currency",
    "source",
    "priority_key",
    "title",
    "description",
    "nace",
    "nabs",
    "objectives",
    "indicative_budget",
    "programme",
)
LIST_FIELDS = {"nace": Dimension.NACE, "nabs": Dimension.NABS, "objectives": Dimension.OBJECTIVE}
MAX_TEXT = 5000


def parse_json(
    document: Any, lists: Mapping[Dimension, CodeList] | None = None
) -> tuple[list[RegionPriorities], list[FieldError]]:
    """The regions of a JSON document, or every error in it (and no regions)."""
    lists = lists or code_lists()
    errors: list[FieldError] = []
    if not isinstance(document, dict) or not isinstance(document.get("regions"), list):
        return [], [FieldError("regions", "expected an object with a list of regions")]
    regions: list[RegionPriorities] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(document["regions"]):
        at = f"regions.{index}"
        if not isinstance(raw, dict):
            errors.append(FieldError(at, "expected an object"))
            continue
        code = _region_header(
            raw.get("code"), raw.get("name"), raw.get("currency", "EUR"), raw.get("source", ""), at, errors
        )
        if code in seen:
            errors.append(FieldError(f"{at}.code", f"region {code} appears twice (also regions.{seen[code]})"))
        elif code:
            seen[code] = index
        raw_priorities = raw.get("priorities")
        if not isinstance(raw_priorities, list):
            errors.append(FieldError(f"{at}.priorities", "expected a list of priorities"))
            continue
        priorities = [_priority(p, f"{at}.priorities.{i}", lists, errors) for i, p in enumerate(raw_priorities)]
        named = [
            (f"{at}.priorities.{i}", p.get("key"), p.get("title"))
            for i, p in enumerate(raw_priorities)
            if isinstance(p, dict)
        ]
        errors += _region_rules(code, named, at, declared=len(raw_priorities))
        regions.append(
            RegionPriorities(
                code=code or "",
                name=str(raw.get("name", "")),
                currency=str(raw.get("currency", "EUR")),
                source=str(raw.get("source", "")),
                priorities=tuple(p for p in priorities if p),
            )
        )
    return ([], errors) if errors else (canonical(regions), [])


def parse_csv(
    text: str, lists: Mapping[Dimension, CodeList] | None = None
) -> tuple[list[RegionPriorities], list[FieldError]]:
    """The regions of a CSV file (header row required), or every error in it (and no regions); a file the csv
    module cannot read (a stray carriage return inside a field, say) is one error, not a crash."""
    try:
        return _parse_csv(text, lists or code_lists())
    except csv.Error as exc:
        return [], [FieldError("rows", f"not a readable CSV file: {exc}")]


def _parse_csv(text: str, lists: Mapping[Dimension, CodeList]) -> tuple[list[RegionPriorities], list[FieldError]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [
        column
        for column in ("region_code", "region_name", "priority_key", "title")
        if column not in (reader.fieldnames or [])
    ]
    if missing:
        return [], [
            FieldError("header", f"missing column(s): {', '.join(missing)} (columns: {', '.join(CSV_COLUMNS)})")
        ]
    errors: list[FieldError] = []
    headers: dict[str, tuple[str, str, str, int]] = {}
    rows_of: dict[str, list[tuple[str, Priority]]] = {}
    declared: dict[str, int] = {}
    named_of: dict[str, list[tuple[str, Any, Any]]] = {}
    for number, row in enumerate(reader, start=1):
        at = f"rows.{number}"
        values = {key: (value or "").strip() for key, value in row.items() if key is not None}
        code = values.get("region_code", "")
        header = (values.get("region_name", ""), values.get("currency", "") or "EUR", values.get("source", ""))
        if code in headers:
            first = headers[code]
            for column, value, was in zip(("region_name", "currency", "source"), header, first[:3], strict=True):
                if value != was:
                    errors.append(
                        FieldError(
                            f"{at}.{column}", f"{value!r} disagrees with {was!r} on row {first[3]} of region {code}"
                        )
                    )
        else:
            checked = _region_header(code, header[0], header[1], header[2], at, errors, csv_names=True)
            if checked:
                headers[code] = (*header, number)
                rows_of[code] = []
        if not values.get("priority_key") and not values.get("title"):
            continue  # a region line without a priority
        raw = {
            "key": values.get("priority_key", ""),
            "title": values.get("title", ""),
            "description": values.get("description", ""),
            "indicative_budget": values.get("indicative_budget") or None,
            "programme": values.get("programme") or None,
            **{
                name: [part.strip() for part in values.get(name, "").split(";") if part.strip()] for name in LIST_FIELDS
            },
        }
        declared[code] = declared.get(code, 0) + 1
        named_of.setdefault(code, []).append((at, raw["key"], raw["title"]))
        priority = _priority(raw, at, lists, errors, csv_names=True)
        if priority and code in rows_of:
            rows_of[code].append((at, priority))
    regions: list[RegionPriorities] = []
    for code, (name, currency, source, number) in headers.items():
        entries = rows_of[code]
        errors += _region_rules(
            code, named_of.get(code, []), f"rows.{number}", declared=declared.get(code, 0), csv_names=True
        )
        regions.append(
            RegionPriorities(
                code=code, name=name, currency=currency, source=source, priorities=tuple(p for _, p in entries)
            )
        )
    if not headers and not errors:
        errors.append(FieldError("rows", "the file has no regions"))
    return ([], errors) if errors else (canonical(regions), [])


def parse_document(content: bytes, content_type: str) -> tuple[list[RegionPriorities], list[FieldError]]:
    """JSON or CSV by content type (CSV for text/csv, JSON otherwise)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [FieldError("", "the file is not UTF-8 text")]
    if content_type.split(";")[0].strip().lower() in ("text/csv", "application/csv"):
        return parse_csv(text)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [FieldError("", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]
    return parse_json(document)


# --- export -------------------------------------------------------------------------------------------------


def region_to_json(region: RegionPriorities) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "currency": region.currency,
        "source": region.source,
        "priorities": [
            {
                "key": p.key,
                "title": p.title,
                "description": p.description,
                "nace": list(p.nace),
                "nabs": list(p.nabs),
                "objectives": list(p.objectives),
                "indicative_budget": None if p.indicative_budget is None else f"{p.indicative_budget:.2f}",
                "programme": p.programme,
            }
            for p in region.priorities
        ],
    }


def to_json(regions: Sequence[RegionPriorities]) -> str:
    """The JSON import format, canonical order, so an export imports back to the same data."""
    document = {"regions": [region_to_json(region) for region in canonical(list(regions))]}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def to_csv(regions: Sequence[RegionPriorities]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for region in canonical(list(regions)):
        for p in region.priorities:
            writer.writerow(
                [
                    region.code,
                    region.name,
                    region.currency,
                    region.source,
                    p.key,
                    p.title,
                    p.description,
                    ";".join(p.nace),
                    ";".join(p.nabs),
                    ";".join(p.objectives),
                    "" if p.indicative_budget is None else f"{p.indicative_budget:.2f}",
                    p.programme or "",
                ]
            )
    return out.getvalue()


# --- the checks ---------------------------------------------------------------------------------------------


def _region_header(
    code: Any, name: Any, currency: Any, source: Any, at: str, errors: list[FieldError], *, csv_names: bool = False
) -> str | None:
    def field(json_name: str, csv_name: str) -> str:
        return f"{at}.{csv_name if csv_names else json_name}"

    ok = True
    if not isinstance(code, str) or not REGION_CODE.match(code):
        errors.append(
            FieldError(
                field("code", "region_code"), f"{code!r} is not a NUTS or ISO 3166-2 code such as AT-4, DE-BY or SI"
            )
        )
        ok = False
    if not isinstance(name, str) or not name.strip() or len(name) > 300:
        errors.append(FieldError(field("name", "region_name"), "a region needs a name (at most 300 characters)"))
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        errors.append(FieldError(field("currency", "currency"), f"{currency!r} is not an ISO 4217 currency code"))
    if not isinstance(source, str) or len(source) > 1000:
        errors.append(FieldError(field("source", "source"), "the source is a text of at most 1000 characters"))
    return code if ok else None


def _priority(
    raw: Any, at: str, lists: Mapping[Dimension, CodeList], errors: list[FieldError], *, csv_names: bool = False
) -> Priority | None:
    if not isinstance(raw, dict):
        errors.append(FieldError(at, "expected an object"))
        return None
    before = len(errors)
    key, title, description = raw.get("key"), raw.get("title"), raw.get("description") or ""
    if not isinstance(key, str) or not PRIORITY_KEY.match(key):
        errors.append(
            FieldError(
                f"{at}.{'priority_key' if csv_names else 'key'}",
                f"{key!r} is not a key of lowercase letters, digits and hyphens",
            )
        )
    if not isinstance(title, str) or not title.strip() or len(title) > 300:
        errors.append(FieldError(f"{at}.title", "a priority needs a title (at most 300 characters)"))
    if not isinstance(description, str) or len(description) > MAX_TEXT:
        errors.append(FieldError(f"{at}.description", f"the description is a text of at most {MAX_TEXT} characters"))
    coded: dict[str, tuple[str, ...]] = {}
    for name, dimension in LIST_FIELDS.items():
        values = raw.get(name) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            errors.append(FieldError(f"{at}.{name}", "expected a list of codes"))
            continue
        code_list = lists[dimension]
        for position, value in enumerate(values):
            if value not in code_list:
                where = f"{at}.{name}" if csv_names else f"{at}.{name}.{position}"
                errors.append(FieldError(where, f"{value!r} is not a code of {code_list.name}"))
        coded[name] = tuple(values)
    budget = _amount(raw.get("indicative_budget"), f"{at}.indicative_budget", errors)
    programme = raw.get("programme")
    if programme is not None and (not isinstance(programme, str) or len(programme) > 300):
        errors.append(FieldError(f"{at}.programme", "the programme is a text of at most 300 characters"))
    if len(errors) > before:
        return None
    assert isinstance(key, str) and isinstance(title, str)
    return Priority(
        key=key,
        title=title.strip(),
        description=description.strip(),
        nace=coded.get("nace", ()),
        nabs=coded.get("nabs", ()),
        objectives=coded.get("objectives", ()),
        indicative_budget=budget,
        programme=programme or None,
    )


def _amount(value: Any, at: str, errors: list[FieldError]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors.append(FieldError(at, f"{value!r} is not an amount"))
        return None
    if (
        not amount.is_finite()
        or amount <= 0
        or amount != amount.quantize(Decimal("0.01"))
        or amount >= Decimal(10) ** 16
    ):
        errors.append(FieldError(at, f"{value!r} is not a positive amount with at most 2 decimals"))
        return None
    return amount.quantize(Decimal("0.01"))


def _region_rules(
    code: str | None, named: list[tuple[str, Any, Any]], at: str, *, declared: int, csv_names: bool = False
) -> list[FieldError]:
    """A region has priorities; no two share a key or a title (`named`: place, key and title of each)."""
    errors: list[FieldError] = []
    if declared == 0 and code is not None:
        where = f"{at}.{'priority_key' if csv_names else 'priorities'}"
        errors.append(FieldError(where, f"region {code} has no priorities"))
    keys: dict[str, str] = {}
    titles: dict[str, str] = {}
    for place, key, title in named:
        if isinstance(key, str) and key:
            if key in keys:
                where = f"{place}.{'priority_key' if csv_names else 'key'}"
                errors.append(FieldError(where, f"duplicate priority {key!r} in region {code} (also {keys[key]})"))
            else:
                keys[key] = place
        if isinstance(title, str) and title.strip():
            folded = " ".join(title.casefold().split())
            if folded in titles:
                message = f"duplicate priority title {title.strip()!r} in region {code} (also {titles[folded]})"
                errors.append(FieldError(f"{place}.title", message))
            else:
                titles[folded] = place
    return errors
