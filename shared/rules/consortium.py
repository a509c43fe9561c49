"""Consortium rules: the call-level rules on the proposal as a whole, across all its partners' regions.

Pure functions of their arguments. Partners from regions that do not take part in the call are
*self-funded*: they may join (if the call allows it) but must not request funding. Budget shares compare
costs converted to the call's reporting currency at the rates fixed in the call, because each partner's
budget is in its own region's currency.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from shared.rules.model import (
    ConsortiumRules,
    Outcome,
    PartnerFacts,
    ProposalFacts,
    Verdict,
    exact,
    exact_amount,
    format_list,
    format_money,
    format_percent,
    format_share_against,
    ratio,
)

_SHARE_RULES = (
    "consortium.max_share_per_partner",
    "consortium.max_share_per_region",
    "consortium.min_sme_share",
)


def evaluate_consortium(
    rules: ConsortiumRules,
    proposal: ProposalFacts,
    participating: Mapping[str, str],
    reporting_rates: Mapping[str, Decimal],
    *,
    reporting_currency: str | None = None,
) -> list[Verdict]:
    """Every consortium rule, in a stable order.

    `participating` maps each participating region's code to its currency; `reporting_rates` maps a
    currency to the value of one unit in the reporting currency, which itself has rate 1. Pass
    `reporting_currency` when more than one currency has rate 1; otherwise it is the one that does.
    Budget shares are judged only once the proposal has costs, so an empty draft is not flooded with them.
    """
    facts = _Facts(rules, proposal, participating, reporting_rates, reporting_currency)
    return [verdict for rule in _RULES for verdict in rule(facts)]


@dataclass(frozen=True)
class _Facts:
    rules: ConsortiumRules
    proposal: ProposalFacts
    participating: Mapping[str, str]
    reporting_rates: Mapping[str, Decimal]
    reporting_currency: str | None

    @property
    def partners(self) -> list[PartnerFacts]:
        return self.proposal.partners

    def is_funded(self, partner: PartnerFacts) -> bool:
        return partner.region_code in self.participating


def _verdict(
    rule: str,
    passed: bool,
    reason: str,
    *,
    partner: PartnerFacts | None = None,
    region_code: str | None = None,
    **details: str,
) -> Verdict:
    return Verdict(
        rule=rule,
        outcome=Outcome.PASS if passed else Outcome.FAIL,
        reason=reason,
        partner_id=partner.partner_id if partner else None,
        region_code=partner.region_code if partner else region_code,
        details=details,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# --- composition ------------------------------------------------------------------------------------------


def _min_partners(facts: _Facts) -> list[Verdict]:
    count, minimum = len(facts.partners), facts.rules.min_partners
    enough = count >= minimum
    relation = "meets" if enough else "is below"
    reason = f"the consortium has {_count(count, 'partner')}, which {relation} the minimum of {minimum}"
    return [_verdict("consortium.min_partners", enough, reason, partners=str(count), minimum=str(minimum))]


def _min_participating_regions(facts: _Facts) -> list[Verdict]:
    regions = {p.region_code for p in facts.partners if facts.is_funded(p)}
    minimum = facts.rules.min_participating_regions
    enough = len(regions) >= minimum
    relation = "meets" if enough else "is below"
    reason = (
        f"funded partners come from {_count(len(regions), 'participating region')} ({format_list(regions)}), "
        f"which {relation} the minimum of {minimum}"
    )
    return [
        _verdict(
            "consortium.min_participating_regions",
            enough,
            reason,
            regions=", ".join(sorted(regions)),
            count=str(len(regions)),
            minimum=str(minimum),
        )
    ]


def _max_partners_per_region(facts: _Facts) -> list[Verdict]:
    maximum = facts.rules.max_partners_per_region
    if maximum is None:
        return []
    counts = Counter(p.region_code for p in facts.partners)
    return [_region_partner_count(region, count, maximum) for region, count in sorted(counts.items())]


def _region_partner_count(region: str, count: int, maximum: int) -> Verdict:
    within = count <= maximum
    relation = "within" if within else "above"
    reason = f"{_count(count, 'partner')} from region {region}, {relation} the maximum of {maximum} per region"
    return _verdict(
        "consortium.max_partners_per_region",
        within,
        reason,
        region_code=region,
        partners=str(count),
        maximum=str(maximum),
    )


# --- coordinator ------------------------------------------------------------------------------------------


def _one_coordinator(facts: _Facts) -> list[Verdict]:
    coordinators = [p for p in facts.partners if p.role == "coordinator"]
    names = ", ".join(p.organisation_name for p in coordinators)
    if not coordinators:
        reason = "the consortium has no coordinator: exactly one partner must coordinate"
    elif len(coordinators) > 1:
        reason = f"the consortium has {len(coordinators)} coordinators ({names}): exactly one is allowed"
    else:
        reason = f"{names} is the only coordinator"
    ids = ", ".join(p.partner_id for p in coordinators)
    return [_verdict("consortium.coordinator", len(coordinators) == 1, reason, coordinators=ids)]


def _coordinator_region(facts: _Facts) -> list[Verdict]:
    coordinators = [p for p in facts.partners if p.role == "coordinator"]
    if not facts.rules.coordinator_from_participating_region or len(coordinators) != 1:
        return []  # a missing or doubled coordinator is already a failure of consortium.coordinator
    coordinator = coordinators[0]
    funded = facts.is_funded(coordinator)
    where = f"{coordinator.organisation_name} coordinates from region {coordinator.region_code}"
    reason = (
        f"{where}, which takes part in the call"
        if funded
        else f"{where}, which does not take part in the call: the coordinator must come from a participating "
        f"region ({format_list(facts.participating)})"
    )
    return [_verdict("consortium.coordinator_region", funded, reason, partner=coordinator)]


# --- self-funded partners ---------------------------------------------------------------------------------


def _self_funded(facts: _Facts) -> list[Verdict]:
    return [_self_funded_partner(facts, p) for p in facts.partners if not facts.is_funded(p)]


def _self_funded_partner(facts: _Facts, partner: PartnerFacts) -> Verdict:
    name, region = partner.organisation_name, partner.region_code
    where = f"{name} is from region {region}, which does not take part in the call"
    requested = partner.requested_funding
    if not facts.rules.self_funded_partners_allowed:
        passed, reason = False, f"{where}, and this call does not accept self-funded partners"
    elif requested:
        passed = False
        reason = f"{where}, so it must fund itself, but it requests {format_money(requested, partner.currency)}"
    else:
        passed, reason = True, f"{where}; it takes part at its own cost and requests no funding"
    return _verdict(
        "consortium.self_funded_partner", passed, reason, partner=partner, requested=exact_amount(requested)
    )


# --- duration and TRL -------------------------------------------------------------------------------------


def _duration(facts: _Facts) -> list[Verdict]:
    maximum = facts.rules.max_duration_months
    if maximum is None:
        return []
    months = facts.proposal.duration_months
    within = months <= maximum
    relation = "within" if within else "above"
    reason = f"the project lasts {_count(months, 'month')}, {relation} the maximum of {maximum}"
    return [_verdict("consortium.duration", within, reason, months=str(months), maximum=str(maximum))]


def _trl(facts: _Facts) -> list[Verdict]:
    low, high = facts.rules.trl_min, facts.rules.trl_max
    if low is None and high is None:
        return []
    low, high = low or 1, high or 9
    trl = facts.proposal.trl
    within = low <= trl <= high
    relation = "within" if within else "outside"
    reason = f"TRL {trl} is {relation} the call's range {low}-{high}"
    return [_verdict("consortium.trl", within, reason, trl=str(trl), trl_min=str(low), trl_max=str(high))]


# --- budget shares ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Budget:
    """The partners' total costs converted to the reporting currency, exactly (no rounding)."""

    currency: str
    rates: Mapping[str, Decimal]
    costs: Mapping[str, Decimal]  # partner id -> total costs in the reporting currency
    total: Decimal

    def amount(self, value: Decimal) -> str:
        return format_money(value, self.currency)

    def original(self, partner: PartnerFacts) -> str:
        """Costs as entered, then converted: "300,000.00 CHF (315,000.00 EUR)"; converted only if needed."""
        own = format_money(partner.total_costs, partner.currency)
        if partner.currency == self.currency:
            return own
        return f"{own} ({self.amount(self.costs[partner.partner_id])})"

    def conversion_note(self, partners: list[PartnerFacts]) -> str:
        foreign = sorted({p.currency for p in partners if p.currency != self.currency})
        if not foreign:
            return ""
        rates = ", ".join(f"1 {c} = {exact(self.rates[c].normalize())} {self.currency}" for c in foreign)
        return f"; budgets in different currencies are compared in {self.currency} at the call's rates ({rates})"


