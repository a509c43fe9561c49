"""call_definition's domain: lifecycle by the clock, whole-call validation, amendments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from services.call_definition.domain.amendments import BudgetTopUp, DeadlineExtension, TextCorrection, apply_amendment
from services.call_definition.domain.lifecycle import CallStatus, clock_status, effective_status, transition_refusal
from services.call_definition.domain.validation import validate_configuration
from services.call_definition.examples import alpine_call
from shared.calls import CallConfiguration
from tests.helpers import NOW, call_body

ALPINE = CallConfiguration.model_validate(alpine_call())
OPENS, DEADLINE = ALPINE.opens_at, ALPINE.deadline


def config(**changes: Any) -> CallConfiguration:
    body = call_body()
    body.update(changes)
    return CallConfiguration.model_validate(body)


def fields(errors: list[Any]) -> set[str]:
    return {error.field for error in errors}


class TestLifecycle:
    def test_opening_and_closing_follow_the_clock(self) -> None:
        assert clock_status(ALPINE, OPENS - timedelta(microseconds=1)) is CallStatus.PUBLISHED
        assert clock_status(ALPINE, OPENS) is CallStatus.OPEN
        assert clock_status(ALPINE, DEADLINE - timedelta(microseconds=1)) is CallStatus.OPEN
        assert clock_status(ALPINE, DEADLINE) is CallStatus.CLOSED

    def test_between_two_stages_the_call_is_not_open(self) -> None:
        first = ALPINE.stages[0]
        pre = first.model_copy(update={"name": "pre-proposal", "deadline": first.opens + timedelta(days=10)})
        two = ALPINE.model_copy(
            update={"stages": [pre, first.model_copy(update={"opens": pre.deadline + timedelta(days=30)})]}
        )
        assert clock_status(two, pre.opens + timedelta(days=1)) is CallStatus.OPEN
        assert clock_status(two, pre.deadline + timedelta(days=1)) is CallStatus.PUBLISHED
        assert clock_status(two, two.deadline) is CallStatus.CLOSED

    def test_drafts_and_later_phases_do_not_follow_the_clock(self) -> None:
        assert effective_status(CallStatus.DRAFT, ALPINE, DEADLINE) is CallStatus.DRAFT
        assert effective_status(CallStatus.EVALUATION, ALPINE, OPENS) is CallStatus.EVALUATION
        assert effective_status(CallStatus.OPEN, ALPINE, DEADLINE) is CallStatus.CLOSED

    @pytest.mark.parametrize(
        ("current", "target", "allowed"),
        [
            (CallStatus.DRAFT, CallStatus.PUBLISHED, True),
            (CallStatus.CLOSED, CallStatus.ELIGIBILITY, True),
            (CallStatus.ELIGIBILITY, CallStatus.EVALUATION, True),
            (CallStatus.EVALUATION, CallStatus.RANKING, True),
            (CallStatus.RANKING, CallStatus.FUNDING_DECISIONS, True),
            (CallStatus.FUNDING_DECISIONS, CallStatus.RESULTS_PUBLISHED, True),
            (CallStatus.OPEN, CallStatus.ELIGIBILITY, False),
            (CallStatus.OPEN, CallStatus.CLOSED, False),
            (CallStatus.CLOSED, CallStatus.RANKING, False),
            (CallStatus.RESULTS_PUBLISHED, CallStatus.EVALUATION, False),
            (CallStatus.PUBLISHED, CallStatus.DRAFT, False),
        ],
    )
    def test_only_allowed_transitions(self, current: CallStatus, target: CallStatus, allowed: bool) -> None:
        assert (transition_refusal(current, target) is None) is allowed


class TestValidation:
    def test_the_alpine_example_is_valid(self) -> None:
        assert validate_configuration(ALPINE) == []

    def test_timeline_errors_point_at_their_fields(self) -> None:
        stage = {"name": "full", "opens": "2027-02-01T09:00:00+01:00", "deadline": "2027-01-01T09:00:00+01:00"}
        errors = validate_configuration(config(stages=[stage], time_zone="Mars/Olympus"))
        assert {"stages.0.deadline", "time_zone"} <= fields(errors)

    def test_stages_in_order(self) -> None:
        first = {"name": "pre", "opens": "2027-02-01T09:00:00+01:00", "deadline": "2027-03-01T09:00:00+01:00"}
        second = {"name": "full", "opens": "2027-02-15T09:00:00+01:00", "deadline": "2027-05-01T09:00:00+02:00"}
        errors = validate_configuration(
            config(stages=[first, second], eligibility_check_due=None, evaluation_due=None, decisions_due=None)
        )
        assert fields(errors) == {"stages.1.opens"}

    def test_dates_after_the_deadline_in_order(self) -> None:
        late = (NOW + timedelta(days=400)).isoformat()
        errors = validate_configuration(config(eligibility_check_due=late))
        assert fields(errors) == {"evaluation_due"}

    def test_every_error_at_once(self) -> None:
        body = call_body()
        body["regions"].append(dict(body["regions"][0]))
        body["regions"][1]["currency"] = "XBT"
        body["regions"][2]["max_grant_per_partner"] = 500000
        body["evaluation"]["criteria"][0]["threshold"] = 6
        body["evaluation"]["tie_break"] = ["excellence", "beauty"]
        body["evaluation"]["overall_threshold"] = 16
        body["funding"]["reporting_rates"] = {}
        errors = validate_configuration(CallConfiguration.model_validate(body))
        assert fields(errors) == {
            f"regions.{len(body['regions']) - 1}.code",
            "regions.1.currency",
            "regions.2.max_grant_per_partner",
            "evaluation.criteria.0.threshold",
            "evaluation.tie_break.1",
            "evaluation.overall_threshold",
            "funding.reporting_rates",
        }

    def test_scale_and_thresholds(self) -> None:
        body = call_body()
        body["evaluation"]["scale"] = {"min": 0, "max": 5, "step": 0.3}
        assert fields(validate_configuration(CallConfiguration.model_validate(body))) == {"evaluation.scale.step"}
        body["evaluation"]["scale"] = {"min": 5, "max": 5, "step": 0.5}
        assert "evaluation.scale.max" in fields(validate_configuration(CallConfiguration.model_validate(body)))

    def test_exact_edges_are_valid(self) -> None:
        body = call_body()
        body["evaluation"]["criteria"][0]["threshold"] = 5
        body["evaluation"]["overall_threshold"] = 15
        region = body["regions"][0]
        region["max_grant_per_partner"] = region["max_grant_per_proposal"]
        assert validate_configuration(CallConfiguration.model_validate(body)) == []

    def test_consortium_rules_consistent_with_the_regions(self) -> None:
        body = call_body(regions=("AT-4",))
        errors = validate_configuration(CallConfiguration.model_validate(body))
        assert fields(errors) == {"consortium_rules.min_participating_regions"}

    def test_region_rules_consistent(self) -> None:
        body = call_body()
        region = body["regions"][0]
        region["eligible_organisation_types"].append("ngo")
        region["s3_areas"].append("space tourism")
        region["trl"] = {"min": 6, "max": 4}
        region["eligible_cost_categories"] = ["personnel"]
        errors = validate_configuration(CallConfiguration.model_validate(body))
        assert fields(errors) == {
            "regions.0.funding_rates",
            "regions.0.s3_areas",
            "regions.0.trl.min",
            "regions.0.cost_caps",
        }

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            (("regions", 0, "budget"), 0),
            (("regions", 0, "budget"), -5),
            (("regions", 0, "funding_rates", "sme"), 1.2),
            (("regions", 0, "currency"), "eur"),
            (("evaluation", "criteria", 0, "weight"), 0),
            (("consortium_rules", "max_share_per_partner"), 0),
            (("regions", 0, "budget"), "12.345"),
        ],
    )
    def test_field_level_checks(self, path: tuple[Any, ...], value: Any) -> None:
        from pydantic import ValidationError

        body = call_body()
        target: Any = body
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        with pytest.raises(ValidationError) as raised:
            CallConfiguration.model_validate(body)
        assert tuple(raised.value.errors()[0]["loc"][: len(path)]) == path


class TestAmendments:
    def test_deadline_extension_moves_the_final_deadline(self) -> None:
        later = DEADLINE + timedelta(days=7)
        amended, errors = apply_amendment(
            ALPINE,
            CallStatus.OPEN,
            DeadlineExtension(kind="deadline_extension", deadline=later, reason="outage"),
            OPENS,
        )
        assert errors == []
        assert amended.deadline == later

    def test_extension_must_be_later_and_in_the_future(self) -> None:
        amendment = DeadlineExtension(kind="deadline_extension", deadline=DEADLINE, reason="no-op")
        _, errors = apply_amendment(ALPINE, CallStatus.OPEN, amendment, OPENS)
        assert fields(errors) == {"deadline"}
        late = DeadlineExtension(kind="deadline_extension", deadline=DEADLINE + timedelta(days=1), reason="too late")
        _, errors = apply_amendment(ALPINE, CallStatus.CLOSED, late, DEADLINE + timedelta(days=2))
        assert fields(errors) == {"deadline"}

    def test_no_extension_once_eligibility_started(self) -> None:
        amendment = DeadlineExtension(kind="deadline_extension", deadline=DEADLINE + timedelta(days=7), reason="x" * 5)
        _, errors = apply_amendment(ALPINE, CallStatus.ELIGIBILITY, amendment, DEADLINE)
        assert fields(errors) == {"kind"}

    def test_extension_past_the_eligibility_date_is_refused_as_a_whole(self) -> None:
        assert ALPINE.eligibility_check_due is not None
        amendment = DeadlineExtension(
            kind="deadline_extension", deadline=ALPINE.eligibility_check_due + timedelta(days=1), reason="too far"
        )
        _, errors = apply_amendment(ALPINE, CallStatus.OPEN, amendment, OPENS)
        assert fields(errors) == {"eligibility_check_due"}

    def test_budget_top_up_in_the_region_currency(self) -> None:
        amendment = BudgetTopUp(kind="budget_top_up", region="CH-FR", amount=Decimal("120000.50"), reason="top-up")
        amended, errors = apply_amendment(ALPINE, CallStatus.RANKING, amendment, DEADLINE)
        assert errors == []
        region = amended.region("CH-FR")
        assert region is not None and region.budget == Decimal("620000.50")
        assert ALPINE.region("CH-FR").budget == Decimal("500000")  # type: ignore[union-attr]

    def test_top_up_of_an_unknown_region(self) -> None:
        amendment = BudgetTopUp(kind="budget_top_up", region="IT-42", amount=Decimal(1), reason="top-up")
        _, errors = apply_amendment(ALPINE, CallStatus.OPEN, amendment, OPENS)
        assert fields(errors) == {"region"}

    def test_text_correction(self) -> None:
        amendment = TextCorrection(
            kind="text_correction", title="Alpine Space call (corrected)", reason="typo in the title"
        )
        amended, errors = apply_amendment(ALPINE, CallStatus.OPEN, amendment, OPENS)
        assert errors == [] and amended.title == "Alpine Space call (corrected)"
        _, errors = apply_amendment(
            ALPINE, CallStatus.OPEN, TextCorrection(kind="text_correction", reason="nothing to change"), OPENS
        )
        assert errors


def test_rules_of_the_call_feed_the_rule_engine() -> None:
    rules = ALPINE.consortium_rules_for_engine()
    assert rules.max_share_per_region == Decimal("0.7") and rules.max_duration_months == 36
    assert ALPINE.regional_rules()["CH-FR"].currency == "CHF"
    assert ALPINE.reporting_rates() == {"CHF": Decimal("1.05"), "EUR": Decimal(1)}
    assert datetime(2027, 4, 15, 15, tzinfo=UTC) == DEADLINE
