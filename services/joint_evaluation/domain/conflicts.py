"""Conflicts of interest between evaluators and proposals (pure, no I/O).

Rules, exactly: an evaluator is in conflict with a proposal when

* it works for the same organisation as any partner: the normalised organisation names are equal, or both
  legal identifiers are given and equal once normalised (always on: it cannot be switched off);
* it declared a conflict with the proposal itself;
* the call asks for it (``same_region`` / ``same_country``) and the evaluator's region / country is that of any
  partner (a partner without a country counts as the country of its region code, e.g. AT-4 -> AT).

Names are normalised so that spelling variants of one organisation match: accents removed, case folded, dots and
apostrophes dropped (``S.p.A.`` -> ``spa``), any other punctuation a separator, and legal-form suffixes such as
GmbH, AG, SA, Srl or Ltd removed from the end (``Alpha GmbH & Co. KG`` -> ``alpha``). Legal identifiers keep only
their letters and digits, case folded (``ATU 123-456`` -> ``atu123456``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

LEGAL_FORMS = frozenset(
    {
        "ab", "ag", "as", "asa", "bv", "co", "corp", "corporation", "cv", "doo", "eg", "ev", "gbr", "gmbh", "inc",
        "kg", "kgaa", "llc", "llp", "ltd", "limited", "nv", "og", "ohg", "oy", "plc", "sa", "sagl", "sarl", "sas",
        "scarl", "scrl", "se", "snc", "spa", "sro", "srl", "ug",
    }
)  # fmt: skip

_DROPPED = re.compile("[.'\u2019]")  # dots and apostrophes, typographic ones too
_SEPARATORS = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class ExpertFacts:
    evaluator_id: str
    organisation: str
    country: str
    legal_id: str | None = None
    region_code: str | None = None


@dataclass(frozen=True, slots=True)
class PartnerFacts:
    organisation_name: str
    region_code: str
    legal_id: str | None = None
    country: str | None = None

    @property
    def country_code(self) -> str:
        return self.country or self.region_code[:2]


@dataclass(frozen=True, slots=True)
class ConflictPolicy:
    same_region: bool = False
    same_country: bool = False


def normalise_organisation(name: str) -> str:
    """The organisation name reduced to what identifies it (see the module docstring)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    tokens = _SEPARATORS.sub(" ", _DROPPED.sub("", ascii_name.casefold())).split()
    core = list(tokens)
    while core and core[-1] in LEGAL_FORMS:
        core.pop()
    return " ".join(core or tokens)  # a name that is only a legal form stays itself


def normalise_legal_id(legal_id: str | None) -> str:
    return "".join(ch for ch in (legal_id or "").casefold() if ch.isalnum())


def conflict_reasons(
    expert: ExpertFacts, partners: Sequence[PartnerFacts], policy: ConflictPolicy, declared: str | None = None
) -> list[str]:
    """Why the expert may not evaluate a proposal with these partners; empty when it may."""
    return _reasons(_expert(expert), [_partner(p) for p in partners], policy, declared)


def conflicted_pairs(
    experts: Iterable[ExpertFacts],
    partners_by_proposal: Mapping[str, Sequence[PartnerFacts]],
    policy: ConflictPolicy,
    declared: Iterable[tuple[str, str]] = (),
) -> frozenset[tuple[str, str]]:
    """Every conflicted (evaluator id, proposal id) pair among these experts and proposals."""
    declared_pairs = frozenset(declared)
    # Normalise once: 100 experts x 500 proposals x 4 partners would otherwise normalise 200,000 names.
    normalised = {pid: [_partner(p) for p in partners] for pid, partners in partners_by_proposal.items()}
    return frozenset(
        (expert.facts.evaluator_id, proposal_id)
        for expert in map(_expert, experts)
        for proposal_id, partners in normalised.items()
        if (expert.facts.evaluator_id, proposal_id) in declared_pairs or _reasons(expert, partners, policy, None)
    )


F = TypeVar("F", ExpertFacts, PartnerFacts)


@dataclass(frozen=True, slots=True)
class _Normalised(Generic[F]):
    """An expert's or a partner's facts with its organisation name and legal id normalised once, for comparing."""

    facts: F
    organisation: str
    legal_id: str


def _expert(expert: ExpertFacts) -> _Normalised[ExpertFacts]:
    return _Normalised(expert, normalise_organisation(expert.organisation), normalise_legal_id(expert.legal_id))


def _partner(partner: PartnerFacts) -> _Normalised[PartnerFacts]:
    return _Normalised(partner, normalise_organisation(partner.organisation_name), normalise_legal_id(partner.legal_id))


def _reasons(
    expert: _Normalised[ExpertFacts],
    partners: Sequence[_Normalised[PartnerFacts]],
    policy: ConflictPolicy,
    declared: str | None,
) -> list[str]:
    reasons = [f"declared: {declared}"] if declared is not None else []
    for partner in partners:
        name = partner.facts.organisation_name
        if expert.organisation and partner.organisation == expert.organisation:
            reasons.append(f"same organisation as partner {name}")
        elif expert.legal_id and partner.legal_id == expert.legal_id:
            reasons.append(f"same legal identifier as partner {name}")
    facts = expert.facts
    if policy.same_region and facts.region_code in {p.facts.region_code for p in partners}:
        reasons.append(f"from region {facts.region_code}, like a partner")
    if policy.same_country and facts.country in {p.facts.country_code for p in partners}:
        reasons.append(f"from country {facts.country}, like a partner")
    return reasons
