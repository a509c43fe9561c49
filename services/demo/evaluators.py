"""The demo's panel of experts and their scores (pure).

Scores are a function of (seed, proposal acronym, criterion) alone: the panel's consensus on a proposal does not
depend on which experts happened to be assigned to it, so the ranking is the same on every run. Each expert
departs a little from it (by half a point, at most), and the rapporteur brings the consensus back to it where
the rounded mean of the experts differs, as a consensus meeting does.

Conflicts of interest: the services exclude an expert who works for a partner's organisation themselves (the
call's policy). What they cannot know is where an expert worked before; such experts declare a conflict with
every proposal of their former employer before the assignment, from the list of proposals the secretariat
circulates.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .consortia import FIRST_NAMES, LAST_NAMES, Consortium
from .organisations import Organisation, organisation_pool

MAX_LOAD = 12
SPARE_CAPACITY = Decimal("1.3")  # more places than needed: conflicts and loads leave gaps
COMMENTS = {
    "low": "major weaknesses that the consortium does not address",
    "mid": "sound overall, with shortcomings in the details",
    "high": "convincing, specific and well argued",
}


@dataclass(frozen=True, slots=True)
class Expert:
    name: str
    email: str
    organisation: str
    organisation_legal_id: str | None
    country: str
    region_code: str | None
    expertise: tuple[str, ...]
    former_employer: str | None  # an applicant organisation it worked for: it declares conflicts with it

    def registration(self) -> dict[str, Any]:
        """The body of POST /calls/{id}/evaluators."""
        return {
            "name": self.name,
            "email": self.email,
            "organisation": self.organisation,
            "organisation_legal_id": self.organisation_legal_id,
            "country": self.country,
            "region_code": self.region_code,
            "expertise": list(self.expertise),
            "max_load": MAX_LOAD,
        }


def panel_size(proposals: int, per_proposal: int) -> int:
    return max(per_proposal + 2, math.ceil(proposals * per_proposal * SPARE_CAPACITY / MAX_LOAD))


def build_panel(call: Mapping[str, Any], size: int, seed: int) -> list[Expert]:
    """`size` experts: some from the regions' universities and institutes, the others independent."""
    academics = [
        organisation
        for region in call["regions"]
        for organisation in organisation_pool(region)
        if organisation.kind in ("university", "research_organisation")
    ]
    companies = [o for region in call["regions"] for o in organisation_pool(region) if o.kind == "sme"]
    return [_expert(call, seed, number, academics, companies) for number in range(1, size + 1)]


def _expert(
    call: Mapping[str, Any], seed: int, number: int, academics: list[Organisation], companies: list[Organisation]
) -> Expert:
    def pick(options: Sequence[Any], salt: str) -> Any:
        return options[_hash(seed, "expert", number, salt) % len(options)]

    first, last = pick(FIRST_NAMES, "first"), pick(LAST_NAMES, "last")
    topics = call["topics"]
    expertise = (pick(topics, "topic"), topics[(topics.index(pick(topics, "topic")) + 1) % len(topics)])
    former = pick(companies, "former").name if number % 3 == 0 else None
    if number % 5 < 2:  # a professor or researcher at an institution that may also apply
        employer = pick(academics, "employer")
        organisation, legal_id, country, region = (
            employer.name,
            employer.legal_id,
            employer.country,
            employer.region_code,
        )
    else:
        country = pick(("AT", "DE", "IT", "SI", "FR", "CH", "NL", "BE", "ES", "SE"), "country")
        organisation, legal_id, region = f"Independent expert {first} {last} ({country})", None, None
    return Expert(
        name=f"{first} {last}",
        email=f"expert{number:03d}.{last.lower()}@experts.example.org",
        organisation=organisation,
        organisation_legal_id=legal_id,
        country=country,
        region_code=region,
        expertise=expertise,
        former_employer=former,
    )


def declared_conflicts(panel: Sequence[Expert], consortia: Sequence[Consortium]) -> list[tuple[Expert, str]]:
    """(expert, acronym) for every proposal with a partner the expert used to work for."""
    return [
        (expert, consortium.acronym)
        for expert in panel
        if expert.former_employer
        for consortium in consortia
        if expert.former_employer in consortium.organisations
    ]


# --- scores ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scale:
    low: Decimal
    high: Decimal
    step: Decimal

    @classmethod
    def of(cls, evaluation: Mapping[str, Any]) -> Scale:
        scale = evaluation["scale"]
        return cls(Decimal(str(scale["min"])), Decimal(str(scale["max"])), Decimal(str(scale["step"])))

    def snap(self, value: Decimal) -> Decimal:
        steps = ((value - self.low) / self.step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return min(self.high, max(self.low, self.low + steps * self.step))


def consensus_scores(seed: int, acronym: str, criteria: Sequence[str], scale: Scale) -> dict[str, Decimal]:
    """The panel's verdict on a proposal: its quality, criterion by criterion, on the call's scale."""
    span = scale.high - scale.low
    quality = scale.low + span * (Decimal("0.3") + Decimal("0.7") * _unit(seed, acronym, "quality"))
    return {key: scale.snap(quality + (_hash(seed, acronym, key) % 5 - 2) * scale.step) for key in criteria}


def expert_scores(
    seed: int, acronym: str, criteria: Sequence[str], scale: Scale, expert_email: str
) -> dict[str, Decimal]:
    """One expert's scores: the consensus, give or take one step."""
    consensus = consensus_scores(seed, acronym, criteria, scale)
    return {
        key: scale.snap(value + (_hash(seed, acronym, key, expert_email) % 3 - 1) * scale.step)
        for key, value in consensus.items()
    }


def justification(criterion: str, score: Decimal, scale: Scale) -> str:
    band = "low" if score < scale.low + (scale.high - scale.low) * Decimal("0.5") else "mid"
    if score >= scale.low + (scale.high - scale.low) * Decimal("0.8"):
        band = "high"
    return f"{criterion.capitalize()}: {COMMENTS[band]}."


def score_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _hash(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:16], 16)


def _unit(*parts: object) -> Decimal:
    return Decimal(_hash(*parts) % 10_000) / 10_000
