"""Regional rules: one region's agency judges the partners it funds, by its own annex to the call.

Pure functions of their arguments. Amounts are compared exactly as `Decimal`; a partner's costs and request
are in the partner's currency, which must be the region's for the absolute caps to mean anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_DOWN, Decimal

from shared.rules.model import (
    Outcome,
    PartnerFacts,
    ProposalFacts,
    RegionalRules,
    Verdict,
    exact,
    exact_amount,
    format_list,
    format_money,
    format_percent,
    format_share_against,
    ratio,
)

PartnerRule = Callable[[RegionalRules, PartnerFacts, ProposalFacts], list[Verdict]]


def evaluate_partner(rules: RegionalRules, partner: PartnerFacts, proposal: ProposalFacts) -> list[Verdict]:
    """Every partner-level rule of the region, in a stable order; manual checks come last."""
    if partner.region_code != rules.code:
        raise ValueError(f"partner {partner.partner_id} is from {partner.region_code}, not {rules.code}")
    return [verdict for rule in _PARTNER_RULES for verdict in rule(rules, partner, proposal)]


def evaluate_region(
    rules: RegionalRules, partners_of_region: Sequence[PartnerFacts], proposal: ProposalFacts
) -> list[Verdict]:
    """The rules on all of the region's partners in one proposal taken together."""
    strangers = [p.partner_id for p in partners_of_region if p.region_code != rules.code]
    if strangers:
        raise ValueError(f"partners not from {rules.code}: {', '.join(strangers)}")
    return [*_max_grant_per_proposal(rules, partners_of_region), *_max_partners(rules, partners_of_region)]


def eligible_costs(rules: RegionalRules, partner: PartnerFacts) -> Decimal:
    """The sum of the partner's costs in the categories the region accepts (all, if it names none)."""
    eligible = rules.eligible_cost_categories
    if eligible is None:
        return sum(partner.costs.values(), Decimal(0))
    return sum((amount for category, amount in partner.costs.items() if category in eligible), Decimal(0))


def _is_eligible_category(rules: RegionalRules, category: str) -> bool:
    return rules.eligible_cost_categories is None or category in rules.eligible_cost_categories


def _verdict(
    rule: str, passed: bool, reason: str, rules: RegionalRules, partner: PartnerFacts, **details: str
) -> Verdict:
    return Verdict(
        rule=rule,
        outcome=Outcome.PASS if passed else Outcome.FAIL,
        reason=reason,
        partner_id=partner.partner_id,
        region_code=rules.code,
        details=details,
    )


# --- partner-level rules ----------------------------------------------------------------------------------


def _organisation_type(rules: RegionalRules, partner: PartnerFacts, _: ProposalFacts) -> list[Verdict]:
    kind = partner.organisation_type
    eligible = kind in rules.eligible_organisation_types
    if eligible:
        reason = f"{kind.with_article} is eligible for funding in {rules.name}"
    else:
        labels = format_list(t.label for t in rules.eligible_organisation_types)
        reason = f"{kind.with_article} is not eligible for funding in {rules.name} (eligible: {labels})"
    return [_verdict("regional.organisation_type", eligible, reason, rules, partner, organisation_type=kind.value)]


def _established_in_region(rules: RegionalRules, partner: PartnerFacts, _: ProposalFacts) -> list[Verdict]:
    if not rules.must_be_established_in_region:
        return []
    name = partner.organisation_name
    established = partner.established_in_region
    reason = (
        f"{name} is established in {rules.name}"
        if established
        else f"{name} is not established in {rules.name}, which funds only organisations established there"
    )
    return [_verdict("regional.established_in_region", established, reason, rules, partner)]


def _currency(rules: RegionalRules, partner: PartnerFacts, _: ProposalFacts) -> list[Verdict]:
    matches = partner.currency == rules.currency
    reason = (
        f"the budget is in {rules.currency}, the currency of {rules.name}"
        if matches
        else f"the budget is in {partner.currency}, but {rules.name} funds in {rules.currency}"
    )
    return [
        _verdict(
            "regional.currency",
            matches,
            reason,
            rules,
            partner,
            currency=partner.currency,
            region_currency=rules.currency,
        )
    ]


