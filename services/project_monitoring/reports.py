"""A project's report of a period as submitting and reviewing it both need it: found, or 404; and refused when
its status does not allow the step."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound

from .domain.reporting import ReportAction, ReportStatus, report_actions, report_refusal
from .errors import ReportActionRefused
from .models import Report
from .repository import get_report


async def report_for_update(session: AsyncSession, proposal_id: str, period: int) -> Report:
    report = await get_report(session, proposal_id, period, for_update=True)
    if report is None:
        raise NotFound(f"No reporting period {period} for project {proposal_id}.")
    return report


def refuse_unless_allowed(report: Report, action: ReportAction) -> None:
    """ReportActionRefused, naming the actions the report's status allows, unless `action` is one of them."""
    refusal = report_refusal(ReportStatus(report.status), action)
    if refusal:
        raise ReportActionRefused(
            f"Period {report.period}: {refusal}.",
            extra={"report_status": report.status, "allowed": report_actions(ReportStatus(report.status))},
        )
