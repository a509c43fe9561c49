"""Routes of joint_evaluation: the experts of a call, their conflicts of interest, and who evaluates what."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from shared.call_backfill import NOT_YET_KNOWN_RESPONSE, fetcher_for
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import Cursor, Limit
from shared.http.roles import Agency, Expert
from shared.pagination import Page
from shared.service import DbSession, RuntimeDep

from ..use_cases.assign_evaluators import assign_evaluators
from ..use_cases.declare_conflict import declare_conflict
from ..use_cases.list_evaluators import list_evaluators
from ..use_cases.read_assignment import read_assignment
from ..use_cases.register_evaluator import NewEvaluator, register_evaluator
from ..use_cases.reissue_token import reissue_token
from .presenters import (
    assignment_page,
    assignment_run_out,
    conflict_declared_out,
    evaluator_page,
    registered_out,
    token_out,
)
from .schemas import (
    AssignmentPage,
    AssignmentRunOut,
    ConflictDeclaredOut,
    ConflictIn,
    EvaluatorIn,
    EvaluatorOut,
    RegisteredEvaluatorOut,
    TokenOut,
)

router = APIRouter(tags=["experts"], route_class=ExactJsonRoute)


@router.post(
    "/calls/{call_id}/evaluators",
    response_model=RegisteredEvaluatorOut,
    status_code=status.HTTP_201_CREATED,
    summary="Register an expert for the call; returns its id and a bearer token for evaluator:<id>",
    responses={503: NOT_YET_KNOWN_RESPONSE},
)
async def post_evaluator(
    call_id: uuid.UUID, body: EvaluatorIn, session: DbSession, runtime: RuntimeDep, agency: Agency, request: Request
) -> RegisteredEvaluatorOut:
    new = NewEvaluator(**body.model_dump())
    fetch = fetcher_for(request.app.state)
    evaluator, token = await register_evaluator(session, runtime, agency, str(call_id), new, fetch)
    return registered_out(evaluator, token)


@router.get("/calls/{call_id}/evaluators", response_model=Page[EvaluatorOut], summary="The call's experts (agency)")
async def get_evaluators(
    call_id: uuid.UUID, session: DbSession, _: Agency, limit: Limit = 100, cursor: Cursor = None
) -> Page[EvaluatorOut]:
    return evaluator_page(await list_evaluators(session, call_id=str(call_id), cursor=cursor, limit=limit))


@router.post(
    "/evaluators/{evaluator_id}/token",
    response_model=TokenOut,
    summary="A new bearer token for a registered expert (agency)",
)
async def post_token(evaluator_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency) -> TokenOut:
    return token_out(await reissue_token(session, runtime, agency, str(evaluator_id)))


@router.post(
    "/proposals/{proposal_id}/conflicts",
    response_model=ConflictDeclaredOut,
    status_code=status.HTTP_201_CREATED,
    summary="Declare a conflict of interest (evaluator): the proposal is hidden from you, a replacement is sought",
    responses={200: {"description": "Declared before: nothing changed", "model": ConflictDeclaredOut}},
)
async def post_conflict(
    proposal_id: uuid.UUID,
    body: ConflictIn,
    response: Response,
    session: DbSession,
    runtime: RuntimeDep,
    expert: Expert,
) -> ConflictDeclaredOut:
    outcome = await declare_conflict(session, runtime, expert, str(proposal_id), body.reason)
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    return conflict_declared_out(outcome)


@router.post(
    "/calls/{call_id}/assignment",
    response_model=AssignmentRunOut,
    summary="Assign the experts to the eligible proposals (agency); again later to fill open places, never moving "
    "a current pair",
)
async def post_assignment(
    call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency
) -> AssignmentRunOut:
    return assignment_run_out(await assign_evaluators(session, runtime, agency, str(call_id)))


@router.get(
    "/calls/{call_id}/assignment",
    response_model=AssignmentPage,
    summary="Who evaluates which proposal, with the places that could not be filled (agency)",
)
async def get_assignment(
    call_id: uuid.UUID, session: DbSession, _: Agency, limit: Limit = 100, cursor: Cursor = None
) -> AssignmentPage:
    return assignment_page(await read_assignment(session, call_id=str(call_id), cursor=cursor, limit=limit))
