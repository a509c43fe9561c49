"""Routes of s3_strategy: regions' S3 priorities (each region edits its own), the synergy matrix, candidate joint
topics, complementary domains, and starting a call draft from a topic."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import FieldError, ValidationFailed
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import Cursor, Limit
from shared.http.roles import Agency, AgencyOrRegion
from shared.pagination import Page
from shared.service import DbSession, RuntimeDep

from ..call_definition_client import call_definition_client
from ..domain.charts import heatmap_svg, topics_svg
from ..domain.codes import Dimension, code_lists
from ..domain.topics import Topic
from ..settings import Settings
from ..use_cases.export_priorities import export_priorities
from ..use_cases.import_regions import import_regions
from ..use_cases.list_region_priorities import list_region_priorities
from ..use_cases.list_topic_calls import list_topic_calls
from ..use_cases.read_complementarity import complementarity_of
from ..use_cases.read_matrix import matrix_of
from ..use_cases.read_region import read_region
from ..use_cases.read_topics import topics_of
from ..use_cases.save_region import save_region
from ..use_cases.start_call import start_call_from_topic
from .presenters import (
    SVG,
    code_list_out,
    export_response,
    import_out,
    matrix_csv_response,
    matrix_out,
    region_out,
    region_page,
    related_out,
    started_call_out,
    svg_response,
    topic_call_out,
    topics_out,
)
from .schemas import (
    CodeListOut,
    ImportOut,
    MatrixOut,
    RegionIn,
    RegionOut,
    RelatedDomainOut,
    StartCallIn,
    StartedCallOut,
    TopicCallOut,
    TopicsOut,
)

router = APIRouter(tags=["s3"], route_class=ExactJsonRoute)
Reader = AgencyOrRegion
RegionPath = Annotated[str, Path(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$", examples=["AT-4"])]
TopicPath = Annotated[str, Path(max_length=120, examples=["nace:28"])]
K = Annotated[int, Query(ge=1, le=500, description="Topics shared by at least k regions")]
Rates = Annotated[
    list[str] | None,
    Query(description="CUR:rate, e.g. CHF:1.05 (1 CHF = 1.05 of the reporting currency); default: the settings"),
]


async def _topics(request: Request, session: AsyncSession, k: int, rate: list[str] | None) -> list[Topic]:
    """The candidate topics the topic routes present, in the app's reporting currency at the asked rates."""
    settings: Settings = request.app.state.settings
    rates = _rates(request, rate)
    _regions, topics = await topics_of(session, k=k, reporting_currency=settings.reporting_currency, rates=rates)
    return topics


def _rates(request: Request, given: list[str] | None) -> dict[str, Decimal]:
    settings: Settings = request.app.state.settings
    rates = dict(settings.reporting_rates)
    errors: list[FieldError] = []
    for index, text in enumerate(given or []):
        currency, _, value = text.partition(":")
        try:
            rate = Decimal(value)
        except InvalidOperation:
            rate = Decimal(0)
        if len(currency) != 3 or not currency.isupper() or not rate.is_finite() or rate <= 0:
            errors.append(FieldError(f"rate.{index}", f"{text!r} is not CUR:rate with a positive rate", "query"))
        else:
            rates[currency] = rate
    if errors:
        raise ValidationFailed("A rate is not valid.", errors=errors)
    return rates


@router.get(
    "/codes/{dimension}", response_model=CodeListOut, summary="A code list (nace, nabs, objective), with its source"
)
async def get_codes(dimension: Dimension, _: Reader) -> CodeListOut:
    return code_list_out(code_lists()[dimension])


