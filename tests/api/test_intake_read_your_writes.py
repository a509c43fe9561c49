"""Read-your-writes right after `publish`: proposal_intake back-fills a call whose event has not arrived yet from
call_definition's public API; a call that does not exist is a 404, and a call_definition it cannot ask a 503 with
Retry-After (problem type not-yet-known), never a 404 for a call that may exist."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from services.proposal_intake.models import call_copies
from shared.clock import MovableClock
from shared.events import Envelope
from tests.api.test_proposal_intake_api import CONSORTIUM, deliver
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_body, proposal_body

AGENCY = bearer("agency")


async def published(client: httpx.AsyncClient, code: str = "ALP-RYW") -> dict[str, Any]:
    created = (await client.post("/calls", json=call_body(code), headers=AGENCY)).json()
    answer = await client.post(f"/calls/{created['id']}/publish", headers=AGENCY)
    assert answer.status_code == 200
    call: dict[str, Any] = answer.json()
    return call


async def outbox_envelopes(app: FastAPI) -> list[Envelope]:
    from sqlalchemy import select

    outbox = app.state.runtime.tables.outbox
    async with app.state.runtime.sessions() as session:
        rows = (await session.execute(select(outbox.c.envelope).order_by(outbox.c.id))).scalars().all()
    return [Envelope.model_validate_json(row) for row in rows]


async def copies(app: FastAPI) -> int:
    from sqlalchemy import func, select

    async with app.state.runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(call_copies))).scalar_one())


async def test_a_draft_right_after_publish_is_created_from_call_definition_s_answer(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    definition, definition_app = await service_client("call_definition")
    intake, intake_app = await service_client("proposal_intake")
    intake_app.state.call_definition_transport = httpx.ASGITransport(app=definition_app)
    call = await published(definition)
    assert await copies(intake_app) == 0  # call.published is still in call_definition's outbox

    created = await intake.post(f"/calls/{call['id']}/proposals", json=proposal_body(), headers=CONSORTIUM)
    assert created.status_code == 201, created.text
    assert await copies(intake_app) == 1
    check = (await intake.get(f"/proposals/{created.json()['id']}/precheck", headers=CONSORTIUM)).json()
    assert check["may_submit"] is True
    assert (await intake.post(f"/proposals/{created.json()['id']}/submit", headers=CONSORTIUM)).status_code == 201

    # The event arrives afterwards: applied as usual (the same revision: nothing changes, nothing breaks).
    for envelope in await outbox_envelopes(definition_app):
        await deliver(intake_app, envelope)
    assert await copies(intake_app) == 1
    assert (await intake.get(f"/calls/{call['id']}/requirements")).status_code == 200


async def test_a_call_that_does_not_exist_or_is_a_draft_is_a_404(service_client: ServiceClient) -> None:
    definition, definition_app = await service_client("call_definition")
    intake, intake_app = await service_client("proposal_intake")
    intake_app.state.call_definition_transport = httpx.ASGITransport(app=definition_app)
    draft = (await definition.post("/calls", json=call_body("ALP-DRAFT"), headers=AGENCY)).json()
    for call_id in ("6f1d1e8e-8f0b-4e43-9a55-4d1b7c0a2f10", draft["id"]):
        answer = await intake.post(f"/calls/{call_id}/proposals", json={}, headers=CONSORTIUM)
        assert answer.status_code == 404 and answer.json()["type"].endswith("/not-found")
    assert await copies(intake_app) == 0


async def test_call_definition_unreachable_is_a_retryable_503_not_a_404(service_client: ServiceClient) -> None:
    intake, intake_app = await service_client("proposal_intake")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    intake_app.state.call_definition_transport = httpx.MockTransport(refuse)
    answer = await intake.post("/calls/6f1d1e8e-8f0b-4e43-9a55-4d1b7c0a2f10/proposals", json={}, headers=CONSORTIUM)
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("/not-yet-known") and int(answer.headers["Retry-After"]) >= 1
    requirements = await intake.get("/calls/6f1d1e8e-8f0b-4e43-9a55-4d1b7c0a2f10/requirements")
    assert requirements.status_code == 503


async def test_an_evaluator_registered_right_after_publish_is_registered(service_client: ServiceClient) -> None:
    definition, definition_app = await service_client("call_definition")
    evaluation, evaluation_app = await service_client("joint_evaluation")
    evaluation_app.state.call_definition_transport = httpx.ASGITransport(app=definition_app)
    call = await published(definition, "ALP-RYW-EVAL")
    body = {"name": "Ada Expert", "email": "ada@example.org", "organisation": "Lab", "country": "IT", "max_load": 3}
    registered = await evaluation.post(f"/calls/{call['id']}/evaluators", json=body, headers=AGENCY)
    assert registered.status_code == 201, registered.text

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    evaluation_app.state.call_definition_transport = httpx.MockTransport(refuse)
    unknown = await evaluation.post("/calls/6f1d1e8e-8f0b-4e43-9a55-4d1b7c0a2f10/evaluators", json=body, headers=AGENCY)
    assert unknown.status_code == 503 and "Retry-After" in unknown.headers
