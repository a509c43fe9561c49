"""The demo's consortia in a two-stage call: the lighter pre-proposal, the full proposal that asks no more than it,
defects found at the stage whose rules check them, and the regions' go / no-go, the same for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.demo.call import two_stage_call_body
from services.demo.consortia import Behaviour, Consortium, Defect, generate_consortia
from services.demo.stages import fit_verdict, full_proposal, pre_proposal, stage_one_rules_of

NOW = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def call() -> dict[str, Any]:
    return two_stage_call_body(NOW)


@pytest.fixture(scope="module")
def consortia(call: dict[str, Any]) -> list[Consortium]:
    return generate_consortia(call, 200, seed=5)


def requested(draft: dict[str, Any]) -> Decimal:
    return sum((Decimal(p["requested_funding"]) for p in draft["partners"]), Decimal(0))


def test_the_call_has_two_windows_and_the_example_shortlist_unless_a_factor_is_given(call: dict[str, Any]) -> None:
    pre, full = call["stages"]
    assert datetime.fromisoformat(pre["deadline"]) < datetime.fromisoformat(full["opens"])
    assert datetime.fromisoformat(full["opens"]) < datetime.fromisoformat(full["deadline"])
    assert call["two_stage"]["shortlist"]["region_factors"] == {"CH-FR": 2.5}
    low = two_stage_call_body(NOW, factor=Decimal("0.5"))["two_stage"]["shortlist"]
    assert low == {"oversubscription_factor": "0.5", "region_factors": {}}
    assert call["two_stage"]["shortlist"]["oversubscription_factor"] == 3  # the example is left as it was


def test_a_pre_proposal_has_no_legal_ids_contacts_or_budgets_but_asks_what_the_draft_asks(
    call: dict[str, Any], consortia: list[Consortium]
) -> None:
    rules = stage_one_rules_of(call)
    for consortium in consortia:
        pre = pre_proposal(consortium, rules)
        for partner in pre.draft["partners"]:
            assert "legal_id" not in partner and "contact" not in partner and partner["budget"] == {}
        assert requested(pre.draft) == requested(consortium.draft)
        assert [p["region_code"] for p in pre.draft["partners"]] == [
            p["region_code"] for p in consortium.draft["partners"]
        ]


def test_a_defect_counts_at_stage_1_only_when_a_stage_1_rule_checks_it(
    call: dict[str, Any], consortia: list[Consortium]
) -> None:
    rules = stage_one_rules_of(call)
    assert rules is not None
    seen: Counter[bool] = Counter()
    for consortium in consortia:
        if consortium.defect is None:
            continue
        pre = pre_proposal(consortium, rules)
        checked = consortium.defect.value in rules
        assert (pre.defect is consortium.defect) is checked
        if not checked:
            assert pre.behaviour is not Behaviour.RESUBMIT  # nothing warns it at stage 1
        seen[checked] += 1
    assert seen[True] and seen[False]  # e.g. an S3 area at stage 1, a funding rate only at stage 2
    everything = [pre_proposal(c, None) for c in consortia if c.defect is not None]
    assert all(p.defect is not None for p in everything)  # no stage-1 rule set: every rule


def test_a_full_proposal_keeps_what_stage_1_fixed_and_never_asks_more_than_its_pre_proposal(
    call: dict[str, Any], consortia: list[Consortium]
) -> None:
    rules = stage_one_rules_of(call)
    for consortium in consortia:
        full = full_proposal(consortium, rules)
        assert requested(full.draft) <= requested(consortium.draft)
        defect = consortium.defect
        if defect is Defect.OUTSIDER_FUNDING:  # the stage-1 pre-check showed it: fixed for good
            assert (full.draft, full.defect) == (consortium.corrected, None)
        elif defect is Defect.FUNDING_RATE:  # stage 1 cannot see a funding rate: found in stage 2
            assert (full.draft, full.defect, full.behaviour) == (consortium.draft, defect, consortium.behaviour)
        elif defect is Defect.GRANT_CAP and consortium.behaviour is Behaviour.RESUBMIT:
            assert (full.draft, full.defect, full.behaviour) == (consortium.corrected, None, Behaviour.ON_TIME)


def test_the_regions_say_no_go_to_a_few_pre_proposals_the_same_on_every_run() -> None:
    verdicts = [fit_verdict(7, f"ACR-{n:03d}", region) for n in range(400) for region in ("AT-4", "CH-FR")]
    assert verdicts == [fit_verdict(7, f"ACR-{n:03d}", region) for n in range(400) for region in ("AT-4", "CH-FR")]
    no_go = [reason for go, reason in verdicts if not go]
    assert 0.02 < len(no_go) / len(verdicts) < 0.09
    assert all(reason for _, reason in verdicts)
    assert [fit_verdict(8, f"ACR-{n:03d}", "AT-4") for n in range(400)] != verdicts[::2]
