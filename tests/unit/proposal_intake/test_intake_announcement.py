"""services/proposal_intake/domain/announcement.py: proposal.submitted carries the whole submitted
version, so that no consumer has to ask back."""

from __future__ import annotations

import uuid
from decimal import Decimal

from services.proposal_intake.domain.announcement import SubmittedVersion, submitted_event
from shared.clock import MovableClock
from shared.proposals import ProposalDraft
from tests.helpers import NOW, partner, proposal_body, published_call

CONFIG = published_call(MovableClock(NOW)).configuration
assert CONFIG is not None


def version(**overrides: object) -> SubmittedVersion:
    values: dict[str, object] = {
        "proposal_id": uuid.uuid4(),
        "call_id": uuid.uuid4(),
        "applicant_id": "consortium-1",
        "version": 2,
        "submitted_at": NOW,
        "content_sha256": "ab" * 32,
        "warnings": ["AT-4: left to the officer"],
    }
    values.update(overrides)
    return SubmittedVersion(**values)  # type: ignore[arg-type]


def test_the_event_carries_the_version_and_the_content() -> None:
    submitted = version()
    draft = ProposalDraft.model_validate(proposal_body()).with_partner_keys()
    event = submitted_event(submitted, draft, CONFIG)
    assert (event.proposal_id, event.call_id, event.version) == (submitted.proposal_id, submitted.call_id, 2)
    assert (event.acronym, event.trl, event.duration_months) == ("ALPHA", 5, 24)
    assert event.content_sha256 == submitted.content_sha256 and event.warnings == submitted.warnings
    assert event.s3_areas == ["circular economy"]


def test_each_partner_gets_a_stable_id_and_its_region_currency() -> None:
    submitted = version()
    body = proposal_body()
    body["partners"][1].pop("currency")  # CH-FR funds in CHF: the event says so even when the draft does not
    draft = ProposalDraft.model_validate(body).with_partner_keys()
    coordinator, university = submitted_event(submitted, draft, CONFIG).partners
    assert coordinator.partner_id == f"{submitted.proposal_id}:p1" and coordinator.role == "coordinator"
    assert university.partner_id == f"{submitted.proposal_id}:p2"
    assert university.requested_funding.currency == "CHF"
    assert university.requested_funding.amount == Decimal("120000.00")
    assert university.costs == {"personnel": Decimal("150000.00")}
    assert university.organisation_type == "university"


def test_a_partner_outside_the_regions_keeps_its_stated_currency() -> None:
    outsider = partner("Outside Ltd", "FR-J", country="FR", currency="EUR")
    draft = ProposalDraft.model_validate(
        proposal_body(partner("A GmbH", "AT-4", role="coordinator"), outsider)
    ).with_partner_keys()
    assert submitted_event(version(), draft, CONFIG).partners[1].requested_funding.currency == "EUR"
