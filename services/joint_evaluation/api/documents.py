"""Evaluators' access to the documents of the proposals they score: a short-lived grant for proposal_intake."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from shared.http.exact_json import ExactJsonRoute
from shared.http.roles import Expert
from shared.service import DbSession, RuntimeDep

from ..use_cases.grant_documents import grant_documents

router = APIRouter(tags=["evaluation"], route_class=ExactJsonRoute)


class DocumentGrantOut(BaseModel):
    proposal_id: uuid.UUID
    version: int = Field(description="The submitted version being evaluated: the grant reads its documents")
    grant: str = Field(description="Send as the X-Document-Grant header to proposal_intake's document routes")
    expires_at: datetime
    documents_path: str = Field(description="proposal_intake's list of the documents the grant reads")


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
    return DocumentGrantOut(
        proposal_id=uuid.UUID(issued.proposal_id),
        version=issued.version,
        grant=issued.grant,
        expires_at=issued.expires_at,
        documents_path=f"/proposals/{issued.proposal_id}/documents",
    )
