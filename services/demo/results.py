"""The consolidated results of a demo run: what results.json holds, JSON-able, with no ids or instants.

Amounts are exact decimal strings (two places) in the currency named beside them; keys are acronyms and region
codes, so two runs with one seed give byte-identical files.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class CallSummary(TypedDict):
    code: str
    title: str
    regions: int
    currencies: list[str]
    reporting_currency: str
    reporting_rates: dict[str, str]  # 1 unit of the currency = rate units of the reporting currency
    seed: int
    consortia: int


class Submissions(TypedDict):
    drafted: int
    fixed_after_precheck: int  # a consortium rule the pre-check flagged, corrected before submitting
    submitted: int  # proposals with a receipt before the deadline
    with_regional_warnings: int  # submitted although the pre-check warned of a regional rule
    resubmitted: int  # a corrected second version before the deadline
    retried: int  # the same Idempotency-Key sent again
    identical_receipts: int  # ... and the same receipt came back
    late_refused: int  # submitted after the deadline: 409 problem+json
    documents_attached: int  # documents uploaded (narratives, partners' letters)
    refused_over_page_limit: int  # a narrative refused for its pages, then sent within the limit


class Eligibility(TypedDict):
    eligible: int
    not_eligible: int
    manual_checks: int
    manual_checks_failed: int
    reasons: dict[str, int]  # rule -> proposals it made ineligible


class Evaluation(TypedDict):
    evaluators: int
    conflicts_declared: int
    assessments: int
    documents_read: int  # documents evaluators downloaded (with a grant) and checked against their hash
    passed: int
    not_passed: int
    ineligible: int


class Funding(TypedDict):
    funded: int
    reserve: int
    declined: int
    funding_version: int
    confirmed_by: list[str]  # regions funding partners, all of which confirmed
    published: bool


class RankingLine(TypedDict):
    rank: int | None
    acronym: str
    status: str  # funded, reserve, declined, not_passed, ineligible
    scores: dict[str, str]
    weighted_total: str | None
    grants: dict[str, str]  # region code -> grant in the region's currency
    reasons: list[str]


class RegionLine(TypedDict):
    code: str
    name: str
    currency: str
    budget: str
    allocated: str
    remaining: str
    funding_gap: str
    funded_proposals: int
    budget_reporting: str
    allocated_reporting: str
    funding_gap_reporting: str
    use_percent: str


class MoneyTotals(TypedDict):
    budget: str
    allocated: str
    remaining: str
    funding_gap: str


class Totals(TypedDict):
    by_currency: dict[str, MoneyTotals]
    reporting_currency: str
    reporting: MoneyTotals


class Decline(TypedDict):
    acronym: str
    region: str  # the region that declined its grant
    partners: int  # its partners in the project, each declined
    released: str  # the money that went back, in the region's currency
    currency: str


class ReserveRound(TypedDict):
    offer_round: int
    status: str  # funded, nothing_fundable
    funded: list[str]  # acronyms, in rank order
    confirmed_by: list[str]  # the regions in the offer


class IndicatorTotal(TypedDict):
    key: str
    name: str
    unit: str
    total: str  # over the accepted reports
    target: str | None  # the target per project times the projects started


class MonitoringRegionLine(TypedDict):
    code: str
    currency: str
    projects: int  # the projects it funds (a grant of its own)
    started: int
    time_to_contract_days: str | None  # mean, offer to signature, over its partners
    reports_accepted: int
    reports_overdue: int
    payments_held: int
    committed: str  # its grants, in its currency
    reported_costs: str  # its partners' statements, in its currency
    indicators: dict[str, str]  # key -> total over the accepted reports of its projects


class Monitoring(TypedDict):
    clock_moved: bool  # false on a real clock: signed today, reported ahead of time, nothing late
    projects: dict[str, int]  # by status
    decline: Decline | None
    reserve: list[ReserveRound]
    reserve_funded: list[str]  # acronyms funded from the reserve list
    reporting_periods_passed: int
    reports: dict[str, int]  # by status (overdue apart), every period scheduled so far
    late: list[str]  # "ACRONYM period N"
    payments_held: list[str]  # regions holding a payment
    indicators: list[IndicatorTotal]
    time_to_contract_days: str | None
    regions: list[MonitoringRegionLine]  # the regions funding projects


class Results(TypedDict):
    call: CallSummary
    submissions: Submissions
    eligibility: Eligibility
    evaluation: Evaluation
    funding: Funding
    ranking: list[RankingLine]
    regions: list[RegionLine]
    totals: Totals
    monitoring: Monitoring | None  # after the results (None: the demo stopped at the results)
    two_stage: NotRequired[TwoStage]  # a two-stage call: its stage 1 and both stages' figures (the rest: stage 2)


# --- two-stage calls ------------------------------------------------------------------------------------------


class StageOneEvaluation(TypedDict):
    evaluators: int
    conflicts_declared: int
    assessments: int
    criteria: list[str]  # the stage-1 criteria the panel scored
    passed: int  # above the stage-1 thresholds
    not_passed: int
    fit_answers: int  # go / no-go answers by the regions with partners
    no_go: int


class ShortlistRegion(TypedDict):
    code: str
    currency: str
    budget: str
    factor: str
    cap: str  # factor x budget
    requested: str  # by the invited pre-proposals (indicative)
    factor_reached: str | None  # requested / budget (None for a zero budget)
    invited: int  # invited pre-proposals asking it for money
    cap_reached: int  # pre-proposals left out because its cap was reached
    requested_reporting: str
    cap_reporting: str


class ShortlistSummary(TypedDict):
    factor: str
    region_factors: dict[str, str]
    invited: int
    cap_reached: int  # left out only because of a region's cap
    no_go: int
    below_threshold: int
    ineligible: int
    regions: list[ShortlistRegion]
    what_if_factor: str
    what_if_invited: int  # invited had every region been held to the what-if factor


class StageFigures(TypedDict):
    pre_proposals: int
    invited: int
    full_proposals: int
    funded: int


class StageOne(TypedDict):
    submissions: Submissions
    eligibility: Eligibility
    evaluation: StageOneEvaluation
    shortlist: ShortlistSummary
    not_invited: dict[str, int]  # what the applicants read, by status


class TwoStage(TypedDict):
    stage_one: StageOne
    stages: dict[str, StageFigures]  # "total" and per region code, as the consolidated results report them
