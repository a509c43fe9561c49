"""A region subscribes a URL to its events: within the region's cap, to a URL the rules allow."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.service import Runtime
from shared.webhooks import Outcome, Resolver, UrlRefused, check_url, literal_address, permitted_addresses

from ..domain.webhooks import SubscriptionStatus
from ..errors import SubscriptionLimitReached, WebhookUrlRefused
from ..models import WebhookSubscription
from ..repository import count_live_subscriptions
from ..settings import Settings, settings_of

REGISTRATION_LOOKUP_S = 2.0


async def subscribe(
    session: AsyncSession, runtime: Runtime, *, region: str, url: str, secret: str, resolver: Resolver
) -> WebhookSubscription:
    """422 naming `url` for a URL the rules refuse; 409 once the region has its cap of live subscriptions."""
    settings = settings_of(runtime)
    await _refuse_url(url, settings, resolver)
    if await count_live_subscriptions(session, region) >= settings.webhooks_max_per_region:
        raise SubscriptionLimitReached(
            f"Region {region} already has {settings.webhooks_max_per_region} webhook subscriptions, as many as it "
            "may (JOINTCALL_WEBHOOKS_MAX_PER_REGION): delete one first.",
            extra={"limit": settings.webhooks_max_per_region},
        )
    subscription = WebhookSubscription(
        id=str(uuid.uuid4()),
        region_code=region,
        url=url,
        secret=secret,
        status=SubscriptionStatus.ACTIVE.value,
        consecutive_failures=0,
        suspended_at=None,
        created_at=runtime.clock.now(),
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def _refuse_url(url: str, settings: Settings, resolver: Resolver) -> None:
    """The rules at registration: https, no userinfo, no literal address that is not globally routable; a name
    that resolves now to such an address is refused too. Delivery checks again (DNS may answer otherwise)."""
    policy = settings.webhook_policy
    try:
        host, port = check_url(url, policy)
        if literal_address(host) is None:
            try:
                async with asyncio.timeout(REGISTRATION_LOOKUP_S):
                    answers = await resolver(host, port)
            except (OSError, TimeoutError, UnicodeError):
                return  # not resolvable now: its delivery log will say `unreachable`
            permitted_addresses(host, answers, policy)
    except UrlRefused as refused:
        if refused.outcome is not Outcome.UNREACHABLE:
            raise WebhookUrlRefused(refused.reason) from None
