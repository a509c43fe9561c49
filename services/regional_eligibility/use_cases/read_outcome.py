"""A consortium reads the eligibility outcome of its own proposal: per partner and for the consortium as a whole,
pending or decided, the rules broken with their numbers (see domain.applicant_view for what is shown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal

from ..access import own_case
from ..cases import call_config, check_states
from ..domain.applicant_view import ApplicantCheck, ApplicantOutcome, applicant_outcome
from ..domain.checks import CheckVerdict
from ..domain.lifecycle import CaseStatus
from ..models import ProposalCase
from ..repository import current_checks, get_case

Outcome = Literal["pending", "eligible", "not_eligible"]


@dataclass(frozen=True)
class OutcomeView:
    case: ProposalCase
    status: CaseStatus
    outcome: Outcome  # pending until decided
    reasons: list[str]  # the outcome's, once decided
    decided_at: datetime | None
    parties: ApplicantOutcome


async def read_outcome(session: AsyncSession, *, consortium: Principal, proposal_id: str) -> OutcomeView:
    case, submitted = own_case(await get_case(session, proposal_id), consortium, proposal_id)
    _, config = await call_config(session, case.call_id, missing=NotFound)
    rows = (
        await current_checks(session, proposal_id) if case.status in (CaseStatus.CHECKING, CaseStatus.DECIDED) else []
    )
    checks = [
        ApplicantCheck(state, CheckVerdict(row.automatic_verdict), by_officer=row.decided_by is not None)
        for state, row in zip(check_states(config, submitted, rows), rows, strict=True)
    ]
    status = CaseStatus(case.status)
    decided = status is CaseStatus.DECIDED
    return OutcomeView(
        case,
        status,
        cast(Outcome, case.outcome) if decided else "pending",
        list(case.reasons) if decided else [],
        case.decided_at if decided else None,
        applicant_outcome(config, submitted, status, checks),
    )
