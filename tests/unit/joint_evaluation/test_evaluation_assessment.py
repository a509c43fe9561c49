"""joint_evaluation's assessments: what a draft may hold, what a submission needs, the consensus preview."""

from __future__ import annotations

from decimal import Decimal

from services.joint_evaluation.domain.assessment import (
    Problem,
    canonical,
    consensus_preview,
    draft_problems,
    missing_for_submission,
    score_text,
)
from services.joint_evaluation.domain.scoring import (
    Criterion,
    EvaluationRules,
    EvaluatorScores,
    RapporteurOverride,
    Scale,
)

RULES = EvaluationRules(
    scale=Scale(min=Decimal(0), max=Decimal(5), step=Decimal("0.5")),
    criteria=(
        Criterion(key="excellence", name="Excellence", weight=Decimal(1), threshold=Decimal(3)),
        Criterion(key="impact", name="Impact", weight=Decimal("1.5"), threshold=Decimal(3)),
    ),
    overall_threshold=Decimal(6),
)


def test_a_draft_may_be_partial_but_holds_only_valid_scores_of_known_criteria() -> None:
    assert draft_problems({"impact": Decimal("3.5")}, {}, RULES) == []
    problems = draft_problems({"impact": Decimal("3.25"), "novelty": Decimal(3)}, {"style": "nice"}, RULES)
    assert [p.field for p in problems] == ["scores.impact", "scores.novelty", "justifications.style"]
    assert "steps of 0.5" in problems[0].message


def test_a_submission_needs_every_score_and_a_justification_that_is_not_blank() -> None:
    missing = missing_for_submission({"excellence": Decimal(4)}, {"excellence": "  ", "impact": "good"}, RULES)
    assert missing == [
        Problem("justifications.excellence", "no justification for Excellence"),
        Problem("scores.impact", "no score for Impact"),
    ]


def test_the_preview_shows_the_rounded_mean_or_the_override_and_nothing_without_input() -> None:
    submitted = [EvaluatorScores("a", {"excellence": Decimal(3)}), EvaluatorScores("b", {"excellence": Decimal("3.5")})]
    preview = consensus_preview(RULES, submitted)
    excellence = preview["excellence"]
    assert excellence is not None and excellence.value == Decimal("3.5")  # mean 3.25 rounds half up
    assert preview["impact"] is None
    overridden = consensus_preview(RULES, submitted, [RapporteurOverride("impact", Decimal(4), "agreed")])["impact"]
    assert overridden is not None and overridden.overridden and overridden.value == Decimal(4)


def test_scores_are_written_as_people_write_them() -> None:
    assert [score_text(Decimal(v)) for v in ("4.0", "3.50", "10")] == ["4", "3.5", "10"]
    assert canonical(Decimal("15.750")) == Decimal("15.75") and canonical(None) is None
