"""Complementarity: for a region, the related domains it does not prioritise itself, where other regions are strong.

Relatedness follows the product-space proximity of Hidalgo, Klinger, Barabási and Hausmann, "The product space
conditions the development of nations", Science 317 (2007) 482-487, with priorities in the place of countries'
exports: over every priority of every region, N_i is the number of priorities coded with domain i and C_ij the
number coded with both i and j;

    proximity   phi_ij = C_ij / max(N_i, N_j)            (the smaller of the two conditional probabilities)
    density     omega_rj = sum_{i in S_r} phi_ij / sum_{i != j} phi_ij

S_r being the domains (NACE and NABS codes) of region r's priorities. omega_rj in [0, 1] says how close domain j
is to what region r already does; a j outside S_r with a high density is a complementary domain for r, and the
regions whose priorities carry j are the partners strong in it. Ranked by density, then the number of partner
regions, then the domain's id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from .codes import CodeList, Dimension, code_lists
from .model import RegionPriorities, canonical
from .topics import topic_id

DOMAINS = (Dimension.NACE, Dimension.NABS)


@dataclass(frozen=True)
class RelatedDomain:
    id: str  # "nace:28"
    label: str
    density: float
    partners: tuple[str, ...]  # the other regions prioritising it, by code


def proximities(regions: Sequence[RegionPriorities]) -> dict[tuple[str, str], float]:
    """phi_ij for every pair of domains that co-occur in some priority (both orders)."""
    single: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for region in canonical(list(regions)):
        for priority in region.priorities:
            domains = sorted({topic_id(d, c) for d in DOMAINS for c in priority.codes(d)})
            single.update(domains)
            pairs.update(combinations(domains, 2))
    phi: dict[tuple[str, str], float] = {}
    for (i, j), together in pairs.items():
        value = together / max(single[i], single[j])
        phi[(i, j)] = phi[(j, i)] = value
    return phi


def complementary_domains(
    regions: Sequence[RegionPriorities],
    region_code: str,
    *,
    limit: int = 10,
    lists: Mapping[Dimension, CodeList] | None = None,
) -> list[RelatedDomain]:
    """The domains related to `region_code`'s own, that it does not prioritise and some other region does."""
    lists = lists or code_lists()
    ordered = canonical(list(regions))
    own = next((r for r in ordered if r.code == region_code), None)
    if own is None:
        raise KeyError(region_code)
    domains_of = {r.code: {topic_id(d, c) for p in r.priorities for d in DOMAINS for c in p.codes(d)} for r in ordered}
    phi = proximities(ordered)
    mine = domains_of[region_code]
    neighbours: dict[str, list[tuple[str, float]]] = {}
    for (i, j), value in phi.items():
        neighbours.setdefault(j, []).append((i, value))
    found: list[RelatedDomain] = []
    for j in sorted(set().union(*domains_of.values()) - mine):
        around = neighbours.get(j, [])
        total = sum(value for _, value in around)
        if total == 0:
            continue
        density = round(sum(value for i, value in around if i in mine) / total, 6)
        if density == 0:
            continue
        partners = tuple(code for code in sorted(domains_of) if code != region_code and j in domains_of[code])
        dimension, code = j.split(":", 1)
        found.append(RelatedDomain(j, lists[Dimension(dimension)].title(code), density, partners))
    found.sort(key=lambda d: (-d.density, -len(d.partners), d.id))
    return found[:limit]
