"""Routes of joint_evaluation: the experts of a call, their conflicts of interest, and who evaluates what."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from shared.call_backfill import NOT_YET_KNOWN_RESPONSE, fetcher_for
from shared.http.auth import Principal, Role, require
from shared.http.exact_json import ExactJsonRoute
from shared.pagination import Page, decode_key_cursor, encode_cursor
from shared.service import DbSession, RuntimeDep

from ..repository import entries_of_call, evaluators_of_call, get_progress, pairs_of_proposals
from ..use_cases.access import call_config
from ..use_cases.assign_evaluators import assign_evaluators
from ..use_cases.declare_conflict import declare_conflict
from ..use_cases.register_evaluator import NewEvaluator, register_evaluator, reissue_token
from .presenters import conflict_out, evaluator_out
from .schemas import (
    AssignedProposalOut,
    AssignmentPage,
    AssignmentRunOut,
    ConflictDeclaredOut,
    ConflictIn,
    EvaluatorIn,
    EvaluatorOut,
    RegisteredEvaluatorOut,
    ShortfallOut,
    TokenOut,
)

router = APIRouter(tags=["experts"], route_class=ExactJsonRoute)
Agency = Annotated[Principal, Depends(require(Role.AGENCY))]
Expert = Annotated[Principal, Depends(require(Role.EVALUATOR))]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=200)]


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
    return RegisteredEvaluatorOut(evaluator=evaluator_out(evaluator), token=token)


@router.get("/calls/{call_id}/evaluators", response_model=Page[EvaluatorOut], summary="The call's experts (agency)")
async def get_evaluators(
    call_id: uuid.UUID, session: DbSession, _: Agency, limit: Limit = 100, cursor: Cursor = None
) -> Page[EvaluatorOut]:
    after_id = decode_key_cursor(cursor)[0] if cursor else None
    evaluators = await evaluators_of_call(session, str(call_id), after_id=after_id, limit=limit)
    return Page[EvaluatorOut](
        items=[evaluator_out(e) for e in evaluators],
        next_cursor=encode_cursor(evaluators[-1].id) if len(evaluators) == limit else None,
    )


@router.post(
    "/evaluators/{evaluator_id}/token",
    response_model=TokenOut,
    summary="A new bearer token for a registered expert (agency)",
)
async def post_token(evaluator_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency) -> TokenOut:
    return TokenOut(token=await reissue_token(session, runtime, agency, str(evaluator_id)))


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
    return ConflictDeclaredOut(
        conflict=conflict_out(outcome.conflict), unassigned=outcome.unassigned, replacements=outcome.replacements
    )


@router.post(
    "/calls/{call_id}/assignment",
    response_model=AssignmentRunOut,
    summary="Assign the experts to the eligible proposals (agency); again later to fill open places, never moving "
    "a current pair",
)
async def post_assignment(
    call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency
) -> AssignmentRunOut:
    report = await assign_evaluators(session, runtime, agency, str(call_id))
    return AssignmentRunOut(
        assigned_at=report.assigned_at,
        proposals=report.proposals,
        evaluators=report.evaluators,
        pairs=report.pairs,
        added=report.added,
        removed=report.removed,
        shortfalls=[ShortfallOut.model_validate(s) for s in report.shortfalls],
    )


@router.get(
    "/calls/{call_id}/assignment",
    response_model=AssignmentPage,
    summary="Who evaluates which proposal, with the places that could not be filled (agency)",
)
async def get_assignment(
    call_id: uuid.UUID, session: DbSession, _: Agency, limit: Limit = 100, cursor: Cursor = None
) -> AssignmentPage:
    config = await call_config(session, str(call_id))
    progress = await get_progress(session, str(call_id))
    shortfalls = {s["proposal_id"]: s["reason"] for s in progress.shortfalls} if progress else {}
    after_id = decode_key_cursor(cursor)[0] if cursor else None
    entries = await entries_of_call(session, str(call_id), after_id=after_id, limit=limit)
    evaluators: dict[str, list[str]] = {}
    for pair in await pairs_of_proposals(session, [e.proposal_id for e in entries]):
        evaluators.setdefault(pair.proposal_id, []).append(pair.evaluator_id)
    return AssignmentPage(
        assigned_at=progress.assigned_at if progress else None,
        items=[
            AssignedProposalOut(
                proposal_id=uuid.UUID(e.proposal_id),
                acronym=e.acronym,
                evaluator_ids=evaluators.get(e.proposal_id, []),
                needed=config.evaluation.evaluators_per_proposal,
                shortfall=shortfalls.get(e.proposal_id),
            )
            for e in entries
            if e.evaluable
        ],
        next_cursor=encode_cursor(entries[-1].proposal_id) if len(entries) == limit else None,
    )
