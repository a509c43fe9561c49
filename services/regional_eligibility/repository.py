"""Queries of regional_eligibility."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Table, and_, case, func, insert, literal, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import UtcDateTime

from .domain.checks import CheckVerdict
from .domain.lifecycle import CaseStatus
from .domain.webhooks import DELIVERY_TRANSITIONS, LIVE, DeliveryStatus, SubscriptionStatus, new_delivery_status
from .models import PartnerCheck, ProposalCase, RegionEvent, WebhookDelivery, WebhookSubscription, call_copies

FEED_LOCK = 7_340_041  # pg_advisory_xact_lock key: feed rows commit in id order
# The tables the bulk writes insert into with Core statements (no ORM object per row).
partner_checks: Table = PartnerCheck.__table__  # type: ignore[assignment]
region_events: Table = RegionEvent.__table__  # type: ignore[assignment]


async def call_copy_version(session: AsyncSession, call_id: str) -> int | None:
    """The version of the call's stored copy (None: no copy here)."""
    query = select(call_copies.c.version).where(call_copies.c.call_id == call_id)
    version = (await session.execute(query)).scalar()
    return int(version) if version is not None else None


async def get_case(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> ProposalCase | None:
    query = select(ProposalCase).where(ProposalCase.proposal_id == proposal_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def cases_awaiting_deadline(session: AsyncSession, call_id: str) -> list[ProposalCase]:
    query = select(ProposalCase).where(
        ProposalCase.call_id == call_id, ProposalCase.status == CaseStatus.AWAITING_DEADLINE
    )
    return list((await session.execute(query.with_for_update())).scalars())


async def current_checks(session: AsyncSession, proposal_id: str, region: str | None = None) -> list[PartnerCheck]:
    query = select(PartnerCheck).where(PartnerCheck.proposal_id == proposal_id, PartnerCheck.current.is_(True))
    if region is not None:
        query = query.where(PartnerCheck.region_code == region)
    return list((await session.execute(query.order_by(PartnerCheck.id))).scalars())


async def retire_checks(session: AsyncSession, proposal_ids: Sequence[str]) -> None:
    """The current checks of the proposals are current no more, in one statement."""
    await session.execute(
        update(PartnerCheck)
        .where(PartnerCheck.proposal_id.in_(proposal_ids), PartnerCheck.current.is_(True))
        .values(current=False)
    )


async def add_checks(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """The check rows (column values, each row the same columns) in one statement, ids in their order."""
    if rows:
        await session.execute(insert(partner_checks), rows)


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
        query = query.where(PartnerCheck.verdict == CheckVerdict.NEEDS_HUMAN)
    elif open_only is False:
        query = query.where(PartnerCheck.verdict != CheckVerdict.NEEDS_HUMAN)
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


async def append_feed(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Append the feed rows (column values, each row the same columns) in one statement, ids in their order; the
    caller holds the feed lock. The last id before them: the rows appended are those after it."""
    last = (await session.execute(select(func.coalesce(func.max(RegionEvent.id), 0)))).scalar_one()
    await session.execute(insert(region_events), rows)
    return int(last)


async def queue_deliveries(session: AsyncSession, after_event_id: int, now: datetime) -> None:
    """One delivery of every feed event after `after_event_id` (those the caller has just appended, under the
    feed lock) per live subscription of its region, in one statement: the write that announced them pays one
    insert, however many events and subscribers."""
    status = case(
        *((WebhookSubscription.status == s.value, new_delivery_status(s).value) for s in sorted(LIVE)),
        else_=DeliveryStatus.PENDING.value,
    )
    rows = (
        select(WebhookSubscription.id, RegionEvent.id, status, literal(0, Integer), literal(now, UtcDateTime()))
        .join(RegionEvent, RegionEvent.region_code == WebhookSubscription.region_code)
        .where(RegionEvent.id > after_event_id, WebhookSubscription.status.in_(sorted(LIVE)))
        .order_by(RegionEvent.id, WebhookSubscription.id)
    )
    columns = ["subscription_id", "event_id", "status", "attempts", "next_attempt_at"]
    await session.execute(insert(WebhookDelivery).from_select(columns, rows))


async def count_live_subscriptions(session: AsyncSession, region: str) -> int:
    query = select(func.count()).where(
        WebhookSubscription.region_code == region, WebhookSubscription.status.in_(sorted(LIVE))
    )
    return int((await session.execute(query)).scalar_one())


async def count_suspended_subscriptions(session: AsyncSession) -> int:
    query = select(func.count()).where(WebhookSubscription.status == SubscriptionStatus.SUSPENDED.value)
    return int((await session.execute(query)).scalar_one())


async def get_subscription(
    session: AsyncSession, subscription_id: str, *, for_update: bool = False
) -> WebhookSubscription | None:
    query = select(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def region_subscriptions(
    session: AsyncSession, region: str, *, status: str | None, after: tuple[datetime, str] | None, limit: int
) -> list[WebhookSubscription]:
    """The region's subscriptions, oldest first (keyset on created_at, id)."""
    query = select(WebhookSubscription).where(WebhookSubscription.region_code == region)
    if status is not None:
        query = query.where(WebhookSubscription.status == status)
    if after is not None:
        created_at, subscription_id = after
        query = query.where(
            or_(
                WebhookSubscription.created_at > created_at,
                and_(WebhookSubscription.created_at == created_at, WebhookSubscription.id > subscription_id),
            )
        )
    query = query.order_by(WebhookSubscription.created_at, WebhookSubscription.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def claim_due_deliveries(session: AsyncSession, now: datetime, limit: int) -> list[WebhookDelivery]:
    """Per active subscription, its oldest undelivered event if that one is due: deliveries keep the feed's
    order, so a subscription whose first event is in flight or backing off sends nothing newer meanwhile.
    A delivery slipped in while its subscription was being deleted or suspended is never taken."""
    # Per active subscription, one index seek (status, subscription_id, event_id) for its first pending event:
    # the cost follows the number of subscriptions, not the backlog of a subscriber that stopped answering.
    first = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.subscription_id == WebhookSubscription.id,
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
        )
        .order_by(WebhookDelivery.event_id)
        .limit(1)
        .correlate(WebhookSubscription)
        .scalar_subquery()
    )
    query = (
        select(WebhookDelivery)
        .join(WebhookSubscription, WebhookDelivery.id == first)
        .where(
            WebhookSubscription.status == SubscriptionStatus.ACTIVE.value,
            WebhookDelivery.next_attempt_at <= now,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=WebhookDelivery, skip_locked=True)
    return list((await session.execute(query)).scalars())


async def deliveries_by_id(session: AsyncSession, ids: list[int]) -> dict[int, WebhookDelivery]:
    """Locked, in id order (two delivery loops lock in the same order: no deadlock)."""
    query = select(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).order_by(WebhookDelivery.id)
    query = query.with_for_update().execution_options(populate_existing=True)
    return {delivery.id: delivery for delivery in (await session.execute(query)).scalars()}


async def events_by_id(session: AsyncSession, ids: list[int]) -> dict[int, RegionEvent]:
    rows = (await session.execute(select(RegionEvent).where(RegionEvent.id.in_(ids)))).scalars()
    return {event.id: event for event in rows}


async def subscriptions_by_id(
    session: AsyncSession, ids: list[str], *, for_update: bool = False
) -> dict[str, WebhookSubscription]:
    query = select(WebhookSubscription).where(WebhookSubscription.id.in_(ids)).order_by(WebhookSubscription.id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return {subscription.id: subscription for subscription in (await session.execute(query)).scalars()}


async def move_deliveries(
    session: AsyncSession,
    subscription_id: str,
    from_: DeliveryStatus,
    to: DeliveryStatus,
    *,
    next_attempt_at: datetime | None = None,
) -> None:
    """Every delivery of the subscription in `from_` moves to `to` (suspend, resume, cancel)."""
    assert to in DELIVERY_TRANSITIONS[from_], (from_, to)
    values: dict[str, object] = {"status": to.value}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == from_.value)
        .values(**values)
    )


async def deliveries_of(
    session: AsyncSession, subscription_id: str, *, before_event_id: int | None, limit: int
) -> list[WebhookDelivery]:
    """The subscription's delivery log, newest event first (keyset on event_id)."""
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if before_event_id is not None:
        query = query.where(WebhookDelivery.event_id < before_event_id)
    query = query.order_by(WebhookDelivery.event_id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())
