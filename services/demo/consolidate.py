"""From what the APIs returned to the demo's `Results` (pure): keyed by acronym and region code, without ids
or instants, in an order that does not depend on them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from .context import Tally
from .results import (
    CallSummary,
    Eligibility,
    Evaluation,
    Funding,
    MoneyTotals,
    Monitoring,
    RankingLine,
    RegionLine,
    Results,
    ShortlistRegion,
    ShortlistSummary,
    StageFigures,
    StageOne,
    StageOneEvaluation,
    Submissions,
    Totals,
    TwoStage,
)

UNRANKED_ORDER = {"not_passed": 0, "ineligible": 1}
CENT = Decimal("0.01")


def consolidate(
    *,
    call: Mapping[str, Any],
    seed: int,
    consortia: int,
    tally: Tally,
    eligibility_reasons: Mapping[str, int],
    ranking: Sequence[Mapping[str, Any]],
    results: Mapping[str, Any],
    monitoring: Monitoring | None = None,
) -> Results:
    """`call` as call_definition returned it; `ranking` and `results` as joint_evaluation did."""
    config = call["configuration"]
    statuses = Counter(line["status"] for line in ranking)
    outcomes = Counter(line["status"] for line in results["results"])
    return Results(
        call=CallSummary(
            code=call["code"],
            title=call["title"],
            regions=len(config["regions"]),
            currencies=sorted({region["currency"] for region in config["regions"]}),
            reporting_currency=results["reporting_currency"],
            reporting_rates={code: str(rate) for code, rate in sorted(config["funding"]["reporting_rates"].items())},
            seed=seed,
            consortia=consortia,
        ),
        submissions=_submissions(tally),
        eligibility=_eligibility(
            tally, statuses["passed"] + statuses["not_passed"], statuses["ineligible"], eligibility_reasons
        ),
        evaluation=Evaluation(
            evaluators=tally.evaluators,
            conflicts_declared=tally.conflicts_declared,
            assessments=tally.assessments,
            documents_read=tally.documents_read,
            passed=statuses["passed"],
            not_passed=statuses["not_passed"],
            ineligible=statuses["ineligible"],
        ),
        funding=Funding(
            funded=outcomes["funded"],
            reserve=outcomes["reserve"],
            declined=outcomes["declined"],
            funding_version=results["funding_version"],
            confirmed_by=list(tally.confirmed_by),
            published=results["published_at"] is not None,
        ),
        ranking=ranking_lines(results["results"], ranking),
        regions=[region_line(region, config) for region in results["regions"]],
        totals=totals(results["regions"], results["totals"], results["reporting_currency"]),
        monitoring=monitoring,
    )


def _eligibility(tally: Tally, eligible: int, not_eligible: int, reasons: Mapping[str, int]) -> Eligibility:
    """The eligibility figures of a stage: how many were (not) eligible, and the regions' manual checks."""
    return Eligibility(
        eligible=eligible,
        not_eligible=not_eligible,
        manual_checks=tally.manual_checks,
        manual_checks_failed=tally.manual_checks_failed,
        reasons=dict(reasons),
    )


def _submissions(tally: Tally) -> Submissions:
    """The tally's counts that results.json reports under `submissions` (the fields of the same names)."""
    return cast(Submissions, {name: getattr(tally, name) for name in Submissions.__annotations__})


def ranking_lines(lines: Iterable[Mapping[str, Any]], ranking: Iterable[Mapping[str, Any]]) -> list[RankingLine]:
    reasons = {line["acronym"]: list(line.get("reasons") or []) for line in ranking}
    made = [
        RankingLine(
            rank=line["rank"],
            acronym=line["acronym"],
            status=line["status"],
            scores=dict(line["scores"]),
            weighted_total=line["weighted_total"],
            grants={grant["region_code"]: grant["amount"] for grant in line["grants"]},
            reasons=reasons.get(line["acronym"], []),
        )
        for line in lines
    ]
    return sorted(made, key=_line_order)


def _line_order(line: RankingLine) -> tuple[int, int, str]:
    if line["rank"] is not None:
        return (0, line["rank"], "")
    return (1 + UNRANKED_ORDER.get(line["status"], 2), 0, line["acronym"])


def region_line(region: Mapping[str, Any], config: Mapping[str, Any]) -> RegionLine:
    names = {r["code"]: r["name"] for r in config["regions"]}
    budget, allocated = Decimal(region["budget"]["amount"]), Decimal(region["allocated"]["amount"])
    use = (allocated * 100 / budget).quantize(Decimal("0.1")) if budget else Decimal(0)
    return RegionLine(
        code=region["region_code"],
        name=names.get(region["region_code"], region["region_code"]),
        currency=region["budget"]["currency"],
        budget=region["budget"]["amount"],
        allocated=region["allocated"]["amount"],
        remaining=region["remaining"]["amount"],
        funding_gap=region["funding_gap"]["amount"],
        funded_proposals=region["funded_proposals"],
        budget_reporting=region["budget_reporting"]["amount"],
        allocated_reporting=region["allocated_reporting"]["amount"],
        funding_gap_reporting=region["funding_gap_reporting"]["amount"],
        use_percent=str(use),
    )


