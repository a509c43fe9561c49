"""The secretariat's deadline dashboard of a call (agency): counts over time, by region, by partner count, the
pre-checks' findings and the refusals; each part says what it covers."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shared.http.exact_json import ExactJsonRoute
from shared.http.roles import Agency
from shared.service import DbSession, RuntimeDep

from ..use_cases.read_dashboard import Dashboard, RuleCount, read_dashboard
from .dependencies import Calls

router = APIRouter(tags=["proposals"], route_class=ExactJsonRoute)

COVERS = {
    "over_time": "Per interval of the call's timeline (from its opening to its deadline; a row before the opening "
    "and one after the deadline only when they count something): drafts started (every proposal created, "
    "withdrawn ones too), first submissions (version 1 of a proposal), resubmissions (versions 2 and later) and "
    "submissions refused (for their content or their timing).",
    "proposals": "Every proposal of the call by its status now: draft (never submitted), submitted, withdrawn.",
    "by_region": "The latest submitted version of each proposal not withdrawn: per partner region, the "
    'proposals with a partner there and the partners; a partner without a region is under the code "".',
    "by_partner_count": "The same versions: how many proposals have each number of partners.",
    "precheck": "What intake keeps of pre-checks: the last pre-check's verdicts of each proposal not withdrawn "
    "(one memo per proposal, of the draft as it was then; a draft edited since keeps the memo of its last "
    "pre-checked revision). Rules: the consortium rules it found broken (what refuses a submission), with the "
    "proposals naming each and the failures (one per partner for a per-partner rule). Regional warnings: per "
    "region, the proposals with a regional rule not passed; intake keeps no rule name for these, nor whether the "
    "rule failed or awaits the region's officers. Earlier pre-checks of a proposal are not kept.",
    "refusals": "Every submission the service refused in this call (422 for the content: consortium rules, "
    "`completeness`; 409 for the timing: `submission_window`), each counted once per rule it names; the same "
    "refusals as GET /calls/{call_id}/refusals. At the deadline: those refused for the submission window at or "
    "after the call's deadline (its last stage's, in a two-stage call) by the server's clock.",
}


class IntervalOut(BaseModel):
    start: datetime | None = Field(description="None: before the opening")
    end: datetime | None = Field(description="None: at or after the deadline")
    drafts: int
    first_submissions: int
    resubmissions: int
    refusals: int


class RuleCountOut(BaseModel):
    rule: str
    proposals: int = Field(description="Distinct proposals naming the rule")
    occurrences: int = Field(description="Pre-check: failures naming it; refusals: refusals naming it")


class RegionCountOut(BaseModel):
    region_code: str
    proposals: int
    partners: int


class RegionWarningsOut(BaseModel):
    region_code: str
    proposals: int
    warnings: int


class PartnerCountOut(BaseModel):
    partners: int
    proposals: int


class ProposalCountsOut(BaseModel):
    draft: int
    submitted: int
    withdrawn: int
    total: int


class PrecheckCountsOut(BaseModel):
    proposals_checked: int = Field(description="Proposals not withdrawn with a memo of a pre-check")
    proposals_failing: int = Field(description="Of those, the ones whose memo names a consortium rule broken")
    by_rule: list[RuleCountOut] = Field(description="Most proposals first")
    regional_warnings: list[RegionWarningsOut]


class RefusalCountsOut(BaseModel):
    total: int
    proposals: int
    by_rule: list[RuleCountOut] = Field(description="Most proposals first")
    at_deadline: int = Field(description="Refused for the submission window at or after the deadline")
    at_deadline_proposals: int


class DashboardOut(BaseModel):
    call_id: uuid.UUID
    status: str
    opens_at: datetime
    deadline: datetime
    server_time: datetime
    interval_seconds: int = Field(description="The width of each interval of over_time")
    over_time: list[IntervalOut]
    proposals: ProposalCountsOut
    by_region: list[RegionCountOut]
    by_partner_count: list[PartnerCountOut] = Field(description="Fewest partners first, every count in between")
    precheck: PrecheckCountsOut
    refusals: RefusalCountsOut
    covers: dict[str, str] = Field(description="What each part of the answer counts, by its name")


def _rules(rows: list[RuleCount]) -> list[RuleCountOut]:
    return [RuleCountOut(rule=r.rule, proposals=r.proposals, occurrences=r.occurrences) for r in rows]


def dashboard_out(view: Dashboard) -> DashboardOut:
    status = view.proposals
    return DashboardOut(
        call_id=uuid.UUID(view.call_id),
        status=view.status,
        opens_at=view.opens_at,
        deadline=view.deadline,
        server_time=view.server_time,
        interval_seconds=view.timeline.width,
        over_time=[
            IntervalOut(
                start=row.start,
                end=row.end,
                drafts=row.count("drafts"),
                first_submissions=row.count("first_submissions"),
                resubmissions=row.count("resubmissions"),
                refusals=row.count("refusals"),
            )
            for row in view.over_time
        ],
        proposals=ProposalCountsOut(
            draft=status.get("draft", 0),
            submitted=status.get("submitted", 0),
            withdrawn=status.get("withdrawn", 0),
            total=sum(status.values()),
        ),
        by_region=[
            RegionCountOut(region_code=r.region_code, proposals=r.proposals, partners=r.partners)
            for r in view.by_region
        ],
        by_partner_count=[PartnerCountOut(partners=n, proposals=p) for n, p in view.by_partner_count],
        precheck=PrecheckCountsOut(
            proposals_checked=view.prechecked,
            proposals_failing=view.precheck_failing,
            by_rule=_rules(view.precheck_failures),
            regional_warnings=[
                RegionWarningsOut(region_code=r.region_code, proposals=r.proposals, warnings=r.warnings)
                for r in view.regional_warnings
            ],
        ),
        refusals=RefusalCountsOut(
            total=view.refusals[0],
            proposals=view.refusals[1],
            by_rule=_rules(view.refusals_by_rule),
            at_deadline=view.refused_at_deadline[0],
            at_deadline_proposals=view.refused_at_deadline[1],
        ),
        covers=COVERS,
    )


@router.get(
    "/calls/{call_id}/dashboard",
    response_model=DashboardOut,
    summary="The deadline dashboard of a call: counts over time, by region and partner count, pre-check "
    "findings and refusals (agency)",
)
async def get_dashboard(
    call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, calls: Calls, _: Agency
) -> DashboardOut:
    return dashboard_out(await read_dashboard(session, runtime, calls, call_id=str(call_id)))
