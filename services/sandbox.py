"""The sandbox of the embedded default (`jointcall up --sandbox`): an agency moves the clock forward over HTTP, so a
training or integration run passes opening, deadline, due dates and reminders in seconds.

Off by default; the full stack refuses it (`jointcall api`, `worker` and `migrate` exit when JOINTCALL_SANDBOX is
set): there every service reads the real clock. Everything time-driven in the embedded process reads this one
clock: each service's requests and clock jobs, the outbox relays and the bus's retries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, FastAPI, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared.clock import SandboxClock
from shared.errors import Conflict, FieldError, ValidationFailed
from shared.http.problems import document_problems, install_problem_handlers
from shared.http.roles import Agency
from shared.settings import ServiceSettings
from shared.text import StorableModel

CLOCK_FILE = "sandbox-clock.json"
MAX_STEP = timedelta(days=3650)


class ClockOut(BaseModel):
    now: datetime = Field(description="The sandbox's time: what every service reads as now")
    system_time: datetime = Field(description="This machine's real time")
    offset_s: float = Field(description="How far the sandbox is ahead of the real time, in seconds")


class AdvanceIn(StorableModel):
    """Move the clock forward by `seconds`, or to the instant `to` (exactly one of them)."""

    model_config = ConfigDict(extra="forbid")

    seconds: float | None = Field(default=None, gt=0, le=MAX_STEP.total_seconds(), examples=[7200])
    to: AwareDatetime | None = Field(default=None, description="An instant with its offset, after the sandbox's now")

    @model_validator(mode="after")
    def _exactly_one(self) -> AdvanceIn:
        if (self.seconds is None) == (self.to is None):
            raise ValueError("give either seconds or to")
        return self


class ClockMovesForwardOnly(Conflict):
    """The sandbox's clock never goes back: `now` is its time."""

    slug = "sandbox-clock-forward-only"
    title = "The sandbox clock only moves forward"
    fields = ("now",)


def clock_out(clock: SandboxClock) -> ClockOut:
    return ClockOut(now=clock.now(), system_time=datetime.now(UTC), offset_s=clock.offset.total_seconds())


def advance_clock(clock: SandboxClock, body: AdvanceIn) -> ClockOut:
    """The use case: forward only; an instant in the sandbox's past is a 409 saying what time it is."""
    now = clock.now()
    if body.to is not None:
        if body.to <= now:
            raise ClockMovesForwardOnly(
                f"The sandbox clock only moves forward; it is already {now.isoformat()}.",
                extra={"now": now.isoformat()},
            )
        delta = body.to - now
        if delta > MAX_STEP:
            raise ValidationFailed("At most ten years at a time.", errors=[FieldError("to", "at most ten years ahead")])
    else:
        assert body.seconds is not None
        delta = timedelta(seconds=body.seconds)
    clock.advance(delta)
    return clock_out(clock)


router = APIRouter(tags=["sandbox"])


def _clock(request: Request) -> SandboxClock:
    clock: SandboxClock = request.app.state.sandbox_clock
    return clock


@router.get("/clock", response_model=ClockOut, summary="The sandbox's time (agency)")
async def get_clock(request: Request, _: Agency) -> ClockOut:
    return clock_out(_clock(request))


@router.post(
    "/clock",
    response_model=ClockOut,
    summary="Move the sandbox clock forward by seconds, or to an instant (agency; never backward: 409)",
)
async def post_clock(body: AdvanceIn, request: Request, _: Agency) -> ClockOut:
    return advance_clock(_clock(request), body)


def create_sandbox_app(clock: SandboxClock, settings: ServiceSettings) -> FastAPI:
    """Mounted at /sandbox by the embedded app in sandbox mode; agency tokens only."""
    app = FastAPI(
        title="jointcall sandbox",
        description="The sandbox clock of `jointcall up --sandbox` (embedded only): an agency moves it forward.",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.sandbox_clock = clock
    install_problem_handlers(app)
    document_problems([router], {"POST /clock": (ClockMovesForwardOnly,)}, app.router.responses)
    app.include_router(router)
    return app
