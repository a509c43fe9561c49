"""The document types of a call: configured, validated with the rest of the call, amended, shown publicly and
carried to the other services in call.* events."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from services.call_definition.examples import alpine_call
from services.call_definition.models import messaging
from shared.calls import CallConfiguration
from shared.clock import MovableClock
from shared.events import CallPublished, Envelope
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_body

AGENCY = bearer("agency")


def with_documents(**overrides: Any) -> dict[str, Any]:
    return call_body(documents=alpine_call(documents=True)["documents"], **overrides)


async def test_the_alpine_example_with_its_documents_is_a_valid_call(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    created = await client.post("/calls", json=alpine_call(documents=True), headers=AGENCY)
    assert created.status_code == 201, created.text
    kinds = {kind["key"]: kind for kind in created.json()["configuration"]["documents"]}
    assert set(kinds) == {"narrative", "budget_annex", "letter_of_commitment", "de_minimis"}
    assert kinds["narrative"]["media_types"] == ["application/pdf"]  # the default
    assert kinds["de_minimis"]["regions"] == ["DE-BY"]


async def test_bad_document_types_are_all_reported_at_their_field_with_the_rest_of_the_call(
    service_client: ServiceClient,
) -> None:
    client, _ = await service_client("call_definition")
    documents = alpine_call(documents=True)["documents"]
    documents[1]["key"] = "narrative"  # twice
    documents[2]["regions"] = ["IT-99"]  # not a region of the call
    documents[3]["media_types"] = ["image/png"]
    documents[3]["max_pages"] = 5  # a page limit on images
    documents[0]["regions"] = ["AT-4"]  # a filter on a proposal-level type
    body = call_body(documents=documents)
    body["evaluation"]["tie_break"] = ["elegance"]  # a problem elsewhere in the call, in the same answer
    refused = await client.post("/calls", json=body, headers=AGENCY)
    assert refused.status_code == 422
    assert {error["field"] for error in refused.json()["errors"]} == {
        "documents.1.key",
        "documents.2.regions",
        "documents.3.max_pages",
        "documents.0.regions",
        "evaluation.tie_break.0",
    }
    assert (await client.get("/calls/all", headers=AGENCY)).json()["items"] == []


async def test_field_errors_of_a_document_type_point_at_the_field(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    documents = [{"key": "Narrative!", "name": "", "media_types": ["text/html"], "max_bytes": 0}]
    refused = await client.post("/calls", json=call_body(documents=documents), headers=AGENCY)
    assert refused.status_code == 422
    fields = {error["field"] for error in refused.json()["errors"]}
    assert {"documents.0.key", "documents.0.name", "documents.0.media_types.0", "documents.0.max_bytes"} <= fields


async def test_published_call_shows_its_documents_and_its_event_carries_them(service_client: ServiceClient) -> None:
    client, app = await service_client("call_definition")
    call = (await client.post("/calls", json=with_documents(), headers=AGENCY)).json()
    await client.post(f"/calls/{call['id']}/publish", headers=AGENCY)
    public = (await client.get(f"/calls/{call['id']}")).json()  # no token: the public call
    assert [kind["key"] for kind in public["configuration"]["documents"]] == [
        k["key"] for k in with_documents()["documents"]
    ]
    async with app.state.runtime.sessions() as session:
        [raw] = (await session.execute(select(messaging.outbox.c.envelope))).scalars()
    event = CallPublished.model_validate(Envelope.model_validate(json.loads(raw)).data)
    assert event.call.configuration is not None
    narrative = event.call.configuration.document_type("narrative")
    assert narrative is not None and narrative.max_pages == 10 and narrative.readable_by == ["evaluators", "regions"]


async def test_an_amendment_replaces_the_document_types_until_the_deadline(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("call_definition")
    call = (await client.post("/calls", json=with_documents(), headers=AGENCY)).json()
    await client.post(f"/calls/{call['id']}/publish", headers=AGENCY)
    documents = alpine_call(documents=True)["documents"]
    documents[0]["max_pages"] = 12
    amended = await client.post(
        f"/calls/{call['id']}/amendments",
        json={"kind": "document_types", "documents": documents[:3], "reason": "two more pages for the narrative"},
        headers=AGENCY,
    )
    assert amended.status_code == 201, amended.text
    config = CallConfiguration.model_validate(amended.json()["configuration"])
    assert [kind.key for kind in config.documents] == ["narrative", "budget_annex", "letter_of_commitment"]
    assert config.documents[0].max_pages == 12

    bad = await client.post(
        f"/calls/{call['id']}/amendments",
        json={"kind": "document_types", "documents": [documents[0], documents[0]], "reason": "a typo"},
        headers=AGENCY,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "documents.1.key"

    clock.advance(timedelta(days=31))  # past the deadline
    late = await client.post(
        f"/calls/{call['id']}/amendments",
        json={"kind": "document_types", "documents": [], "reason": "no more documents"},
        headers=AGENCY,
    )
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "kind"
    versions = (await client.get(f"/calls/{call['id']}/versions")).json()
    assert [v["kind"] for v in versions] == ["publication", "document_types"]
    async with app.state.runtime.sessions() as session:
        events = (await session.execute(select(messaging.outbox.c.event_type))).scalars().all()
    assert events == ["call.published.v1", "call.amended.v1"]
