"""proposal_intake's stage rules (pure): the stage-1 form's gaps and stage 2's change rules, at their edges."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from services.call_definition.examples import alpine_call
from services.call_definition.examples.two_stage import alpine_two_stage
from services.proposal_intake.domain.completeness import completeness_errors
from services.proposal_intake.domain.stages import stage_one_gaps, stage_two_limits, stage_two_problems, total_requested
from shared.call_stages import StageOneForm, StageTwoRules
from shared.calls import CallConfiguration
from shared.errors import FieldError
from shared.proposals import ProposalDraft
from tests.helpers import partner, proposal_body

CALL = CallConfiguration.model_validate(alpine_two_stage(alpine_call()))


def draft(*partners: dict[str, Any]) -> ProposalDraft:
    return ProposalDraft.model_validate(proposal_body(*partners)).with_partner_keys()


PRE = draft(
    partner("A", "AT-4", role="coordinator", requested="100000.00"),
    partner("B", "CH-FR", currency="CHF", requested="100000.00"),
)


def test_the_stage_1_form_leaves_out_legal_ids_contacts_and_budgets_unless_it_requires_them() -> None:
    body = proposal_body()
    for p in body["partners"]:
        del p["legal_id"], p["contact"]
        p["budget"] = {}
    del body["abstract"], body["title"]
    gaps = completeness_errors(ProposalDraft.model_validate(body).with_partner_keys(), CALL)
    assert {g.field for g in stage_one_gaps(gaps, StageOneForm(required_fields=[]))} == {"title"}
    assert {g.field for g in stage_one_gaps(gaps, StageOneForm(required_fields=["abstract", "partners.contact"]))} == {
        "title",
        "abstract",
        "partners.0.contact",
        "partners.1.contact",
    }


def test_a_pre_proposal_needs_only_the_documents_its_stage_1_form_names() -> None:
    gaps = [
        FieldError("title", "missing"),
        FieldError("documents.narrative", "'Project narrative' is required for submission"),
        FieldError("documents.concept_note", "'Concept note' is required for submission"),
        FieldError("documents.letter_of_commitment.p1", "'Letter' from partner p1 is required for submission"),
    ]
    assert {g.field for g in stage_one_gaps(gaps, StageOneForm())} == {"title"}
    named = StageOneForm(required_documents=["concept_note", "letter_of_commitment"])
    assert {g.field for g in stage_one_gaps(gaps, named)} == {
        "title",
        "documents.concept_note",
        "documents.letter_of_commitment.p1",
    }


def test_the_pre_proposals_total_is_in_the_reporting_currency() -> None:
    assert total_requested(PRE, CALL) == Decimal("205000.00")  # 100,000 EUR + 100,000 CHF x 1.05


@pytest.mark.parametrize(
    ("extra", "over"),
    [("20500.00", False), ("20500.01", True)],  # exactly 10% more is allowed, one cent over is not
)
def test_requested_funding_may_grow_up_to_the_limit_exactly(extra: str, over: bool) -> None:
    limits = stage_two_limits(PRE, StageTwoRules(), CALL)
    assert limits.max_funding == Decimal("225500.00")
    full = draft(*PRE.model_dump(mode="json")["partners"], partner("C", "AT-4", requested=extra))
    assert [p.field for p in stage_two_problems(full, limits, CALL)] == (["partners"] if over else [])


def test_new_partners_come_only_from_regions_already_present_unless_the_call_allows_any() -> None:
    full = draft(*PRE.model_dump(mode="json")["partners"], partner("C", "SI", requested="0.00"))
    strict = stage_two_limits(PRE, StageTwoRules(), CALL)
    assert [p.field for p in stage_two_problems(full, strict, CALL)] == ["partners.2.region_code"]
    free = stage_two_limits(
        PRE, StageTwoRules(new_partners_only_from_present_regions=False, max_funding_increase=None), CALL
    )
    assert stage_two_problems(full, free, CALL) == []
    assert free.as_dict()["max_requested_funding"] is None
