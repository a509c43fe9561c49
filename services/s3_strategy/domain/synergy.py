"""The synergy matrix: how much each pair of regions' S3 priorities have in common, in [0, 1].

Two parts, combined as  synergy = ALPHA * coded + (1 - ALPHA) * text  (ALPHA = 0.7), diagonal 1:

- coded: per dimension d (NACE Rev.2, NABS 2007, policy objectives) each region is a vector of code counts (how
  many of its priorities carry the code; a NACE division also counts for its section). cos_d(a, b) is the cosine of
  the two vectors. coded(a, b) = sum_d w_d * cos_d(a, b) / sum_d w_d over the dimensions where a or b has any code
  (weights NACE 0.4, NABS 0.3, objectives 0.3): a dimension neither region codes says nothing either way, one that
  only one region codes counts as no overlap. No coded dimension at all: 0.
- text: TF-IDF cosine of the regions' priority texts (titles and descriptions together), with raw term counts,
  the smoothed idf ln((1 + n) / (1 + df)) + 1 (n regions, df regions using the term) and L2-normalised rows,
  tokens of 3+ letters or digits, lower-cased, a few English stop words left out. A region without text: 0.

Both are cosines of non-negative vectors, so each is in [0, 1], symmetric, and so is their convex combination.
Regions are taken in code order and every vocabulary in sorted order, and values are rounded to 6 decimals:
the same data, in whatever order it came, gives the same matrix byte for byte.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .codes import CodeList, Dimension, code_lists, nace_with_section
from .model import RegionPriorities, canonical

ALPHA = 0.7
WEIGHTS: Mapping[Dimension, float] = {Dimension.NACE: 0.4, Dimension.NABS: 0.3, Dimension.OBJECTIVE: 0.3}
DECIMALS = 6
TOKEN = re.compile(r"[^\W_]{3,}", re.UNICODE)
STOP_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "into",
        "that",
        "this",
        "their",
        "its",
        "are",
        "our",
        "new",
        "all",
        "based",
        "through",
        "such",
        "other",
        "more",
        "than",
        "also",
        "within",
        "between",
        "towards",
        "among",
    ]
)

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SynergyMatrix:
    regions: tuple[str, ...]  # region codes, in code order: rows and columns
    names: tuple[str, ...]
    combined: tuple[tuple[float, ...], ...]
    coded: tuple[tuple[float, ...], ...]
    text: tuple[tuple[float, ...], ...]

    def value(self, a: str, b: str) -> float:
        return self.combined[self.regions.index(a)][self.regions.index(b)]

    def index(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.regions)}


def synergy_matrix(
    regions: Sequence[RegionPriorities], lists: Mapping[Dimension, CodeList] | None = None
) -> SynergyMatrix:
    """The matrix of the given regions (see the module's docstring for the formula)."""
    lists = lists or code_lists()
    ordered = canonical(list(regions))
    n = len(ordered)
    if n == 0:
        return SynergyMatrix((), (), (), (), ())
    coded = coded_similarity(ordered, lists)
    text = text_similarity(ordered)
    combined = ALPHA * coded + (1 - ALPHA) * text
    for matrix in (coded, text, combined):
        np.fill_diagonal(matrix, 1.0)
    return SynergyMatrix(
        regions=tuple(r.code for r in ordered),
        names=tuple(r.name for r in ordered),
        combined=_rounded(combined),
        coded=_rounded(coded),
        text=_rounded(text),
    )


def coded_similarity(ordered: Sequence[RegionPriorities], lists: Mapping[Dimension, CodeList]) -> Matrix:
    n = len(ordered)
    total = np.zeros((n, n))
    weight = np.zeros((n, n))
    for dimension, w in WEIGHTS.items():
        counts = [_code_counts(region, dimension, lists) for region in ordered]
        vectors = _vectors(counts)
        present = np.asarray(vectors.any(axis=1), dtype=bool)
        relevant = present[:, None] | present[None, :]
        total += w * _cosines(vectors) * relevant
        weight += w * relevant
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(weight > 0, total / np.where(weight > 0, weight, 1.0), 0.0)
    return np.asarray(result, dtype=np.float64)


def text_similarity(ordered: Sequence[RegionPriorities]) -> Matrix:
    documents = [tokens(" ".join(f"{p.title} {p.description}" for p in region.priorities)) for region in ordered]
    counts = [Counter(document) for document in documents]
    vectors = _vectors(counts)
    if vectors.shape[1] == 0:
        return np.zeros((len(ordered), len(ordered)))
    n = len(ordered)
    df = (vectors > 0).sum(axis=0)
    idf = np.log((1 + n) / (1 + df)) + 1.0
    return _cosines(vectors * idf)


def tokens(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.casefold()) if t not in STOP_WORDS]


def _code_counts(region: RegionPriorities, dimension: Dimension, lists: Mapping[Dimension, CodeList]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for priority in region.priorities:
        codes: set[str] = set()
        for code in priority.codes(dimension):
            codes.update(nace_with_section(code, lists[Dimension.NACE]) if dimension is Dimension.NACE else (code,))
        counts.update(codes)
    return counts


def _vectors(counts: Sequence[Counter[str]]) -> Matrix:
    vocabulary = sorted(set().union(*counts)) if counts else []
    column = {term: j for j, term in enumerate(vocabulary)}
    vectors = np.zeros((len(counts), len(vocabulary)))
    for i, counter in enumerate(counts):
        for term, count in counter.items():
            vectors[i, column[term]] = count
    return vectors


def _cosines(vectors: Matrix) -> Matrix:
    norms = np.linalg.norm(vectors, axis=1)
    unit = vectors / np.where(norms > 0, norms, 1.0)[:, None]
    return np.clip(unit @ unit.T, 0.0, 1.0)


def _rounded(matrix: Matrix) -> tuple[tuple[float, ...], ...]:
    symmetric = (matrix + matrix.T) / 2  # exact symmetry whatever the floating-point order of the product
    return tuple(tuple(float(v) for v in row) for row in np.round(np.clip(symmetric, 0.0, 1.0), DECIMALS))
