"""Queries of regional_eligibility."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import PartnerCheck, ProposalCase, RegionEvent, WebhookDelivery, WebhookSubscription

FEED_LOCK = 7_340_041  # pg_advisory_xact_lock key: feed rows commit in id order


async def get_case(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> ProposalCase | None:
    query = select(ProposalCase).where(ProposalCase.proposal_id == proposal_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def cases_awaiting_deadline(session: AsyncSession, call_id: str) -> list[ProposalCase]:
    query = select(ProposalCase).where(ProposalCase.call_id == call_id, ProposalCase.status == "awaiting_deadline")
    return list((await session.execute(query.with_for_update())).scalars())


async def current_checks(session: AsyncSession, proposal_id: str, region: str | None = None) -> list[PartnerCheck]:
    query = select(PartnerCheck).where(PartnerCheck.proposal_id == proposal_id, PartnerCheck.current.is_(True))
    if region is not None:
        query = query.where(PartnerCheck.region_code == region)
    return list((await session.execute(query.order_by(PartnerCheck.id))).scalars())


async def retire_checks(session: AsyncSession, proposal_id: str) -> None:
    await session.execute(
        update(PartnerCheck)
        .where(PartnerCheck.proposal_id == proposal_id, PartnerCheck.current.is_(True))
        .values(current=False)
    )


async def get_check(session: AsyncSession, check_id: int, *, for_update: bool = False) -> PartnerCheck | None:
    query = select(PartnerCheck).where(PartnerCheck.id == check_id)
    if for_update:  # refresh a row already loaded: what counts is its state under the lock
        query = query.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def region_checks(
    session: AsyncSession,
    region: str,
    *,
    call_id: str | None,
    open_only: bool | None,
    verdict: str | None,
    after_id: int | None,
    limit: int,
) -> list[PartnerCheck]:
    query = select(PartnerCheck).where(PartnerCheck.region_code == region, PartnerCheck.current.is_(True))
    if call_id:
        query = query.where(PartnerCheck.call_id == call_id)
    if open_only is True:
        query = query.where(PartnerCheck.verdict == "needs_human")
    elif open_only is False:
        query = query.where(PartnerCheck.verdict != "needs_human")
    if verdict:
        query = query.where(PartnerCheck.verdict == verdict)
    if after_id is not None:
        query = query.where(PartnerCheck.id > after_id)
    return list((await session.execute(query.order_by(PartnerCheck.id).limit(limit))).scalars())


async def checks_of_partner(session: AsyncSession, partner_id: str) -> list[PartnerCheck]:
    query = select(PartnerCheck).where(PartnerCheck.partner_id == partner_id, PartnerCheck.current.is_(True))
    return list((await session.execute(query.order_by(PartnerCheck.id))).scalars())


async def overview(session: AsyncSession, call_id: str) -> list[tuple[str, str, int]]:
    """(region, verdict, count) of the call's current checks."""
    query = (
        select(PartnerCheck.region_code, PartnerCheck.verdict, func.count())
        .where(PartnerCheck.call_id == call_id, PartnerCheck.current.is_(True))
        .group_by(PartnerCheck.region_code, PartnerCheck.verdict)
    )
    return [(r, v, int(n)) for r, v, n in (await session.execute(query)).all()]


async def lock_feed(session: AsyncSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})


async def feed_after(session: AsyncSession, region: str, after_id: int, limit: int) -> list[RegionEvent]:
    query = (
        select(RegionEvent)
        .where(RegionEvent.region_code == region, RegionEvent.id > after_id)
        .order_by(RegionEvent.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def active_subscriptions(session: AsyncSession, region: str) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).where(
        WebhookSubscription.region_code == region, WebhookSubscription.active.is_(True)
    )
    return list((await session.execute(query)).scalars())


async def subscriptions_with_due_deliveries(session: AsyncSession, now: datetime) -> list[WebhookSubscription]:
    """Active subscriptions only: a delivery that slipped in while one was being deleted is never sent."""
    due = select(WebhookDelivery.subscription_id).where(
        WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now
    )
    query = (
        select(WebhookSubscription)
        .where(WebhookSubscription.id.in_(due), WebhookSubscription.active.is_(True))
        .limit(20)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars())


async def next_delivery(session: AsyncSession, subscription_id: str) -> WebhookDelivery | None:
    """The oldest undelivered event of a subscription: deliveries keep the feed's order."""
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == "pending")
        .order_by(WebhookDelivery.event_id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def cancel_pending_deliveries(session: AsyncSession, subscription_id: str) -> None:
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == "pending")
        .values(status="cancelled")
    )


async def deliveries_of(session: AsyncSession, subscription_id: str, limit: int) -> list[WebhookDelivery]:
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.event_id.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
