"""Each funding region accepts its part of a period's joint report or asks for changes. A region's acceptance
lifts the payment hold a late report put on its grant."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.errors import FieldError, NotFound, ValidationFailed
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import project_for
from ..domain.reporting import ReportAction, ReportStatus, ReviewStatus, review
from ..errors import ReviewRefused
from ..models import Report, audit_log
from ..reports import refuse_unless_allowed, report_for_update
from ..repository import grants_of


async def review_report(
    session: AsyncSession,
    runtime: Runtime,
    region: Principal,
    proposal_id: str,
    period: int,
    action: ReportAction,
    comment: str | None,
) -> Report:
    if action is ReportAction.REQUEST_CHANGES and comment is None:
        raise ValidationFailed(
            "A request for changes says which.", errors=[FieldError("comment", "required to request changes")]
        )
    await project_for(session, region, proposal_id, for_update=True)
    report = await report_for_update(session, proposal_id, period)
    region_code = region.scope or ""
    refuse_unless_allowed(report, action)
    reviews = dict(report.reviews)
    if region_code not in reviews:
        raise NotFound(f"No part of report {period} of project {proposal_id} for {region.label}.")
    try:
        status, parts = review(
            ReportStatus(report.status), {r: ReviewStatus(v["status"]) for r, v in reviews.items()}, region_code, action
        )
    except ValueError as refused:
        raise ReviewRefused(
            f"{region.label}: {refused}.", extra={"review_status": reviews[region_code]["status"]}
        ) from None
    now = runtime.clock.now()
    before = {"status": report.status, "review": reviews[region_code]}
    reviewed = parts[region_code]
    reviews[region_code] = {"status": reviewed.value, "comment": comment, "by": region.label, "at": now.isoformat()}
    report.reviews = reviews
    report.status = status.value
    if reviewed is ReviewStatus.ACCEPTED:
        for grant in await grants_of(session, proposal_id):
            if grant.region_code == region_code and grant.payment_held:
                grant.payment_held, grant.hold_reason, grant.updated_at = False, None, now
    await session.flush()
    after = {"status": report.status, "review": reviews[region_code]}
    trail = AuditTrail(session, audit_log, runtime.clock, region.actor)
    await trail.record(f"report.{reviewed.value}", report.audited, before=before, after=after, reason=comment)
    return report
