"""The demo's generated consortia: valid proposals, each clean or breaking exactly the rule of its defect, the same
for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from services.demo.call import alpine_call_body
from services.demo.consortia import Behaviour, Consortium, Defect, RuleJudge, generate_consortia
from shared.proposals import ProposalDraft


@pytest.fixture(scope="module")
def call() -> dict[str, Any]:
    return alpine_call_body(datetime(2027, 3, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def consortia(call: dict[str, Any]) -> list[Consortium]:
    return generate_consortia(call, 120, seed=5)


def test_the_same_seed_gives_the_same_consortia_and_another_seed_others(
    call: dict[str, Any], consortia: list[Consortium]
) -> None:
    assert generate_consortia(call, 120, seed=5) == consortia
    assert generate_consortia(call, 10, seed=5) == consortia[:10]  # a longer run only adds consortia
    assert generate_consortia(call, 10, seed=6) != consortia[:10]


def test_every_draft_is_a_complete_proposal_of_a_transregional_consortium(
    call: dict[str, Any], consortia: list[Consortium]
) -> None:
    participating = {region["code"] for region in call["regions"]}
    for consortium in consortia:
        for draft in (consortium.draft, consortium.corrected):
            proposal = ProposalDraft.model_validate(draft)
            assert proposal.acronym == consortium.acronym and len(consortium.acronym) <= 20
            assert proposal.s3_areas and set(proposal.s3_areas) <= set(call["topics"])
            assert [p.role for p in proposal.partners].count("coordinator") == 1
            assert proposal.partners[0].region_code in participating
            assert len({p.region_code for p in proposal.partners} & participating) >= 2
            assert all(
                p.requested_funding is not None and p.requested_funding <= p.total_costs for p in proposal.partners
            )
    assert len({c.acronym for c in consortia}) == len(consortia)


def test_a_consortium_is_clean_or_breaks_exactly_the_rule_its_defect_names(
    call: dict[str, Any], consortia: list[Consortium]
) -> None:
    judge = RuleJudge(call)
    for consortium in consortia:
        expected = set() if consortium.defect is None else {consortium.defect.value}
        assert judge.failed_rules(consortium.draft) == expected, consortium.acronym
        assert judge.failed_rules(consortium.corrected) == set(), consortium.acronym
    defects = Counter(c.defect for c in consortia)
    assert defects[None] > len(consortia) * 0.6  # most consortia get it right
    assert {Defect.FUNDING_RATE, Defect.S3_AREA, Defect.OUTSIDER_FUNDING} <= set(defects)


def test_some_consortia_submit_late_retry_or_correct_themselves(consortia: list[Consortium]) -> None:
    behaviours = Counter(c.behaviour for c in consortia)
    assert behaviours[Behaviour.LATE] >= 2 and behaviours[Behaviour.RETRY] >= 3 and behaviours[Behaviour.RESUBMIT] >= 1
    assert all(
        c.defect in (Defect.FUNDING_RATE, Defect.GRANT_CAP) for c in consortia if c.behaviour is Behaviour.RESUBMIT
    )
    small = generate_consortia(alpine_call_body(datetime(2027, 3, 1, tzinfo=UTC)), 30, seed=1)
    assert {Behaviour.LATE, Behaviour.RETRY} <= {c.behaviour for c in small}  # even a short run shows both


def test_organisations_recur_across_proposals_with_one_legal_id_each(consortia: list[Consortium]) -> None:
    partners = [p for c in consortia for p in c.draft["partners"]]
    by_name: dict[str, set[str]] = {}
    for partner in partners:
        by_name.setdefault(partner["organisation_name"], set()).add(partner["legal_id"])
    assert all(len(ids) == 1 for ids in by_name.values())
    assert len(by_name) < len(partners)  # the same university or company applies more than once
