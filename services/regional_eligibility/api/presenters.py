"""How regional_eligibility's responses are built from what its use cases return: the one place."""

from __future__ import annotations

import json
import uuid

from shared.pagination import Page, Window

from ..domain.applicant_view import PartyOutcome
from ..domain.progress import RegionCounts
from ..feed import event_body
from ..models import PartnerCheck, RegionEvent, WebhookDelivery, WebhookSubscription
from ..use_cases.check_history import CheckHistory
from ..use_cases.read_case import CaseView
from ..use_cases.read_outcome import OutcomeView
from ..use_cases.read_partner import PartnerView
from .schemas import (
    ApplicantOutcomeOut,
    CaseOut,
    CheckDecisionOut,
    CheckHistoryOut,
    CheckOut,
    DeliveryOut,
    FeedEventOut,
    FeedPage,
    PartnerOut,
    PartyOutcomeOut,
    RegionProgress,
    SubscriptionOut,
)


def check_out(check: PartnerCheck) -> CheckOut:
    return CheckOut.model_validate(check, from_attributes=True)


def check_page(checks: Window[PartnerCheck]) -> Page[CheckOut]:
    return Page[CheckOut](items=[check_out(c) for c in checks.items], next_cursor=checks.next_cursor)


def subscription_out(subscription: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut.model_validate(subscription, from_attributes=True)


def subscription_page(subscriptions: Window[WebhookSubscription]) -> Page[SubscriptionOut]:
    items = [subscription_out(s) for s in subscriptions.items]
    return Page[SubscriptionOut](items=items, next_cursor=subscriptions.next_cursor)


def delivery_page(deliveries: Window[WebhookDelivery]) -> Page[DeliveryOut]:
    items = [DeliveryOut.model_validate(d, from_attributes=True) for d in deliveries.items]
    return Page[DeliveryOut](items=items, next_cursor=deliveries.next_cursor)


def case_out(view: CaseView) -> CaseOut:
    case = view.case
    return CaseOut(
        proposal_id=uuid.UUID(case.proposal_id),
        call_id=uuid.UUID(case.call_id),
        version=case.version,
        acronym=case.acronym,
        status=case.status,
        outcome=case.outcome,
        reasons=case.reasons,
        decision_version=case.decision_version,
        decided_at=case.decided_at,
        checks=[check_out(c) for c in view.checks],
    )


def partner_out(view: PartnerView) -> PartnerOut:
    partner = view.partner
    return PartnerOut(
        partner_id=partner.partner_id,
        proposal_id=uuid.UUID(view.proposal_id),
        region_code=partner.region_code,
        data=partner.model_dump(mode="json"),
        checks=[check_out(c) for c in view.checks],
    )


def history_out(history: CheckHistory) -> CheckHistoryOut:
    return CheckHistoryOut(
        check=check_out(history.check),
        decisions=[CheckDecisionOut.model_validate(row) for row in history.decisions],
    )


def feed_page(events: list[RegionEvent], after: int) -> FeedPage:
    items = [FeedEventOut.model_validate(json.loads(event_body(e))) for e in events]
    return FeedPage(items=items, next_after=events[-1].id if events else after)


def progress_out(counts: list[RegionCounts]) -> list[RegionProgress]:
    return [RegionProgress.model_validate(c, from_attributes=True) for c in counts]


def party_out(party: PartyOutcome) -> PartyOutcomeOut:
    return PartyOutcomeOut.model_validate(party, from_attributes=True)


def applicant_outcome_out(view: OutcomeView) -> ApplicantOutcomeOut:
    return ApplicantOutcomeOut(
        proposal_id=uuid.UUID(view.case.proposal_id),
        call_id=uuid.UUID(view.case.call_id),
        version=view.case.version,
        acronym=view.case.acronym,
        status=view.status,
        outcome=view.outcome,
        reasons=view.reasons,
        decided_at=view.decided_at,
        partners=[party_out(p) for p in view.parties.partners],
        consortium=party_out(view.parties.consortium),
    )