def _budget_shares(facts: _Facts) -> list[Verdict]:
    rules = facts.rules
    configured = (rules.max_share_per_partner, rules.max_share_per_region, rules.min_sme_share)
    if all(limit is None for limit in configured):
        return []
    missing = sorted({p.currency for p in facts.partners if facts.reporting_rates.get(p.currency, 0) <= 0})
    if missing:
        return [
            _no_rate(rule, missing) for rule, limit in zip(_SHARE_RULES, configured, strict=True) if limit is not None
        ]
    budget = _convert(facts)
    if not budget.total:
        return []  # a draft without costs yet: there are no shares to judge
    shares = _Shares(
        budget, budget.amount(budget.total), exact_amount(budget.total), budget.conversion_note(facts.partners)
    )
    return [*_partner_shares(facts, shares), *_region_shares(facts, shares), *_sme_share(facts, shares)]


@dataclass(frozen=True)
class _Shares:
    """The budget and what every share verdict of one proposal says of it, worded once."""

    budget: _Budget
    total: str  # the total as people read it
    total_exact: str  # the total for Verdict.details
    note: str  # how budgets in other currencies were converted ("" if none)


def _no_rate(rule: str, currencies: list[str]) -> Verdict:
    reason = (
        f"cannot compare budget shares: the call fixes no conversion rate for {', '.join(currencies)}, "
        "so the budgets in different currencies cannot be added up"
    )
    return Verdict(rule=rule, outcome=Outcome.NEEDS_HUMAN, reason=reason, details={"currencies": ", ".join(currencies)})


