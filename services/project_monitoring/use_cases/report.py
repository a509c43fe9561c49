"""The joint report of a period: the coordinator submits it once for every funder; each funding region
accepts its part or asks for changes. A region's acceptance lifts the payment hold a late report put on its
grant."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.errors import FieldError, NotFound, ValidationFailed
from shared.events import ReportSubmitted
from shared.http.principal import Principal
from shared.messaging.outbox import emit
from shared.service import Runtime

from ..access import call_config, project_for
from ..domain.contracting import ContractStatus, ProjectStatus
from ..domain.reporting import ReportAction, ReportStatus, ReviewStatus, report_actions, report_refusal, review
from ..errors import ProjectNotStarted, ReportActionRefused, ReviewRefused
from ..models import Report, audit_log
from ..repository import contracts_of, get_report, grants_of

SOURCE = "project_monitoring"


async def submit_report(
    session: AsyncSession,
    runtime: Runtime,
    consortium: Principal,
    proposal_id: str,
    period: int,
    *,
    narrative: str,
    document: dict[str, Any] | None,
    project_indicators: dict[str, Decimal],
    partner_indicators: dict[str, dict[str, Decimal]],
    statements: dict[str, dict[str, Any]],
) -> Report:
    project = await project_for(session, consortium, proposal_id, for_update=True)
    if project.status != ProjectStatus.STARTED:
        raise ProjectNotStarted(
            f"Project {proposal_id} is {project.status}: it reports once it has started.",
            extra={"project_status": project.status},
        )
    report = await _report(session, proposal_id, period, for_update=True)
    refusal = report_refusal(ReportStatus(report.status), ReportAction.SUBMIT)
    if refusal:
        raise ReportActionRefused(
            f"Period {period}: {refusal}.",
            extra={"report_status": report.status, "allowed": report_actions(ReportStatus(report.status))},
        )
    config = await call_config(session, project.call_id)
    signed = {
        c.partner_id.split(":", 1)[1]: c
        for c in await contracts_of(session, proposal_id)
        if c.status == ContractStatus.SIGNED
    }
    _check_input(config.monitoring.indicators, project_indicators, partner_indicators, statements, signed)
    now = runtime.clock.now()
    before = {"status": report.status, "submissions": report.submissions}
    report.narrative, report.document = narrative, document
    report.indicators = {
        "project": {k: str(v) for k, v in project_indicators.items()},
        "partners": {p: {k: str(v) for k, v in figures.items()} for p, figures in partner_indicators.items()},
    }
    report.statements = {
        key: {
            "region_code": signed[key].region_code,
            "currency": signed[key].currency,
            "costs": {c: str(a) for c, a in statement["costs"].items()},
        }
        for key, statement in statements.items()
    }
    # the regions still funding partners review it (a region whose grant fell away has nothing to accept)
    regions = sorted({grant.region_code for grant in await grants_of(session, proposal_id) if grant.amount > 0})
    report.reviews = {region: {"status": ReviewStatus.PENDING.value} for region in regions}
    report.status = ReportStatus.SUBMITTED.value
    report.submitted_at, report.submissions = now, report.submissions + 1
    await session.flush()
    await record_audit(
        session,
        audit_log,
        clock=runtime.clock,
        actor=consortium.actor,
        action="report.submitted",
        entity="report",
        entity_id=f"{proposal_id}:{period}",
        call_id=project.call_id,
        before=before,
        after={"status": report.status, "submissions": report.submissions},
    )
    event = ReportSubmitted(
        call_id=uuid.UUID(project.call_id),
        proposal_id=uuid.UUID(proposal_id),
        period=period,
        submitted_at=now,
        final=report.final,
    )
    await emit(session, runtime.tables, event, source=SOURCE, subject=proposal_id, clock=runtime.clock)
    return report


def _check_input(
    indicators: list[Any],
    project_indicators: dict[str, Decimal],
    partner_indicators: dict[str, dict[str, Decimal]],
    statements: dict[str, dict[str, Any]],
    signed: dict[str, Any],
) -> None:
    """Every figure names a configured indicator of the right kind and a partner that signed; bad input
    changes nothing and every problem is named."""
    per = {indicator.key: indicator.per for indicator in indicators}
    errors = [
        FieldError(f"indicators.{key}", f"{key} is not a per-project indicator of this call")
        for key in project_indicators
        if per.get(key) != "project"
    ]
    for partner, figures in partner_indicators.items():
        if partner not in signed:
            errors.append(FieldError(f"partner_indicators.{partner}", f"{partner} is not a partner that signed"))
        errors += [
            FieldError(f"partner_indicators.{partner}.{key}", f"{key} is not a per-partner indicator of this call")
            for key in figures
            if per.get(key) != "partner"
        ]
    for partner, statement in statements.items():
        if partner not in signed:
            errors.append(FieldError(f"statements.{partner}", f"{partner} is not a partner that signed"))
        elif statement["currency"] != signed[partner].currency:
            errors.append(
                FieldError(
                    f"statements.{partner}.currency",
                    f"{partner} reports in its own currency, {signed[partner].currency}",
                )
            )
    if errors:
        raise ValidationFailed("The report has figures this call does not take.", errors=errors)


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
    report = await _report(session, proposal_id, period, for_update=True)
    region_code = region.scope or ""
    refusal = report_refusal(ReportStatus(report.status), action)
    if refusal:
        raise ReportActionRefused(
            f"Period {period}: {refusal}.",
            extra={"report_status": report.status, "allowed": report_actions(ReportStatus(report.status))},
        )
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
    await record_audit(
        session,
        audit_log,
        clock=runtime.clock,
        actor=region.actor,
        action=f"report.{reviewed.value}",
        entity="report",
        entity_id=f"{proposal_id}:{period}",
        call_id=report.call_id,
        before=before,
        after={"status": report.status, "review": reviews[region_code]},
        reason=comment,
    )
    return report


async def _report(session: AsyncSession, proposal_id: str, period: int, *, for_update: bool = False) -> Report:
    report = await get_report(session, proposal_id, period, for_update=for_update)
    if report is None:
        raise NotFound(f"No reporting period {period} for project {proposal_id}.")
    return report
