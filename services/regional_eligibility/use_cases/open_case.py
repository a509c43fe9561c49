"""A submitted proposal version arrives: check each partner and decide when all are checked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import RetryableError
from shared.events import EligibilityDecided, PartnerVerdict, ProposalSubmitted
from shared.messaging.outbox import emit
from shared.readmodel import load_call_copy
from shared.service import Runtime

from ..domain.checks import Decision, PartnerVerdictDraft, Verdict, check_partner, consolidate
from ..models import PartnerCheck, ProposalCase, call_copies
from ..repository import get_case


async def open_case(session: AsyncSession, runtime: Runtime, submitted: ProposalSubmitted) -> None:
    call = await load_call_copy(session, call_copies, submitted.call_id)
    if call is None:
        raise RetryableError(f"call {submitted.call_id} not known yet")  # its event is on the way
    proposal_id = str(submitted.proposal_id)
    case = await get_case(session, proposal_id, for_update=True)
    if case is not None and case.version >= submitted.version:
        return  # an older version arriving late changes nothing
    now = runtime.clock.now()
    verdicts = [v for partner in submitted.partners for v in check_partner(call, partner)]
    if case is None:
        case = ProposalCase(proposal_id=proposal_id, call_id=str(submitted.call_id))
        session.add(case)
    case.version, case.acronym, case.updated_at = submitted.version, submitted.acronym, now
    case.partners = [p.model_dump(mode="json") for p in submitted.partners]
    case.outcome, case.reasons, case.decided_at = "pending", [], None
    session.add_all(_check_rows(proposal_id, submitted.version, verdicts, now))
    decision = consolidate(verdicts)
    if decision is not None:
        case.outcome, case.reasons = decision
        case.decided_at = now
        await session.flush()
        await emit(
            session,
            runtime.tables,
            _decided(submitted, verdicts, decision, now),
            source="regional_eligibility",
            subject=proposal_id,
            clock=runtime.clock,
        )


def _check_rows(
    proposal_id: str, version: int, verdicts: list[PartnerVerdictDraft], now: datetime
) -> list[PartnerCheck]:
    return [
        PartnerCheck(
            proposal_id=proposal_id,
            proposal_version=version,
            partner_id=v.partner_id,
            organisation_name=v.organisation_name,
            region_code=v.region_code,
            rule=v.rule,
            verdict=v.verdict.value,
            reason=v.reason,
            checked_at=now,
        )
        for v in verdicts
    ]


def _decided(
    submitted: ProposalSubmitted, verdicts: list[PartnerVerdictDraft], decision: Decision, now: datetime
) -> EligibilityDecided:
    per_partner: dict[str, PartnerVerdict] = {}
    for v in verdicts:
        entry = per_partner.setdefault(
            v.partner_id,
            PartnerVerdict(partner_id=v.partner_id, region_code=v.region_code, eligible=True, reasons=[]),
        )
        if v.verdict is Verdict.FAIL:
            entry.eligible = False
            entry.reasons.append(v.reason)
    outcome, reasons = decision
    return EligibilityDecided(
        proposal_id=submitted.proposal_id,
        call_id=submitted.call_id,
        proposal_version=submitted.version,
        outcome=outcome,
        reasons=reasons,
        partners=list(per_partner.values()),
        decided_at=now,
    )
