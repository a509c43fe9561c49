"""A two-stage call's configuration: the defaults, what is checked against the rest of the call, and that
one-stage calls are unchanged."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from services.call_definition.domain.validation import validate_configuration
from services.call_definition.examples import alpine_call
from services.call_definition.examples.two_stage import TWO_STAGE, alpine_two_stage
from shared.call_stages import StageOnePanel, TwoStageConfig, stage_rules
from shared.calls import CallConfiguration

ONE_STAGE = CallConfiguration.model_validate(alpine_call())


def two_stage(**changes: Any) -> CallConfiguration:
    body = alpine_two_stage(alpine_call())
    block = copy.deepcopy(TWO_STAGE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = block
        for name in parents:
            target = target[name]
        target[last] = value
    body["two_stage"] = block
    return CallConfiguration.model_validate(body)


def fields(config: CallConfiguration) -> set[str]:
    return {error.field for error in validate_configuration(config)}


def test_a_one_stage_call_is_unchanged_and_has_no_stage_rules() -> None:
    assert ONE_STAGE.two_stage is None
    assert stage_rules(ONE_STAGE) is None
    assert "two_stage" not in ONE_STAGE.model_dump(exclude_none=True)
    assert validate_configuration(ONE_STAGE) == []


def test_the_two_stage_alpine_example_is_valid() -> None:
    config = two_stage()
    assert validate_configuration(config) == []
    rules = stage_rules(config)
    assert rules is not None and rules.shortlist.region_factors == {"CH-FR": Decimal("2.5")}


def test_a_two_stage_call_without_its_block_gets_the_defaults() -> None:
    body = alpine_two_stage(alpine_call())
    del body["two_stage"]
    config = CallConfiguration.model_validate(body)
    assert validate_configuration(config) == []
    rules = stage_rules(config)
    assert rules == TwoStageConfig()
    assert rules.shortlist.oversubscription_factor == 3
    assert rules.evaluation.panel is not None and rules.evaluation.panel.evaluators_per_proposal == 2
    assert rules.stage_two.max_funding_increase == Decimal("0.1")
    assert rules.stage_one.eligibility_rules is None  # every rule


def test_a_one_stage_call_cannot_carry_a_stage_1_configuration() -> None:
    body = alpine_call()
    body["two_stage"] = TWO_STAGE
    assert fields(CallConfiguration.model_validate(body)) == {"two_stage"}


def test_stage_1_needs_a_panel_or_the_regions_go_no_go() -> None:
    assert fields(two_stage(evaluation={"panel": None, "region_fit": False})) == {"two_stage.evaluation"}
    assert validate_configuration(two_stage(evaluation={"panel": None, "region_fit": True})) == []


def test_the_panel_names_criteria_of_the_call_and_thresholds_on_its_scale() -> None:
    assert fields(two_stage(evaluation__panel__criteria=["excellence", "novelty", "excellence"])) == {
        "two_stage.evaluation.panel.criteria.1",
        "two_stage.evaluation.panel.criteria.2",
    }
    assert fields(two_stage(evaluation__panel__criteria=[])) == {"two_stage.evaluation.panel.criteria"}
    assert fields(two_stage(evaluation__panel__thresholds={"implementation": 3})) == {
        "two_stage.evaluation.panel.thresholds.implementation"
    }
    assert fields(two_stage(evaluation__panel__thresholds={"impact": 7})) == {
        "two_stage.evaluation.panel.criteria.1.threshold"
    }
    assert fields(two_stage(evaluation__panel__overall_threshold=11)) == {
        "two_stage.evaluation.panel.overall_threshold"  # two criteria on 0-5: at most 10
    }


def test_the_stage_1_panel_scores_on_the_calls_scale_with_its_own_criteria_and_panel_size() -> None:
    panel = StageOnePanel(
        evaluators_per_proposal=2, criteria=["impact", "excellence"], thresholds={"impact": Decimal(2)}
    )
    rules = panel.evaluation(ONE_STAGE.evaluation)
    assert [(c.key, c.threshold) for c in rules.criteria] == [("impact", Decimal(2)), ("excellence", Decimal(3))]
    assert rules.scale == ONE_STAGE.evaluation.scale
    assert rules.evaluators_per_proposal == 2
    assert rules.overall_threshold == Decimal("6.67")  # the call's 10 over three criteria, for two
    assert rules.tie_break == ["excellence", "impact"]


def test_region_factors_name_regions_of_the_call() -> None:
    assert fields(two_stage(shortlist={"oversubscription_factor": 3, "region_factors": {"PL-MZ": 2}})) == {
        "two_stage.shortlist.region_factors.PL-MZ"
    }


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("shortlist__oversubscription_factor", 0),
        ("shortlist__oversubscription_factor", 21),
        ("shortlist__region_factors", {"SI": -1}),
        ("stage_two__max_funding_increase", -0.1),
        ("stage_one__required_fields", ["title"]),  # always required: not the call's to leave out
        ("stage_one__eligibility_rules", ["regional.horoscope"]),
        ("evaluation__panel__evaluators_per_proposal", 0),
    ],
)
def test_field_level_problems_are_refused(path: str, value: object) -> None:
    with pytest.raises(ValidationError):
        two_stage(**{path: value})


def test_repeated_entries_are_reported_at_their_place() -> None:
    assert fields(
        two_stage(
            stage_one={
                "required_fields": ["abstract", "abstract"],
                "required_documents": ["concept_note", "concept_note"],
                "eligibility_rules": ["regional.trl", "regional.trl"],
            }
        )
    ) == {
        "two_stage.stage_one.required_fields.1",
        "two_stage.stage_one.required_documents.1",
        "two_stage.stage_one.eligibility_rules.1",
    }
