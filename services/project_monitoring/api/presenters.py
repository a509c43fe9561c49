"""Projects, offers and reports as responses, with the money the principal may not see left out."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.http.auth import Principal
from shared.money import Money
from shared.pagination import Page, Window, page_of
from shared.presenting import presented

from ..access import finances_visible
from ..domain.contracting import ContractStatus
from ..domain.reporting import ReportStatus
from ..models import Grant, PartnerContract, Project, Report
from ..projects import ProjectView
from .schemas import (
    ContractOut,
    DocumentRef,
    GrantOut,
    MonitoringOut,
    ProjectOut,
    ProjectSummaryOut,
    ReportOut,
    ReportSummaryOut,
    ReviewOut,
    StatementOut,
)


def project_summary(project: Project) -> ProjectSummaryOut:
    return ProjectSummaryOut.model_validate(project, from_attributes=True)


def project_page(projects: Window[Project]) -> Page[ProjectSummaryOut]:
    return page_of(projects, project_summary)


def project_view_out(principal: Principal, view: ProjectView, now: datetime) -> ProjectOut:
    return project_out(principal, view.project, view.grants, view.contracts, view.reports, now)


def monitoring_out(call_id: uuid.UUID, view: dict[str, Any]) -> MonitoringOut:
    return MonitoringOut.model_validate({"call_id": call_id, **view})


def project_out(
    principal: Principal,
    project: Project,
    grants: list[Grant],
    contracts: list[PartnerContract],
    reports: list[Report],
    now: datetime,
) -> ProjectOut:
    return ProjectOut(
        **project_summary(project).model_dump(),
        cancelled_reason=project.cancelled_reason,
        grants=[grant_out(principal, grant) for grant in grants],
        partners=[contract_out(principal, contract, now) for contract in contracts],
        reports=[
            ReportSummaryOut(period=r.period, final=r.final, due_at=r.due_at, status=r.status, overdue=_late(r, now))
            for r in reports
        ],
    )


def grant_out(principal: Principal, grant: Grant) -> GrantOut:
    if not finances_visible(principal, grant.region_code):
        return presented(GrantOut, grant, amount=None, payment_held=None, hold_reason=None)
    return GrantOut.model_validate(grant, from_attributes=True)


def contract_out(principal: Principal, contract: PartnerContract, now: datetime) -> ContractOut:
    visible = finances_visible(principal, contract.region_code)
    return presented(
        ContractOut,
        contract,
        partner_key=contract.partner_id.split(":", 1)[1],
        overdue=contract.status == ContractStatus.OFFERED and now > contract.due_at,
        reference=contract.reference if visible else None,
        reason=contract.reason if visible else None,
        amount=Money(amount=contract.amount, currency=contract.currency) if visible else None,
    )


def report_out(principal: Principal, report: Report, now: datetime) -> ReportOut:
    indicators = report.indicators or {}
    statements = [
        StatementOut(
            partner_key=key,
            region_code=statement["region_code"],
            currency=statement["currency"],
            costs={c: Decimal(a) for c, a in statement["costs"].items()},
            total=Money(
                amount=sum((Decimal(a) for a in statement["costs"].values()), Decimal(0)),
                currency=statement["currency"],
            ),
        )
        for key, statement in sorted(report.statements.items())
        if finances_visible(principal, statement["region_code"])
    ]
    return presented(
        ReportOut,
        report,
        overdue=_late(report, now),
        document=DocumentRef.model_validate(report.document) if report.document else None,
        indicators={k: Decimal(v) for k, v in indicators.get("project", {}).items()},
        partner_indicators={
            p: {k: Decimal(v) for k, v in figures.items()} for p, figures in indicators.get("partners", {}).items()
        },
        statements=statements,
        reviews=[ReviewOut(region_code=r, **review) for r, review in sorted(report.reviews.items())],
    )


def _late(report: Report, now: datetime) -> bool:
    return report.status == ReportStatus.DUE and now > report.due_at
