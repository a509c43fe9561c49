"""The coordinator submits the joint report of a period once for every funder (again, after a request for
changes); the regions still funding partners then review it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.errors import FieldError, ValidationFailed
from shared.events import ReportSubmitted
from shared.http.principal import Principal
from shared.messaging.outbox import emit
from shared.service import Runtime

from ..access import call_config, project_for
from ..domain.contracting import ContractStatus, ProjectStatus
from ..domain.reporting import ReportAction, ReportStatus, ReviewStatus
from ..errors import ProjectNotStarted
from ..models import Report, audit_log
from ..reports import refuse_unless_allowed, report_for_update
from ..repository import contracts_of, grants_of

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
    report = await report_for_update(session, proposal_id, period)
    refuse_unless_allowed(report, ReportAction.SUBMIT)
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
