"""The analyses an agency reads: the synergy matrix, the candidate topics, a region's complementary domains."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import FieldError

from ..domain import topics as topics_domain
from ..domain.model import RegionPriorities
from ..domain.relatedness import RelatedDomain, complementary_domains
from ..domain.synergy import SynergyMatrix, synergy_matrix
from ..domain.topics import Topic, candidate_topics
from ..errors import MissingRate, UnknownRegion
from ..repository import all_region_priorities


async def matrix_of(session: AsyncSession) -> SynergyMatrix:
    return synergy_matrix(await all_region_priorities(session))


async def topics_of(
    session: AsyncSession, *, k: int, reporting_currency: str, rates: Mapping[str, Decimal]
) -> tuple[list[RegionPriorities], list[Topic]]:
    regions = await all_region_priorities(session)
    return regions, ranked_topics(regions, k=k, reporting_currency=reporting_currency, rates=rates)


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


async def complementarity_of(session: AsyncSession, region_code: str, *, limit: int) -> list[RelatedDomain]:
    regions = await all_region_priorities(session)
    try:
        return complementary_domains(regions, region_code, limit=limit)
    except KeyError:
        raise UnknownRegion(f"No region {region_code} has priorities here.") from None
