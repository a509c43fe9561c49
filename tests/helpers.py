"""Test data builders shared by the test modules."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.clock import MovableClock
from shared.events import CallPublished, CallSnapshot, Envelope, RegionSnapshot, make_envelope
from shared.http.auth import issue_token
from shared.service import ServiceDefinition, migrate
from shared.settings import DEV_JWT_SECRET

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role)}"}


def call_body(code: str = "ALP-TEST", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "title": "Alpine test call",
        "opens_at": (NOW - timedelta(days=10)).isoformat(),
        "deadline": (NOW + timedelta(days=30)).isoformat(),
        "regions": [
            {"code": "AT-4", "name": "Upper Austria", "currency": "EUR"},
            {"code": "DE-BY", "name": "Bavaria", "currency": "EUR"},
            {"code": "CH-FR", "name": "Fribourg", "currency": "CHF"},
        ],
    }
    body.update(overrides)
    return body


def proposal_body(*partners: tuple[str, str, str, str]) -> dict[str, Any]:
    """partners: (organisation, region, amount, currency)."""
    chosen = partners or (("Alpha GmbH", "AT-4", "100000.00", "EUR"), ("Fri SA", "CH-FR", "80000.00", "CHF"))
    return {
        "acronym": "ALPHA",
        "title": "A transregional project",
        "partners": [
            {"organisation_name": org, "region_code": region, "requested_funding": {"amount": amount, "currency": cur}}
            for org, region, amount, cur in chosen
        ],
    }


def published_call(clock: MovableClock, **overrides: Any) -> CallSnapshot:
    values: dict[str, Any] = {
        "call_id": uuid.uuid4(),
        "version": 1,
        "code": "ALP-TEST",
        "title": "Alpine test call",
        "status": "open",
        "opens_at": clock.now() - timedelta(days=10),
        "deadline": clock.now() + timedelta(days=30),
        "regions": [
            RegionSnapshot(code="AT-4", name="Upper Austria", currency="EUR"),
            RegionSnapshot(code="CH-FR", name="Fribourg", currency="CHF"),
        ],
    }
    values.update(overrides)
    return CallSnapshot(**values)


def call_published_envelope(call: CallSnapshot, clock: MovableClock) -> Envelope:
    return make_envelope(CallPublished(call=call), source="call_definition", subject=str(call.call_id), clock=clock)


async def migrate_in_thread(definition: ServiceDefinition, url: str) -> None:
    # Alembic's env runs its own event loop: keep it off the test's loop.
    await asyncio.to_thread(migrate, definition, url)
