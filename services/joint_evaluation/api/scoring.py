"""Routes of joint_evaluation: evaluators' assessments, and the consensus the agency finalises."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from shared.http.exact_json import ExactJsonRoute
from shared.http.roles import Agency, Expert
from shared.service import DbSession, RuntimeDep

from ..use_cases.finalise_consensus import finalise_consensus
from ..use_cases.read_assessment import read_assessment
from ..use_cases.save_assessment import save_assessment
from ..use_cases.set_consensus import set_consensus
from ..use_cases.submit_assessment import submit_assessment
from .presenters import assessment_out, consensus_out
from .schemas import AssessmentIn, AssessmentOut, ConsensusIn, ConsensusOut

router = APIRouter(tags=["scoring"], route_class=ExactJsonRoute)


@router.get("/proposals/{proposal_id}/assessment", response_model=AssessmentOut, summary="Your own assessment")
async def get_own_assessment(proposal_id: uuid.UUID, session: DbSession, expert: Expert) -> AssessmentOut:
    return assessment_out(await read_assessment(session, expert=expert, proposal_id=str(proposal_id)))


@router.put(
    "/proposals/{proposal_id}/assessment",
    response_model=AssessmentOut,
    summary="Save a draft: scores on the call's scale and a justification per criterion (409 once submitted)",
)
async def put_assessment(
    proposal_id: uuid.UUID, body: AssessmentIn, session: DbSession, runtime: RuntimeDep, expert: Expert
) -> AssessmentOut:
    assessment = await save_assessment(session, runtime, expert, str(proposal_id), body.scores, body.justifications)
    return assessment_out(assessment)


@router.post(
    "/proposals/{proposal_id}/assessment/submit",
    response_model=AssessmentOut,
    summary="Submit the assessment: complete, then locked (422 lists what is missing)",
)
async def post_submit(proposal_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, expert: Expert) -> AssessmentOut:
    return assessment_out(await submit_assessment(session, runtime, expert, str(proposal_id)))


@router.put(
    "/proposals/{proposal_id}/consensus",
    response_model=ConsensusOut,
    summary="The rapporteur's consensus scores, each with a justification (agency); other criteria take the mean",
)
async def put_consensus(
    proposal_id: uuid.UUID, body: ConsensusIn, session: DbSession, runtime: RuntimeDep, agency: Agency
) -> ConsensusOut:
    overrides = {key: (item.score, item.justification) for key, item in body.criteria.items()}
    return consensus_out(await set_consensus(session, runtime, agency, str(proposal_id), overrides))


@router.post(
    "/proposals/{proposal_id}/consensus/finalise",
    response_model=ConsensusOut,
    summary="Finalise the consensus once every assigned evaluator has submitted (agency)",
)
async def post_finalise(
    proposal_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency
) -> ConsensusOut:
    return consensus_out(await finalise_consensus(session, runtime, agency, str(proposal_id)))
