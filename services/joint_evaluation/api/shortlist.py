"""Routes of a two-stage call's shortlist: the proposed shortlist with what-if, the agency's decision, each
region's confirmation and its go / no-go on the fit of its own partners' pre-proposals."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from shared.http.exact_json import ExactJsonRoute
from shared.http.params import PathKey
from shared.http.roles import Agency, Region
from shared.service import DbSession, RuntimeDep

from ..shortlisting import WhatIf
from ..use_cases.confirm_shortlist import confirm_shortlist
from ..use_cases.decide_shortlist import decide_shortlist
from ..use_cases.propose_shortlist import propose_shortlist
from ..use_cases.record_fit import record_fit
from .presenters import fit_out, shortlist_decision_out, shortlist_out
from .schemas import FitIn, FitOut, ShortlistDecisionOut, ShortlistIn, ShortlistOut

router = APIRouter(tags=["shortlist"], route_class=ExactJsonRoute)


def _what_if(body: ShortlistIn | None) -> WhatIf:
    if body is None:
        return WhatIf()
    return WhatIf(factor=body.factor, region_factors=dict(body.region_factors), budgets=dict(body.budgets))


@router.get(
    "/calls/{call_id}/shortlist",
    response_model=ShortlistOut,
    summary="Two-stage calls: the proposed shortlist under the call's factor and budgets (agency)",
)
async def get_shortlist(call_id: uuid.UUID, session: DbSession, _: Agency) -> ShortlistOut:
    return shortlist_out(str(call_id), await propose_shortlist(session, str(call_id), WhatIf()))


@router.post(
    "/calls/{call_id}/shortlist/simulate",
    response_model=ShortlistOut,
    summary="What-if: the shortlist with another factor, per-region factors or budgets (changes nothing)",
)
async def post_simulate(call_id: uuid.UUID, body: ShortlistIn, session: DbSession, _: Agency) -> ShortlistOut:
    return shortlist_out(str(call_id), await propose_shortlist(session, str(call_id), _what_if(body)))


@router.post(
    "/calls/{call_id}/shortlist",
    response_model=ShortlistDecisionOut,
    summary="The agency decides the shortlist (optionally with what-if parameters); the regions then confirm",
)
async def post_decide(
    call_id: uuid.UUID, body: ShortlistIn, session: DbSession, runtime: RuntimeDep, agency: Agency
) -> ShortlistDecisionOut:
    return shortlist_decision_out(await decide_shortlist(session, runtime, agency, str(call_id), _what_if(body)))


@router.post(
    "/calls/{call_id}/shortlist/regions/{region_code}/confirmation",
    response_model=ShortlistDecisionOut,
    summary="A region confirms the decided shortlist; with the last confirmation the invitations are published",
)
async def post_confirm(
    call_id: uuid.UUID, region_code: PathKey, session: DbSession, runtime: RuntimeDep, region: Region
) -> ShortlistDecisionOut:
    return shortlist_decision_out(await confirm_shortlist(session, runtime, region, str(call_id), region_code))


@router.put(
    "/proposals/{proposal_id}/fit",
    response_model=FitOut,
    summary="A region's go / no-go, with reason, on a pre-proposal with partners of its own",
)
async def put_fit(
    proposal_id: uuid.UUID, body: FitIn, session: DbSession, runtime: RuntimeDep, region: Region
) -> FitOut:
    return fit_out(await record_fit(session, runtime, region, str(proposal_id), go=body.go, reason=body.reason))
