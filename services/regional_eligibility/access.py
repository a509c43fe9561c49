"""Who may see or decide what in regional_eligibility: a region only its own partners, checks and
subscriptions, the agency the consortium-level checks, a consortium only its own proposals' cases (the owner is the
applicant named on the proposal.submitted event the case was opened from). What is not the caller's is a 404, as
if it did not exist. Used by the use cases' first lines."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.events import ProposalSubmitted
from shared.http.principal import Principal, Role

from .domain.checks import CONSORTIUM
from .models import ProposalCase, WebhookSubscription
from .repository import get_subscription


def decides(officer: Principal, region_code: str) -> bool:
    """Who decides a check: the agency the consortium-level ones, a region only its own."""
    if region_code == CONSORTIUM:
        return officer.role is Role.AGENCY
    return officer.role is Role.REGION and officer.scope == region_code


async def own_subscription(session: AsyncSession, region: str, subscription_id: uuid.UUID) -> WebhookSubscription:
    subscription = await get_subscription(session, str(subscription_id))
    if subscription is None or subscription.region_code != region:
        raise NotFound(f"No webhook subscription {subscription_id} for region {region}.")
    return subscription


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
