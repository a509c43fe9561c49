"""The demo's consolidated results: built from the APIs' answers, rendered as text, JSON, CSV and SVG."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from services.demo.consolidate import consolidate, stage_one_summary
from services.demo.context import Tally
from services.demo.progress import Progress
from services.demo.report import FILES, REGION_COLUMNS, render_files, text_report
from services.demo.results import Results

SVG = "{http://www.w3.org/2000/svg}"


def money(amount: str, currency: str) -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def region(code: str, currency: str, budget: str, allocated: str, gap: str, rate: str = "1") -> dict[str, Any]:
    def reported(amount: str) -> dict[str, str]:
        return money(f"{float(amount) * float(rate):.2f}", "EUR")

    remaining = f"{float(budget) - float(allocated):.2f}"
    return {
        "region_code": code,
        "budget": money(budget, currency),
        "allocated": money(allocated, currency),
        "remaining": money(remaining, currency),
        "funding_gap": money(gap, currency),
        "funded_proposals": 1,
        "budget_reporting": reported(budget),
        "allocated_reporting": reported(allocated),
        "remaining_reporting": reported(remaining),
        "funding_gap_reporting": reported(gap),
    }


def line(acronym: str, status: str, rank: int | None, grants: dict[str, str] | None = None) -> dict[str, Any]:
    scores = {} if status == "ineligible" else {"excellence": "4", "impact": "4.5", "implementation": "4"}
    return {
        "proposal_id": f"00000000-0000-0000-0000-{abs(hash(acronym)) % 10**12:012d}",
        "acronym": acronym,
        "rank": rank,
        "status": status,
        "scores": scores,
        "weighted_total": "14.75" if scores else None,
        "grants": [
            {"region_code": c, "amount": a, "currency": "CHF" if c == "CH-FR" else "EUR"}
            for c, a in (grants or {}).items()
        ],
    }


@pytest.fixture
def results() -> Results:
    call = {
        "id": "7f0c4c9e-0000-0000-0000-000000000001",
        "code": "ALP-DEMO-1",
        "title": "Alpine & friends <joint> call",
        "configuration": {
            "regions": [
                {"code": "AT-4", "name": "Upper Austria", "currency": "EUR"},
                {"code": "CH-FR", "name": "Canton of Fribourg", "currency": "CHF"},
            ],
            "funding": {"reporting_currency": "EUR", "reporting_rates": {"CHF": "1.05"}},
        },
    }
    api_results = {
        "reporting_currency": "EUR",
        "funding_version": 1,
        "published_at": "2027-08-01T10:00:00+00:00",
        "results": [
            line("ALPHA", "funded", 1, {"AT-4": "100000.00", "CH-FR": "120000.00"}),
            line("BETA", "reserve", 2),
            line("DELTA", "not_passed", None),
            line("ZETA", "ineligible", None),  # the API orders these by proposal id; the demo by acronym
            line("EPSILON", "ineligible", None),
        ],
        "regions": [
            region("AT-4", "EUR", "250000.00", "100000.00", "0.00"),
            region("CH-FR", "CHF", "200000.00", "120000.00", "40000.00", rate="1.05"),
        ],
        "totals": {
            "budget": money("460000.00", "EUR"),
            "allocated": money("226000.00", "EUR"),
            "remaining": money("234000.00", "EUR"),
            "funding_gap": money("42000.00", "EUR"),
        },
    }
    ranking = [
        {"acronym": "ALPHA", "status": "passed", "reasons": []},
        {"acronym": "BETA", "status": "passed", "reasons": []},
        {"acronym": "DELTA", "status": "not_passed", "reasons": ["Impact 2.5 below threshold 3"]},
        {"acronym": "ZETA", "status": "ineligible", "reasons": ["a partner is not eligible"]},
        {"acronym": "EPSILON", "status": "ineligible", "reasons": ["AT-4: TRL 3 outside 4-7"]},
    ]
    tally = Tally(drafted=6, submitted=5, late_refused=1, retried=1, identical_receipts=1, evaluators=4)
    return consolidate(
        call=call,
        seed=1,
        consortia=6,
        tally=tally,
        eligibility_reasons={"regional.trl": 1},
        ranking=ranking,
        results=api_results,
    )


def test_results_are_keyed_by_acronym_and_region_without_ids(results: Results) -> None:
    assert [(r["rank"], r["acronym"], r["status"]) for r in results["ranking"]] == [
        (1, "ALPHA", "funded"),
        (2, "BETA", "reserve"),
        (None, "DELTA", "not_passed"),
        (None, "EPSILON", "ineligible"),
        (None, "ZETA", "ineligible"),
    ]
    assert results["ranking"][0]["grants"] == {"AT-4": "100000.00", "CH-FR": "120000.00"}
    assert results["ranking"][2]["reasons"] == ["Impact 2.5 below threshold 3"]
    assert (results["evaluation"]["passed"], results["eligibility"]["not_eligible"]) == (2, 2)
    assert results["funding"] == {
        "funded": 1,
        "reserve": 1,
        "declined": 0,
        "funding_version": 1,
        "confirmed_by": [],
        "published": True,
    }
    fribourg = results["regions"][1]
    assert (fribourg["name"], fribourg["use_percent"], fribourg["funding_gap_reporting"]) == (
        "Canton of Fribourg",
        "60.0",
        "42000.00",
    )
    assert results["totals"]["by_currency"]["CHF"]["remaining"] == "80000.00"
    assert results["totals"]["reporting"]["allocated"] == "226000.00"
    text = json.dumps(results)
    assert "00000000-" not in text and "7f0c4c9e" not in text and "2027-08-01" not in text


def test_the_text_report_shows_the_summary_the_ranking_and_the_budgets(results: Results) -> None:
    text = text_report(results, top=1)
    assert "Alpine & friends <joint> call (ALP-DEMO-1)" in text
    assert "1 retried with the same Idempotency-Key: 1 identical receipts; 1 late: refused with 409" in text
    assert "ALPHA" in text and "AT-4 100,000 EUR, CH-FR 120,000 CHF" in text
    assert "BETA" not in text.split("Ranking list")[1].split("...")[0]  # only the top line is shown
    assert "... 1 more ranked and 3 below the thresholds or ineligible: see ranking.csv" in text
    fribourg = next(row for row in text.splitlines() if row.startswith("CH-FR"))
    assert fribourg.split()[-8:] == ["CHF", "200,000", "120,000", "80,000", "40,000", "60.0%", "1", "42,000"]
    assert "total in EUR" in text


def test_the_csv_files_have_one_row_per_line_and_named_columns(results: Results) -> None:
    files = render_files(results)
    assert list(files) == list(FILES)
    ranking = list(csv.DictReader(io.StringIO(files["ranking.csv"])))
    assert list(ranking[0]) == [
        "rank",
        "acronym",
        "status",
        "excellence",
        "impact",
        "implementation",
        "weighted_total",
        "AT-4 (EUR)",
        "CH-FR (CHF)",
        "reasons",
    ]
    assert [row["acronym"] for row in ranking] == ["ALPHA", "BETA", "DELTA", "EPSILON", "ZETA"]
    assert ranking[0]["CH-FR (CHF)"] == "120000.00" and ranking[1]["AT-4 (EUR)"] == ""
    assert ranking[4]["reasons"] == "a partner is not eligible" and ranking[4]["excellence"] == ""
    regions = list(csv.DictReader(io.StringIO(files["regions.csv"])))
    assert tuple(regions[0]) == REGION_COLUMNS
    assert [r["code"] for r in regions] == ["AT-4", "CH-FR"] and regions[1]["budget_reporting"] == "210000.00"
    assert json.loads(files["results.json"]) == results


def test_the_chart_is_well_formed_svg_with_a_bar_per_region(results: Results) -> None:
    root = ET.fromstring(render_files(results)["budget-use.svg"])
    assert root.tag == f"{SVG}svg"
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any("ALP-DEMO-1" in t for t in texts)
    assert any(t.startswith("CH-FR Canton of Fribourg") for t in texts)
    assert any("120,000 of 200,000 CHF (60.0%), gap 40,000" in t for t in texts)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#2b6cb0"]
    assert [float(bar.get("width", "0")) for bar in bars] == [0.4 * 420, 0.6 * 420]


def test_progress_draws_a_line_per_phase_when_not_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, interactive=False)
    progress.note("the deadline passes")
    with progress.phase("submissions", 4):
        for _ in range(4):
            progress.step()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "the deadline passes"
    assert lines[1].startswith("submissions") and "[" + "#" * 30 + "]" in lines[1] and "4/4" in lines[1]
    assert len(lines) == 2


def test_after_the_results_the_text_shows_the_decline_the_reserve_and_a_monitoring_row_per_region(
    results: Results,
) -> None:
    from services.demo.results import Monitoring

    results["monitoring"] = Monitoring(
        clock_moved=True,
        projects={"started": 2},
        decline={"acronym": "ALPHA", "region": "CH-FR", "partners": 1, "released": "120000.00", "currency": "CHF"},
        reserve=[{"offer_round": 1, "status": "funded", "funded": ["BETA"], "confirmed_by": ["AT-4"]}],
        reserve_funded=["BETA"],
        reporting_periods_passed=2,
        reports={"accepted": 3, "due": 4, "overdue": 1},
        late=["BETA period 2"],
        payments_held=["AT-4"],
        indicators=[{"key": "jobs_created", "name": "Jobs created", "unit": "jobs", "total": "7", "target": "8"}],
        time_to_contract_days="21.5",
        regions=[
            {
                "code": "AT-4",
                "currency": "EUR",
                "projects": 2,
                "started": 2,
                "time_to_contract_days": "21.5",
                "reports_accepted": 3,
                "reports_overdue": 1,
                "payments_held": 1,
                "committed": "180000.00",
                "reported_costs": "95000.00",
                "indicators": {"jobs_created": "7"},
            }
        ],
    )
    text = text_report(results)
    assert "declined     CH-FR declined its grant to ALPHA (1 partner(s), 120,000 CHF back to CH-FR)" in text
    assert "reserve      offer 1: BETA, confirmed by AT-4 and funded by the agency" in text
    assert "late: BETA period 2; payments held by AT-4" in text
    austria = next(row for row in text.split("Monitoring per region")[1].splitlines() if row.startswith("AT-4"))
    assert austria.split() == ["AT-4", "EUR", "2", "2", "21.5", "3", "1", "1", "180,000", "95,000", "7"]
    assert text.rstrip().splitlines()[-1].split() == ["call", "7", "/", "8"]


def test_the_demo_declines_a_grant_whose_money_funds_a_reserve_proposal_never_the_coordinators() -> None:
    from services.demo.monitoring import choose_decline

    def ask(region: str, amount: str) -> dict[str, str]:
        return {"region_code": region, "amount": amount}

    funding = {
        "proposals": [
            {
                "acronym": "A",
                "rank": 1,
                "status": "funded",
                "requested": [ask("AT", "50"), ask("CH", "80"), ask("SI", "40")],
            },
            {"acronym": "B", "rank": 2, "status": "funded", "requested": [ask("AT", "30"), ask("CH", "90")]},
            {"acronym": "R", "rank": 3, "status": "reserve", "requested": [ask("CH", "100")]},
        ]
    }
    published = {
        "regions": [{"region_code": c, "remaining": {"amount": a}} for c, a in (("AT", "0"), ("CH", "20"), ("SI", "0"))]
    }
    assert choose_decline(funding, published, {"A": "AT", "B": "AT"}) == ("A", "CH")  # three regions: goes on
    assert choose_decline(funding, published, {"A": "CH", "B": "AT"}) == ("B", "CH")
    assert choose_decline(funding, published, {"A": "CH", "B": "CH"}) is None


def shortlist_region(
    code: str, currency: str, budget: str, factor: str, requested: str, invited: int, capped: int
) -> dict[str, Any]:
    cap = f"{float(budget) * float(factor):.2f}"
    return {
        "region_code": code,
        "currency": currency,
        "budget": budget,
        "factor": factor,
        "cap": cap,
        "requested": requested,
        "factor_reached": f"{float(requested) / float(budget):.4f}",
        "invited_proposals": invited,
        "cap_reached_proposals": capped,
        "budget_reporting": budget,
        "cap_reporting": cap,
        "requested_reporting": requested,
    }


def test_a_two_stage_call_reports_its_shortlist_per_region_and_both_stages_numbers(results: Results) -> None:
    one_stage = text_report(results)
    assert "Oversubscription" not in one_stage and "Both stages" not in one_stage
    assert "two_stage" not in json.loads(render_files(results)["results.json"])  # one-stage files as before
    lines = [
        {"status": "invited", "requested": {}},
        {"status": "invited", "requested": {}},
        {"status": "cap_reached", "requested": {}},
        {"status": "below_threshold", "requested": {}},
    ]
    proposed = {
        "parameters": {"factor": "3", "region_factors": {"CH-FR": "2.5"}},
        "proposals": lines,
        "ineligible": ["x"],
        "regions": [
            shortlist_region("AT-4", "EUR", "250000.00", "3", "700000.00", 2, 0),
            shortlist_region("CH-FR", "CHF", "200000.00", "2.5", "480000.00", 2, 1),
        ],
    }
    what_if = {"parameters": {"factor": "2"}, "proposals": lines[1:]}
    count = {"pre_proposals": 5, "invited": 2, "full_proposals": 2, "funded": 1}
    results["two_stage"] = stage_one_summary(
        tally=Tally(drafted=6, submitted=5, late_refused=1, evaluators=3, assessments=8),
        criteria=["excellence", "impact"],
        eligibility_reasons={"regional.s3_areas": 1},
        fit=(9, 1),
        proposed=proposed,
        what_if=what_if,
        not_invited={"below_threshold": 1, "cap_reached": 1, "ineligible": 1},
        stages={"total": count, "regions": {"AT-4": count, "CH-FR": {**count, "pre_proposals": 4}}},
    )
    text = text_report(results)
    assert "factor 3, CH-FR 2.5: 2 invited, 1 left out only by a region's cap" in text
    assert "(what-if at factor 2: 1 invited)" in text
    assert text.index("Stage 1:") < text.index("Oversubscription") < text.index("Stage 2:") < text.index("Ranking")
    fribourg = [line for line in text.splitlines() if line.startswith("CH-FR") and "2.5x" in line]
    assert fribourg == [
        "CH-FR   Canton of Fribourg  CHF  200,000               480,000           2.40x  500,000 (2.5x)        2"
        "                    1"
    ]
    assert text.rstrip().splitlines()[-1].split() == ["total", "5", "2", "2", "1"]
    assert "CH-FR   Canton of Fribourg              4        2               2       1" in text