def totals(regions: Sequence[Mapping[str, Any]], reporting: Mapping[str, Any], currency: str) -> Totals:
    by_currency: dict[str, dict[str, Decimal]] = {}
    for region in regions:
        sums = by_currency.setdefault(region["budget"]["currency"], {})
        for key in ("budget", "allocated", "remaining", "funding_gap"):
            sums[key] = sums.get(key, Decimal(0)) + Decimal(region[key]["amount"])
    return Totals(
        by_currency={code: _money_totals(sums) for code, sums in sorted(by_currency.items())},
        reporting_currency=currency,
        reporting=_money_totals({key: Decimal(reporting[key]["amount"]) for key in MONEY_KEYS}),
    )


MONEY_KEYS = ("budget", "allocated", "remaining", "funding_gap")


def _money_totals(sums: Mapping[str, Decimal]) -> MoneyTotals:
    def text(key: str) -> str:
        return str(sums[key].quantize(CENT))

    return MoneyTotals(
        budget=text("budget"), allocated=text("allocated"), remaining=text("remaining"), funding_gap=text("funding_gap")
    )


# --- two-stage calls ------------------------------------------------------------------------------------------


def stage_one_summary(
    *,
    tally: Tally,
    criteria: Sequence[str],
    eligibility_reasons: Mapping[str, int],
    fit: tuple[int, int],
    proposed: Mapping[str, Any],
    what_if: Mapping[str, Any],
    not_invited: Mapping[str, int],
    stages: Mapping[str, Any],
) -> TwoStage:
    """Stage 1 of a two-stage call: `proposed` and `what_if` as joint_evaluation's shortlist returned them, `fit`
    the regions' (answers, no-gos), `stages` the consolidated results' numbers of both stages."""
    statuses = Counter(line["status"] for line in proposed["proposals"])
    parameters = proposed["parameters"]
    return TwoStage(
        stage_one=StageOne(
            submissions=_submissions(tally),
            eligibility=_eligibility(
                tally, len(proposed["proposals"]), len(proposed["ineligible"]), eligibility_reasons
            ),
            evaluation=StageOneEvaluation(
                evaluators=tally.evaluators,
                conflicts_declared=tally.conflicts_declared,
                assessments=tally.assessments,
                criteria=list(criteria),
                passed=len(proposed["proposals"]) - statuses["below_threshold"],
                not_passed=statuses["below_threshold"],
                fit_answers=fit[0],
                no_go=fit[1],
            ),
            shortlist=ShortlistSummary(
                factor=str(parameters["factor"]),
                region_factors={code: str(f) for code, f in sorted(parameters["region_factors"].items())},
                invited=statuses["invited"],
                cap_reached=statuses["cap_reached"],
                no_go=statuses["no_go"],
                below_threshold=statuses["below_threshold"],
                ineligible=len(proposed["ineligible"]),
                regions=[_shortlist_region(region) for region in proposed["regions"]],
                what_if_factor=str(what_if["parameters"]["factor"]),
                what_if_invited=sum(line["status"] == "invited" for line in what_if["proposals"]),
            ),
            not_invited=dict(not_invited),
        ),
        stages={"total": _figures(stages["total"]), **{c: _figures(f) for c, f in stages["regions"].items()}},
    )


def _shortlist_region(region: Mapping[str, Any]) -> ShortlistRegion:
    reached = region["factor_reached"]
    return ShortlistRegion(
        code=region["region_code"],
        currency=region["currency"],
        budget=_cents(region["budget"]),
        factor=str(Decimal(str(region["factor"])).normalize()),
        cap=_cents(region["cap"]),
        requested=_cents(region["requested"]),
        factor_reached=None if reached is None else str(Decimal(str(reached)).quantize(Decimal("0.01"))),
        invited=region["invited_proposals"],
        cap_reached=region["cap_reached_proposals"],
        requested_reporting=_cents(region["requested_reporting"]),
        cap_reporting=_cents(region["cap_reporting"]),
    )


def _figures(figures: Mapping[str, Any]) -> StageFigures:
    return StageFigures(
        pre_proposals=figures["pre_proposals"],
        invited=figures["invited"],
        full_proposals=figures["full_proposals"],
        funded=figures["funded"],
    )


def _cents(amount: Any) -> str:
    return str(Decimal(str(amount)).quantize(CENT))
