"""The demo's panel and scores: a function of the seed and the proposal, not of who evaluates what."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.demo.call import alpine_call_body
from services.demo.consortia import generate_consortia
from services.demo.evaluators import (
    MAX_LOAD,
    Scale,
    build_panel,
    consensus_scores,
    declared_conflicts,
    expert_scores,
    justification,
    panel_size,
)
from services.joint_evaluation.domain.conflicts import ConflictPolicy, ExpertFacts, PartnerFacts, conflict_reasons

CRITERIA = ("excellence", "impact", "implementation")
SCALE = Scale(Decimal(0), Decimal(5), Decimal("0.5"))


@pytest.fixture(scope="module")
def call() -> dict[str, Any]:
    return alpine_call_body(datetime(2027, 3, 1, tzinfo=UTC))


def test_the_consensus_depends_on_seed_acronym_and_criterion_only() -> None:
    scores = consensus_scores(3, "LOOPALP-017", CRITERIA, SCALE)
    assert scores == consensus_scores(3, "LOOPALP-017", CRITERIA, SCALE)
    assert set(scores) == set(CRITERIA)
    assert all(SCALE.low <= s <= SCALE.high and s % SCALE.step == 0 for s in scores.values())
    others = [consensus_scores(seed, "LOOPALP-017", CRITERIA, SCALE) for seed in range(4, 12)]
    assert any(other != scores for other in others)


def test_experts_depart_from_the_consensus_by_one_step_at_most() -> None:
    for number in range(40):
        acronym = f"ECOVAL-{number:03d}"
        consensus = consensus_scores(9, acronym, CRITERIA, SCALE)
        for email in ("a@x.org", "b@x.org", "c@x.org"):
            mine = expert_scores(9, acronym, CRITERIA, SCALE, email)
            assert mine == expert_scores(9, acronym, CRITERIA, SCALE, email)
            assert all(abs(mine[key] - consensus[key]) <= SCALE.step for key in CRITERIA)


def test_about_half_of_the_proposals_pass_the_alpine_thresholds() -> None:
    passing = 0
    for number in range(400):
        scores = consensus_scores(7, f"BIOHUB-{number:03d}", CRITERIA, SCALE)
        passing += all(s >= 3 for s in scores.values()) and sum(scores.values()) >= 10
    assert 0.3 < passing / 400 < 0.7


def test_the_panel_is_large_enough_and_the_same_for_a_seed(call: dict[str, Any]) -> None:
    size = panel_size(200, 3)
    assert size * MAX_LOAD >= 200 * 3 * 1.2
    panel = build_panel(call, size, seed=4)
    assert panel == build_panel(call, size, seed=4)
    assert len({expert.email for expert in panel}) == size
    assert any(expert.organisation_legal_id for expert in panel)  # some work for applicants' institutions
    assert any(expert.former_employer for expert in panel)
    assert all(expert.registration()["max_load"] == MAX_LOAD for expert in panel)


def test_experts_declare_conflicts_with_former_employers_and_the_service_sees_current_ones(
    call: dict[str, Any],
) -> None:
    consortia = generate_consortia(call, 150, seed=4)
    panel = build_panel(call, panel_size(150, 3), seed=4)
    declared = declared_conflicts(panel, consortia)
    assert declared
    by_acronym = {c.acronym: c for c in consortia}
    assert all(expert.former_employer in by_acronym[acronym].organisations for expert, acronym in declared)
    automatic = 0
    for expert in panel:
        facts = ExpertFacts(expert.email, expert.organisation, expert.country, expert.organisation_legal_id)
        for consortium in consortia:
            partners = [
                PartnerFacts(p["organisation_name"], p["region_code"], p["legal_id"])
                for p in consortium.draft["partners"]
            ]
            automatic += bool(conflict_reasons(facts, partners, ConflictPolicy()))
    assert automatic > 0  # experts at applicants' institutions: the assignment leaves them out by itself


def test_a_justification_follows_the_score() -> None:
    assert "major weaknesses" in justification("impact", Decimal(1), SCALE)
    assert "convincing" in justification("impact", Decimal(5), SCALE)
    assert justification("excellence", Decimal(3), SCALE).startswith("Excellence:")
