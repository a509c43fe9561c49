"""The demo's consortia (pure): realistic transregional proposals, and how each consortium behaves.

A consortium brings 2-5 partners from 2-4 regions that fund its topic, with budgets that follow each region's
funding rate and caps. About one in five carries one defect a real consortium makes: a partner asking more
than its region's rate or cap allows, a TRL outside one region's range, a region whose S3 areas miss the topic,
an organisation type a region does not fund (all regional: the region finds them after the deadline), or an
outside partner asking for money (a consortium rule: the pre-check flags it and the consortium fixes it before
submitting). Every draft is judged with the services' own rule engine, so a consortium is clean, or breaks
exactly the rule its defect names.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import Any

from shared.proposals import ProposalDraft
from shared.rules.from_config import consortium_rules_from_dict, regional_rules_by_code, reporting_rates_from_dict
from shared.rules.model import Outcome
from shared.rules.precheck import precheck

from .organisations import Organisation, organisation_pool, outside_pool

Draft = dict[str, Any]
Region = Mapping[str, Any]
ATTEMPTS = 200
OVER_COSTS = "completeness.requested_funding"


class Defect(StrEnum):
    """What is wrong with a proposal, named by the rule that finds it."""

    FUNDING_RATE = "regional.funding_rate"
    GRANT_CAP = "regional.max_grant_per_partner"
    TRL = "regional.trl"
    S3_AREA = "regional.s3_areas"
    ORGANISATION_TYPE = "regional.organisation_type"
    OUTSIDER_FUNDING = "consortium.self_funded_partner"

    @property
    def regional(self) -> bool:
        return self.value.startswith("regional.")


class Behaviour(StrEnum):
    ON_TIME = "on_time"
    RETRY = "retry"  # its submit is sent again with the same Idempotency-Key (a lost answer)
    RESUBMIT = "resubmit"  # corrects its regional problem after submitting, and submits a second version
    LATE = "late"  # submits after the deadline


DEFECT_ODDS = (  # cumulative: about 22% of the consortia carry a defect
    (0.05, Defect.FUNDING_RATE),
    (0.09, Defect.GRANT_CAP),
    (0.12, Defect.TRL),
    (0.15, Defect.S3_AREA),
    (0.18, Defect.ORGANISATION_TYPE),
    (0.22, Defect.OUTSIDER_FUNDING),
)
STEMS = {
    "eco-innovation": ("ECO", "GREEN", "CLEAN"),
    "bio-economy": ("BIO", "AGRI", "WOOD"),
    "circular economy": ("CIRC", "LOOP", "REUSE"),
    "connected mobility": ("MOB", "CAV", "RAIL"),
    "advanced manufacturing": ("MAN", "ADD", "ROBO"),
}
SUFFIXES = ("ALP", "NET", "VAL", "TEC", "HUB", "LINK")
FIRST_NAMES = ("Anna", "Luca", "Marie", "Jan", "Giulia", "Tobias", "Sara", "Marko", "Claire", "Stefan", "Elena")
LAST_NAMES = ("Huber", "Rossi", "Novak", "Bauer", "Bianchi", "Meyer", "Dubois", "Kranjc", "Gruber", "Colombo")


@dataclass(frozen=True)
class Consortium:
    acronym: str
    applicant: str  # the scope of its token: consortium:<applicant>
    draft: Draft  # what it drafts first
    corrected: Draft  # the draft without its defect (the same draft when it has none)
    defect: Defect | None
    behaviour: Behaviour

    @property
    def organisations(self) -> list[str]:
        return [partner["organisation_name"] for partner in self.draft["partners"]]

    @property
    def regions(self) -> set[str]:
        return {partner["region_code"] for partner in self.draft["partners"]}


def generate_consortia(call: Mapping[str, Any], count: int, seed: int) -> list[Consortium]:
    """`count` consortia for `call` (a call body in the shape of alpine-call.json), the same for the same seed."""
    rng = random.Random(seed)
    judge = RuleJudge(call)
    pools = {region["code"]: organisation_pool(region) for region in call["regions"]}
    return [_consortium(rng, judge, call, pools, index) for index in range(1, count + 1)]


def behaviour_of(index: int, defect: Defect | None, rng: random.Random) -> Behaviour:
    """Fixed by position, so that even a small run has a late and a retried submission."""
    if index % 41 == 7:
        return Behaviour.LATE
    if index % 29 == 4:
        return Behaviour.RETRY
    if defect in (Defect.FUNDING_RATE, Defect.GRANT_CAP) and rng.random() < 0.5:
        return Behaviour.RESUBMIT
    return Behaviour.ON_TIME


class RuleJudge:
    """The call's rules, through the services' own rule engine: which rules a draft breaks."""

    def __init__(self, call: Mapping[str, Any]) -> None:
        self.consortium = consortium_rules_from_dict(call)
        self.regions = regional_rules_by_code(call)
        self.rates = reporting_rates_from_dict(call)
        self.currency = call.get("funding", {}).get("reporting_currency", "EUR")
        self.currencies = {code: rules.currency for code, rules in self.regions.items()}

    def failed_rules(self, draft: Draft) -> set[str]:
        facts = ProposalDraft.model_validate(draft).facts(self.currencies)
        assert facts is not None, "a generated draft is always complete"
        report = precheck(self.consortium, self.regions, self.rates, facts, reporting_currency=self.currency)
        failed = {verdict.rule for verdict in report.verdicts() if verdict.outcome is Outcome.FAIL}
        if any(partner.requested_funding > partner.total_costs for partner in facts.partners):
            failed.add(OVER_COSTS)  # submission refuses it outright: no consortium would get past that
        return failed


def _consortium(
    rng: random.Random, judge: RuleJudge, call: Mapping[str, Any], pools: dict[str, list[Organisation]], index: int
) -> Consortium:
    roll = rng.random()
    wanted = next((defect for odds, defect in DEFECT_ODDS if roll < odds), None)
    passing: Draft | None = None
    for _ in range(ATTEMPTS):
        clean = _clean_draft(rng, call, pools, index)
        if judge.failed_rules(clean):
            continue
        if wanted is None:
            return _made(index, clean, clean, None, rng)
        passing = clean
        broken = _with_defect(rng, call, pools, clean, wanted)
        if broken is not None and judge.failed_rules(broken) == {wanted.value}:
            return _made(index, broken, _corrected(broken, clean, wanted), wanted, rng)
    if passing is not None:
        # a defect this call cannot have (an S3 area outside the call, when every region has the call's one
        # topic, as a call started from an S3 topic does): the consortium applies without it
        return _made(index, passing, passing, None, rng)
    raise ValueError(f"could not generate consortium {index} of this call")


def _corrected(broken: Draft, clean: Draft, defect: Defect) -> Draft:
    """What the consortium submits once it fixed the defect: an outside partner asks for nothing, anything
    else goes back to how it was before the mistake."""
    if defect is not Defect.OUTSIDER_FUNDING:
        return clean
    *partners, outsider = broken["partners"]
    return {**broken, "partners": [*partners, {**outsider, "requested_funding": "0"}]}


def _made(index: int, draft: Draft, corrected: Draft, defect: Defect | None, rng: random.Random) -> Consortium:
    return Consortium(
        acronym=draft["acronym"],
        applicant=draft["acronym"].lower(),
        draft=draft,
        corrected=corrected,
        defect=defect,
        behaviour=behaviour_of(index, defect, rng),
    )


# --- a clean consortium -------------------------------------------------------------------------------------


def _clean_draft(
    rng: random.Random, call: Mapping[str, Any], pools: dict[str, list[Organisation]], index: int
) -> Draft:
    topic = rng.choice(call["topics"])
    funding = [region for region in call["regions"] if topic in region["s3_areas"]]
    chosen = rng.sample(funding, k=min(len(funding), rng.choice((2, 2, 3, 3, 3, 4))))
    slots = list(chosen) + ([rng.choice(chosen)] if rng.random() < 0.25 else [])
    partners: list[Draft] = []
    for region in slots:
        taken = [p["organisation_name"] for p in partners]
        partners.append(_partner(rng, region, _eligible_member(rng, region, pools, taken)))
    _within_proposal_caps(partners, chosen)
    if rng.random() < 0.06:  # a company from outside the call joins at its own cost
        partners.append(_outsider(rng, requested=0))
    partners[0]["role"] = "coordinator"
    low, high = _trl_range(call, chosen)
    stem = rng.choice(STEMS.get(topic, ("ALP",)))
    return {
        "acronym": f"{stem}{rng.choice(SUFFIXES)}-{index:03d}",
        "title": f"{topic.capitalize()} across Alpine value chains: pilot {index}",
        "abstract": f"Partners from {len(chosen)} regions develop, test and scale {topic} solutions together.",
        "s3_areas": [topic],
        "trl": rng.randint(low, high),
        "duration_months": rng.choice((18, 24, 24, 30, 36)),
        "partners": [{"key": f"p{number}", **partner} for number, partner in enumerate(partners, start=1)],
    }


def _eligible_member(
    rng: random.Random, region: Region, pools: dict[str, list[Organisation]], taken: Sequence[str]
) -> Organisation:
    eligible = set(region["eligible_organisation_types"])
    return rng.choice([o for o in pools[region["code"]] if o.kind in eligible and o.name not in taken])


def _partner(rng: random.Random, region: Region, organisation: Organisation, *, factor: Decimal | None = None) -> Draft:
    personnel = rng.randrange(60_000, 200_000, 5_000)
    equipment = rng.randrange(0, 45_000, 5_000)
    subcontracting = rng.choice((0, 0, 10_000, 15_000))
    costs = Decimal(personnel + equipment + subcontracting)
    rate = Decimal(str(region["funding_rates"].get(organisation.kind, 0.5)))
    share = factor or Decimal(rng.choice(("0.9", "0.95", "1")))
    requested = _whole(costs * rate * share)
    cap = region.get("max_grant_per_partner")
    if cap is not None:
        requested = min(requested, Decimal(str(cap)))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "organisation_name": organisation.name,
        "legal_id": organisation.legal_id,
        "country": organisation.country,
        "region_code": organisation.region_code,
        "organisation_type": organisation.kind,
        "is_sme": organisation.kind == "sme",
        "role": "partner",
        "contact": {"name": f"{first} {last}", "email": f"{first}.{last}@{organisation.domain}".lower()},
        "currency": region["currency"],
        "budget": {"personnel": str(personnel), "equipment": str(equipment), "subcontracting": str(subcontracting)},
        "requested_funding": str(requested),
    }


def _outsider(rng: random.Random, *, requested: int) -> Draft:
    organisation = rng.choice(outside_pool())
    region = {"currency": "EUR", "funding_rates": {}, "code": organisation.region_code}
    partner = _partner(rng, region, organisation)
    partner["budget"] = {"personnel": "60000", "equipment": "0", "subcontracting": "0"}
    partner["requested_funding"] = str(requested)
    return partner


def _within_proposal_caps(partners: list[Draft], regions: Sequence[Region]) -> None:
    """Scale a region's requests down to its maximum grant per proposal, as consortia do."""
    for region in regions:
        cap = region.get("max_grant_per_proposal")
        mine = [p for p in partners if p["region_code"] == region["code"]]
        total = sum(Decimal(p["requested_funding"]) for p in mine)
        if cap is None or total <= Decimal(str(cap)):
            continue
        for partner in mine:
            partner["requested_funding"] = str(
                _whole(Decimal(partner["requested_funding"]) * Decimal(str(cap)) / total)
            )


