"""The text policy at the edge: what an API accepts, every service downstream can store.

A NUL in a title used to be receipted by proposal_intake and then fail joint_evaluation's insert on
PostgreSQL, parking the submission. Now every API refuses it (422 naming the field) and stores nothing;
what it accepts is normalised to NFC.
"""

from __future__ import annotations

import unicodedata

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select

from services.proposal_intake.models import Proposal
from services.registry import SERVICES
from shared.clock import MovableClock
from shared.proposals import ProposalDraft
from shared.text import StorableModel, storable_text
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_body, call_published_envelope, proposal_body, published_call

AGENCY = bearer("agency")
CONSORTIUM = bearer("consortium:acme")

# XML 1.0's Char production, less NUL: what the database and the exports can hold.
_HOLDABLE = st.characters(codec="utf-8", exclude_characters="\ufffe\uffff").filter(
    lambda c: c in "\t\n\r" or ord(c) >= 0x20
)
_NOT_HOLDABLE = st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"])


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    """The bug only showed on PostgreSQL (SQLite stores a NUL): both run."""
    return str(request.param)


@given(st.text(_HOLDABLE, max_size=40))
def test_text_any_store_can_hold_is_accepted_in_nfc(text: str) -> None:
    assert storable_text(text) == unicodedata.normalize("NFC", text)


@given(st.text(_HOLDABLE, max_size=20), _NOT_HOLDABLE, st.text(_HOLDABLE, max_size=20))
def test_text_with_a_character_no_store_can_hold_is_refused_where_it_is(before: str, bad: str, after: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ProposalDraft.model_validate({"abstract": before + bad + after})
    error = refused.value.errors()[0]
    assert error["loc"] == ("abstract",)
    assert error["type"] == "text_not_storable"
    assert f"U+{ord(bad):04X} at position {len(before)}" in error["msg"]


def test_a_bad_character_inside_a_list_is_refused_naming_the_list() -> None:
    with pytest.raises(ValidationError) as refused:
        ProposalDraft.model_validate({"s3_areas": ["fine", "hydro\x00gen"]})
    assert [error["loc"] for error in refused.value.errors()] == [("s3_areas",)]


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValidationError):
        ProposalDraft.model_validate({"title": "x\ud800"})


def _body_models(routers: list[APIRouter]) -> list[type[BaseModel]]:
    models = []
    for route in (route for router in routers for route in router.routes):
        if isinstance(route, APIRoute) and route.body_field is not None:
            annotation = route.body_field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                models.append(annotation)
    return models


def _nested_models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        for candidate in _types_in(field.annotation):
            _nested_models(candidate, seen)


def _types_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for argument in getattr(annotation, "__args__", ()) or ():
        found.extend(_types_in(argument))
    return found


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_request_body_of_every_api_follows_the_text_policy(service: str) -> None:
    seen: set[type[BaseModel]] = set()
    models = _body_models(SERVICES[service].routers())
    assert models  # every service takes at least one body
    for model in models:
        _nested_models(model, seen)
    outside = sorted(model.__qualname__ for model in seen if not issubclass(model, StorableModel))
    assert outside == []


async def test_a_nul_in_a_draft_title_is_refused_naming_the_field_and_nothing_is_stored(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = published_call(clock)
    for subscription in app.state.definition.subscriptions(app.state.runtime):
        await subscription.handler(call_published_envelope(call, clock))
    body = proposal_body()
    body["title"] = "Alpine\u0000 hydrogen"
    refused = await client.post(f"/calls/{call.call_id}/proposals", json=body, headers=CONSORTIUM)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["title"]
    async with app.state.runtime.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Proposal))).scalar_one() == 0

    body["title"] = "Cafe\u0301 alpin"  # e + combining acute: stored as the one character é
    created = await client.post(f"/calls/{call.call_id}/proposals", json=body, headers=CONSORTIUM)
    assert created.status_code == 201
    assert created.json()["draft"]["title"] == "Caf\u00e9 alpin"


async def test_a_control_character_deep_in_a_call_is_refused_naming_the_field(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    body = call_body()
    body["regions"][1]["manual_checks"] = ["State aid declaration\u001b"]
    refused = await client.post("/calls", json=body, headers=AGENCY)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["regions.1.manual_checks"]
    assert (await client.get("/calls/all", headers=AGENCY)).json()["items"] == []
