"""Routes of regional_eligibility: each region's back office sees and decides only its own
partners, integrates by webhooks or the change feed; agencies see everything and decide the
consortium-level checks (rules on the proposal as a whole)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status

from shared.http.exact_json import ExactJsonRoute
from shared.http.params import Cursor, Limit, PathKey
from shared.http.roles import Agency, AgencyOrRegion, Consortium, Region
from shared.pagination import BIGINT_MAX, Page
from shared.service import DbSession, RuntimeDep
from shared.webhooks import Resolver, system_resolver

from ..domain.checks import CheckVerdict
from ..domain.webhooks import SubscriptionStatus
from ..use_cases.check_history import check_history
from ..use_cases.decide_check import decide_check
from ..use_cases.list_checks import list_checks
from ..use_cases.list_deliveries import list_deliveries
from ..use_cases.list_webhooks import list_subscriptions
from ..use_cases.read_case import read_case
from ..use_cases.read_feed import read_feed
from ..use_cases.read_outcome import read_outcome
from ..use_cases.read_overview import read_overview
from ..use_cases.read_partner import read_partner
from ..use_cases.read_webhook import read_webhook
from ..use_cases.resume_webhook import resume
from ..use_cases.subscribe_webhook import subscribe
from ..use_cases.unsubscribe_webhook import unsubscribe
from .dependencies import Calls
from .presenters import (
    applicant_outcome_out,
    case_out,
    check_out,
    check_page,
    delivery_page,
    feed_page,
    history_out,
    partner_out,
    progress_out,
    subscription_out,
    subscription_page,
)
from .schemas import (
    ApplicantOutcomeOut,
    CaseOut,
    CheckHistoryOut,
    CheckOut,
    DecisionIn,
    DeliveryOut,
    FeedPage,
    PartnerOut,
    RegionProgress,
    SubscriptionIn,
    SubscriptionOut,
)

router = APIRouter(tags=["eligibility"], route_class=ExactJsonRoute)
Reader = AgencyOrRegion
Decider = Reader  # a region decides its own checks, the agency the consortium-level ones
PROBLEM: dict[str, Any] = {"application/problem+json": {}}


async def _webhook_resolver(request: Request) -> Resolver:
    """The system's resolver; a test sets `app.state.webhook_resolver` to answer as it needs."""
    resolver: Resolver = getattr(request.app.state, "webhook_resolver", system_resolver)
    return resolver


WebhookResolver = Annotated[Resolver, Depends(_webhook_resolver)]


@router.get(
    "/proposals/{proposal_id}",
    response_model=CaseOut,
    summary="A proposal's eligibility: all checks for an agency, the region's own for a region",
)
async def get_case_view(proposal_id: uuid.UUID, session: DbSession, reader: Reader) -> CaseOut:
    return case_out(await read_case(session, reader=reader, proposal_id=str(proposal_id)))


@router.get(
    "/proposals/{proposal_id}/outcome",
    response_model=ApplicantOutcomeOut,
    summary="The eligibility outcome of the consortium's own proposal: per partner and for the consortium, pending "
    "or decided, each rule broken with its numbers (consortium)",
)
async def get_applicant_outcome(
    proposal_id: uuid.UUID, session: DbSession, consortium: Consortium
) -> ApplicantOutcomeOut:
    """Another consortium's proposal, or one whose submission has not reached eligibility yet, is a 404. The
    officers' notes and names are not shown (README, *Eligibility*)."""
    return applicant_outcome_out(await read_outcome(session, consortium=consortium, proposal_id=str(proposal_id)))


@router.get(
    "/checks",
    response_model=Page[CheckOut],
    summary="The checks you decide, oldest first: a region's own, or the consortium-level ones for an agency",
)
async def get_region_checks(
    session: DbSession,
    decider: Decider,
    call_id: uuid.UUID | None = None,
    status: Annotated[str | None, Query(pattern="^(open|decided)$", description="open: needs a human")] = None,
    verdict: CheckVerdict | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[CheckOut]:
    """A region token lists its own partners' checks. An agency token lists the checks with region_code
    `consortium` (rules on the proposal as a whole): only the agency decides them."""
    checks = await list_checks(
        session,
        decider=decider,
        call_id=str(call_id) if call_id else None,
        status=status,
        verdict=verdict,
        cursor=cursor,
        limit=limit,
    )
    return check_page(checks)


@router.get(
    "/partners/{partner_id}",
    response_model=PartnerOut,
    summary="One of the region's partners: its data as submitted and every rule's verdict",
)
async def get_partner(partner_id: PathKey, session: DbSession, region: Region) -> PartnerOut:
    return partner_out(await read_partner(session, region=region, partner_id=partner_id))


@router.get(
    "/checks/{check_id}/history",
    response_model=CheckHistoryOut,
    summary="A check and its decision history (who, when, what, why): a region its own checks, an agency the "
    "consortium-level ones",
)
async def get_check_history(
    check_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], session: DbSession, reader: Decider
) -> CheckHistoryOut:
    return history_out(await check_history(session, reader, check_id))


