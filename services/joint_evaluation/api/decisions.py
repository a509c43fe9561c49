"""Routes of joint_evaluation: the ranking list, the funding decisions and their regional confirmation, the
consolidated results. A region sees and decides only its own part."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from shared.errors import FieldError, ValidationFailed
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import PathKey
from shared.http.roles import Agency, AgencyOrRegion, Consortium, Region
from shared.service import DbSession, RuntimeDep

from ..use_cases.complete_ranking import complete_ranking
from ..use_cases.confirm_funding import confirm_funding
from ..use_cases.decide_funding import run_funding
from ..use_cases.proposal_result import proposal_result
from ..use_cases.publish_results import publish_results
from ..use_cases.read_funding import read_funding
from ..use_cases.read_published_results import read_published_results
from ..use_cases.read_ranking import read_ranking
from ..use_cases.read_results import read_results
from ..use_cases.results_workbook import results_workbook
from ..use_cases.simulate_funding import simulate_funding
from .presenters import (
    allocation_json,
    as_json,
    completed_out,
    funding_out,
    funding_reading_json,
    json_response,
    proposal_result_out,
    published_out,
    ranking_page_out,
    results_csv_response,
    results_out,
    results_xlsx_response,
)
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

router = APIRouter(tags=["ranking and funding"], route_class=ExactJsonRoute)
Reader = AgencyOrRegion
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
    return ranking_page_out(await read_ranking(session, call_id=str(call_id), cursor=cursor, limit=limit))


@router.post(
    "/calls/{call_id}/ranking/complete",
    response_model=CompletedOut,
    summary="Fix the ranking once every eligible proposal has a final consensus; announces evaluation.completed",
)
async def post_complete(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency) -> CompletedOut:
    return completed_out(await complete_ranking(session, runtime, agency, str(call_id)))


@router.post(
    "/calls/{call_id}/funding",
    response_model=FundingOut,
    summary="Decide the funding by the virtual common pot over the ranking (agency); announces funding.decided",
)
async def post_funding(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency) -> Response:
    return as_json(funding_out(await run_funding(session, runtime, agency, str(call_id)), None))


@router.get(
    "/calls/{call_id}/funding",
    response_model=FundingOut,
    summary="The current funding decisions: all of them for an agency, its own part for a region",
)
async def get_funding(call_id: uuid.UUID, session: DbSession, reader: Reader, view: View = "all") -> Response:
    answer = await read_funding(
        session,
        reader=reader,
        call_id=str(call_id),
        view=view,
        present=lambda reading: funding_reading_json(reading, view),
    )
    return json_response(answer)


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
    answer = await simulate_funding(
        session,
        runtime,
        str(call_id),
        body.top_ups,
        present=lambda decided: allocation_json(decided, view),
        amounts_around_the_line_only=line,
    )
    return json_response(answer)


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
    state = await confirm_funding(
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
    return as_json(funding_out(state, region_code))


@router.get(
    "/calls/{call_id}/results",
    response_model=ResultsOut,
    summary="The consolidated results: one list, grants per region, totals per region and in the reporting currency",
)
async def get_results(call_id: uuid.UUID, session: DbSession, _: Agency) -> ResultsOut:
    return results_out(await read_results(session, call_id=str(call_id)))


@router.get(
    "/calls/{call_id}/results.csv",
    response_class=Response,
    summary="The consolidated results as CSV: the list, then the totals per region",
    responses={200: {"content": {"text/csv": {}}, "description": "The results as CSV"}},
)
async def get_results_csv(call_id: uuid.UUID, session: DbSession, _: Agency) -> Response:
    return results_csv_response(await read_results(session, call_id=str(call_id)))


@router.get(
    "/calls/{call_id}/results.xlsx",
    response_class=Response,
    summary="The results as an XLSX workbook (agency): the ranking, one sheet per region, the evaluators' comments "
    "per criterion",
    responses={200: {"content": {XLSX: {}}, "description": "The results workbook"}},
)
async def get_results_xlsx(call_id: uuid.UUID, session: DbSession, _: Agency) -> Response:
    return results_xlsx_response(await results_workbook(session, str(call_id)))


@router.get(
    "/calls/{call_id}/results/published",
    response_model=PublishedResultsOut,
    summary="The published results (public, no token needed): the funded proposals by rank with each region's grant, "
    "the others counted, each region's budget and allocation; 404 before publication",
)
async def get_published_results(call_id: uuid.UUID, session: DbSession) -> PublishedResultsOut:
    return published_out(await read_published_results(session, call_id=str(call_id)))


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
