"""Routes of regional_eligibility: each region's back office sees and decides only its own
partners, integrates by webhooks or the change feed; agencies see everything and decide the
consortium-level checks (rules on the proposal as a whole)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status

from shared.errors import NotFound
from shared.events import ProposalSubmitted
from shared.http.auth import Principal, Role, require
from shared.http.exact_json import ExactJsonRoute
from shared.pagination import BIGINT_MAX, Page, PathKey, decode_id_cursor, encode_cursor
from shared.service import DbSession, RuntimeDep
from shared.webhooks import Resolver, system_resolver

from ..domain.applicant_view import PartyOutcome
from ..domain.checks import CONSORTIUM, CheckVerdict
from ..domain.webhooks import SubscriptionStatus
from ..models import PartnerCheck, WebhookSubscription
from ..repository import (
    checks_of_partner,
    current_checks,
    feed_after,
    get_case,
    overview,
    region_checks,
)
from ..use_cases.cases import call_config
from ..use_cases.check_history import check_history
from ..use_cases.decide_check import decide_check
from ..use_cases.read_outcome import read_outcome
from ..use_cases.webhooks import (
    delivery_log,
    event_body,
    list_subscriptions,
    own_subscription,
    resume,
    subscribe,
    unsubscribe,
)
from .schemas import (
    ApplicantOutcomeOut,
    CaseOut,
    CheckDecisionOut,
    CheckHistoryOut,
    CheckOut,
    DecisionIn,
    DeliveryOut,
    FeedEventOut,
    FeedPage,
    PartnerOut,
    PartyOutcomeOut,
    RegionProgress,
    SubscriptionIn,
    SubscriptionOut,
)

router = APIRouter(tags=["eligibility"], route_class=ExactJsonRoute)
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.REGION))]
Decider = Reader  # a region decides its own checks, the agency the consortium-level ones
Region = Annotated[Principal, Depends(require(Role.REGION))]
Agency = Annotated[Principal, Depends(require(Role.AGENCY))]
Consortium = Annotated[Principal, Depends(require(Role.CONSORTIUM))]
PROBLEM: dict[str, Any] = {"application/problem+json": {}}


async def _webhook_resolver(request: Request) -> Resolver:
    """The system's resolver; a test sets `app.state.webhook_resolver` to answer as it needs."""
    resolver: Resolver = getattr(request.app.state, "webhook_resolver", system_resolver)
    return resolver


WebhookResolver = Annotated[Resolver, Depends(_webhook_resolver)]


def check_out(check: PartnerCheck) -> CheckOut:
    return CheckOut.model_validate(check, from_attributes=True)


def party_out(party: PartyOutcome) -> PartyOutcomeOut:
    return PartyOutcomeOut.model_validate(party, from_attributes=True)


