"""regional_eligibility's domain: automatic checks by the rule engine, and consolidation with
each ineligible-partner policy."""

from __future__ import annotations

from services.regional_eligibility.domain.checks import CONSORTIUM, CheckVerdict, automatic_checks
from services.regional_eligibility.domain.consolidation import CheckState, decide
from shared.calls import CallConfiguration
from shared.clock import MovableClock
from shared.events import CallSnapshot
from tests.helpers import NOW, fribourg_university, partner, proposal_body, published_call, submitted_event

CLOCK = MovableClock(NOW)
CALL = published_call(CLOCK)
assert CALL.configuration is not None
CONFIG: CallConfiguration = CALL.configuration


def with_policy(policy: str) -> CallSnapshot:
    return CALL.model_copy(update={"configuration": CONFIG.model_copy(update={"ineligible_partner_policy": policy})})


def states(
    call: CallSnapshot, body: dict[str, object], manual: str = "pass", consortium: str | None = "pass"
) -> tuple[object, list[CheckState]]:
    """The proposal and its checks with the regions' manual items closed as `manual` (by their officers)
    and the consortium-level ones as `consortium` (by the agency), or left open when it is None."""
    submitted = submitted_event(call, body, CLOCK)
    assert call.configuration is not None
    checks = automatic_checks(call.configuration, submitted)
    closed = [
        CheckState(
            c.partner_id,
            c.organisation_name,
            c.region_code,
            _closed(c.region_code, c.verdict, manual, consortium),
            c.reason,
        )
        for c in checks
    ]
    return submitted, closed


def _closed(region: str, verdict: CheckVerdict, manual: str, consortium: str | None) -> CheckVerdict:
    if verdict is not CheckVerdict.NEEDS_HUMAN:
        return verdict
    by = consortium if region == CONSORTIUM else manual
    return CheckVerdict(by) if by else verdict


def test_each_region_judges_its_own_partners_and_manual_checks_wait_for_officers() -> None:
    submitted = submitted_event(CALL, proposal_body(), CLOCK)
    checks = automatic_checks(CONFIG, submitted)
    by_region = {c.region_code for c in checks}
    assert by_region == {CONSORTIUM, "AT-4", "CH-FR"}
    manual = [c for c in checks if c.verdict is CheckVerdict.NEEDS_HUMAN]
    assert {c.region_code for c in manual} == {"AT-4", "CH-FR"}
    assert all(c.verdict is CheckVerdict.PASS for c in checks if c.region_code == CONSORTIUM)
    states_ = [CheckState(c.partner_id, c.organisation_name, c.region_code, c.verdict, c.reason) for c in checks]
    assert decide(CONFIG, submitted, states_) is None  # not before the officers decided


def test_eligible_once_every_item_passes() -> None:
    submitted, checks = states(CALL, proposal_body())
    decision = decide(CONFIG, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "eligible" and decision.reasons == []


def test_a_self_funded_partner_from_outside_is_checked_only_by_the_consortium_rules() -> None:
    body = proposal_body()
    body["partners"].append(partner("Genova Srl", "IT-42", requested="0.00", costs="100000.00"))
    submitted, checks = states(CALL, body)
    assert all(c.region_code != "IT-42" for c in checks)
    assert decide(CONFIG, submitted, checks).outcome == "eligible"  # type: ignore[arg-type, union-attr]
    body["partners"][-1]["requested_funding"] = "1000.00"
    submitted, checks = states(CALL, body)
    decision = decide(CONFIG, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "not_eligible"
    assert any("Genova Srl" in reason for reason in decision.reasons)


def test_an_open_consortium_item_keeps_the_proposal_undecided_until_the_agency_decides_it() -> None:
    body = proposal_body()
    body["partners"].append(partner("London Ltd", "GB-LND", currency="GBP", costs="100000.00", requested="0.00"))
    submitted, checks = states(CALL, body, consortium=None)  # every region decided; no GBP rate for the shares
    still_open = [c for c in checks if c.verdict is CheckVerdict.NEEDS_HUMAN]
    assert len(still_open) == 2 and {c.region_code for c in still_open} == {CONSORTIUM}
    assert all("no conversion rate for GBP" in c.reason for c in still_open)
    assert decide(CONFIG, submitted, checks) is None  # type: ignore[arg-type]
    submitted, checks = states(CALL, body, consortium="pass")
    decision = decide(CONFIG, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "eligible"
    submitted, checks = states(CALL, body, consortium="fail")
    decision = decide(CONFIG, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "not_eligible"


def three_partners_one_ineligible() -> dict[str, object]:
    return proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator", costs="150000.00", requested="70000.00"),
        fribourg_university(),
        partner("Salzburg Industries AG", "AT-5", kind="large_enterprise", costs="100000.00", requested="20000.00"),
    )


def test_reject_policy_rejects_the_proposal_with_the_partners_reasons() -> None:
    submitted, checks = states(with_policy("reject_proposal"), three_partners_one_ineligible())
    decision = decide(CONFIG, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "not_eligible"
    assert any("large enterprise" in reason for reason in decision.reasons)


def test_drop_policy_drops_the_partner_and_keeps_the_proposal_when_the_rest_holds() -> None:
    call = with_policy("drop_partner")
    assert call.configuration is not None
    submitted, checks = states(call, three_partners_one_ineligible())
    decision = decide(call.configuration, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "eligible"
    assert [p.split(":")[1] for p in decision.dropped_partners] == ["p3"]
    assert decision.reasons[0].startswith("Salzburg Industries AG dropped")


def test_drop_policy_rejects_when_the_rest_breaks_the_consortium_rules() -> None:
    call = with_policy("drop_partner")
    assert call.configuration is not None
    body = proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator", costs="100000.00", requested="50000.00"),
        partner("Salzburg Industries AG", "AT-5", kind="large_enterprise", costs="90000.00", requested="20000.00"),
    )
    submitted, checks = states(call, body)
    decision = decide(call.configuration, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "not_eligible"
    assert any(reason.startswith("without them:") for reason in decision.reasons)


def test_a_failed_manual_item_makes_the_partner_ineligible() -> None:
    submitted, checks = states(CALL, proposal_body(), manual="fail")
    decision = decide(CONFIG, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "not_eligible"
    assert set(decision.ineligible_partners) == {p.partner_id for p in submitted.partners}  # type: ignore[attr-defined]


def test_a_rule_on_the_regions_partners_together_fails_them_all() -> None:
    body = proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator", costs="400000.00", requested="190000.00"),
        partner("Beta GmbH", "AT-4", costs="400000.00", requested="190000.00"),
        fribourg_university(costs="400000.00", requested="100000.00"),
    )
    submitted, checks = states(CALL, body)  # Upper Austria: at most 350,000 EUR per proposal
    decision = decide(CONFIG, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "not_eligible"
    austrians = {p.partner_id for p in submitted.partners if p.region_code == "AT-4"}  # type: ignore[attr-defined]
    assert austrians <= set(decision.ineligible_partners)
