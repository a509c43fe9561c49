"""The coordinator submits the joint report of a period once for every funder (again, after a request for
changes); the regions still funding partners then review it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
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
    after = {"status": report.status, "submissions": report.submissions}
    await AuditTrail(session, audit_log, runtime.clock, consortium.actor).record(
        "report.submitted", report.audited, before=before, after=after
    )
    event = ReportSubmitted(
        call_id=uuid.UUID(project.call_id),
        proposal_id=uuid.UUID(proposal_id),
        period=period,
        submitted_at=now,
        final=report.final,
    )
    await emit(session, runtime.tables, event, source=runtime.name, subject=proposal_id, clock=runtime.clock)
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
    errors = _wrong_kind(per, "project", "indicators", project_indicators)
    for partner, figures in partner_indicators.items():
        errors += _unsigned("partner_indicators", partner, signed)
        errors += _wrong_kind(per, "partner", f"partner_indicators.{partner}", figures)
    for partner, statement in statements.items():
        errors += _unsigned("statements", partner, signed) or _other_currency(partner, statement, signed)
    if errors:
        raise ValidationFailed("The report has figures this call does not take.", errors=errors)


def _wrong_kind(per: dict[str, str], kind: str, path: str, figures: dict[str, Decimal]) -> list[FieldError]:
    """The figures at `path` whose key is no per-`kind` indicator of the call."""
    return [
        FieldError(f"{path}.{key}", f"{key} is not a per-{kind} indicator of this call")
        for key in figures
        if per.get(key) != kind
    ]


def _unsigned(section: str, partner: str, signed: dict[str, Any]) -> list[FieldError]:
    return [] if partner in signed else [FieldError(f"{section}.{partner}", f"{partner} is not a partner that signed")]


def _other_currency(partner: str, statement: dict[str, Any], signed: dict[str, Any]) -> list[FieldError]:
    currency = signed[partner].currency
    if statement["currency"] == currency:
        return []
    return [FieldError(f"statements.{partner}.currency", f"{partner} reports in its own currency, {currency}")]