def subscription_out(subscription: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut.model_validate(subscription, from_attributes=True)


@router.get(
    "/proposals/{proposal_id}",
    response_model=CaseOut,
    summary="A proposal's eligibility: all checks for an agency, the region's own for a region",
)
async def get_case_view(proposal_id: uuid.UUID, session: DbSession, reader: Reader) -> CaseOut:
    case = await get_case(session, str(proposal_id))
    region = reader.scope if reader.role is Role.REGION else None
    checks = await current_checks(session, str(proposal_id), region) if case else []
    submitted = ProposalSubmitted.model_validate(case.submission) if case else None
    if case is None or submitted is None or (region and region not in {p.region_code for p in submitted.partners}):
        raise NotFound(f"No eligibility case {proposal_id} for {reader.label}.")
    return CaseOut(
        proposal_id=uuid.UUID(case.proposal_id),
        call_id=uuid.UUID(case.call_id),
        version=case.version,
        acronym=case.acronym,
        status=case.status,
        outcome=case.outcome,
        reasons=case.reasons,
        decision_version=case.decision_version,
        decided_at=case.decided_at,
        checks=[check_out(c) for c in checks],
    )


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
    view = await read_outcome(session, consortium=consortium, proposal_id=str(proposal_id))
    return ApplicantOutcomeOut(
        proposal_id=proposal_id,
        call_id=uuid.UUID(view.case.call_id),
        version=view.case.version,
        acronym=view.case.acronym,
        status=view.status,
        outcome=view.outcome,
        reasons=view.reasons,
        decided_at=view.decided_at,
        partners=[party_out(p) for p in view.parties.partners],
        consortium=party_out(view.parties.consortium),
    )


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
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[CheckOut]:
    """A region token lists its own partners' checks. An agency token lists the checks with region_code
    `consortium` (rules on the proposal as a whole): only the agency decides them."""
    after_id = decode_id_cursor(cursor) if cursor else None
    checks = await region_checks(
        session,
        CONSORTIUM if decider.role is Role.AGENCY else decider.scope or "",
        call_id=str(call_id) if call_id else None,
        open_only=None if status is None else status == "open",
        verdict=verdict.value if verdict else None,
        after_id=after_id,
        limit=limit,
    )
    return Page[CheckOut](
        items=[check_out(c) for c in checks], next_cursor=encode_cursor(checks[-1].id) if len(checks) == limit else None
    )


@router.get(
    "/partners/{partner_id}",
    response_model=PartnerOut,
    summary="One of the region's partners: its data as submitted and every rule's verdict",
)
async def get_partner(partner_id: PathKey, session: DbSession, region: Region) -> PartnerOut:
    checks = await checks_of_partner(session, partner_id)
    case = await get_case(session, checks[0].proposal_id) if checks else None
    submitted = ProposalSubmitted.model_validate(case.submission) if case else None
    partner = next((p for p in submitted.partners if p.partner_id == partner_id), None) if submitted else None
    if partner is None or partner.region_code != region.scope:
        raise NotFound(f"No partner {partner_id} in region {region.scope}.")
    return PartnerOut(
        partner_id=partner_id,
        proposal_id=uuid.UUID(checks[0].proposal_id),
        region_code=partner.region_code,
        data=partner.model_dump(mode="json"),
        checks=[check_out(c) for c in checks],
    )


@router.get(
    "/checks/{check_id}/history",
    response_model=CheckHistoryOut,
    summary="A check and its decision history (who, when, what, why): a region its own checks, an agency the "
    "consortium-level ones",
)
async def get_check_history(
    check_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], session: DbSession, reader: Decider
) -> CheckHistoryOut:
    history = await check_history(session, reader, check_id)
    return CheckHistoryOut(
        check=check_out(history.check),
        decisions=[CheckDecisionOut.model_validate(row) for row in history.decisions],
    )


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
    decider: Decider,
) -> CheckOut:
    """404 for a check the caller does not decide; 409 for one no longer current (a newer version, a
    withdrawal, or a deadline extension before the final version is known) or past the check deadline."""
    verdict = CheckVerdict(body.verdict) if body.verdict else None
    return check_out(await decide_check(session, runtime, decider, check_id, body.action, verdict, body.reason))


@router.get(
    "/feed",
    response_model=FeedPage,
    summary="The region's change feed (checks opened, withdrawals, outcomes), in order",
)
async def get_feed(
    session: DbSession,
    region: Region,
    after: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FeedPage:
    events = await feed_after(session, region.scope or "", after, limit)
    items = [FeedEventOut.model_validate(json.loads(event_body(e))) for e in events]
    return FeedPage(items=items, next_after=events[-1].id if events else after)


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
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[SubscriptionOut]:
    page = await list_subscriptions(session, region=region.scope or "", status=status, cursor=cursor, limit=limit)
    return Page[SubscriptionOut](items=[subscription_out(s) for s in page.items], next_cursor=page.next_cursor)


@router.get("/webhooks/{subscription_id}", response_model=SubscriptionOut, summary="One of the region's subscriptions")
async def get_webhook(subscription_id: uuid.UUID, session: DbSession, region: Region) -> SubscriptionOut:
    return subscription_out(await own_subscription(session, region.scope or "", subscription_id))


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
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[DeliveryOut]:
    page = await delivery_log(
        session, region=region.scope or "", subscription_id=subscription_id, cursor=cursor, limit=limit
    )
    return Page[DeliveryOut](
        items=[DeliveryOut.model_validate(d, from_attributes=True) for d in page.items], next_cursor=page.next_cursor
    )


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
    _call, config = await call_config(session, str(call_id), missing=NotFound)
    overdue = config.eligibility_check_due is not None and runtime.clock.now() >= config.eligibility_check_due
    progress: dict[str, RegionProgress] = {}
    for region, verdict, count in await overview(session, str(call_id)):
        entry = progress.setdefault(
            region, RegionProgress(region_code=region, checks=0, decided=0, pending=0, overdue=0)
        )
        entry.checks += count
        if verdict == CheckVerdict.NEEDS_HUMAN.value:
            entry.pending += count
            entry.overdue += count if overdue else 0
        else:
            entry.decided += count
    return sorted(progress.values(), key=lambda p: p.region_code)