def _funding_rate(rules: RegionalRules, partner: PartnerFacts, _: ProposalFacts) -> list[Verdict]:
    kind = partner.organisation_type
    if kind not in rules.eligible_organisation_types:
        return []  # no rate applies; regional.organisation_type already fails
    rate = rules.funding_rates[kind]
    eligible = eligible_costs(rules, partner)
    limit = rate * eligible
    requested = partner.requested_funding
    within = requested <= limit
    what = (
        f"{format_percent(rate)} of eligible costs ({format_money(eligible, partner.currency)}) "
        f"for {kind.with_article} in {rules.name}"
    )
    maximum = format_money(limit, partner.currency, rounding=ROUND_DOWN)
    shown = format_money(requested, partner.currency)
    reason = (
        f"requested {shown} is within {what}"
        if within
        else f"requested {shown} exceeds {what}: at most {maximum} can be requested"
    )
    details = {
        "requested": exact_amount(requested),
        "rate": exact(rate),
        "eligible_costs": exact_amount(eligible),
        "limit": exact_amount(limit),
    }
    return [_verdict("regional.funding_rate", within, reason, rules, partner, **details)]


def _max_grant_per_partner(rules: RegionalRules, partner: PartnerFacts, _: ProposalFacts) -> list[Verdict]:
    cap = rules.max_grant_per_partner
    if cap is None:
        return []
    rule = "regional.max_grant_per_partner"
    if partner.currency != rules.currency:
        return [_incomparable(rule, rules, partner)]
    requested = partner.requested_funding
    within = requested <= cap
    relation = "is within" if within else "exceeds"
    reason = (
        f"requested {format_money(requested, rules.currency)} {relation} the maximum grant per partner "
        f"of {format_money(cap, rules.currency)} in {rules.name}"
    )
    return [
        _verdict(rule, within, reason, rules, partner, requested=exact_amount(requested), maximum=exact_amount(cap))
    ]


def _incomparable(rule: str, rules: RegionalRules, partner: PartnerFacts) -> Verdict:
    # Converting would invent a rate the region never agreed to: an officer has to look.
    return Verdict(
        rule=rule,
        outcome=Outcome.NEEDS_HUMAN,
        reason=(
            f"cannot compare: the request is in {partner.currency} but the cap of {rules.name} is in {rules.currency}"
        ),
        partner_id=partner.partner_id,
        region_code=rules.code,
        details={"currency": partner.currency, "region_currency": rules.currency},
    )


def _s3_areas(rules: RegionalRules, partner: PartnerFacts, proposal: ProposalFacts) -> list[Verdict]:
    shared_areas = proposal.s3_areas & rules.s3_areas
    regional_areas = format_list(rules.s3_areas)
    if len(shared_areas) > 1:
        reason = f"the proposal addresses {format_list(shared_areas)}, S3 priority areas of {rules.name}"
    elif shared_areas:
        reason = f"the proposal addresses {format_list(shared_areas)}, an S3 priority area of {rules.name}"
    elif proposal.s3_areas:
        reason = (
            f"the proposal addresses {format_list(proposal.s3_areas)}, none of which is an S3 priority area "
            f"of {rules.name} ({regional_areas})"
        )
    else:
        reason = f"the proposal names no S3 priority area; {rules.name} funds only its own ({regional_areas})"
    overlap = ", ".join(sorted(shared_areas))
    return [_verdict("regional.s3_areas", bool(shared_areas), reason, rules, partner, overlap=overlap)]


def _trl(rules: RegionalRules, partner: PartnerFacts, proposal: ProposalFacts) -> list[Verdict]:
    if rules.trl_min is None and rules.trl_max is None:
        return []
    low, high = rules.trl_min or 1, rules.trl_max or 9
    within = low <= proposal.trl <= high
    relation = "is within" if within else "is outside"
    reason = f"TRL {proposal.trl} {relation} the range {low}-{high} funded by {rules.name}"
    details = {"trl": str(proposal.trl), "trl_min": str(low), "trl_max": str(high)}
    return [_verdict("regional.trl", within, reason, rules, partner, **details)]


def _cost_categories(rules: RegionalRules, partner: PartnerFacts, _: ProposalFacts) -> list[Verdict]:
    if rules.eligible_cost_categories is None:
        return []
    ineligible = {c: a for c, a in partner.costs.items() if a and not _is_eligible_category(rules, c)}
    accepted = format_list(rules.eligible_cost_categories)
    if ineligible:
        listed = ", ".join(f"{c} ({format_money(a, partner.currency)})" for c, a in sorted(ineligible.items()))
        reason = f"{rules.name} does not fund {listed}; eligible cost categories: {accepted}"
    else:
        reason = f"all costs are in categories {rules.name} funds ({accepted})"
    details = {"ineligible": ", ".join(sorted(ineligible))}
    return [_verdict("regional.cost_categories", not ineligible, reason, rules, partner, **details)]