def _trl_range(call: Mapping[str, Any], regions: Sequence[Region]) -> tuple[int, int]:
    ranges = [call.get("trl") or {}] + [region.get("trl") or {} for region in regions]
    low = max([r["min"] for r in ranges if "min" in r] or [1])
    high = min([r["max"] for r in ranges if "max" in r] or [9])
    return low, max(low, high)


def _whole(amount: Decimal) -> Decimal:
    """Down to whole hundreds, as people write budgets."""
    return (amount / 100).quantize(Decimal(1), rounding=ROUND_DOWN) * 100


# --- one defect -------------------------------------------------------------------------------------------------


def _with_defect(
    rng: random.Random, call: Mapping[str, Any], pools: dict[str, list[Organisation]], clean: Draft, defect: Defect
) -> Draft | None:
    """`clean` with `defect` (a copy), or None when this draft cannot carry it (the caller draws another)."""
    draft = {**clean, "partners": [dict(p) for p in clean["partners"]]}
    regions = {region["code"]: region for region in call["regions"]}
    others = [p for p in draft["partners"][1:] if p["region_code"] in regions]  # the coordinator stays as it is
    if defect is Defect.OUTSIDER_FUNDING:
        draft["partners"].append({"key": f"p{len(draft['partners']) + 1}", **_outsider(rng, requested=40_000)})
        return draft
    if defect is Defect.TRL:
        bounded = [regions[p["region_code"]].get("trl") for p in draft["partners"] if p["region_code"] in regions]
        low = min((b["min"] for b in bounded if b and "min" in b), default=None)
        call_low = (call.get("trl") or {}).get("min", 1)
        if low is None or low <= call_low:
            return None
        draft["trl"] = low - 1
        return draft
    partner = rng.choice(others)
    region = regions[partner["region_code"]]
    if defect is Defect.FUNDING_RATE:
        return _asking_too_much(draft, partner, region, over_cap=False)
    if defect is Defect.GRANT_CAP:
        return _asking_too_much(draft, partner, region, over_cap=True)
    if defect is Defect.S3_AREA:
        outside = [r for r in call["regions"] if clean["s3_areas"][0] not in r["s3_areas"]]
        if not outside:
            return None
        stranger = rng.choice(outside)
        member = _eligible_member(rng, stranger, pools, taken=[])
        draft["partners"].append({"key": f"p{len(draft['partners']) + 1}", **_partner(rng, stranger, member)})
        return draft
    unfunded = [o for o in pools[region["code"]] if o.kind not in region["eligible_organisation_types"]]
    if not unfunded:
        return None
    replacement = _partner(rng, region, rng.choice(unfunded))
    partner.update({k: v for k, v in replacement.items() if k not in ("role", "budget", "requested_funding")})
    return draft


def _asking_too_much(draft: Draft, partner: Draft, region: Region, *, over_cap: bool) -> Draft | None:
    """The partner asks above its rate (within the cap), or above the cap (within its rate)."""
    costs = sum((Decimal(v) for v in partner["budget"].values()), Decimal(0))
    limit = costs * Decimal(str(region["funding_rates"][partner["organisation_type"]]))
    cap = Decimal(str(region.get("max_grant_per_partner") or 10**12))
    if over_cap:
        if limit <= cap + 1_000:
            return None
        partner["requested_funding"] = str(_whole((cap + limit) / 2))
    else:
        if cap <= limit + 1_000:
            return None
        asked = _whole(min(cap, limit * Decimal("1.15"), costs))
        if asked <= limit:
            return None
        partner["requested_funding"] = str(asked)
    return draft
