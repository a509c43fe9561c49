"""Who may read which eligibility case: a consortium only its own proposals' (others get 404, as if they did
not exist). The owner is the applicant named on the proposal.submitted event the case was opened from."""

from __future__ import annotations

from shared.errors import NotFound
from shared.events import ProposalSubmitted
from shared.http.auth import Principal

from ..models import ProposalCase


def applicant_of(consortium: Principal) -> str:
    """The applicant a consortium token speaks for: its scope (`consortium:<applicant id>`), else its subject,
    as proposal_intake decides ownership."""
    return consortium.scope or consortium.subject


def own_case(
    case: ProposalCase | None, consortium: Principal, proposal_id: str
) -> tuple[ProposalCase, ProposalSubmitted]:
    """The case and the submission it judges, if the consortium owns the proposal; 404 otherwise."""
    submitted = ProposalSubmitted.model_validate(case.submission) if case is not None else None
    if case is None or submitted is None or submitted.applicant_id != applicant_of(consortium):
        raise NotFound(f"No eligibility case {proposal_id} for {consortium.label}.")
    return case, submitted