@router.get("/regions", response_model=Page[RegionOut], summary="Every region's S3 priorities, by region code")
async def get_regions(session: DbSession, _: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[RegionOut]:
    return region_page(await list_region_priorities(session, cursor=cursor, limit=limit))


@router.get("/regions/{code}", response_model=RegionOut, summary="A region's S3 priorities")
async def get_one_region(code: RegionPath, session: DbSession, _: Reader) -> RegionOut:
    stored = await read_region(session, code=code)
    return region_out(stored.region, stored.revision)


@router.put(
    "/regions/{code}",
    response_model=RegionOut,
    summary="Replace a region's priorities (the agency, or that region's own back office)",
)
async def put_region(
    code: RegionPath,
    body: RegionIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Reader,
) -> RegionOut:
    saved = await save_region(session, runtime, principal, code, body.model_dump(mode="json"))
    return region_out(saved.region, saved.revision)


@router.post(
    "/imports",
    response_model=ImportOut,
    status_code=status.HTTP_201_CREATED,
    summary="Import regions' priorities from JSON or CSV (text/csv): all or nothing, every error at once "
    "(a region's token: only its own region)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def post_import(request: Request, session: DbSession, runtime: RuntimeDep, principal: Reader) -> ImportOut:
    content = await request.body()
    regions = await import_regions(session, runtime, principal, content, request.headers.get("content-type", ""))
    return import_out(regions)


@router.get(
    "/exports",
    summary="Every region's priorities, in the import format (JSON or CSV)",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def get_export(session: DbSession, _: Agency, format: Literal["json", "csv"] = "json") -> Response:
    regions = await export_priorities(session)
    return export_response(regions, format)


@router.get(
    "/analysis/matrix",
    response_model=MatrixOut,
    summary="The synergy matrix between regions (JSON, or ?format=csv for the combined values)",
    responses={200: {"content": {"text/csv": {}}}},
)
async def get_matrix(session: DbSession, _: Agency, format: Literal["json", "csv"] = "json") -> Any:
    matrix = await matrix_of(session)
    return matrix_csv_response(matrix) if format == "csv" else matrix_out(matrix)


@router.get(
    "/analysis/matrix.svg",
    summary="The synergy matrix as a heatmap (SVG)",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}},
)
async def get_matrix_svg(session: DbSession, _: Agency) -> Response:
    return svg_response(heatmap_svg(await matrix_of(session)))


@router.get("/analysis/topics", response_model=TopicsOut, summary="Candidate joint topics shared by at least k regions")
async def get_topics(
    request: Request, session: DbSession, _: Agency, k: K = 2, limit: Limit = 50, rate: Rates = None
) -> TopicsOut:
    topics = await _topics(request, session, k, rate)
    return topics_out(topics, k=k, reporting_currency=request.app.state.settings.reporting_currency, limit=limit)


@router.get(
    "/analysis/topics.svg",
    summary="The candidate topics as a bar chart (SVG)",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}},
)
async def get_topics_svg(
    request: Request, session: DbSession, _: Agency, k: K = 2, limit: Limit = 20, rate: Rates = None
) -> Response:
    return svg_response(topics_svg((await _topics(request, session, k, rate))[:limit]))


@router.get(
    "/analysis/regions/{code}/complementarity",
    response_model=list[RelatedDomainOut],
    summary="Domains related to a region's own that other regions are strong in (relatedness density)",
)
async def get_complementarity(
    code: RegionPath, session: DbSession, _: Agency, limit: Limit = 10
) -> list[RelatedDomainOut]:
    return [related_out(d) for d in await complementarity_of(session, code, limit=limit)]


@router.post(
    "/topics/{topic_id}/calls",
    response_model=StartedCallOut,
    status_code=status.HTTP_201_CREATED,
    summary="Start a call from this topic: a call draft in call_definition with its S3 area, regions and budgets",
)
async def post_topic_call(
    topic_id: TopicPath,
    body: StartCallIn,
    request: Request,
    session: DbSession,
    runtime: RuntimeDep,
    agency: Agency,
    rate: Rates = None,
) -> StartedCallOut:
    settings: Settings = request.app.state.settings
    async with call_definition_client(request) as client:
        link, created = await start_call_from_topic(
            session,
            runtime,
            agency,
            topic_id=topic_id,
            request=body.model_dump(mode="json", exclude_none=True),
            client=client,
            authorization=request.headers["authorization"],
            reporting_currency=settings.reporting_currency,
            rates=_rates(request, rate),
        )
    return started_call_out(link, created)


@router.get("/topics/{topic_id}/calls", response_model=list[TopicCallOut], summary="The calls started from a topic")
async def get_topic_calls(topic_id: TopicPath, session: DbSession, _: Agency) -> list[TopicCallOut]:
    return [topic_call_out(link) for link in await list_topic_calls(session, topic_id=topic_id)]
