"""A proposal's eligibility case: opened with its final version when the call closes, checked by
the rules, decided once every region has decided all its partners, announced as
eligibility.decided (again, versioned, if a correction changes the outcome). What the use cases that open,
decide and withdraw cases share; the use cases themselves are in use_cases/."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.errors import RetryableError
from shared.events import CallSnapshot, EligibilityDecided, EventData, PartnerVerdict, ProposalSubmitted
from shared.messaging.outbox import emit_all
from shared.readmodel import load_call_copy
from shared.service import Runtime

from .domain.checks import CheckDraft, CheckVerdict, RuleBook, automatic_checks
from .domain.consolidation import CheckState, Decision, decide
from .domain.lifecycle import CaseFeedKind, CaseOutcome, CaseStatus, moved
from .domain.stages import checks_of_stage
from .feed import FeedEntry, announce_all, feed_entries
from .models import PartnerCheck, ProposalCase, call_copies
from .repository import add_checks, current_checks, retire_checks


async def call_config(
    session: AsyncSession, call_id: str, *, missing: type[Exception] = RetryableError
) -> tuple[CallSnapshot, CallConfiguration]:
    """The call's local copy. For an event handler a missing call is `RetryableError` (its event is
    on the way); for an HTTP request pass `missing=NotFound`."""
    call = await load_call_copy(session, call_copies, call_id)
    if call is None or call.configuration is None:
        raise missing(f"No call {call_id} known here.")
    return call, call.configuration


async def open_checks(
    session: AsyncSession, runtime: Runtime, cases: Sequence[ProposalCase], config: CallConfiguration
) -> None:
    """Open the checks of the cases' final versions, decide the cases no human needs to and announce both, in a
    few statements for all the cases together (the call's close opens a whole call's)."""
    if not cases:
        return
    now = runtime.clock.now()
    await retire_checks(session, [case.proposal_id for case in cases])
    rows: list[dict[str, Any]] = []
    said = Announcements()
    book = RuleBook(config)
    for case in cases:
        submitted = ProposalSubmitted.model_validate(case.submission)
        drafts = checks_of_stage(automatic_checks(config, submitted, book), config, submitted.stage)
        rows += [_check_row(case, draft, now) for draft in drafts]
        case.status = moved(case.status, CaseStatus.CHECKING)
        for region in sorted(_regions(submitted, config)):
            mine = [d for d in drafts if d.region_code == region]
            opened = {
                "proposal_id": case.proposal_id,
                "acronym": case.acronym,
                "version": case.version,
                "checks": len(mine),
                "open_items": sum(d.verdict is CheckVerdict.NEEDS_HUMAN for d in mine),
            }
            said.feed += feed_entries([region], CaseFeedKind.CHECKS_OPENED, case.proposal_id, opened)
        # The checks just opened are the current ones, their verdicts the automatic ones: decided on them as they are.
        checks = [
            CheckState(
                d.partner_id, d.organisation_name, d.region_code, d.verdict, d.reason, rule=d.rule, details=d.details
            )
            for d in drafts
        ]
        _decide(runtime, case, config, submitted, checks, said)
    await add_checks(session, rows)
    await said.write(session, runtime)


async def try_decide(session: AsyncSession, runtime: Runtime, case: ProposalCase, config: CallConfiguration) -> None:
    """Decide the case on its current checks, if no check needs a human any more; announce a changed outcome."""
    submitted = ProposalSubmitted.model_validate(case.submission)
    rows = await current_checks(session, case.proposal_id)
    # The numbers behind the verdicts go only into the reasons of failed checks, once no check needs a human
    # (domain.consolidation.decide): the rules run again only for such a decision, not for every item closed.
    verdicts = {CheckVerdict(row.verdict) for row in rows}
    numbers = CheckVerdict.NEEDS_HUMAN not in verdicts and CheckVerdict.FAIL in verdicts
    checks = check_states(config, submitted, rows, numbers=numbers)
    said = Announcements()
    _decide(runtime, case, config, submitted, checks, said)
    await said.write(session, runtime)


@dataclass
class Announcements:
    """What opening or deciding cases announces, in order: events for the outbox, entries for the regions' feeds;
    written together (a statement each), once the cases are done."""

    events: list[tuple[str, EventData]] = field(default_factory=list)  # (subject, data)
    feed: list[FeedEntry] = field(default_factory=list)

    async def write(self, session: AsyncSession, runtime: Runtime) -> None:
        await emit_all(session, runtime.tables, self.events, source=runtime.name, clock=runtime.clock)
        await announce_all(session, runtime, self.feed)


def _decide(
    runtime: Runtime,
    case: ProposalCase,
    config: CallConfiguration,
    submitted: ProposalSubmitted,
    checks: list[CheckState],
    said: Announcements,
) -> None:
    """The case's outcome on these checks, its changes on the case, and what it announces added to `said`."""
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
    said.events.append((case.proposal_id, _decided_event(case, submitted, decision)))
    decided = {
        "proposal_id": case.proposal_id,
        "acronym": case.acronym,
        "outcome": decision.outcome,
        "reasons": decision.reasons,
        "decision_version": case.decision_version,
    }
    said.feed += feed_entries(_regions(submitted, config), CaseFeedKind.OUTCOME_DECIDED, case.proposal_id, decided)


def _check_row(case: ProposalCase, draft: CheckDraft, now: datetime) -> dict[str, Any]:
    """The stored check of a draft (the columns of `partner_checks`), current, its verdict the automatic one."""
    return {
        "proposal_id": case.proposal_id,
        "call_id": case.call_id,
        "proposal_version": case.version,
        "partner_id": draft.partner_id,
        "organisation_name": draft.organisation_name,
        "region_code": draft.region_code,
        "rule": draft.rule,
        "automatic_verdict": draft.verdict.value,
        "verdict": draft.verdict.value,
        "reason": draft.reason,
        "current": True,
        "checked_at": now,
    }


def check_states(
    config: CallConfiguration, submitted: ProposalSubmitted, rows: list[PartnerCheck], *, numbers: bool = True
) -> list[CheckState]:
    """The stored checks with the numbers behind each automatic verdict, judged again (a pure function of the
    stored call and version: the same numbers as when the checks opened); an officer's override keeps the
    rule's numbers. `numbers=False`: without them (no rule is run)."""
    found = (
        {(d.partner_id, d.region_code, d.rule): d.details for d in automatic_checks(config, submitted)}
        if numbers
        else {}
    )
    return [
        CheckState(
            c.partner_id,
            c.organisation_name,
            c.region_code,
            CheckVerdict(c.verdict),
            c.reason,
            rule=c.rule,
            details=found.get((c.partner_id, c.region_code, c.rule), {}),
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
