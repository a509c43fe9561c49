"""The agency's view of refused submissions: per call, how many per rule, and each draft's last refusal."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from shared.http.auth import Principal, Role, require
from shared.http.exact_json import ExactJsonRoute
from shared.service import RuntimeDep

from ..use_cases.refusals import refusals_of_call
from .schemas import FieldErrorOut

router = APIRouter(tags=["proposals"], route_class=ExactJsonRoute)
Agency = Annotated[Principal, Depends(require(Role.AGENCY))]


class RuleRefusalsOut(BaseModel):
    rule: str = Field(
        description="The rule broken: a consortium rule (consortium.min_partners, ...), `completeness` (data "
        "missing or wrong) or `submission_window` (after the deadline or before the opening)"
    )
    refusals: int = Field(description="Submissions refused naming it")
    proposals: int = Field(description="Distinct drafts refused for it")


class RefusalOut(BaseModel):
    proposal_id: uuid.UUID
    applicant_id: str
    acronym: str | None
    refused_at: datetime
    status: int = Field(description="What the submission got: 422 (content) or 409 (timing)")
    rules: list[str]
    errors: list[FieldErrorOut] = Field(description="As the refusal listed them")


class RefusalsOut(BaseModel):
    call_id: uuid.UUID
    total: int = Field(description="Submissions refused in this call")
    proposals: int = Field(description="Drafts with at least one refusal")
    by_rule: list[RuleRefusalsOut] = Field(description="Most refusals first")
    last_per_proposal: list[RefusalOut] = Field(description="Each draft's last refusal, latest first")


@router.get(
    "/calls/{call_id}/refusals",
    response_model=RefusalsOut,
    summary="Submissions refused in a call: counts per rule and each draft's last refusal (agency)",
)
async def get_refusals(call_id: uuid.UUID, runtime: RuntimeDep, _: Agency) -> RefusalsOut:
    async with runtime.engine.connect() as connection:
        summary = await refusals_of_call(connection, str(call_id))
    return RefusalsOut(
        call_id=call_id,
        total=summary.total,
        proposals=summary.proposals,
        by_rule=[RuleRefusalsOut(rule=c.rule, refusals=c.refusals, proposals=c.proposals) for c in summary.by_rule],
        last_per_proposal=[
            RefusalOut(
                proposal_id=uuid.UUID(r.proposal_id),
                applicant_id=r.applicant_id,
                acronym=r.acronym,
                refused_at=r.at,
                status=r.status,
                rules=r.rules,
                errors=[FieldErrorOut(**e) for e in r.errors],
            )
            for r in summary.last_per_proposal
        ],
    )
