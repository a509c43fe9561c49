"""Thresholds, weighted ranking, every tie-break level, failing and ineligible proposals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.joint_evaluation.domain.ranking import (
    IneligibleProposal,
    RankingStatus,
    ScoredProposal,
    format_score,
    rank_proposals,
)
from services.joint_evaluation.domain.scoring import Criterion, EvaluationRules, InvalidScoreError, Scale

D = Decimal
DEADLINE = datetime(2027, 4, 15, 15, 0, tzinfo=UTC)

RULES = EvaluationRules(
    scale=Scale(min=D(0), max=D(5), step=D("0.5")),
    criteria=(
        Criterion(key="excellence", name="Excellence", weight=D(1), threshold=D(3)),
        Criterion(key="impact", name="Impact", weight=D("1.5"), threshold=D(3)),
        Criterion(key="implementation", name="Implementation", weight=D(1), threshold=D(3)),
    ),
    overall_threshold=D(10),
    tie_break=("excellence", "impact"),
)


def proposal(
    proposal_id: str, excellence: str, impact: str, implementation: str, minutes_before: int = 60
) -> ScoredProposal:
    return ScoredProposal(
        proposal_id,
        {"excellence": D(excellence), "impact": D(impact), "implementation": D(implementation)},
        DEADLINE - timedelta(minutes=minutes_before),
    )


def order(*proposals: ScoredProposal) -> list[str]:
    return [entry.proposal_id for entry in rank_proposals(proposals, RULES).passed]


def test_exactly_at_every_threshold_passes() -> None:
    # 3 + 3 + 4 = 10: each criterion exactly at 3, the sum exactly at 10
    (entry,) = rank_proposals([proposal("P1", "3", "3", "4")], RULES).entries
    assert entry.status is RankingStatus.PASSED
    assert entry.rank == 1
    assert entry.unweighted_total == D(10)
    assert entry.weighted_total == D("11.5")
    assert entry.reasons == ()


def test_a_criterion_below_its_threshold_fails_with_a_reason() -> None:
    (entry,) = rank_proposals([proposal("P1", "5", "2.5", "5")], RULES).entries
    assert entry.status is RankingStatus.NOT_PASSED
    assert entry.rank is None
    assert entry.reasons == ("Impact 2.5 below threshold 3",)


def test_the_overall_threshold_is_on_the_unweighted_sum() -> None:
    # weighted 3 + 4.5*1.5 + 3 = 12.75 but the unweighted sum 9.5 is below 10
    (entry,) = rank_proposals([proposal("P1", "3", "3.5", "3")], RULES).entries
    assert entry.status is RankingStatus.NOT_PASSED
    assert entry.reasons == ("Total 9.5 below overall threshold 10",)


def test_all_failed_thresholds_are_listed() -> None:
    (entry,) = rank_proposals([proposal("P1", "2", "2.5", "3")], RULES).entries
    assert entry.reasons == (
        "Excellence 2 below threshold 3",
        "Impact 2.5 below threshold 3",
        "Total 7.5 below overall threshold 10",
    )


def test_passing_proposals_are_ranked_by_weighted_total() -> None:
    # same unweighted sum 11, but impact weighs 1.5
    high_impact = proposal("A", "3", "5", "3")
    low_impact = proposal("B", "5", "3", "3")
    assert order(low_impact, high_impact) == ["A", "B"]


def test_tie_broken_by_the_first_tie_break_criterion() -> None:
    # both weighted 13: 4 + 4*1.5 + 3 vs 3 + 4*1.5 + 4
    better_excellence = proposal("B", "4", "4", "3", minutes_before=1)
    worse_excellence = proposal("A", "3", "4", "4", minutes_before=600)
    assert order(worse_excellence, better_excellence) == ["B", "A"]


def test_tie_broken_by_the_second_tie_break_criterion() -> None:
    # weighted 14.5 both, same excellence; impact 5 vs 4
    better_impact = proposal("B", "4", "5", "3", minutes_before=1)
    worse_impact = proposal("A", "4", "4", "4.5", minutes_before=600)
    assert order(worse_impact, better_impact) == ["B", "A"]


def test_tie_broken_by_the_earlier_final_submission() -> None:
    later = proposal("A", "4", "4", "4", minutes_before=5)
    earlier = proposal("B", "4", "4", "4", minutes_before=50)
    assert order(later, earlier) == ["B", "A"]


def test_submission_instants_compare_across_time_zones() -> None:
    same_scores = {"excellence": D(4), "impact": D(4), "implementation": D(4)}
    at_16_utc = ScoredProposal("A", same_scores, datetime(2027, 4, 15, 16, 0, tzinfo=UTC))
    at_1530_utc = ScoredProposal("B", same_scores, datetime.fromisoformat("2027-04-15T17:30:00+02:00"))
    assert order(at_16_utc, at_1530_utc) == ["B", "A"]


def test_full_tie_broken_by_proposal_id() -> None:
    twins = [proposal(pid, "4", "4", "4", minutes_before=10) for pid in ("P3", "P1", "P2")]
    ranking = rank_proposals(twins, RULES)
    assert [(e.proposal_id, e.rank) for e in ranking.entries] == [("P1", 1), ("P2", 2), ("P3", 3)]


def test_list_order_is_passed_then_not_passed_then_ineligible() -> None:
    ranking = rank_proposals(
        [proposal("FAIL-HIGH", "5", "5", "2.5"), proposal("PASS", "3", "3", "4"), proposal("FAIL", "1", "1", "1")],
        RULES,
        ineligible=[
            IneligibleProposal("Z-INEL", ("Partner ACME (CH-FR): organisation type not eligible",)),
            IneligibleProposal("A-INEL", ("only one participating region",)),
        ],
    )
    assert [(e.proposal_id, e.status, e.rank) for e in ranking.entries] == [
        ("PASS", RankingStatus.PASSED, 1),
        ("FAIL-HIGH", RankingStatus.NOT_PASSED, None),
        ("FAIL", RankingStatus.NOT_PASSED, None),
        ("A-INEL", RankingStatus.INELIGIBLE, None),
        ("Z-INEL", RankingStatus.INELIGIBLE, None),
    ]
    ineligible = ranking.ineligible[1]
    assert ineligible.reasons == ("Partner ACME (CH-FR): organisation type not eligible",)
    assert ineligible.weighted_total is None and ineligible.scores == {}
    assert [e.proposal_id for e in ranking.not_passed] == ["FAIL-HIGH", "FAIL"]


def test_ranking_is_independent_of_input_order() -> None:
    proposals = [
        proposal("A", "4", "4", "4", 10),
        proposal("B", "4", "4", "4", 20),
        proposal("C", "5", "3", "4", 10),
        proposal("D", "3", "5", "3", 10),
        proposal("E", "2", "2", "2", 10),
    ]
    assert rank_proposals(proposals, RULES) == rank_proposals(list(reversed(proposals)), RULES)


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="more than once"):
        rank_proposals([proposal("A", "4", "4", "4")], RULES, [IneligibleProposal("A", ("late",))])
    with pytest.raises(ValueError, match="one score per criterion"):
        rank_proposals([ScoredProposal("A", {"excellence": D(4)}, DEADLINE)], RULES)
    with pytest.raises(InvalidScoreError):
        rank_proposals([proposal("A", "4.2", "4", "4")], RULES)
    with pytest.raises(ValueError, match="timezone"):
        ScoredProposal("A", {}, datetime(2027, 4, 15, 15, 0))  # naive on purpose


def test_scores_are_formatted_as_people_write_them() -> None:
    assert [format_score(D(v)) for v in ("3.0", "2.5", "10.0", "0", "12.75")] == ["3", "2.5", "10", "0", "12.75"]
