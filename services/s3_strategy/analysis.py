"""The candidate joint topics of a set of regions, ranked, with a missing exchange rate as the client's error:
what reading the topics and starting a call from one share."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from shared.errors import FieldError

from .domain import topics as topics_domain
from .domain.model import RegionPriorities
from .domain.synergy import synergy_matrix
from .domain.topics import Topic, candidate_topics
from .errors import MissingRate


def ranked_topics(
    regions: list[RegionPriorities], *, k: int, reporting_currency: str, rates: Mapping[str, Decimal]
) -> list[Topic]:
    try:
        return candidate_topics(
            regions, synergy_matrix(regions), k=k, reporting_currency=reporting_currency, rates=rates
        )
    except topics_domain.MissingRate as exc:
        raise MissingRate(
            f"No rate from {exc.currency} to {exc.reporting_currency}: pass rate={exc.currency}:<rate>.",
            errors=[FieldError("rate", str(exc), location="query")],
        ) from exc
