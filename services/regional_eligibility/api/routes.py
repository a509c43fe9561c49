"""Routes of regional_eligibility: a region sees only its own partners; an agency sees all."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.clock import as_utc
from shared.errors import NotFound
from shared.http.auth import Principal, Role, require
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.service import DbSession

from ..models import PartnerCheck
from ..repository import checks_of, checks_of_region, get_case
from .schemas import CaseOut, CheckOut

router = APIRouter(tags=["eligibility"])
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.REGION))]
Region = Annotated[Principal, Depends(require(Role.REGION))]


@router.get(
    "/proposals/{proposal_id}",
    response_model=CaseOut,
    summary="A proposal's eligibility: all checks for an agency, the region's own for a region",
)
async def get_case_view(proposal_id: uuid.UUID, session: DbSession, reader: Reader) -> CaseOut:
    case = await get_case(session, str(proposal_id))
    region = reader.scope if reader.role is Role.REGION else None
    checks = await checks_of(session, str(proposal_id), case.version, region) if case else []
    if case is None or (region is not None and not checks):
        raise NotFound(f"No eligibility case {proposal_id} for {reader.label}.")
    return CaseOut(
        proposal_id=uuid.UUID(case.proposal_id),
        call_id=uuid.UUID(case.call_id),
        version=case.version,
        acronym=case.acronym,
        outcome=case.outcome,
        reasons=case.reasons,
        decided_at=as_utc(case.decided_at) if case.decided_at else None,
        checks=[_check_out(c) for c in checks],
    )


@router.get("/checks", response_model=Page[CheckOut], summary="The region's own partner checks, oldest first")
async def get_region_checks(
    session: DbSession,
    region: Region,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[CheckOut]:
    after_id = int(decode_cursor(cursor, 1)[0]) if cursor else None
    checks = await checks_of_region(session, region.scope or "", after_id=after_id, limit=limit)
    return Page[CheckOut](
        items=[_check_out(c) for c in checks],
        next_cursor=encode_cursor(checks[-1].id) if len(checks) == limit else None,
    )


def _check_out(check: PartnerCheck) -> CheckOut:
    return CheckOut(
        id=check.id,
        proposal_id=uuid.UUID(check.proposal_id),
        proposal_version=check.proposal_version,
        partner_id=check.partner_id,
        organisation_name=check.organisation_name,
        region_code=check.region_code,
        rule=check.rule,
        verdict=check.verdict,
        reason=check.reason,
        checked_at=as_utc(check.checked_at),
    )
