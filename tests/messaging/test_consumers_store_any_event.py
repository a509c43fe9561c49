"""Whatever an event's schema allows, every consumer of it can store, on PostgreSQL.

A proposal whose title held a NUL was receipted by proposal_intake, then joint_evaluation's insert failed on
PostgreSQL (`invalid byte sequence for encoding "UTF8": 0x00`), the event was parked after its retries and the
proposal never reached evaluation; SQLite hid it. Here hypothesis generates event payloads from the event
schemas themselves (shared/events.py, each model's JSON schema, every payload also valid for the model) and
applies each through the handler of every service that consumes it, on a PostgreSQL database migrated like
production. A handler may refuse a payload the way the bus expects (PermanentError, RetryableError or a
ValidationError: parked or retried by design, e.g. a proposal of a call it never saw), but never with an error
from the database: that would be an accepted event lost downstream.

Needs PostgreSQL: skipped without it, a failure in CI (CI=true).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from services.registry import SERVICES
from shared.clock import MovableClock, SystemClock
from shared.errors import PermanentError, RetryableError
from shared.events import EVENT_MODELS, CallPublished, Envelope, EventData, make_envelope
from shared.messaging.bus import Subscription, topic_matches
from shared.service import Runtime, open_runtime
from tests.conftest import drop_postgres_database, postgres_database
from tests.helpers import migrate_in_thread, published_call

# Text any store can hold (the text policy lets it through): every plane, combining marks, no C0 controls.
_CHARACTERS = st.characters(
    codec="utf-8", exclude_characters="\ufffe\uffff", exclude_categories=["Cc"]
) | st.sampled_from("\t\n\r")
_TEXT = st.text(_CHARACTERS, max_size=40)
_MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


def _from_schema(schema: dict[str, Any], definitions: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """A strategy for JSON values valid against `schema` (the subset pydantic's schemas use)."""
    if "$ref" in schema:
        return st.deferred(lambda: _from_schema(definitions[schema["$ref"].rsplit("/", 1)[-1]], definitions, depth))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kinds = {variant.get("type") for variant in schema.get("anyOf", ())}
    if {"number", "string"} <= kinds:  # a decimal: a JSON number or its text
        amount = st.decimals(min_value=0, max_value=10**9, places=2).map(str)
        return amount | st.none() if "null" in kinds else amount
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of(*(_from_schema(variant, definitions, depth) for variant in schema[key]))
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _from_schema(schema["allOf"][0], definitions, depth)
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        low = schema.get("minimum", schema.get("exclusiveMinimum", -(2**31)) + ("exclusiveMinimum" in schema))
        high = schema.get("maximum", schema.get("exclusiveMaximum", 2**31) - ("exclusiveMaximum" in schema))
        return st.integers(min_value=int(low), max_value=int(high))
    if kind == "number":
        return st.decimals(min_value=0, max_value=10**9, places=2).map(str)
    if kind == "string":
        return _text(schema)
    if kind == "array":
        items = _from_schema(schema.get("items", {}), definitions, depth + 1)
        high = min(schema.get("maxItems", 3), 3 if depth < 2 else 1)
        return st.lists(items, min_size=schema.get("minItems", 0), max_size=max(high, schema.get("minItems", 0)))
    if kind == "object" or "properties" in schema:
        return _object(schema, definitions, depth)
    return st.none() | st.integers() | _TEXT


def _text(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    form = schema.get("format")
    if form == "date-time":
        return _MOMENTS.map(lambda moment: moment.isoformat())
    if form == "date":
        return _MOMENTS.map(lambda moment: moment.date().isoformat())
    if form == "uuid":
        return st.uuids().map(str)
    if "pattern" in schema:
        return st.from_regex(re.compile(schema["pattern"]), fullmatch=True).filter(
            lambda text: len(text) <= schema.get("maxLength", 10**6) and "\x00" not in text
        )
    low = schema.get("minLength", 0)
    return st.text(_CHARACTERS, min_size=low, max_size=max(low, min(40, schema.get("maxLength", 40))))


def _object(schema: dict[str, Any], definitions: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fixed = {
        name: _from_schema(value, definitions, depth + 1) for name, value in properties.items() if name in required
    }
    optional = {
        name: _from_schema(value, definitions, depth + 1) for name, value in properties.items() if name not in required
    }
    values = schema.get("additionalProperties")
    if not properties and isinstance(values, dict):
        keys = st.from_regex(r"\A[a-z][a-z0-9_]{0,9}\Z")
        return st.dictionaries(keys, _from_schema(values, definitions, depth + 1), max_size=3)
    return st.fixed_dictionaries(fixed, optional=optional)


def _payloads(model: type[EventData]) -> st.SearchStrategy[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation")
    return _from_schema(schema, schema.get("$defs", {}))


def _consumers() -> Iterator[tuple[str, str, str]]:
    """(service, queue, event type) for every event type every service's subscriptions take."""
    clock = SystemClock()
    for service, definition in sorted(SERVICES.items()):
        runtime = open_runtime(definition, definition.settings_class(database_url="sqlite+aiosqlite://"), clock)
        try:
            for subscription in definition.subscriptions(runtime):
                for event_type, model in sorted(EVENT_MODELS.items()):
                    routing_key = event_type.rsplit(".", 1)[0]
                    if any(topic_matches(key, routing_key) for key in subscription.routing_keys):
                        yield service, subscription.queue, model.event_type
        finally:
            asyncio.run(runtime.engine.dispose())


CONSUMERS = sorted(set(_consumers()))


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def consumers(loop: asyncio.AbstractEventLoop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Per service, its runtime on a fresh PostgreSQL database knowing one published call, and its subscriptions."""
    clock = MovableClock(datetime(2027, 3, 1, 12, tzinfo=UTC))
    call = published_call(clock)
    announced = make_envelope(
        CallPublished(call=call), source="call_definition", subject=str(call.call_id), clock=clock
    )
    started: dict[str, Any] = {"call_id": str(call.call_id)}
    urls: list[str] = []
    runtimes: list[Runtime] = []
    try:
        for service in sorted({service for service, _, _ in CONSUMERS}):
            definition = SERVICES[service]
            urls.append(loop.run_until_complete(postgres_database(f"prop_{service}")))
            settings = definition.settings_class(data_dir=tmp_path_factory.mktemp(service), database_url=urls[-1])
            loop.run_until_complete(migrate_in_thread(definition, settings.database_url))
            runtime = open_runtime(definition, settings, clock)
            runtimes.append(runtime)
            subscriptions: dict[str, Subscription] = {s.queue: s for s in definition.subscriptions(runtime)}
            for subscription in subscriptions.values():
                if "call.*" in subscription.routing_keys:
                    loop.run_until_complete(subscription.handler(announced))
            started[service] = (clock, subscriptions)
        yield started
    finally:
        for runtime in runtimes:
            loop.run_until_complete(runtime.engine.dispose())
        for url in urls:
            loop.run_until_complete(drop_postgres_database(url))


@pytest.mark.parametrize(("service", "queue", "event_type"), CONSUMERS)
def test_every_consumer_stores_any_event_its_schema_allows_on_postgresql(
    loop: asyncio.AbstractEventLoop, consumers: dict[str, Any], service: str, queue: str, event_type: str
) -> None:
    clock, subscriptions = consumers[service]
    handler = subscriptions[queue].handler
    model = EVENT_MODELS[event_type]

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(payload=_payloads(model), same_call=st.booleans())
    def applied(payload: dict[str, Any], same_call: bool) -> None:
        if same_call and "call_id" in payload:
            payload["call_id"] = consumers["call_id"]  # reach past "which call?" into the inserts
        try:
            data = model.model_validate(payload)
        except ValidationError:
            assume(False)
            return
        envelope = make_envelope(data, source="test", subject=str(uuid.uuid4()), clock=clock)
        envelope = Envelope.model_validate_json(envelope.model_dump_json())  # as it comes off the wire
        try:
            loop.run_until_complete(handler(envelope))
        except (PermanentError, RetryableError, ValidationError):
            pass  # refused the way the bus expects: parked or retried by design, never lost silently
        except DBAPIError as exc:  # the database refused what the schema allowed: a lost event
            pytest.fail(f"{service} ({queue}) could not store a valid {event_type}: {exc.orig}")

    applied()
