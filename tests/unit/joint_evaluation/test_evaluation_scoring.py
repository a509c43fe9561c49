"""Scale, score validation, consensus rounding, rapporteur overrides and divergence flags."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.joint_evaluation.domain.scoring import (
    EvaluationRules,
    EvaluatorScores,
    InvalidScoreError,
    RapporteurOverride,
    Scale,
    consensus,
    divergence_flags,
    round_half_up_to_step,
    validate_score,
)

D = Decimal

# The evaluation section of the Alpine example call, as it comes from JSON (floats included).
ALPINE_EVALUATION = {
    "scale": {"min": 0, "max": 5, "step": 0.5},
    "criteria": [
        {"key": "excellence", "name": "Excellence", "weight": 1.0, "threshold": 3.0},
        {"key": "impact", "name": "Impact", "weight": 1.5, "threshold": 3.0},
        {"key": "implementation", "name": "Quality and efficiency of the implementation", "weight": 1.0,
         "threshold": 3.0},
    ],
    "overall_threshold": 10.0,
    "evaluators_per_proposal": 3,
    "tie_break": ["excellence", "impact"],
    "conflict_of_interest": {"same_organisation": True, "same_region": False, "same_country": False},
    "divergence_flag_spread": 2.0,
}  # fmt: skip
RULES = EvaluationRules.model_validate(ALPINE_EVALUATION)
SCALE = RULES.scale


def scores(evaluator: str, excellence: str, impact: str, implementation: str) -> EvaluatorScores:
    return EvaluatorScores(
        evaluator, {"excellence": D(excellence), "impact": D(impact), "implementation": D(implementation)}
    )


def test_call_json_parses_into_exact_decimals() -> None:
    assert RULES.criterion("impact").weight == D("1.5")
    assert SCALE.step == D("0.5")
    assert RULES.overall_threshold == D(10)
    assert RULES.divergence_flag_spread == D(2)


@pytest.mark.parametrize("value", ["0", "0.5", "3", "3.0", "4.5", "5"])
def test_scores_on_the_step_grid_are_valid(value: str) -> None:
    assert validate_score(D(value), SCALE) == D(value)


@pytest.mark.parametrize("value", ["3.2", "0.25", "-0.5", "5.5", "NaN", "Infinity"])
def test_scores_off_the_grid_or_out_of_range_are_rejected(value: str) -> None:
    with pytest.raises(InvalidScoreError):
        validate_score(D(value), SCALE)


def test_a_scale_whose_max_is_off_the_grid_is_refused() -> None:
    with pytest.raises(ValidationError):
        Scale(min=D(0), max=D("4.75"), step=D("0.5"))


def test_rules_refuse_unknown_tie_break_criteria() -> None:
    with pytest.raises(ValidationError, match="tie-break"):
        EvaluationRules.model_validate({**ALPINE_EVALUATION, "tie_break": ["beauty"]})


@pytest.mark.parametrize(
    ("mean", "expected"),
    [
        ("3.25", "3.5"),  # exactly half a step: up
        ("3.2", "3.0"),
        ("3.3", "3.5"),
        ("3.75", "4.0"),
        ("0.25", "0.5"),
        ("4.75", "5.0"),
        ("5", "5"),
    ],
)
def test_rounding_is_half_up_to_the_nearest_step(mean: str, expected: str) -> None:
    assert round_half_up_to_step(D(mean), SCALE) == D(expected)


def test_rounding_counts_steps_from_the_scale_minimum() -> None:
    scale = Scale(min=D(1), max=D(10), step=D(3))  # grid 1, 4, 7, 10
    assert round_half_up_to_step(D("2.5"), scale) == D(4)
    assert round_half_up_to_step(D("2.4"), scale) == D(1)


def test_consensus_is_the_mean_rounded_to_the_step() -> None:
    submitted = [scores("e1", "3", "3.5", "4"), scores("e2", "3.5", "3.5", "4"), scores("e3", "3.5", "4", "2")]
    result = consensus(submitted, RULES)
    # excellence 10/3 = 3.33 -> 3.5; impact 11/3 = 3.67 -> 3.5; implementation 10/3 -> 3.5
    assert result.scores == {"excellence": D("3.5"), "impact": D("3.5"), "implementation": D("3.5")}
    excellence = result.criteria[0]
    assert excellence.individual_count == 3 and not excellence.overridden
    assert excellence.mean is not None and D("3.333") < excellence.mean < D("3.334")


def test_an_exact_half_step_mean_rounds_up() -> None:
    submitted = [scores("e1", "3", "3", "3"), scores("e2", "3.5", "3", "3")]
    assert consensus(submitted, RULES).scores["excellence"] == D("3.5")


def test_a_rapporteur_override_wins_over_the_mean() -> None:
    submitted = [scores("e1", "3", "3", "3"), scores("e2", "4", "3", "3")]
    override = RapporteurOverride("excellence", D("4.5"), "consensus meeting: novelty under-rated")
    result = consensus(submitted, RULES, [override])
    assert result.scores["excellence"] == D("4.5")
    assert result.criteria[0].overridden
    assert result.criteria[0].justification == "consensus meeting: novelty under-rated"
    assert result.criteria[0].mean == D("3.5")


def test_an_override_needs_a_justification_and_a_valid_score() -> None:
    with pytest.raises(ValueError, match="justification"):
        RapporteurOverride("impact", D(4), "   ")
    with pytest.raises(InvalidScoreError):
        consensus([scores("e1", "3", "3", "3")], RULES, [RapporteurOverride("impact", D("4.2"), "typo")])


def test_an_override_stands_in_for_missing_scores() -> None:
    submitted = [EvaluatorScores("e1", {"excellence": D(3), "implementation": D(3)})]
    result = consensus(submitted, RULES, [RapporteurOverride("impact", D(4), "scored in the meeting")])
    assert result.scores["impact"] == D(4)


def test_consensus_without_any_score_for_a_criterion_is_an_error() -> None:
    with pytest.raises(ValueError, match="impact"):
        consensus([EvaluatorScores("e1", {"excellence": D(3), "implementation": D(3)})], RULES)


def test_individual_scores_are_validated() -> None:
    with pytest.raises(InvalidScoreError):
        consensus([scores("e1", "3.1", "3", "3")], RULES)
    with pytest.raises(InvalidScoreError, match="unknown criterion"):
        consensus([EvaluatorScores("e1", {"beauty": D(3)})], RULES)


def test_divergence_is_flagged_only_above_the_spread() -> None:
    submitted = [scores("e1", "1", "2", "3"), scores("e2", "3.5", "4", "3"), scores("e3", "2", "3", "3.5")]
    flags = divergence_flags(submitted, RULES.divergence_flag_spread)
    # excellence 2.5 apart: flagged; impact exactly 2 apart: not flagged; implementation 0.5: not flagged
    assert [(f.criterion_key, f.lowest, f.highest, f.spread) for f in flags] == [
        ("excellence", D(1), D("3.5"), D("2.5"))
    ]


def test_no_divergence_with_a_single_evaluator() -> None:
    assert divergence_flags([scores("e1", "0", "5", "0")], D(0)) == ()
