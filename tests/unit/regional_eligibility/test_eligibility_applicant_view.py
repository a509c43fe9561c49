"""What a consortium sees of its own proposal's eligibility: per partner pending while its region's officers have
items, then the verdict with the rules broken; a dropped partner marked as dropped; no officer's note."""

from __future__ import annotations

from services.regional_eligibility.domain.applicant_view import ApplicantCheck, applicant_outcome
from services.regional_eligibility.domain.checks import CheckVerdict, automatic_checks
from services.regional_eligibility.domain.consolidation import CheckState
from shared.events import ProposalSubmitted
from tests.helpers import proposal_body, submitted_event
from tests.unit.regional_eligibility.test_eligibility_domain import (
    CALL,
    CLOCK,
    CONFIG,
    three_partners_one_ineligible,
    with_policy,
)


def checks_of(submitted: ProposalSubmitted, manual: CheckVerdict | None) -> list[ApplicantCheck]:
    """The automatic checks, the officers' manual items closed as `manual` (left open when None)."""
    assert CALL.configuration is not None
    shown = []
    for draft in automatic_checks(CONFIG, submitted):
        open_item = draft.verdict is CheckVerdict.NEEDS_HUMAN
        verdict = manual if open_item and manual is not None else draft.verdict
        state = CheckState(
            draft.partner_id,
            draft.organisation_name,
            draft.region_code,
            verdict,
            draft.reason,
            rule=draft.rule,
            details=draft.details,
        )
        shown.append(ApplicantCheck(state, draft.verdict, by_officer=open_item and manual is not None))
    return shown


def test_partners_are_pending_while_their_regions_officers_have_items_and_decided_after() -> None:
    submitted = submitted_event(CALL, proposal_body(), CLOCK)
    waiting = applicant_outcome(CONFIG, submitted, "checking", checks_of(submitted, None))
    assert [(p.region_code, p.status, p.verdict) for p in waiting.partners] == [
        ("AT-4", "checking", "pending"),
        ("CH-FR", "checking", "pending"),
    ]
    assert [item.rule for item in waiting.partners[0].pending] == ["regional.manual_check"]
    assert (waiting.consortium.status, waiting.consortium.verdict) == ("decided", "eligible")

    failed = applicant_outcome(CONFIG, submitted, "decided", checks_of(submitted, CheckVerdict.FAIL))
    austrian = failed.partners[0]
    assert (austrian.status, austrian.verdict, austrian.dropped) == ("decided", "not_eligible", False)
    [reason] = austrian.reasons
    assert (reason.rule, reason.decided_by, reason.overridden) == ("regional.manual_check", "officers", False)


def test_before_the_deadline_and_after_a_withdrawal_nothing_is_judged() -> None:
    submitted = submitted_event(CALL, proposal_body(), CLOCK)
    for status in ("awaiting_deadline", "withdrawn"):
        shown = applicant_outcome(CONFIG, submitted, status, [])  # type: ignore[arg-type]
        assert {(p.status, p.verdict) for p in [*shown.partners, shown.consortium]} == {(status, "pending")}


def test_a_partner_dropped_by_the_calls_policy_is_marked_dropped_with_its_reasons() -> None:
    call = with_policy("drop_partner")
    assert call.configuration is not None
    submitted = submitted_event(call, three_partners_one_ineligible(), CLOCK)
    checks = checks_of(submitted, CheckVerdict.PASS)
    shown = applicant_outcome(call.configuration, submitted, "decided", checks)
    dropped = [p for p in shown.partners if p.dropped]
    assert [p.organisation_name for p in dropped] == ["Salzburg Industries AG"]
    assert dropped[0].verdict == "not_eligible" and dropped[0].reasons and dropped[0].participating
    assert all(r.decided_by == "rules" for r in dropped[0].reasons)
