"""Routes of project_monitoring: the agency sees every project; a region the projects it funds, with only its
own partners' money; a consortium its own projects, on which it reports."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from shared.http.auth import Principal, Role, require
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import Cursor, Limit, PathNumber
from shared.http.roles import AgencyOrRegion, Consortium, Region
from shared.pagination import Page
from shared.service import DbSession, RuntimeDep

from ..domain.contracting import ContractStep
from ..domain.reporting import ReportAction
from ..use_cases.act_on_offer import act_on_offer
from ..use_cases.list_projects import projects_of
from ..use_cases.read_monitoring import monitoring_view
from ..use_cases.read_project import read_project
from ..use_cases.read_report import report_view
from ..use_cases.review_report import review_report
from ..use_cases.submit_report import submit_report
from .presenters import monitoring_out, project_page, project_view_out, report_out
from .schemas import ContractStepIn, MonitoringOut, ProjectOut, ProjectSummaryOut, ReportIn, ReportOut, ReviewIn

router = APIRouter(tags=["monitoring"], route_class=ExactJsonRoute)
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.REGION, Role.CONSORTIUM))]
Overseer = AgencyOrRegion


@router.get(
    "/calls/{call_id}/projects",
    response_model=Page[ProjectSummaryOut],
    summary="The funded projects of a call: all for the agency, a region's funded ones, a consortium's own",
)
async def list_projects(
    call_id: uuid.UUID,
    session: DbSession,
    reader: Reader,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[ProjectSummaryOut]:
    return project_page(await projects_of(session, reader, str(call_id), cursor=cursor, limit=limit))


@router.get(
    "/projects/{proposal_id}",
    response_model=ProjectOut,
    summary="A project: its grants, its partners' contracting, its reporting periods",
)
async def get_project(proposal_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, reader: Reader) -> ProjectOut:
    view = await read_project(session, reader=reader, proposal_id=str(proposal_id))
    return project_view_out(reader, view, runtime.clock.now())


@router.post(
    "/projects/{proposal_id}/partners/{partner_key}/contract",
    response_model=ProjectOut,
    summary="A region records a step of its partner's contracting: sign, decline or withdraw",
)
async def record_contract_step(
    proposal_id: uuid.UUID,
    partner_key: Annotated[str, Path(max_length=80)],
    body: ContractStepIn,
    session: DbSession,
    runtime: RuntimeDep,
    region: Region,
) -> ProjectOut:
    step = ContractStep(body.action, reference=body.reference, signed_on=body.signed_on, reason=body.reason)
    view = await act_on_offer(session, runtime, region, str(proposal_id), partner_key, step)
    return project_view_out(region, view, runtime.clock.now())


@router.get(
    "/projects/{proposal_id}/reports/{period}",
    response_model=ReportOut,
    summary="A period's joint report: a region sees only its own partners' financial statements",
)
async def get_report(
    proposal_id: uuid.UUID, period: PathNumber, session: DbSession, runtime: RuntimeDep, reader: Reader
) -> ReportOut:
    report = await report_view(session, reader, str(proposal_id), period)
    return report_out(reader, report, runtime.clock.now())


@router.put(
    "/projects/{proposal_id}/reports/{period}",
    response_model=ReportOut,
    summary="The coordinator submits the joint report of a period (again, after a request for changes)",
)
async def put_report(
    proposal_id: uuid.UUID,
    period: PathNumber,
    body: ReportIn,
    session: DbSession,
    runtime: RuntimeDep,
    consortium: Consortium,
) -> ReportOut:
    report = await submit_report(
        session,
        runtime,
        consortium,
        str(proposal_id),
        period,
        narrative=body.narrative,
        document=body.document.model_dump() if body.document else None,
        project_indicators=dict(body.indicators),
        partner_indicators={p: dict(f) for p, f in body.partner_indicators.items()},
        statements={
            p: {"currency": s.currency, "costs": dict[str, Decimal](s.costs)} for p, s in body.statements.items()
        },
    )
    return report_out(consortium, report, runtime.clock.now())


@router.post(
    "/projects/{proposal_id}/reports/{period}/reviews",
    response_model=ReportOut,
    summary="A funding region accepts its part of the report, or asks for changes",
)
async def post_review(
    proposal_id: uuid.UUID, period: PathNumber, body: ReviewIn, session: DbSession, runtime: RuntimeDep, region: Region
) -> ReportOut:
    action = ReportAction.ACCEPT if body.action == "accept" else ReportAction.REQUEST_CHANGES
    report = await review_report(session, runtime, region, str(proposal_id), period, action, body.comment)
    return report_out(region, report, runtime.clock.now())


@router.get(
    "/calls/{call_id}/monitoring",
    response_model=MonitoringOut,
    summary="Monitoring of a call: projects, reports, payments held, indicators, money (a region: its own part)",
)
async def get_monitoring(
    call_id: uuid.UUID,
    session: DbSession,
    runtime: RuntimeDep,
    overseer: Overseer,
    region: Annotated[str | None, Query(max_length=12)] = None,
) -> MonitoringOut:
    view = await monitoring_view(session, runtime, overseer, str(call_id), region)
    return monitoring_out(call_id, view)
