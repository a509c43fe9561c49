"""What the clock does after the results: offers not signed in time and reports not submitted in time.

An overdue offer is announced once (grant.overdue) and counted; an overdue report holds the next payment of
every region funding the project (a flag on each grant) and is announced once (report.overdue). Several
workers may follow the clock: each claims what it marks (``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.events import GrantOverdue, ReportOverdue
from shared.messaging.outbox import emit
from shared.money import Money
from shared.service import Runtime

from ..metrics import CONTRACTS_OVERDUE, PAYMENTS_HELD, REPORTS_OVERDUE
from ..models import audit_log
from ..repository import grants_of, offers_newly_overdue, reports_newly_overdue


async def follow_clock_once(session: AsyncSession, runtime: Runtime) -> int:
    """Mark what became overdue since the last look; how many offers and reports."""
    now = runtime.clock.now()
    trail = AuditTrail(session, audit_log, runtime.clock, "clock")
    marked = 0
    for offer in await offers_newly_overdue(session, now):
        offer.overdue_since = now
        event = GrantOverdue(
            call_id=uuid.UUID(offer.call_id),
            proposal_id=uuid.UUID(offer.proposal_id),
            partner_id=offer.partner_id,
            region_code=offer.region_code,
            amount=Money(amount=offer.amount, currency=offer.currency),
            status=offer.status,
            at=now,
            due_at=offer.due_at,
        )
        await emit(session, runtime.tables, event, source=runtime.name, subject=offer.proposal_id, clock=runtime.clock)
        await trail.record("contract.overdue", offer.audited, reason=f"due {offer.due_at}")
        CONTRACTS_OVERDUE.labels(offer.region_code).inc()
        marked += 1
    for report in await reports_newly_overdue(session, now):
        report.overdue_since = now
        held = []
        for grant in await grants_of(session, report.proposal_id):
            if grant.amount > 0:
                grant.payment_held, grant.updated_at = True, now
                grant.hold_reason = f"report of period {report.period} overdue since {report.due_at.date()}"
                held.append(grant.region_code)
                PAYMENTS_HELD.labels(grant.region_code).inc()
        overdue = ReportOverdue(
            call_id=uuid.UUID(report.call_id),
            proposal_id=uuid.UUID(report.proposal_id),
            period=report.period,
            due_at=report.due_at,
            payments_held=held,
        )
        await emit(
            session, runtime.tables, overdue, source=runtime.name, subject=report.proposal_id, clock=runtime.clock
        )
        why = f"period {report.period} due {report.due_at}; payments held: {', '.join(held)}"
        await trail.record("report.overdue", report.audited, reason=why)
        REPORTS_OVERDUE.inc()
        marked += 1
    return marked
