"""Test data builders shared by the test modules."""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx

from services.call_definition.examples import alpine_call, redated
from services.call_definition.examples.two_stage import as_two_stage
from shared.calls import CallConfiguration
from shared.clock import MovableClock
from shared.db import sqlite_url_for
from shared.events import (
    CallPublished,
    CallSnapshot,
    EligibilityDecided,
    Envelope,
    EventData,
    PartnerVerdict,
    ProposalSubmitted,
    ProposalWithdrawn,
    RegionSnapshot,
    make_envelope,
)
from shared.http.auth import issue_token
from shared.service import ServiceDefinition, migrate
from shared.settings import DEV_JWT_SECRET

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
# The six services, written out (not read from services.registry): what the tests expect to find.
SERVICE_NAMES = (
    "call_definition",
    "proposal_intake",
    "regional_eligibility",
    "joint_evaluation",
    "s3_strategy",
    "project_monitoring",
)


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role)}"}


def call_body(code: str = "ALP-TEST", *, regions: tuple[str, ...] | None = None, **overrides: Any) -> dict[str, Any]:
    """The Alpine example as a fresh draft: open since 10 days, deadline in 30 days (from NOW)."""
    body = live_call_body(code, now=NOW, opened=timedelta(days=10), deadline=timedelta(days=30))
    if regions is not None:
        body["regions"] = [r for r in body["regions"] if r["code"] in regions]
    body.update(overrides)
    return body


def live_call_body(
    code: str,
    *,
    now: datetime | None = None,
    opened: timedelta = timedelta(days=1),
    deadline: timedelta = timedelta(days=1),
) -> dict[str, Any]:
    """The Alpine example re-dated around `now` (the real clock by default): opened `opened` ago,
    closing `deadline` from now, the later dates after that."""
    now = now or datetime.now(UTC)
    body = redated(alpine_call(), now - opened)
    body["code"] = code
    body["stages"][-1]["deadline"] = (now + deadline).isoformat()
    for key, days in (("eligibility_check_due", 60), ("evaluation_due", 90), ("decisions_due", 120)):
        body[key] = (now + deadline + timedelta(days=days)).isoformat()
    return body


def partner(
    name: str,
    region: str,
    *,
    currency: str = "EUR",
    kind: str = "sme",
    role: str = "partner",
    costs: str = "200000.00",
    requested: str = "100000.00",
    country: str | None = None,
) -> dict[str, Any]:
    """A complete partner; costs all personnel, requesting `requested` in `currency`."""
    return {
        "organisation_name": name,
        "legal_id": f"ID-{abs(hash(name)) % 10**8:08d}",
        "country": country or region[:2],
        "region_code": region,
        "organisation_type": kind,
        "is_sme": kind == "sme",
        "role": role,
        "contact": {"name": "Contact Person", "email": "contact@example.org"},
        "currency": currency,
        "budget": {"personnel": costs},
        "requested_funding": requested,
    }


def fribourg_university(*, costs: str = "150000.00", requested: str = "120000.00") -> dict[str, Any]:
    """The Universite de Fribourg (CH-FR, CHF) as a partner, the default proposal's second."""
    return partner(
        "Universite de Fribourg", "CH-FR", currency="CHF", kind="university", costs=costs, requested=requested
    )


def proposal_body(*partners: dict[str, Any], acronym: str = "ALPHA") -> dict[str, Any]:
    """A complete draft for the Alpine call: by default an Upper Austrian SME coordinating with a
    Fribourg university; passes every rule (Upper Austria leaves a manual check to its officers)."""
    chosen = partners or (partner("Alpha GmbH", "AT-4", role="coordinator"), fribourg_university())
    return {
        "acronym": acronym,
        "title": "A transregional value chain for circular manufacturing",
        "abstract": "Partners from two Alpine regions develop and pilot a circular process.",
        "s3_areas": ["circular economy"],
        "trl": 5,
        "duration_months": 24,
        "partners": list(chosen),
    }


