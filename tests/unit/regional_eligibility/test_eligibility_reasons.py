"""Every eligibility verdict names its subject: the partner (id and name) or a region's partners together, the
rule, and the numbers as structured fields beside the sentence."""

from __future__ import annotations

from services.regional_eligibility.domain.checks import CONSORTIUM, CheckVerdict, automatic_checks
from services.regional_eligibility.domain.consolidation import CheckState, decide, subject_reason
from tests.helpers import partner, proposal_body, submitted_event
from tests.unit.regional_eligibility.test_eligibility_domain import (
    CALL,
    CLOCK,
    CONFIG,
    three_partners_one_ineligible,
    with_policy,
)


def closed(call: object, body: dict[str, object]) -> tuple[object, list[CheckState]]:
    submitted = submitted_event(call, body, CLOCK)  # type: ignore[arg-type]
    checks = automatic_checks(call.configuration, submitted)  # type: ignore[attr-defined]
    states = [
        CheckState(
            c.partner_id,
            c.organisation_name,
            c.region_code,
            CheckVerdict.PASS if c.verdict is CheckVerdict.NEEDS_HUMAN else c.verdict,
            c.reason,
            rule=c.rule,
            details=c.details,
        )
        for c in checks
    ]
    return submitted, states


def test_a_partner_s_reason_names_the_partner_and_carries_the_rule_and_numbers() -> None:
    submitted, checks = closed(with_policy("reject_proposal"), three_partners_one_ineligible())
    decision = decide(CONFIG, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "not_eligible"
    assert {d.organisation_name for d in decision.details} == {"Salzburg Industries AG"}
    detail = next(d for d in decision.details if d.rule == "regional.organisation_type")
    assert detail.text.startswith("Salzburg Industries AG (AT-5): a large enterprise is not eligible")
    assert detail.rule == "regional.organisation_type" and detail.region_code == "AT-5"
    assert detail.partner_id is not None and detail.partner_id.endswith(":p3")
    assert detail.organisation_name == "Salzburg Industries AG"
    assert detail.details == {"organisation_type": "large_enterprise"}
    assert decision.reasons == [d.text for d in decision.details]
    assert decision.ineligible_partners == {detail.partner_id: decision.details}


def test_a_funding_rate_reason_carries_its_numbers() -> None:
    body = proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator"),
        partner("Bayern Werk GmbH", "DE-BY", costs="100000.00", requested="62000.00"),
    )
    submitted, checks = closed(CALL, body)
    decision = decide(CONFIG, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None
    rate = next(d for d in decision.details if d.rule == "regional.funding_rate")
    assert rate.text.startswith("Bayern Werk GmbH (DE-BY): requested 62,000.00 EUR")
    assert rate.details["requested"] == "62000.00" and rate.partner_id and rate.organisation_name == "Bayern Werk GmbH"


def test_checks_on_several_partners_carry_their_names() -> None:
    body = proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator", costs="400000.00", requested="190000.00"),
        partner("Beta GmbH", "AT-4", costs="400000.00", requested="190000.00"),
        partner("Universite de Fribourg", "CH-FR", currency="CHF", kind="university", costs="400000.00"),
    )
    submitted = submitted_event(CALL, body, CLOCK)
    checks = automatic_checks(CONFIG, submitted)
    together = [c for c in checks if c.partner_id is None and c.region_code == "AT-4"]
    assert together and all(c.organisation_name == "Alpha GmbH, Beta GmbH" for c in together)
    consortium = [c for c in checks if c.region_code == CONSORTIUM and c.partner_id is None]
    assert consortium and all(c.organisation_name == submitted.acronym for c in consortium)
    failing = next(c for c in together if c.verdict is CheckVerdict.FAIL)
    state = CheckState(None, failing.organisation_name, "AT-4", failing.verdict, failing.reason, rule=failing.rule)
    assert subject_reason(state).startswith("Alpha GmbH, Beta GmbH (AT-4, together): ")


def test_a_consortium_reason_is_not_prefixed_twice_and_names_a_partner_it_is_about() -> None:
    plain = CheckState(None, "ALPHA", CONSORTIUM, CheckVerdict.FAIL, "2 partners, fewer than 3", rule="c.min")
    assert subject_reason(plain) == "2 partners, fewer than 3"
    about = CheckState("x:p1", "Alpha GmbH", CONSORTIUM, CheckVerdict.FAIL, "holds 80% of the costs", rule="c.share")
    assert subject_reason(about) == "Alpha GmbH: holds 80% of the costs"
    named = CheckState("x:p1", "Alpha GmbH", "AT-4", CheckVerdict.FAIL, "Alpha GmbH is not established in X")
    assert subject_reason(named) == "Alpha GmbH is not established in X"


def test_the_drop_policy_keeps_the_details_of_the_dropped_partner() -> None:
    call = with_policy("drop_partner")
    submitted, checks = closed(call, three_partners_one_ineligible())
    decision = decide(call.configuration, submitted, checks)  # type: ignore[arg-type]
    assert decision is not None and decision.outcome == "eligible"
    detail = next(d for d in decision.details if d.rule == "regional.organisation_type")
    assert detail.text.startswith("Salzburg Industries AG dropped: Salzburg Industries AG (AT-5): ")
    assert detail.organisation_name == "Salzburg Industries AG" and detail.rule == "regional.organisation_type"
