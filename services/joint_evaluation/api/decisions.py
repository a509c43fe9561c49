"""Routes of joint_evaluation: the ranking list, the funding decisions and their regional confirmation, the
consolidated results. A region sees and decides only its own part."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from shared.errors import FieldError, NotFound, ValidationFailed
from shared.http.auth import Principal, Role, require
from shared.http.exact_json import ExactJsonRoute
from shared.pagination import PathKey, decode_id_cursor, encode_cursor
from shared.service import DbSession, RuntimeDep

from ..domain.results import results_csv
from ..use_cases.access import call_config
from ..use_cases.complete_ranking import complete_ranking
from ..use_cases.confirm_funding import confirm_funding
from ..use_cases.decide_funding import run_funding
from ..use_cases.proposal_result import proposal_result
from ..use_cases.publish_results import publish_results
from ..use_cases.ranking import ranking_page
from ..use_cases.results_workbook import results_workbook
from ..use_cases.simulate_funding import simulate_funding
from ..use_cases.views import funding_state, published_results, results_state
from .presenters import allocation_out, as_json, funding_out, proposal_result_out, published_out, results_out
from .schemas import (
    AllocationOut,
    CompletedOut,
    ConfirmationIn,
    FundingOut,
    FundingView,
    ProposalResultOut,
    PublishedResultsOut,
    RankingPage,
    ResultsOut,
    SimulationIn,
)
from .workbook import results_xlsx

router = APIRouter(tags=["ranking and funding"], route_class=ExactJsonRoute)
Agency = Annotated[Principal, Depends(require(Role.AGENCY))]
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.REGION))]
Region = Annotated[Principal, Depends(require(Role.REGION))]
Consortium = Annotated[Principal, Depends(require(Role.CONSORTIUM))]
View = Annotated[
    FundingView,
    Query(description="`line`: the proposals around the funding line with their amounts, every outcome without them"),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/calls/{call_id}/ranking",
    response_model=RankingPage,
    summary="The ranking list over the final consensus scores (agency): passed by rank, then not passed and "
    "ineligible, with reasons",
)
async def get_ranking(
    call_id: uuid.UUID,
    session: DbSession,
    _: Agency,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> RankingPage:
    start = _position(cursor)
    end = start + limit
    view, total = await ranking_page(session, str(call_id), await call_config(session, str(call_id)), start, limit)
    return RankingPage(
        completed_at=view.completed_at,
        items=view.ranking,
        next_cursor=encode_cursor(end) if end < total else None,
        pending_consensus=[uuid.UUID(pid) for pid in view.pending_consensus],
        awaiting_eligibility=[uuid.UUID(pid) for pid in view.awaiting_eligibility],
    )


@router.post(
    "/calls/{call_id}/ranking/complete",
    response_model=CompletedOut,
    summary="Fix the ranking once every eligible proposal has a final consensus; announces evaluation.completed",
)
async def post_complete(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency) -> CompletedOut:
    view = await complete_ranking(session, runtime, agency, str(call_id))
    assert view.completed_at is not None
    statuses = [line.status for line in view.ranking]
    return CompletedOut(
        completed_at=view.completed_at,
        passed=statuses.count("passed"),
        not_passed=statuses.count("not_passed"),
        ineligible=statuses.count("ineligible"),
    )


@router.post(
    "/calls/{call_id}/funding",
    response_model=FundingOut,
    summary="Decide the funding by the virtual common pot over the ranking (agency); announces funding.decided",
)
async def post_funding(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency) -> Response:
    await run_funding(session, runtime, agency, str(call_id))
    return as_json(funding_out(await funding_state(session, str(call_id)), None))


@router.get(
    "/calls/{call_id}/funding",
    response_model=FundingOut,
    summary="The current funding decisions: all of them for an agency, its own part for a region",
)
async def get_funding(call_id: uuid.UUID, session: DbSession, reader: Reader, view: View = "all") -> Response:
    region = await _own_region(session, call_id, reader)
    return as_json(funding_out(await funding_state(session, str(call_id)), region, view))


@router.post(
    "/calls/{call_id}/funding/simulate",
    response_model=AllocationOut,
    summary="What if: the funding with regional budgets topped up (agency); nothing is stored",
)
async def post_simulation(
    call_id: uuid.UUID,
    body: SimulationIn,
    session: DbSession,
    runtime: RuntimeDep,
    _: Agency,
    view: FundingView = "all",
) -> Response:
    line = view == "line"  # the amounts are then built for the proposals around the funding line only
    decided = await simulate_funding(session, runtime, str(call_id), body.top_ups, amounts_around_the_line_only=line)
    return as_json(allocation_out(decided, view))


@router.post(
    "/calls/{call_id}/funding/regions/{region_code}/confirmation",
    response_model=FundingOut,
    summary="The region confirms its part of the decisions, or declines one proposal with a reason (the walk is "
    "then redone and announced)",
)
async def post_confirmation(
    call_id: uuid.UUID,
    region_code: PathKey,
    body: ConfirmationIn,
    session: DbSession,
    runtime: RuntimeDep,
    region: Region,
) -> Response:
    if body.decision == "decline":
        missing = [
            FieldError(name, "needed to decline") for name in ("proposal_id", "reason") if not getattr(body, name)
        ]
        if missing:
            raise ValidationFailed("A decline names the proposal and gives a reason.", errors=missing)
    await confirm_funding(
        session,
        runtime,
        region,
        str(call_id),
        region_code,
        body.decision,
        proposal_id=str(body.proposal_id) if body.proposal_id else None,
        reason=body.reason,
        funding_version=body.funding_version,
    )
    return as_json(funding_out(await funding_state(session, str(call_id)), region_code))


@router.get(
    "/calls/{call_id}/results",
    response_model=ResultsOut,
    summary="The consolidated results: one list, grants per region, totals per region and in the reporting currency",
)
async def get_results(call_id: uuid.UUID, session: DbSession, _: Agency) -> ResultsOut:
    return results_out(await results_state(session, str(call_id)))


@router.get(
    "/calls/{call_id}/results.csv",
    response_class=Response,
    summary="The consolidated results as CSV: the list, then the totals per region",
    responses={200: {"content": {"text/csv": {}}, "description": "The results as CSV"}},
)
async def get_results_csv(call_id: uuid.UUID, session: DbSession, _: Agency) -> Response:
    state = await results_state(session, str(call_id))
    criteria = [criterion.key for criterion in state.config.evaluation.criteria]
    return Response(
        content=results_csv(state.lines, criteria, state.funding.decided),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="results-{state.config.code}.csv"'},
    )


@router.get(
    "/calls/{call_id}/results.xlsx",
    response_class=Response,
    summary="The results as an XLSX workbook (agency): the ranking, one sheet per region, the evaluators' comments "
    "per criterion",
    responses={200: {"content": {XLSX: {}}, "description": "The results workbook"}},
)
async def get_results_xlsx(call_id: uuid.UUID, session: DbSession, _: Agency) -> Response:
    data = await results_workbook(session, str(call_id))
    return Response(
        content=results_xlsx(data),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="results-{data.state.config.code}.xlsx"'},
    )


@router.get(
    "/calls/{call_id}/results/published",
    response_model=PublishedResultsOut,
    summary="The published results (public, no token needed): the funded proposals by rank with each region's grant, "
    "the others counted, each region's budget and allocation; 404 before publication",
)
async def get_published_results(call_id: uuid.UUID, session: DbSession) -> PublishedResultsOut:
    return published_out(await published_results(session, str(call_id)))


@router.get(
    "/proposals/{proposal_id}/result",
    response_model=ProposalResultOut,
    summary="The consortium's own proposal in the published results: rank, scores, funded, reserve or not, each "
    "region's grant (consortium); 404 before publication and for another consortium's proposal",
)
async def get_proposal_result(proposal_id: uuid.UUID, session: DbSession, consortium: Consortium) -> ProposalResultOut:
    return proposal_result_out(await proposal_result(session, consortium=consortium, proposal_id=str(proposal_id)))


@router.post(
    "/calls/{call_id}/results/publish",
    response_model=ResultsOut,
    summary="Publish the results once every region funding partners has confirmed (agency); announces "
    "results.published",
)
async def post_publish(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency) -> ResultsOut:
    return results_out(await publish_results(session, runtime, agency, str(call_id)))


def _position(cursor: str | None) -> int:
    """Where a page of the ranking starts: the list is computed whole, so a cursor is a position in it."""
    return decode_id_cursor(cursor) if cursor else 0


async def _own_region(session: DbSession, call_id: uuid.UUID, reader: Principal) -> str | None:
    """None for an agency; for a region, its code, if it takes part in the call (404 otherwise)."""
    if reader.role is not Role.REGION:
        return None
    config = await call_config(session, str(call_id))
    if config.region(reader.scope or "") is None:
        raise NotFound(f"No call {call_id} for {reader.label}.")
    return reader.scope
