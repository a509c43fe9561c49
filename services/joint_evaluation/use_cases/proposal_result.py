"""A consortium reads its own proposal's line of the published results: rank, scores, funded, on the reserve list
or not, the grant of each region, why it did not pass, and which regions lacked money for a reserve proposal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.events import RegionAmount, ResultLine
from shared.http.principal import Principal

from ..access import own_entry
from ..domain.allocation import FundingStatus
from ..domain.results import reserve_position
from ..repository import get_entry
from ..views import published_results


@dataclass(frozen=True)
class ProposalResult:
    call_id: str
    published_at: datetime
    reporting_currency: str
    criteria: list[str]
    line: ResultLine
    reserve_position: int | None  # 1: first on the reserve list
    reasons: list[str] = field(default_factory=list)  # not passed or ineligible: why
    shortfall: list[RegionAmount] = field(default_factory=list)  # reserve: what each short region lacked


async def proposal_result(session: AsyncSession, *, consortium: Principal, proposal_id: str) -> ProposalResult:
    """404 for another consortium's proposal, before the call's results are published, and for a proposal the
    results do not list (withdrawn)."""
    entry = own_entry(await get_entry(session, proposal_id), consortium, proposal_id)
    state = await published_results(session, entry.call_id)
    line = next((line for line in state.lines if str(line.proposal_id) == proposal_id), None)
    if line is None:
        raise NotFound(f"Proposal {proposal_id} is not in the published results.")
    decision = next((d for d in state.funding.decided.proposals if str(d.proposal_id) == proposal_id), None)
    assert state.funding.published_at is not None
    return ProposalResult(
        call_id=entry.call_id,
        published_at=state.funding.published_at,
        reporting_currency=state.funding.decided.reporting_currency,
        criteria=[criterion.key for criterion in state.config.evaluation.criteria],
        line=line,
        reserve_position=reserve_position(state.lines, proposal_id),
        reasons=state.reasons.get(proposal_id, []),
        shortfall=list(decision.shortfall)
        if decision is not None and line.status == FundingStatus.RESERVE.value
        else [],
    )
