"""Evaluators' access to the documents of the proposals they score: a short-lived grant for proposal_intake."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from shared.http.exact_json import ExactJsonRoute
from shared.http.roles import Expert
from shared.service import DbSession, RuntimeDep

from ..use_cases.grant_documents import grant_documents
from .presenters import grant_out
from .schemas import DocumentGrantOut

router = APIRouter(tags=["evaluation"], route_class=ExactJsonRoute)


@router.post(
    "/proposals/{proposal_id}/document-grant",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentGrantOut,
    summary="A short-lived grant to read the proposal's documents for evaluators (assigned, not in conflict)",
)
async def post_document_grant(
    proposal_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, expert: Expert
) -> DocumentGrantOut:
    issued = await grant_documents(session, runtime, expert, str(proposal_id))
    return grant_out(issued)
