"""How joint_evaluation shows its state: one mapping from models to response bodies per kind of thing."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import Response
from pydantic import BaseModel, TypeAdapter

from shared.clock import as_utc
from shared.events import FundingDecided, FundingDecision, RegionAmount, ReserveGrant
from shared.http.principal import Principal, Role
from shared.pagination import Page, Window, page_of
from shared.presenting import presented

from ..access import partners_of
from ..assignment import AssignmentReport
from ..domain.assessment import AssessmentStatus, canonical
from ..domain.funding import around_the_line, for_region
from ..domain.results import public_lines, results_csv, status_counts
from ..domain.shortlist import ShortlistStatus
from ..models import (
    Assessment,
    DeclaredConflict,
    EvaluationEntry,
    Evaluator,
    RegionFit,
    ReserveOffer,
    ShortlistDecision,
)
from ..ranking import RankingView
from ..reserve import regions_of
from ..shortlisting import ShortlistView
from ..use_cases.declare_conflict import ConflictOutcome
from ..use_cases.grant_documents import IssuedGrant
from ..use_cases.list_entries import EntryList
from ..use_cases.proposal_result import ProposalResult
from ..use_cases.read_assignment import AssignmentView
from ..use_cases.read_funding import FundingReading
from ..use_cases.read_proposal import ProposalReading
from ..use_cases.read_ranking import RankingPageView
from ..use_cases.results_workbook import ResultsWorkbook
from ..views import FundingState, ProposalState, RegionStatus, ResultsState, status_of
from .schemas import (
    AllocationOut,
    AssessmentOut,
    AssignedProposalOut,
    AssignmentPage,
    AssignmentRunOut,
    CompletedOut,
    ConflictDeclaredOut,
    ConflictOut,
    ConsensusOut,
    CriterionConsensusOut,
    DivergenceOut,
    DocumentGrantOut,
    EntryOut,
    EvaluatorOut,
    FitOut,
    FundingOut,
    FundingOutcome,
    FundingView,
    MyProposalOut,
    PartnerOut,
    ProposalOut,
    ProposalResultOut,
    PublicRegionTotal,
    PublicResultLine,
    PublishedResultsOut,
    RankingPage,
    RegionConfirmationOut,
    RegisteredEvaluatorOut,
    ReserveOfferOut,
    ResultsOut,
    ShortlistDecisionOut,
    ShortlistLineOut,
    ShortlistOut,
    ShortlistRegionOut,
    TokenOut,
)
from .workbook import results_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEAN_PLACES = Decimal("0.001")  # a mean is shown to the thousandth: 3.333, not 3.3333333333333333


def as_json(body: BaseModel) -> Response:
    """A large body serialised once, straight to JSON, rather than dumped to dicts that FastAPI would validate and
    serialise again (the funding of 5,000 proposals: most of the request's time); the same JSON, documented by the
    route's response_model."""
    return json_response(body.model_dump_json().encode())


def json_response(body: bytes) -> Response:
    """JSON already written (as_json's, or one kept)."""
    return Response(body, media_type="application/json")


def entry_out(entry: EvaluationEntry, *, assigned: bool, final: bool) -> EntryOut:
    return presented(
        EntryOut,
        entry,
        submitted_at=as_utc(entry.submitted_at) if entry.submitted_at else None,
        eligibility=entry.current_eligibility,
        eligibility_reason_details=entry.eligibility_reason_details or [],
        status=status_of(entry, assigned=assigned, final=final),
    )


def proposal_out(
    state: ProposalState,
    *,
    own_assessment: AssessmentOut | None = None,
    evaluator_ids: list[str] | None = None,
    assessments: list[AssessmentOut] | None = None,
    consensus: ConsensusOut | None = None,
    conflicts: list[ConflictOut] | None = None,
) -> ProposalOut:
    entry = state.entry
    excluded = {*entry.dropped_partners, *entry.ineligible_partners}
    partners = [presented(PartnerOut, p, funded=p.partner_id not in excluded) for p in partners_of(entry)]
    summary = entry_out(entry, assigned=bool(state.evaluator_ids), final=state.final)
    return ProposalOut(
        **summary.model_dump(),
        abstract=entry.abstract,
        topics=entry.topics,
        partners=partners,
        own_assessment=own_assessment,
        evaluator_ids=evaluator_ids,
        assessments=assessments,
        consensus=consensus,
        conflicts=conflicts,
    )


def for_agency(state: ProposalState) -> ProposalOut:
    return proposal_out(
        state,
        evaluator_ids=state.evaluator_ids,
        assessments=[assessment_out(a) for a in state.assessments],
        consensus=consensus_out(state),
        conflicts=[conflict_out(c) for c in state.conflicts],
    )


def for_evaluator(state: ProposalState, evaluator_id: str) -> ProposalOut:
    own = next((a for a in state.assessments if a.evaluator_id == evaluator_id), None)
    if not state.final:  # never the others' scores before the consensus is final
        return proposal_out(state, own_assessment=assessment_out(own) if own else None)
    return proposal_out(
        state,
        own_assessment=assessment_out(own) if own else None,
        assessments=[assessment_out(a) for a in state.assessments if a.status == AssessmentStatus.SUBMITTED],
        consensus=consensus_out(state),
    )


def assessment_out(assessment: Assessment) -> AssessmentOut:
    return AssessmentOut.model_validate(assessment, from_attributes=True)


def consensus_out(state: ProposalState) -> ConsensusOut:
    consensus = state.consensus
    final_scores = consensus.scores if consensus is not None and consensus.scores is not None else {}
    criteria = []
    for key, item in state.preview.items():
        score = Decimal(final_scores[key]) if key in final_scores else canonical(item.value if item else None)
        criteria.append(
            CriterionConsensusOut(
                criterion_key=key,
                score=score,
                mean=canonical(item.mean.quantize(MEAN_PLACES)) if item and item.mean is not None else None,
                individual_count=item.individual_count if item else 0,
                overridden=item.overridden if item else False,
                justification=item.justification if item else None,
            )
        )
    return ConsensusOut(
        final=state.final,
        finalised_at=consensus.finalised_at if consensus else None,
        criteria=criteria,
        divergence=[DivergenceOut.model_validate(f, from_attributes=True) for f in state.divergence],
    )


def evaluator_out(evaluator: Evaluator) -> EvaluatorOut:
    return EvaluatorOut.model_validate(evaluator, from_attributes=True)


def conflict_out(conflict: DeclaredConflict) -> ConflictOut:
    return ConflictOut.model_validate(conflict, from_attributes=True)


def allocation_json(decided: FundingDecided, view: FundingView = "all") -> bytes:
    """allocation_out as JSON (as_json's), for an answer kept as written."""
    return allocation_out(decided, view).model_dump_json().encode()


def allocation_out(decided: FundingDecided, view: FundingView = "all") -> AllocationOut:
    proposals, outcomes = _proposals_in(decided.proposals, view)
    return presented(AllocationOut, decided, proposals=proposals, outcomes=outcomes)


_OUTCOMES = TypeAdapter(list[FundingOutcome])  # one validation for the list (thousands of outcomes)


def _proposals_in(
    decisions: list[FundingDecision], view: FundingView
) -> tuple[list[FundingDecision], list[FundingOutcome] | None]:
    """`view=all`: every decision with its amounts; `view=line`: those around the funding line with their amounts
    and every outcome without them (what a selection meeting's page shows of 5,000 proposals)."""
    if view == "all":
        return decisions, None
    return around_the_line(decisions), _OUTCOMES.validate_python(decisions, from_attributes=True)


def funding_out(state: FundingState, region_code: str | None, view: FundingView = "all") -> FundingOut:
    """Everything for an agency (region_code None); only its own part for a region."""
    decided = state.decided if region_code is None else for_region(state.decided, region_code)
    regions = [r for r in state.regions if region_code in (None, r.region_code)]
    proposals, outcomes = _proposals_in(decided.proposals, view)
    return presented(
        FundingOut,
        decided,
        proposals=proposals,
        outcomes=outcomes,
        totals=decided.totals if region_code is None else None,
        confirmations=[confirmation_out(r) for r in regions],
        final=state.final,
        published_at=state.published_at,
    )


def results_out(state: ResultsState) -> ResultsOut:
    decided = state.funding.decided
    return presented(
        ResultsOut,
        decided,
        criteria=[criterion.key for criterion in state.config.evaluation.criteria],
        final=state.funding.final,
        published_at=state.funding.published_at,
        results=state.lines,
        confirmations=[confirmation_out(r) for r in state.funding.regions],
        stages=state.stages,
    )


def published_out(state: ResultsState) -> PublishedResultsOut:
    """Only what is public: the funded proposals named, the others counted; no funding gap, no ids."""
    decided = state.funding.decided
    assert state.funding.published_at is not None
    return PublishedResultsOut(
        call_id=decided.call_id,
        published_at=state.funding.published_at,
        reporting_currency=decided.reporting_currency,
        funded=[PublicResultLine.model_validate(line, from_attributes=True) for line in public_lines(state.lines)],
        counts=status_counts(state.lines),
        regions=[PublicRegionTotal.model_validate(r, from_attributes=True) for r in decided.regions],
        budget=decided.totals.budget,
        allocated=decided.totals.allocated,
    )


def proposal_result_out(result: ProposalResult) -> ProposalResultOut:
    """The line's fields, and the result's own (its call, the publication, the reserve position, why)."""
    return presented(ProposalResultOut, result.line, result)


def confirmation_out(status: RegionStatus) -> RegionConfirmationOut:
    return RegionConfirmationOut.model_validate(status, from_attributes=True)


# --- two-stage calls: the shortlist ---------------------------------------------------------------


def shortlist_out(call_id: str, view: ShortlistView) -> ShortlistOut:
    result = view.shortlist
    return ShortlistOut(
        call_id=uuid.UUID(call_id),
        parameters=view.parameters,
        reporting_currency=result.reporting_currency,
        proposals=[
            presented(
                ShortlistLineOut,
                entry,
                pre_proposal_id=entry.proposal_id,
                acronym=view.acronyms.get(entry.proposal_id, ""),
                status=entry.status.value,
            )
            for entry in result.entries
        ],
        regions=[
            presented(
                ShortlistRegionOut,
                r,
                region_code=r.region,
                factor_reached=r.factor_reached.quantize(Decimal("0.01")) if r.factor_reached is not None else None,
            )
            for r in result.regions
        ],
        cap_reached=[uuid.UUID(e.proposal_id) for e in result.cap_reached],
        ineligible=[uuid.UUID(pid) for pid, _ in view.ineligible],
        pending=[uuid.UUID(pid) for pid in view.pending],
    )


def shortlist_decision_out(decision: ShortlistDecision) -> ShortlistDecisionOut:
    invited = sum(1 for line in decision.outcomes if line["status"] == ShortlistStatus.INVITED)
    return presented(ShortlistDecisionOut, decision, invited=invited)


def fit_out(fit: RegionFit) -> FitOut:
    return presented(FitOut, fit, pre_proposal_id=fit.proposal_id)


def entry_page(listed: EntryList) -> Page[EntryOut]:
    items = [
        entry_out(e, assigned=e.proposal_id in listed.assigned, final=e.proposal_id in listed.final)
        for e in listed.entries.items
    ]
    return Page[EntryOut](items=items, next_cursor=listed.entries.next_cursor)


def my_proposals_page(rows: Window[tuple[EvaluationEntry, Assessment | None]]) -> Page[MyProposalOut]:
    def mine(row: tuple[EvaluationEntry, Assessment | None]) -> MyProposalOut:
        entry, assessment = row
        return presented(MyProposalOut, entry, assessment=assessment.status if assessment else "not_started")

    return page_of(rows, mine)


def reading_out(reading: ProposalReading) -> ProposalOut:
    if reading.evaluator_id is not None:
        return for_evaluator(reading.state, reading.evaluator_id)
    return for_agency(reading.state)


def evaluator_page(evaluators: Window[Evaluator]) -> Page[EvaluatorOut]:
    return page_of(evaluators, evaluator_out)


def registered_out(evaluator: Evaluator, token: str) -> RegisteredEvaluatorOut:
    return RegisteredEvaluatorOut(evaluator=evaluator_out(evaluator), token=token)


def conflict_declared_out(outcome: ConflictOutcome) -> ConflictDeclaredOut:
    return ConflictDeclaredOut(
        conflict=conflict_out(outcome.conflict), unassigned=outcome.unassigned, replacements=outcome.replacements
    )


def assignment_run_out(report: AssignmentReport) -> AssignmentRunOut:
    return AssignmentRunOut.model_validate(report, from_attributes=True)


def assignment_page(view: AssignmentView) -> AssignmentPage:
    return AssignmentPage(
        assigned_at=view.assigned_at,
        items=[
            AssignedProposalOut(
                proposal_id=uuid.UUID(e.proposal_id),
                acronym=e.acronym,
                evaluator_ids=view.evaluators.get(e.proposal_id, []),
                needed=view.needed,
                shortfall=view.shortfalls.get(e.proposal_id),
            )
            for e in view.entries.items
            if e.evaluable
        ],
        next_cursor=view.entries.next_cursor,
    )


def ranking_page_out(page: RankingPageView) -> RankingPage:
    view = page.view
    return RankingPage(
        completed_at=view.completed_at,
        items=view.ranking,
        next_cursor=page.next_cursor,
        pending_consensus=[uuid.UUID(pid) for pid in view.pending_consensus],
        awaiting_eligibility=[uuid.UUID(pid) for pid in view.awaiting_eligibility],
    )


def completed_out(view: RankingView) -> CompletedOut:
    assert view.completed_at is not None
    statuses = [line.status for line in view.ranking]
    return CompletedOut(
        completed_at=view.completed_at,
        passed=statuses.count("passed"),
        not_passed=statuses.count("not_passed"),
        ineligible=statuses.count("ineligible"),
    )


def funding_reading_json(reading: FundingReading, view: FundingView = "all") -> bytes:
    """The reader's funding as JSON (as_json's), for an answer kept as written."""
    return funding_out(reading.state, reading.region_code, view).model_dump_json().encode()


def results_csv_response(state: ResultsState) -> Response:
    criteria = [criterion.key for criterion in state.config.evaluation.criteria]
    return Response(
        content=results_csv(state.lines, criteria, state.funding.decided),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="results-{state.config.code}.csv"'},
    )


def results_xlsx_response(data: ResultsWorkbook) -> Response:
    return Response(
        content=results_xlsx(data),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="results-{data.state.config.code}.xlsx"'},
    )


def offer_out(principal: Principal, offer: ReserveOffer) -> ReserveOfferOut:
    def mine(region_code: str) -> bool:
        return principal.role is Role.AGENCY or region_code == principal.scope

    proposals = [ReserveGrant.model_validate(p) for p in offer.proposals]
    return ReserveOfferOut(
        call_id=uuid.UUID(offer.call_id),
        offer_round=offer.offer_round,
        status=offer.status,
        proposals=[
            p.model_copy(update={"grants": [g for g in p.grants if mine(g.region_code)]})
            for p in proposals
            if any(mine(g.region_code) for g in p.grants)
        ],
        budgets=[RegionAmount.model_validate(b) for b in offer.budgets if mine(b["region_code"])],
        regions_to_confirm=[r for r in regions_of(offer) if r not in offer.confirmations],
        confirmed_by=sorted(offer.confirmations),
        proposed_at=offer.proposed_at,
        funded_at=offer.funded_at,
    )


def token_out(token: str) -> TokenOut:
    return TokenOut(token=token)


def grant_out(issued: IssuedGrant) -> DocumentGrantOut:
    return presented(DocumentGrantOut, issued, documents_path=f"/proposals/{issued.proposal_id}/documents")
