"""A proposal's eligibility case: opened with its final version when the call closes, checked by
the rules, decided once every region has decided all its partners, announced as
eligibility.decided (again, versioned, if a correction changes the outcome). What the use cases that open,
decide and withdraw cases share; the use cases themselves are in use_cases/."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.errors import RetryableError
from shared.events import CallSnapshot, EligibilityDecided, PartnerVerdict, ProposalSubmitted
from shared.messaging.outbox import emit
from shared.readmodel import load_call_copy
from shared.service import Runtime

from .domain.checks import CheckDraft, CheckVerdict, automatic_checks
from .domain.consolidation import CheckState, Decision, decide
from .domain.lifecycle import CaseFeedKind, CaseOutcome, CaseStatus, moved
from .domain.stages import checks_of_stage
from .feed import announce
from .models import PartnerCheck, ProposalCase, call_copies
from .repository import current_checks, retire_checks


async def call_config(
    session: AsyncSession, call_id: str, *, missing: type[Exception] = RetryableError
) -> tuple[CallSnapshot, CallConfiguration]:
    """The call's local copy. For an event handler a missing call is `RetryableError` (its event is
    on the way); for an HTTP request pass `missing=NotFound`."""
    call = await load_call_copy(session, call_copies, call_id)
    if call is None or call.configuration is None:
        raise missing(f"No call {call_id} known here.")
    return call, call.configuration


async def open_checks(session: AsyncSession, runtime: Runtime, case: ProposalCase, config: CallConfiguration) -> None:
    submitted = ProposalSubmitted.model_validate(case.submission)
    now = runtime.clock.now()
    await retire_checks(session, case.proposal_id)
    drafts = checks_of_stage(automatic_checks(config, submitted), config, submitted.stage)
    session.add_all(
        [
            PartnerCheck(
                proposal_id=case.proposal_id,
                call_id=case.call_id,
                proposal_version=case.version,
                partner_id=d.partner_id,
                organisation_name=d.organisation_name,
                region_code=d.region_code,
                rule=d.rule,
                automatic_verdict=d.verdict.value,
                verdict=d.verdict.value,
                reason=d.reason,
                current=True,
                checked_at=now,
            )
            for d in drafts
        ]
    )
    case.status = moved(case.status, CaseStatus.CHECKING)
    await session.flush()
    for region in _regions(submitted, config):
        mine = [d for d in drafts if d.region_code == region]
        await announce(
            session,
            runtime,
            {region},
            CaseFeedKind.CHECKS_OPENED,
            case.proposal_id,
            {
                "proposal_id": case.proposal_id,
                "acronym": case.acronym,
                "version": case.version,
                "checks": len(mine),
                "open_items": sum(d.verdict is CheckVerdict.NEEDS_HUMAN for d in mine),
            },
        )
    # The checks just opened are the current ones, their verdicts the automatic ones: decided on them as they are.
    await try_decide(session, runtime, case, config, opened=(submitted, drafts))


async def try_decide(
    session: AsyncSession,
    runtime: Runtime,
    case: ProposalCase,
    config: CallConfiguration,
    *,
    opened: tuple[ProposalSubmitted, list[CheckDraft]] | None = None,
) -> None:
    """`opened`: the submission and the checks `open_checks` has just written (nothing to read back or judge again)."""
    if opened is not None:
        submitted, drafts = opened
        checks = [
            CheckState(
                d.partner_id, d.organisation_name, d.region_code, d.verdict, d.reason, rule=d.rule, details=d.details
            )
            for d in drafts
        ]
    else:
        submitted = ProposalSubmitted.model_validate(case.submission)
        checks = check_states(config, submitted, await current_checks(session, case.proposal_id))
    decision = decide(config, submitted, checks)
    if decision is None:
        case.status = moved(case.status, CaseStatus.CHECKING)
        case.outcome, case.reasons = CaseOutcome.PENDING, []
        return
    if case.decided_at is not None and (decision.outcome, decision.reasons) == (case.outcome, case.reasons):
        case.status = moved(case.status, CaseStatus.DECIDED)
        return  # a confirmation that changes nothing announces nothing
    now = runtime.clock.now()
    case.status = moved(case.status, CaseStatus.DECIDED)
    case.outcome, case.reasons, case.decided_at = decision.outcome, decision.reasons, now
    case.decision_version += 1
    await session.flush()
    await emit(
        session,
        runtime.tables,
        _decided_event(case, submitted, decision),
        source=runtime.name,
        subject=case.proposal_id,
        clock=runtime.clock,
    )
    await announce(
        session,
        runtime,
        _regions(submitted, config),
        CaseFeedKind.OUTCOME_DECIDED,
        case.proposal_id,
        {
            "proposal_id": case.proposal_id,
            "acronym": case.acronym,
            "outcome": decision.outcome,
            "reasons": decision.reasons,
            "decision_version": case.decision_version,
        },
    )


def check_states(config: CallConfiguration, submitted: ProposalSubmitted, rows: list[PartnerCheck]) -> list[CheckState]:
    """The stored checks with the numbers behind each automatic verdict, judged again (a pure function of the
    stored call and version: the same numbers as when the checks opened); an officer's override keeps the
    rule's numbers."""
    numbers = {(d.partner_id, d.region_code, d.rule): d.details for d in automatic_checks(config, submitted)}
    return [
        CheckState(
            c.partner_id,
            c.organisation_name,
            c.region_code,
            CheckVerdict(c.verdict),
            c.reason,
            rule=c.rule,
            details=numbers.get((c.partner_id, c.region_code, c.rule), {}),
        )
        for c in rows
    ]


def _regions(submitted: ProposalSubmitted, config: CallConfiguration) -> set[str]:
    participating = {region.code for region in config.regions}
    return {p.region_code for p in submitted.partners if p.region_code in participating}


def _decided_event(case: ProposalCase, submitted: ProposalSubmitted, decision: Decision) -> EligibilityDecided:
    partners = [
        PartnerVerdict(
            partner_id=p.partner_id,
            region_code=p.region_code,
            eligible=p.partner_id not in decision.ineligible_partners,
            reasons=[d.text for d in decision.ineligible_partners.get(p.partner_id, [])],
            organisation_name=p.organisation_name,
            reason_details=decision.ineligible_partners.get(p.partner_id, []),
        )
        for p in submitted.partners
    ]
    assert case.decided_at is not None
    return EligibilityDecided(
        proposal_id=uuid.UUID(case.proposal_id),
        call_id=uuid.UUID(case.call_id),
        proposal_version=case.version,
        outcome=decision.outcome,
        reasons=decision.reasons,
        partners=partners,
        decided_at=case.decided_at,
        decision_version=case.decision_version,
        dropped_partners=decision.dropped_partners,
        reason_details=decision.details,
    )
