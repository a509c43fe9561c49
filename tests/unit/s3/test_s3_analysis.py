"""The synergy matrix, candidate topics and complementarity of s3_strategy, on hand-computed data."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from services.s3_strategy.domain.charts import colour, heatmap_svg, topics_svg
from services.s3_strategy.domain.importing import parse_json
from services.s3_strategy.domain.model import Priority, RegionPriorities
from services.s3_strategy.domain.relatedness import complementary_domains, proximities
from services.s3_strategy.domain.synergy import synergy_matrix, tokens
from services.s3_strategy.domain.topics import MissingRate, candidate_topics
from services.s3_strategy.examples import alpine_priorities

from .fixtures import three_regions

CHF = {"CHF": Decimal("1.05")}
# TF-IDF of "Robots machines" / "Robots energy" / "Farming": idf(robots) = ln(4/3) + 1, the others ln(4/2) + 1.
IDF_SHARED, IDF_OWN = math.log(4 / 3) + 1, math.log(2) + 1
TEXT_AB = IDF_SHARED**2 / (IDF_SHARED**2 + IDF_OWN**2)


def test_the_matrix_of_three_regions_has_the_hand_computed_values() -> None:
    matrix = synergy_matrix(three_regions())
    assert matrix.regions == ("AT-4", "CH-FR", "SI")
    # coded: NACE cosine 1 (28 and its section C), NABS 0 (06 vs 05), objectives 1: (0.4 + 0 + 0.3) / 1.0
    assert matrix.coded[0][1] == 0.7
    assert matrix.text[0][1] == round(TEXT_AB, 6)
    assert matrix.value("AT-4", "CH-FR") == round(0.7 * 0.7 + 0.3 * TEXT_AB, 6)
    # Slovenia shares no code and no word with either
    assert matrix.value("AT-4", "SI") == 0.0 and matrix.value("CH-FR", "SI") == 0.0


def test_the_matrix_is_symmetric_with_ones_on_the_diagonal_and_values_between_zero_and_one() -> None:
    regions, _ = parse_json(alpine_priorities())
    matrix = synergy_matrix(regions)
    n = len(matrix.regions)
    for part in (matrix.combined, matrix.coded, matrix.text):
        for i in range(n):
            assert part[i][i] == 1.0
            for j in range(n):
                assert part[i][j] == part[j][i]
                assert 0.0 <= part[i][j] <= 1.0


def test_the_matrix_and_the_topics_do_not_depend_on_the_order_of_regions_or_priorities() -> None:
    regions, _ = parse_json(alpine_priorities())
    rng = random.Random(3)
    shuffled = [replace(r, priorities=tuple(rng.sample(r.priorities, len(r.priorities)))) for r in regions]
    rng.shuffle(shuffled)
    assert synergy_matrix(shuffled) == synergy_matrix(regions)
    assert candidate_topics(shuffled, synergy_matrix(shuffled), k=2, rates=CHF) == candidate_topics(
        regions, synergy_matrix(regions), k=2, rates=CHF
    )


def test_a_division_and_its_section_overlap_and_a_dimension_nobody_codes_is_left_out() -> None:
    a = RegionPriorities("AT-4", "A", priorities=(Priority("x", "Alpha", nace=("C",)),))
    b = RegionPriorities("SI", "B", priorities=(Priority("y", "Beta", nace=("28",)),))
    matrix = synergy_matrix([a, b])
    # vectors {C: 1} and {28: 1, C: 1}: cosine 1/sqrt(2); NABS and objectives coded by neither: weight NACE only
    assert matrix.coded[0][1] == round(1 / math.sqrt(2), 6)


def test_a_region_without_codes_or_text_similar_to_nobody_still_gets_its_diagonal() -> None:
    a = RegionPriorities("AT-4", "A", priorities=(Priority("x", "Alpha"),))
    b = RegionPriorities("SI", "B", priorities=(Priority("y", "Beta"),))
    matrix = synergy_matrix([a, b])
    assert matrix.combined == ((1.0, 0.0), (0.0, 1.0))
    assert synergy_matrix([]).regions == ()


def test_tokens_are_lower_cased_words_of_three_letters_or_more_without_stop_words() -> None:
    assert tokens("The Wood- and bio-based ECONOMY of Südtirol, 4.0 AI") == ["wood", "bio", "economy", "südtirol"]


def test_topics_are_ranked_by_regions_then_similarity_then_budget_then_dimension_and_code() -> None:
    regions = three_regions()
    topics = candidate_topics(regions, synergy_matrix(regions), k=2, rates=CHF)
    # NACE 28 and the objective are shared by the same two regions with the same priorities: a tie to the code list
    assert [t.id for t in topics] == ["nace:28", "objective:key_enabling_technologies"]
    top = topics[0]
    assert top.label == "Manufacture of machinery and equipment n.e.c."
    assert [r.code for r in top.regions] == ["AT-4", "CH-FR"]
    assert top.similarity == synergy_matrix(regions).value("AT-4", "CH-FR")
    assert top.total_budget == Decimal("152.50")  # 100 EUR + 50 CHF at 1.05
    assert top.regions[1].programmes == ("NRP Fribourg",)

    everything = candidate_topics(regions, synergy_matrix(regions), k=1, rates=CHF)
    assert [t.region_count for t in everything] == sorted((t.region_count for t in everything), reverse=True)
    singles = [t for t in everything if t.region_count == 1]
    assert all(t.similarity == 1.0 for t in singles)
    # among single-region topics the larger budget comes first
    assert [t.total_budget for t in singles] == sorted((t.total_budget for t in singles), reverse=True)


def test_more_regions_beat_similarity_and_similarity_beats_budget() -> None:
    def region(code: str, nace: tuple[str, ...], budget: str, title: str) -> RegionPriorities:
        return RegionPriorities(
            code, code, priorities=(Priority("p", title, nace=nace, indicative_budget=Decimal(budget)),)
        )

    regions = [
        region("AT-4", ("28", "10"), "10", "machines food"),
        region("AT-5", ("28", "10"), "10", "machines food"),
        region("SI", ("28", "62"), "900", "software"),
        region("DE-BY", ("62",), "900", "software"),
    ]
    topics = candidate_topics(regions, synergy_matrix(regions), k=2)
    assert [t.id for t in topics] == ["nace:28", "nace:10", "nace:62"]
    assert topics[1].similarity > topics[2].similarity and topics[1].total_budget < topics[2].total_budget


def test_k_above_the_number_of_regions_gives_no_topic_and_k_below_one_is_refused() -> None:
    regions = three_regions()
    assert candidate_topics(regions, synergy_matrix(regions), k=4, rates=CHF) == []
    with pytest.raises(ValueError):
        candidate_topics(regions, synergy_matrix(regions), k=0)


def test_a_region_with_no_codes_is_in_no_topic_and_a_missing_rate_is_named() -> None:
    regions = [*three_regions(), RegionPriorities("DE-BY", "Bavaria", priorities=(Priority("p", "Robots"),))]
    topics = candidate_topics(regions, synergy_matrix(regions), k=1, rates=CHF)
    assert all("DE-BY" not in {r.code for r in t.regions} for t in topics)
    with pytest.raises(MissingRate) as raised:
        candidate_topics(regions, synergy_matrix(regions), k=2)
    assert raised.value.currency == "CHF"


def test_relatedness_is_the_product_space_density_over_co_occurring_codes() -> None:
    def region(code: str, *priorities: Priority) -> RegionPriorities:
        return RegionPriorities(code, code, priorities=priorities)

    regions = [
        region("AT-4", Priority("a", "A", nace=("28", "26"))),
        region("AT-5", Priority("a", "A", nace=("28", "26")), Priority("b", "B", nace=("28",))),
        region("SI", Priority("a", "A", nace=("26", "62"))),
        region("DE-BY", Priority("a", "A", nace=("62",), nabs=("06",))),
    ]
    phi = proximities(regions)
    assert phi[("nace:26", "nace:28")] == pytest.approx(2 / 3)  # together twice, each 3 times
    assert phi[("nace:26", "nace:62")] == pytest.approx(1 / 3)
    assert phi[("nabs:06", "nace:62")] == pytest.approx(1 / 2)
    [related] = complementary_domains(regions, "AT-4")
    # around 62: 26 (1/3, Upper Austria has it) and NABS 06 (1/2, it has not): (1/3) / (1/3 + 1/2)
    assert related.id == "nace:62" and related.density == round(0.4, 6)
    assert related.partners == ("DE-BY", "SI")
    with pytest.raises(KeyError):
        complementary_domains(regions, "IT-21")


def test_the_heatmap_has_a_cell_per_pair_and_is_the_same_bytes_for_the_same_data() -> None:
    matrix = synergy_matrix(three_regions())
    svg = heatmap_svg(matrix)
    root = ElementTree.fromstring(svg)  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and svg.count("<rect") == 9 + 11  # cells and the legend
    assert "AT-4 - CH-FR: " in svg
    assert svg == heatmap_svg(synergy_matrix(list(reversed(three_regions()))))
    assert colour(0) == "#ffffff" and colour(1) == "#084594"


def test_the_topics_chart_has_a_bar_per_topic_with_its_budget() -> None:
    regions = three_regions()
    topics = candidate_topics(regions, synergy_matrix(regions), k=2, rates=CHF)
    svg = topics_svg(topics)
    ElementTree.fromstring(svg)
    assert svg.count("<rect") == 2
    assert "2 regions" in svg and "153 EUR" in svg