def _convert(facts: _Facts) -> _Budget:
    rates = facts.reporting_rates
    costs = {p.partner_id: p.total_costs * rates[p.currency] for p in facts.partners}
    total = sum(costs.values(), Decimal(0))
    currency = _reporting_currency(rates, facts.reporting_currency) if total else ""
    return _Budget(currency=currency, rates=rates, costs=costs, total=total)


def _reporting_currency(rates: Mapping[str, Decimal], given: str | None) -> str:
    if given is not None:
        return given
    at_par = [currency for currency, rate in rates.items() if rate == 1]
    if len(at_par) != 1:
        raise ValueError(
            f"cannot tell the reporting currency from the rates ({format_list(at_par)} at rate 1): pass it"
        )
    return at_par[0]


def _partner_shares(facts: _Facts, shares: _Shares) -> list[Verdict]:
    maximum = facts.rules.max_share_per_partner
    if maximum is None:
        return []
    limit = format_percent(maximum)
    return [_partner_share(shares, partner, maximum, limit) for partner in facts.partners]


def _partner_share(shares: _Shares, partner: PartnerFacts, maximum: Decimal, limit: str) -> Verdict:
    costs = shares.budget.costs[partner.partner_id]
    holder, amount = f"{partner.organisation_name} holds", f"costs of {shares.budget.original(partner)}"
    within, reason = _against_maximum(holder, amount, costs, shares, maximum, f"{limit} per partner")
    details = _share_details(costs, shares, maximum)
    return _verdict("consortium.max_share_per_partner", within, reason, partner=partner, **details)


def _region_shares(facts: _Facts, shares: _Shares) -> list[Verdict]:
    maximum = facts.rules.max_share_per_region
    if maximum is None:
        return []
    budget = shares.budget
    by_region: dict[str, Decimal] = {}
    for partner in facts.partners:
        by_region[partner.region_code] = (
            by_region.get(partner.region_code, Decimal(0)) + budget.costs[partner.partner_id]
        )
    limit = format_percent(maximum)
    return [_region_share(shares, code, costs, maximum, limit) for code, costs in sorted(by_region.items())]


def _region_share(shares: _Shares, region: str, costs: Decimal, maximum: Decimal, limit: str) -> Verdict:
    holder, amount = f"the partners from region {region} hold", shares.budget.amount(costs)
    within, reason = _against_maximum(holder, amount, costs, shares, maximum, f"{limit} per region")
    details = _share_details(costs, shares, maximum)
    return _verdict("consortium.max_share_per_region", within, reason, region_code=region, **details)


def _against_maximum(
    holder: str, amount: str, costs: Decimal, shares: _Shares, maximum: Decimal, limit: str
) -> tuple[bool, str]:
    """Whether `costs` are within a maximum share of the total budget, and the reason that says so: `holder`
    ("X holds") has `amount` (the costs as the reason words them) against `limit` (the maximum, worded)."""
    within = costs <= maximum * shares.budget.total
    relation = "within" if within else "above"
    reason = (
        f"{holder} {format_share_against(costs / shares.budget.total, maximum)} of the total budget: "
        f"{amount} out of {shares.total}, {relation} the maximum of {limit}{shares.note}"
    )
    return within, reason


def _sme_share(facts: _Facts, shares: _Shares) -> list[Verdict]:
    minimum = facts.rules.min_sme_share
    if minimum is None:
        return []
    budget = shares.budget
    costs = sum((budget.costs[p.partner_id] for p in facts.partners if p.is_sme), Decimal(0))
    enough = costs >= minimum * budget.total
    share = costs / budget.total
    relation = "meeting" if enough else "below"
    reason = (
        f"SMEs hold {format_share_against(share, minimum)} of the total budget: "
        f"{budget.amount(costs)} out of {shares.total}, "
        f"{relation} the minimum of {format_percent(minimum)}"
        f"{shares.note}"
    )
    return [_verdict("consortium.min_sme_share", enough, reason, **_share_details(costs, shares, minimum))]


class _ShareDetails(TypedDict):
    costs: str
    total: str
    share: str
    limit: str
    currency: str


def _share_details(costs: Decimal, shares: _Shares, limit: Decimal) -> _ShareDetails:
    """What a share verdict carries beside its reason: the costs, the total, their ratio and the limit, exact."""
    return _ShareDetails(
        costs=exact_amount(costs),
        total=shares.total_exact,
        share=ratio(costs, shares.budget.total),
        limit=exact(limit),
        currency=shares.budget.currency,
    )


_RULES: tuple[Callable[[_Facts], list[Verdict]], ...] = (
    _min_partners,
    _min_participating_regions,
    _max_partners_per_region,
    _one_coordinator,
    _coordinator_region,
    _self_funded,
    _budget_shares,
    _duration,
    _trl,
)
