"""How regional_eligibility's responses are built from what its use cases return: the one place."""

from __future__ import annotations

import json
import uuid

from shared.pagination import Page, Window, page_of
from shared.presenting import presented

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
    return page_of(checks, check_out)


def subscription_out(subscription: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut.model_validate(subscription, from_attributes=True)


def subscription_page(subscriptions: Window[WebhookSubscription]) -> Page[SubscriptionOut]:
    return page_of(subscriptions, subscription_out)


def delivery_page(deliveries: Window[WebhookDelivery]) -> Page[DeliveryOut]:
    return page_of(deliveries, lambda delivery: DeliveryOut.model_validate(delivery, from_attributes=True))


def case_out(view: CaseView) -> CaseOut:
    return presented(CaseOut, view.case, checks=[check_out(c) for c in view.checks])


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
    """The case's ids, the view's status and outcome (those a consortium may see)."""
    return presented(
        ApplicantOutcomeOut,
        view.case,
        status=view.status,
        outcome=view.outcome,
        reasons=view.reasons,
        decided_at=view.decided_at,
        partners=[party_out(p) for p in view.parties.partners],
        consortium=party_out(view.parties.consortium),
    )
