"""The consensus page's data: the assessments side by side, the spread of the submitted scores, the outliers of a
criterion the service flags, and the form's body and errors."""

from __future__ import annotations

from decimal import Decimal

from services.portal.consensus import consensus_body, consensus_field_errors, consensus_rows, outliers

EVALUATION = {"criteria": [{"key": "excellence", "name": "Excellence"}, {"key": "impact", "name": "Impact"}]}


def assessment(evaluator: str, status: str, excellence: str, impact: str | None = None) -> dict[str, object]:
    scores = {"excellence": excellence} | ({"impact": impact} if impact is not None else {})
    return {"evaluator_id": evaluator, "status": status, "scores": scores, "justifications": {"excellence": "why"}}


def test_the_outlier_is_the_score_farthest_from_the_median() -> None:
    assert outliers({"a": Decimal(4), "b": Decimal("4.5"), "c": Decimal(1)}) == {"c"}
    assert outliers({"a": Decimal(1), "b": Decimal(3), "c": Decimal(5)}) == {"a", "c"}  # both ends equally far
    assert outliers({"a": Decimal(3), "b": Decimal(3)}) == set()
    assert outliers({"a": Decimal(3)}) == set()
    assert outliers({"a": Decimal(1), "b": Decimal(5)}) == {"a", "b"}


def test_rows_show_every_assigned_evaluator_and_count_only_submitted_scores() -> None:
    proposal = {
        "evaluator_ids": ["a", "b", "c", "d"],
        "assessments": [
            assessment("a", "submitted", "4", "3"),
            assessment("b", "submitted", "4.5", "3"),
            assessment("c", "submitted", "1", "3.5"),
            assessment("d", "draft", "0"),
        ],
        "consensus": {
            "criteria": [
                {"criterion_key": "excellence", "score": "3", "mean": "3.17", "overridden": False},
                {"criterion_key": "impact", "score": "2", "mean": "3.17", "overridden": True, "justification": "j"},
            ],
            "divergence": [{"criterion_key": "excellence", "lowest": "1", "highest": "4.5", "spread": "3.5"}],
        },
    }
    excellence, impact = consensus_rows(EVALUATION, proposal)
    assert [c.evaluator_id for c in excellence.cells] == ["a", "b", "c", "d"]
    assert [c.outlier for c in excellence.cells] == [False, False, True, False]
    assert excellence.cells[3].score == Decimal(0) and not excellence.cells[3].submitted  # shown, not counted
    assert (excellence.lowest, excellence.highest, excellence.spread) == (Decimal(1), Decimal("4.5"), Decimal("3.5"))
    assert excellence.divergent and excellence.mean == Decimal("3.17") and not excellence.overridden
    assert not impact.divergent and not any(c.outlier for c in impact.cells)  # not flagged: no outlier marked
    assert impact.spread == Decimal("0.5") and impact.cells[3].score is None
    assert impact.overridden and impact.score == Decimal(2) and impact.justification == "j"
    assert excellence.justifications == {"a": "why", "b": "why", "c": "why"}  # drafts' justifications stay hidden


def test_rows_without_assessments_have_no_spread() -> None:
    (row, _) = consensus_rows(EVALUATION, {"evaluator_ids": ["a"], "assessments": [], "consensus": None})
    assert row.spread is None and row.cells[0].score is None and not row.divergent


def test_a_criterion_left_at_the_mean_is_not_sent_and_a_chosen_one_carries_its_comment() -> None:
    form = {"consensus_excellence": "3.5", "consensus_justification_excellence": "agreed", "consensus_impact": ""}
    assert consensus_body(["excellence", "impact"], form) == {
        "criteria": {"excellence": {"score": "3.5", "justification": "agreed"}}
    }


def test_the_services_errors_land_on_the_criterions_fields() -> None:
    body = {
        "errors": [
            {"field": "body.criteria.impact.justification", "message": "too short"},
            {"field": "criteria.excellence", "message": "off the scale"},
            {"field": "criteria", "message": "bad"},
        ]
    }
    assert consensus_field_errors(body) == {
        "consensus_justification_impact": "too short",
        "consensus_excellence": "off the scale",
        "criteria": "bad",
    }
    assert consensus_field_errors(None) == {}
