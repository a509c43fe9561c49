"""A service's worker: its consumers, its outbox relay, the gauges the alerts watch, its background jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from shared.messaging.bus import Bus
from shared.messaging.outbox import OutboxRelay, outbox_backlog
from shared.metrics import DEAD_LETTERS, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE

from .definition import Runtime, ServiceDefinition

logger = logging.getLogger(__name__)


class Worker:
    """Consumers and outbox relay of one service, on the given bus."""

    def __init__(self, definition: ServiceDefinition, runtime: Runtime, bus: Bus) -> None:
        self.definition = definition
        self.runtime = runtime
        self.bus = bus
        self.relay = OutboxRelay(
            runtime.sessions,
            runtime.tables,
            bus,
            runtime.clock,
            batch_size=runtime.settings.relay_batch_size,
            poll_interval_s=runtime.settings.relay_poll_interval_s,
        )
        self.subscriptions = definition.subscriptions(runtime)
        for subscription in self.subscriptions:
            bus.subscribe(subscription)

    async def run(self, stop: asyncio.Event) -> None:
        """The outbox relay, the gauges and the service's background jobs, until `stop` is set."""
        background = [job(stop) for job in self.definition.background(self.runtime)]
        await asyncio.gather(self.relay.run(stop), self.observe(stop), *background)

    async def observe(self, stop: asyncio.Event, interval_s: float = 10.0) -> None:
        """Refresh the outbox and dead-letter gauges (what the alerts watch)."""
        name = self.definition.name
        while not stop.is_set():
            try:
                async with self.runtime.sessions() as session:
                    backlog, oldest = await outbox_backlog(session, self.runtime.tables)
                OUTBOX_BACKLOG.labels(name).set(backlog)
                age = (self.runtime.clock.now() - oldest).total_seconds() if oldest else 0.0
                OUTBOX_OLDEST_AGE.labels(name).set(age)
                for subscription in self.subscriptions:
                    parked = await self.bus.dead_letter_count(subscription)
                    DEAD_LETTERS.labels(name, subscription.queue).set(parked)
            except Exception:
                logger.warning("could not refresh the gauges", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