@router.post(
    "/checks/{check_id}/decision",
    response_model=CheckOut,
    summary="Confirm or override an automatic verdict, or close a manual item (with a reason): a region on its "
    "own checks, an agency on the consortium-level ones",
)
async def post_decision(
    check_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)],
    body: DecisionIn,
    session: DbSession,
    runtime: RuntimeDep,
    calls: Calls,
    decider: Decider,
) -> CheckOut:
    """404 for a check the caller does not decide; 409 for one no longer current (a newer version, a
    withdrawal, or a deadline extension before the final version is known) or past the check deadline."""
    verdict = CheckVerdict(body.verdict) if body.verdict else None
    return check_out(await decide_check(session, runtime, calls, decider, check_id, body.action, verdict, body.reason))


@router.get(
    "/feed",
    response_model=FeedPage,
    summary="The region's change feed (checks opened, withdrawals, outcomes), in order",
)
async def get_feed(
    session: DbSession,
    region: Region,
    after: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
    limit: Limit = 100,
) -> FeedPage:
    return feed_page(await read_feed(session, region=region.scope or "", after=after, limit=limit), after)


@router.post(
    "/webhooks",
    response_model=SubscriptionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe a URL to the region's events (signed with your secret)",
    responses={409: {"description": "The region has its cap of subscriptions", "content": PROBLEM}},
)
async def post_webhook(
    body: SubscriptionIn, session: DbSession, runtime: RuntimeDep, region: Region, resolver: WebhookResolver
) -> SubscriptionOut:
    """422 naming `url` for a URL the rules refuse (see the README's Security section); 409 once the region has
    as many live (active or suspended) subscriptions as it may."""
    subscription = await subscribe(
        session, runtime, region=region.scope or "", url=str(body.url), secret=body.secret, resolver=resolver
    )
    return subscription_out(subscription)


@router.get(
    "/webhooks", response_model=Page[SubscriptionOut], summary="The region's webhook subscriptions, oldest first"
)
async def get_webhooks(
    session: DbSession,
    region: Region,
    status: SubscriptionStatus | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[SubscriptionOut]:
    return subscription_page(
        await list_subscriptions(session, region=region.scope or "", status=status, cursor=cursor, limit=limit)
    )


@router.get("/webhooks/{subscription_id}", response_model=SubscriptionOut, summary="One of the region's subscriptions")
async def get_webhook(subscription_id: uuid.UUID, session: DbSession, region: Region) -> SubscriptionOut:
    return subscription_out(await read_webhook(session, region=region.scope or "", subscription_id=subscription_id))


@router.post(
    "/webhooks/{subscription_id}/resume",
    response_model=SubscriptionOut,
    summary="Resume a subscription the circuit suspended: its held deliveries go out again, in feed order",
    responses={409: {"description": "The subscription was deleted", "content": PROBLEM}},
)
async def post_resume(
    subscription_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, region: Region
) -> SubscriptionOut:
    return subscription_out(await resume(session, runtime, region=region.scope or "", subscription_id=subscription_id))


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response_model=Page[DeliveryOut],
    summary="The delivery log of a subscription, newest event first",
)
async def get_deliveries(
    subscription_id: uuid.UUID,
    session: DbSession,
    region: Region,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[DeliveryOut]:
    deliveries = await list_deliveries(
        session, region=region.scope or "", subscription_id=subscription_id, cursor=cursor, limit=limit
    )
    return delivery_page(deliveries)


@router.delete(
    "/webhooks/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop a subscription: nothing more is sent; its pending deliveries read `cancelled` in the log",
)
async def delete_webhook(subscription_id: uuid.UUID, session: DbSession, region: Region) -> None:
    await unsubscribe(session, region=region.scope or "", subscription_id=subscription_id)


@router.get(
    "/calls/{call_id}/overview",
    response_model=list[RegionProgress],
    summary="Per region, and for `consortium` (the agency's own items): checks done, pending and overdue (agency)",
)
async def get_overview(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, _: Agency) -> list[RegionProgress]:
    return progress_out(await read_overview(session, runtime, call_id=str(call_id)))