def _cost_caps(rules: RegionalRules, partner: PartnerFacts, _: ProposalFacts) -> list[Verdict]:
    return [_cost_cap(rules, partner, category, cap) for category, cap in sorted(rules.cost_caps.items())]


def _cost_cap(rules: RegionalRules, partner: PartnerFacts, category: str, cap: Decimal) -> Verdict:
    amount = partner.costs.get(category, Decimal(0))
    total = partner.total_costs
    within = amount <= cap * total
    share = amount / total if total else Decimal(0)
    relation = "within" if within else "above"
    reason = (
        f"{category} of {format_money(amount, partner.currency)} is {format_share_against(share, cap)} "
        f"of total costs ({format_money(total, partner.currency)}), {relation} the cap of "
        f"{format_percent(cap)} in {rules.name}"
    )
    details = {"category": category, "amount": exact_amount(amount), "total_costs": exact_amount(total)}
    return _verdict(
        "regional.cost_cap",
        within,
        reason,
        rules,
        partner,
        cap=exact(cap),
        share=ratio(amount, total),
        **details,
    )


def _manual_checks(rules: RegionalRules, partner: PartnerFacts, _: ProposalFacts) -> list[Verdict]:
    return [
        Verdict(
            rule="regional.manual_check",
            outcome=Outcome.NEEDS_HUMAN,
            reason=f"an officer of {rules.name} must check: {check}",
            partner_id=partner.partner_id,
            region_code=rules.code,
            details={"check": check},
        )
        for check in rules.manual_checks
    ]


_PARTNER_RULES: tuple[PartnerRule, ...] = (
    _organisation_type,
    _established_in_region,
    _currency,
    _funding_rate,
    _max_grant_per_partner,
    _s3_areas,
    _trl,
    _cost_categories,
    _cost_caps,
    _manual_checks,
)


# --- region-level rules -----------------------------------------------------------------------------------


def _region_verdict(rule: str, outcome: Outcome, reason: str, rules: RegionalRules, **details: str) -> Verdict:
    return Verdict(rule=rule, outcome=outcome, reason=reason, region_code=rules.code, details=details)


def _max_grant_per_proposal(rules: RegionalRules, partners: Sequence[PartnerFacts]) -> list[Verdict]:
    cap = rules.max_grant_per_proposal
    if cap is None:
        return []
    rule = "regional.max_grant_per_proposal"
    foreign = sorted({p.currency for p in partners if p.currency != rules.currency})
    if foreign:
        reason = (
            f"cannot add up the requests: some are in {', '.join(foreign)} but the cap of {rules.name} "
            f"is in {rules.currency}"
        )
        return [_region_verdict(rule, Outcome.NEEDS_HUMAN, reason, rules, currencies=", ".join(foreign))]
    requested = sum((p.requested_funding for p in partners), Decimal(0))
    within = requested <= cap
    relation = "is within" if within else "exceeds"
    who = (
        f"the partner from {rules.name} requests"
        if len(partners) == 1
        else (f"the {len(partners)} partners from {rules.name} request")
    )
    reason = (
        f"{who} {format_money(requested, rules.currency)} in total, which {relation} the maximum grant "
        f"per proposal of {format_money(cap, rules.currency)}"
    )
    outcome = Outcome.PASS if within else Outcome.FAIL
    return [_region_verdict(rule, outcome, reason, rules, requested=exact_amount(requested), maximum=exact_amount(cap))]


def _max_partners(rules: RegionalRules, partners: Sequence[PartnerFacts]) -> list[Verdict]:
    cap = rules.max_partners
    if cap is None:
        return []
    within = len(partners) <= cap
    relation = "within" if within else "above"
    reason = f"{_count(len(partners), 'partner')} from {rules.name}, {relation} its maximum of {cap} per proposal"
    outcome = Outcome.PASS if within else Outcome.FAIL
    return [
        _region_verdict("regional.max_partners", outcome, reason, rules, partners=str(len(partners)), maximum=str(cap))
    ]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
