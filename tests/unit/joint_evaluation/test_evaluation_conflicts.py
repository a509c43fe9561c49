"""joint_evaluation's conflict-of-interest rules: normalised organisation names and legal ids, declared
conflicts, and the call's optional same-region / same-country rule."""

from __future__ import annotations

import pytest

from services.joint_evaluation.domain.conflicts import (
    ConflictPolicy,
    ExpertFacts,
    PartnerFacts,
    conflict_reasons,
    conflicted_pairs,
    normalise_legal_id,
    normalise_organisation,
)

ALPHA = PartnerFacts("Alpha GmbH", "AT-4", legal_id="ATU12345678", country="AT")
FRIBOURG = PartnerFacts("Université de Fribourg", "CH-FR")
PARTNERS = [ALPHA, FRIBOURG]


def expert(organisation: str, country: str = "IT", **extra: str) -> ExpertFacts:
    return ExpertFacts(evaluator_id="e1", organisation=organisation, country=country, **extra)


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Alpha GmbH", "alpha"),
        ("ALPHA AG", "alpha"),
        ("Alpha GmbH & Co. KG", "alpha"),
        ("alpha s.p.a.", "alpha"),
        ("Beta Ltd.", "beta"),
        ("Gamma S.r.l.", "gamma"),
        ("Delta SA", "delta"),
        ("Université de Fribourg", "universite de fribourg"),
        ("Universite de  Fribourg", "universite de fribourg"),
        ("L'Oréal Research", "loreal research"),
        ("AG Solar Systems", "ag solar systems"),  # a legal form only counts at the end
        ("GmbH", "gmbh"),  # nothing but a legal form: kept as it is
    ],
)
def test_organisation_names_are_normalised(name: str, normalised: str) -> None:
    assert normalise_organisation(name) == normalised


def test_legal_ids_keep_only_letters_and_digits() -> None:
    assert normalise_legal_id("atu 123-456.78") == normalise_legal_id("ATU12345678") == "atu12345678"
    assert normalise_legal_id(None) == ""


def test_the_same_organisation_under_another_legal_form_is_a_conflict() -> None:
    assert conflict_reasons(expert("ALPHA AG"), PARTNERS, ConflictPolicy()) == [
        "same organisation as partner Alpha GmbH"
    ]
    assert conflict_reasons(expert("Universite de Fribourg"), PARTNERS, ConflictPolicy()) != []


def test_the_same_legal_identifier_is_a_conflict_whatever_the_name() -> None:
    reasons = conflict_reasons(expert("A Holding", legal_id="atu-1234 5678"), PARTNERS, ConflictPolicy())
    assert reasons == ["same legal identifier as partner Alpha GmbH"]
    assert conflict_reasons(expert("A Holding", legal_id="XYZ"), PARTNERS, ConflictPolicy()) == []


def test_a_declared_conflict_counts_with_its_reason() -> None:
    assert conflict_reasons(expert("Elsewhere"), PARTNERS, ConflictPolicy(), declared="co-author") == [
        "declared: co-author"
    ]


def test_region_and_country_count_only_when_the_call_asks() -> None:
    austrian = expert("Elsewhere", country="AT", region_code="AT-4")
    swiss = expert("Elsewhere", country="CH")  # FRIBOURG has no country: its region code's (CH) counts
    assert conflict_reasons(austrian, PARTNERS, ConflictPolicy()) == []
    assert conflict_reasons(austrian, PARTNERS, ConflictPolicy(same_region=True)) == [
        "from region AT-4, like a partner"
    ]
    assert conflict_reasons(swiss, PARTNERS, ConflictPolicy(same_country=True)) == ["from country CH, like a partner"]
    assert conflict_reasons(swiss, PARTNERS, ConflictPolicy(same_region=True)) == []


def test_conflicted_pairs_cover_every_expert_and_proposal() -> None:
    experts = [
        ExpertFacts("colleague", "Alpha AG", "IT"),
        ExpertFacts("declared", "Elsewhere", "IT"),
        ExpertFacts("clean", "Elsewhere", "IT"),
    ]
    pairs = conflicted_pairs(
        experts,
        {"p1": PARTNERS, "p2": [PartnerFacts("Other Srl", "IT-25")]},
        ConflictPolicy(),
        declared=[("declared", "p2")],
    )
    assert pairs == {("colleague", "p1"), ("declared", "p2")}