def call_snapshot(
    config: CallConfiguration, *, call_id: uuid.UUID | None = None, version: int = 1, revision: int = 2
) -> CallSnapshot:
    """The open call of `config` as events carry it (a fresh id unless given)."""
    return CallSnapshot(
        call_id=call_id or uuid.uuid4(),
        version=version,
        revision=revision,
        code=config.code,
        title=config.title,
        status="open",
        opens_at=config.opens_at,
        deadline=config.deadline,
        regions=[RegionSnapshot(code=r.code, name=r.name, currency=r.currency) for r in config.regions],
        configuration=config,
    )


def published_call(clock: MovableClock, **overrides: Any) -> CallSnapshot:
    """A published call as events carry it: the Alpine example, open around `clock`'s now."""
    body = redated(alpine_call(), clock.now() - timedelta(days=10))
    body["stages"][-1]["deadline"] = (clock.now() + timedelta(days=30)).isoformat()
    for key in ("eligibility_check_due", "evaluation_due", "decisions_due"):
        body[key] = (clock.now() + timedelta(days=60)).isoformat()
    config = CallConfiguration.model_validate(body)
    values: dict[str, Any] = dict(call_snapshot(config))
    values.update(overrides)
    if "deadline" in overrides:
        stages = [*config.stages[:-1], config.stages[-1].model_copy(update={"deadline": overrides["deadline"]})]
        values["configuration"] = config.model_copy(update={"stages": stages})
    return CallSnapshot(**values)


def two_stage_snapshot(
    call: CallSnapshot, *, pre_deadline: datetime, full_opens: datetime, **changes: Any
) -> CallSnapshot:
    """`call` as a two-stage call: pre-proposals until `pre_deadline`, full proposals from `full_opens` to its
    deadline. `changes`: `two_stage` (the stage options), `documents` (the call's), `revision` (the snapshot's)."""
    assert call.configuration is not None
    body = call.configuration.model_dump(mode="json")
    if "documents" in changes:
        body["documents"] = changes.pop("documents")
    stages = changes.pop("two_stage", None)
    body = as_two_stage(body, pre_deadline=pre_deadline, full_opens=full_opens, two_stage=stages)
    return call.model_copy(update={"configuration": CallConfiguration.model_validate(body), **changes})


def two_stage_published_call(clock: MovableClock, **changes: Any) -> CallSnapshot:
    """published_call as a two-stage call: pre-proposals open since 10 days until 5 days from `clock`'s now, full
    proposals from 10 to 30 days from now. `changes`: as two_stage_snapshot's."""
    now = clock.now()
    return two_stage_snapshot(
        published_call(clock), pre_deadline=now + timedelta(days=5), full_opens=now + timedelta(days=10), **changes
    )


def call_published_envelope(call: CallSnapshot, clock: MovableClock) -> Envelope:
    return make_envelope(CallPublished(call=call), source="call_definition", subject=str(call.call_id), clock=clock)


_SQLITE = "sqlite+aiosqlite:///"
_TEMPLATES: dict[str, Path] = {}  # service -> its SQLite file migrated to head, once per test process
_TEMPLATES_LOCK = threading.Lock()


