"""Presenting s3_strategy's domain objects as responses."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Response

from shared.pagination import Page, Window, page_of
from shared.presenting import presented

from ..domain.codes import CodeList
from ..domain.importing import region_to_json, to_csv, to_json
from ..domain.model import RegionPriorities, StoredRegion
from ..domain.relatedness import RelatedDomain
from ..domain.synergy import SynergyMatrix
from ..domain.topics import Topic
from ..models import TopicCall
from .schemas import (
    CodeListOut,
    ImportOut,
    MatrixOut,
    RegionOut,
    RelatedDomainOut,
    StartedCallOut,
    TopicCallOut,
    TopicOut,
    TopicsOut,
)

SVG = "image/svg+xml"
FORMULA = "synergy = 0.7 * coded + 0.3 * text; coded = weighted cosine over NACE (0.4), NABS (0.3), objectives (0.3)"


def code_list_out(code_list: CodeList) -> CodeListOut:
    return presented(CodeListOut, code_list, dimension=code_list.dimension.value)


def region_out(region: RegionPriorities, revision: int) -> RegionOut:
    return RegionOut.model_validate({**region_to_json(region), "revision": revision})


def region_page(regions: Window[StoredRegion]) -> Page[RegionOut]:
    return page_of(regions, lambda stored: region_out(stored.region, stored.revision))


def import_out(regions: list[RegionPriorities]) -> ImportOut:
    return ImportOut(regions=[r.code for r in regions], priorities=sum(len(r.priorities) for r in regions))


def matrix_out(matrix: SynergyMatrix) -> MatrixOut:
    return presented(MatrixOut, matrix, formula=FORMULA)


def matrix_csv(matrix: SynergyMatrix) -> str:
    lines = ["region," + ",".join(matrix.regions)]
    lines += [
        f"{code}," + ",".join(f"{v:.6f}" for v in row)
        for code, row in zip(matrix.regions, matrix.combined, strict=True)
    ]
    return "\n".join(lines) + "\n"


def topic_out(topic: Topic) -> TopicOut:
    """The topic as it is: the response's fields (nested regions and priorities too) are the topic's."""
    return TopicOut.model_validate(topic, from_attributes=True)


def related_out(domain: RelatedDomain) -> RelatedDomainOut:
    return RelatedDomainOut.model_validate(domain, from_attributes=True)


def topic_call_out(link: TopicCall) -> TopicCallOut:
    return TopicCallOut.model_validate(link, from_attributes=True)


def topics_out(topics: list[Topic], *, k: int, reporting_currency: str, limit: int) -> TopicsOut:
    return TopicsOut(k=k, reporting_currency=reporting_currency, topics=[topic_out(t) for t in topics[:limit]])


def started_call_out(link: TopicCall, created: dict[str, Any]) -> StartedCallOut:
    return StartedCallOut(**topic_call_out(link).model_dump(), call=created)


def export_response(regions: list[RegionPriorities], format: Literal["json", "csv"]) -> Response:
    if format == "csv":
        return Response(to_csv(regions), media_type="text/csv; charset=utf-8")
    return Response(to_json(regions), media_type="application/json")


def matrix_csv_response(matrix: SynergyMatrix) -> Response:
    return Response(matrix_csv(matrix), media_type="text/csv; charset=utf-8")


def svg_response(svg: str) -> Response:
    return Response(svg, media_type=SVG)
