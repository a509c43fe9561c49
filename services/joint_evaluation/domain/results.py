"""The consolidated results of a call: one list, totals per region (pure, no I/O).

* One line per proposal of the ranking list, in its order (passed by rank, then not passed, then ineligible);
  withdrawn proposals drop out. A passing proposal takes its funding status (funded, reserve or declined); the
  others keep theirs (not_passed, ineligible). Only funded proposals carry grants: per region, what its funded
  partners there requested.
* Totals are the allocation's: per region its budget, allocation, remainder and funding gap in its currency and in
  the reporting currency at the call's fixed rate, and their sums in the reporting currency.
* The CSV holds the list (one grant column per region, headed ``<code> (<currency>)``), an empty line, then the
  totals table, one row per region and a last ``total`` row in the reporting currency.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from shared.events import FundingDecided, RankedProposal, ResultLine

from .allocation import FundingStatus
from .ranking import RankingStatus, format_score


class _RowWriter(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class ResultsInconsistentError(ValueError):
    """A passing proposal missing from the funding decisions: the decisions are older than the ranking."""


def consolidate(
    ranking: Sequence[RankedProposal], decided: FundingDecided, withdrawn: Collection[str] = ()
) -> list[ResultLine]:
    decisions = {decision.proposal_id: decision for decision in decided.proposals}
    lines: list[ResultLine] = []
    for ranked in ranking:
        if str(ranked.proposal_id) in withdrawn:
            continue
        line = ResultLine(
            proposal_id=ranked.proposal_id,
            acronym=ranked.acronym,
            rank=ranked.rank,
            status=ranked.status if ranked.status != RankingStatus.PASSED.value else FundingStatus.RESERVE.value,
            scores=ranked.scores,
            weighted_total=ranked.weighted_total,
        )
        if ranked.status == RankingStatus.PASSED.value:
            decision = decisions.get(ranked.proposal_id)
            if decision is None:
                raise ResultsInconsistentError(f"{ranked.proposal_id} passed but has no funding decision")
            grants = decision.requested if decision.status == FundingStatus.FUNDED.value else []
            line = line.model_copy(update={"status": decision.status, "grants": grants})
        lines.append(line)
    return lines


def results_csv(lines: Sequence[ResultLine], criteria: Sequence[str], decided: FundingDecided) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    regions = [(r.region_code, r.budget.currency) for r in decided.regions]
    writer.writerow(
        ["rank", "acronym", "proposal_id", "status", *criteria, "weighted_total"]
        + [f"{code} ({currency})" for code, currency in regions]
    )
    for line in lines:
        grants = {grant.region_code: grant.amount for grant in line.grants}
        writer.writerow(
            [line.rank or "", line.acronym, str(line.proposal_id), line.status]
            + [_score(line.scores.get(key)) for key in criteria]
            + [_score(line.weighted_total)]
            + [_amount(grants.get(code)) for code, _ in regions]
        )
    writer.writerow([])
    _write_totals(writer, decided)
    return out.getvalue()


def _write_totals(writer: _RowWriter, decided: FundingDecided) -> None:
    reporting = decided.reporting_currency
    figures = ("budget", "allocated", "remaining", "funding_gap")
    writer.writerow(["region", "currency", *figures, *(f"{figure} ({reporting})" for figure in figures)])
    for region in decided.regions:
        writer.writerow(
            [region.region_code, region.budget.currency]
            + [_amount(getattr(region, figure).amount) for figure in figures]
            + [_amount(getattr(region, f"{figure}_reporting").amount) for figure in figures]
        )
    totals = decided.totals
    writer.writerow(
        ["total", reporting, "", "", "", ""] + [_amount(getattr(totals, figure).amount) for figure in figures]
    )


def _score(value: Decimal | None) -> str:
    return format_score(value) if value is not None else ""


def _amount(value: Decimal | None) -> str:
    return f"{value:.2f}" if value is not None else ""


# --- what is public once published, and what a consortium reads of its own line ------------------------------

STATUSES: tuple[str, ...] = (*FundingStatus, RankingStatus.NOT_PASSED, RankingStatus.INELIGIBLE)


def public_lines(lines: Sequence[ResultLine]) -> list[ResultLine]:
    """The lines the published results name: the funded proposals, in rank order. The others (reserve,
    declined, below the thresholds, ineligible) are counted, not named: they are the consortia's own business."""
    return [line for line in lines if line.status == FundingStatus.FUNDED.value]


def status_counts(lines: Sequence[ResultLine]) -> dict[str, int]:
    return {status: sum(line.status == status for line in lines) for status in STATUSES}


def reserve_position(lines: Sequence[ResultLine], proposal_id: str) -> int | None:
    """1 for the first proposal on the reserve list (in rank order), and so on; None off the list."""
    reserve = [str(line.proposal_id) for line in lines if line.status == FundingStatus.RESERVE.value]
    return reserve.index(proposal_id) + 1 if proposal_id in reserve else None