def migrate_once(definition: ServiceDefinition, url: str) -> None:
    """Bring the service's database at `url` to head. A SQLite file not there yet gets a copy of one that
    alembic migrated earlier in this process (the same tables, indexes and version row, in a millisecond
    instead of a fresh alembic run per test); an existing file or a PostgreSQL database is migrated."""
    target = Path(url.removeprefix(_SQLITE)) if url.startswith(_SQLITE) else None
    if target is None or not target.is_absolute() or target.exists():
        migrate(definition, url)
        return
    with _TEMPLATES_LOCK:
        template = _TEMPLATES.get(definition.name)
        if template is None:
            folder = Path(tempfile.mkdtemp(prefix="jc-migrated-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            template = folder / f"{definition.name}.db"
            migrate(definition, sqlite_url_for(template))
            _TEMPLATES[definition.name] = template
    shutil.copyfile(template, target)


async def migrate_in_thread(definition: ServiceDefinition, url: str, *, copy: bool = True) -> None:
    """migrate_once (copy=False: alembic itself, for the tests of the migrations) in a thread: alembic's env runs
    its own event loop, kept off the test's loop."""
    await asyncio.to_thread(migrate_once if copy else migrate, definition, url)


async def migrate_all(data_dir: Path) -> Path:
    """Every service's database in `data_dir` (SQLite files, as the embedded default keeps them) at head."""
    from services.registry import SERVICES

    for definition in SERVICES.values():
        await migrate_in_thread(definition, definition.settings_class(data_dir=data_dir).database_url)
    return data_dir


@asynccontextmanager
async def embedded_client(data_dir: Path, **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The embedded default as `jointcall up` runs it (every service and the portal in one process, the
    in-process bus), on fresh SQLite files in `data_dir`, reached in process at http://jc. `options` go to
    `create_embedded_app` (a clock, `sandbox=True`); failed handlers retry after 100 ms."""
    from services.embedded import create_embedded_app  # the whole system: only for the tests that run it

    await migrate_all(data_dir)
    app = create_embedded_app(data_dir, **{"retry_delay_ms": 100, **options})
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://jc") as client:
        yield client


async def poll(read: Callable[[], Awaitable[Any]], accept: Callable[[Any], bool], within: float, pause: float) -> Any:
    """`await read()` every `pause` seconds until `accept` takes what it returns (returned); an AssertionError
    with the last value after `within` seconds."""
    last = None
    for _ in range(int(within / pause)):
        last = await read()
        if accept(last):
            return last
        await asyncio.sleep(pause)
    raise AssertionError(f"never reached the expected state; last: {last}")


def submitted_event(
    call: CallSnapshot,
    body: dict[str, Any],
    clock: MovableClock,
    version: int = 1,
    proposal_id: uuid.UUID | None = None,
) -> ProposalSubmitted:
    """proposal.submitted exactly as proposal_intake announces it, for a draft body of proposal_body()."""
    from services.proposal_intake.domain.announcement import SubmittedVersion
    from services.proposal_intake.domain.announcement import submitted_event as announce
    from shared.proposals import ProposalDraft

    assert call.configuration is not None
    submitted = SubmittedVersion(
        proposal_id=proposal_id or uuid.uuid4(),
        call_id=call.call_id,
        applicant_id="acme",
        version=version,
        submitted_at=clock.now(),
        content_sha256="0" * 64,
        warnings=[],
    )
    return announce(submitted, ProposalDraft.model_validate(body).with_partner_keys(), call.configuration)


def decided_event(
    submitted: ProposalSubmitted,
    clock: MovableClock,
    *,
    outcome: Literal["eligible", "not_eligible"] = "eligible",
    dropped: Sequence[str] = (),
) -> EligibilityDecided:
    """eligibility.decided for `submitted`, now: every partner eligible but the `dropped` ones (partner ids),
    with a reason when the outcome is not eligible or a partner was dropped."""
    return EligibilityDecided(
        proposal_id=submitted.proposal_id,
        call_id=submitted.call_id,
        proposal_version=submitted.version,
        outcome=outcome,
        reasons=[] if outcome == "eligible" and not dropped else ["a partner is not eligible"],
        partners=[
            PartnerVerdict(
                partner_id=p.partner_id, region_code=p.region_code, eligible=p.partner_id not in dropped, reasons=[]
            )
            for p in submitted.partners
        ],
        decided_at=clock.now(),
        dropped_partners=list(dropped),
    )


def withdrawn_event(
    proposal_id: uuid.UUID, call_id: uuid.UUID, clock: MovableClock, reason: str = "partner left"
) -> ProposalWithdrawn:
    """proposal.withdrawn of the consortium "acme", now."""
    return ProposalWithdrawn(
        proposal_id=proposal_id, call_id=call_id, applicant_id="acme", withdrawn_at=clock.now(), reason=reason
    )


def envelope_of(data: EventData, clock: MovableClock, subject: str = "test") -> Envelope:
    return make_envelope(data, source="test", subject=subject, clock=clock)


async def eventually(condition: Callable[[], Awaitable[bool]] | Callable[[], bool], within: float = 5.0) -> None:
    """Wait until `condition` (a function or a coroutine function) holds; fail after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        result = condition()
        if (await result) if asyncio.iscoroutine(result) else result:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
