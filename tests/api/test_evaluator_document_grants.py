"""Evaluators read the documents of the proposals they score: joint_evaluation, which knows assignments and
conflicts, grants; proposal_intake, which holds the bytes, verifies the grant. Nothing is copied between them."""

from __future__ import annotations

import uuid

from shared.clock import MovableClock
from tests.api.test_joint_evaluation_api import assign, deliver, register
from tests.api.test_proposal_documents import CONSORTIUM, NARRATIVE, content_url, upload_all
from tests.conftest import ServiceClient
from tests.documents_helpers import call_with_documents, pdf
from tests.helpers import call_published_envelope, decided_event, envelope_of, proposal_body, submitted_event


async def test_an_assigned_evaluator_reads_with_a_grant_until_a_conflict_stops_new_grants(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    intake, intake_app = await service_client("proposal_intake")
    evaluation, evaluation_app = await service_client("joint_evaluation")
    call = call_with_documents(clock)
    await deliver(intake_app, call_published_envelope(call, clock))
    await deliver(evaluation_app, call_published_envelope(call, clock))
    created = await intake.post(f"/calls/{call.call_id}/proposals", json=proposal_body(), headers=CONSORTIUM)
    proposal = created.json()["id"]
    await upload_all(intake, proposal)
    await intake.put(
        f"/proposals/{proposal}/documents/budget_annex",
        content=pdf(1, text="annex"),
        headers={**CONSORTIUM, "Content-Type": "application/pdf"},
    )
    assert (await intake.post(f"/proposals/{proposal}/submit", headers=CONSORTIUM)).status_code == 201
    # What proposal_intake announced reaches evaluation (here delivered by hand), then eligibility.
    submitted = submitted_event(call, proposal_body(), clock, proposal_id=uuid.UUID(proposal))
    await deliver(evaluation_app, envelope_of(submitted, clock))
    await deliver(evaluation_app, envelope_of(decided_event(submitted, clock), clock))

    _, assigned = await register(evaluation, call, max_load=1)
    await assign(evaluation, call)
    _, unassigned = await register(evaluation, call, max_load=1)
    assert (await evaluation.post(f"/proposals/{proposal}/document-grant", headers=unassigned)).status_code == 404

    issued = await evaluation.post(f"/proposals/{proposal}/document-grant", headers=assigned)
    assert issued.status_code == 201, issued.text
    granted = {**assigned, "X-Document-Grant": issued.json()["grant"]}
    assert issued.json()["version"] == 1
    listed = await intake.get(issued.json()["documents_path"], headers=granted)
    assert listed.status_code == 200, listed.text
    assert {d["document_type"] for d in listed.json()["documents"]} == {"narrative", "letter_of_commitment"}
    assert (await intake.get(content_url(proposal, "narrative"), headers=granted)).content == NARRATIVE
    assert (await intake.get(content_url(proposal, "budget_annex"), headers=granted)).status_code == 404
    # Another evaluator cannot use the grant: it names the evaluator it was issued to.
    stolen = {**unassigned, "X-Document-Grant": issued.json()["grant"]}
    assert (await intake.get(content_url(proposal, "narrative"), headers=stolen)).status_code == 403

    declared = await evaluation.post(
        f"/proposals/{proposal}/conflicts", json={"reason": "I advised Alpha GmbH"}, headers=assigned
    )
    assert declared.status_code == 201
    assert (await evaluation.post(f"/proposals/{proposal}/document-grant", headers=assigned)).status_code == 404
