"""Start a call from a topic: a call draft in call_definition, through its public HTTP API, with the topic's S3
area, its regions and their indicative budgets filled in; the call and this service both remember the topic.

The agency's own token goes with the request, so call_definition decides whether the agency may create the call.
No transaction is open here while call_definition is asked: the regions are read in a short session of their
own, and the link to the new call is written afterwards, in the request's session.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import Audited, AuditTrail
from shared.errors import FieldError
from shared.http.principal import Principal
from shared.service import Runtime

from ..analysis import ranked_topics
from ..domain.topics import Topic, TopicRegion
from ..errors import CallDefinitionRefused, CallDefinitionUnavailable, MissingBudget, RegionNotInTopic, UnknownTopic
from ..models import TopicCall, audit_log
from ..repository import all_region_priorities

# What a region's annex holds when the request says nothing for it: every organisation type, common rates.
DEFAULT_ANNEX: dict[str, Any] = {
    "eligible_organisation_types": [
        "sme",
        "large_enterprise",
        "university",
        "research_organisation",
        "cluster_organisation",
    ],
    "funding_rates": {
        "sme": "0.5",
        "large_enterprise": "0.3",
        "university": "0.8",
        "research_organisation": "0.8",
        "cluster_organisation": "0.6",
    },
}
DEFAULT_EVALUATION: dict[str, Any] = {
    "scale": {"min": 0, "max": 5, "step": 0.5},
    "criteria": [
        {"key": "excellence", "name": "Excellence", "weight": 1, "threshold": 3},
        {"key": "impact", "name": "Impact", "weight": 1.5, "threshold": 3},
        {"key": "implementation", "name": "Quality and efficiency of the implementation", "weight": 1, "threshold": 3},
    ],
    "overall_threshold": 10,
    "evaluators_per_proposal": 3,
    "tie_break": ["excellence", "impact"],
}


async def start_call_from_topic(
    session: AsyncSession,
    runtime: Runtime,
    actor: Principal,
    *,
    topic_id: str,
    request: Mapping[str, Any],
    client: httpx.AsyncClient,
    authorization: str,
    reporting_currency: str,
    rates: Mapping[str, Decimal],
) -> tuple[TopicCall, dict[str, Any]]:
    """The call draft created from the topic (call_definition's answer) and the record linking the two.

    `request` holds the call's own fields (`code`, `stages`, optional `title`, `evaluation` and any other field of
    a call configuration under `call`), which regions to take (`regions`, default every region of the topic),
    budgets replacing the indicative ones (`budgets`) and, per region, the annex's rules (`region_rules`).
    """
    async with runtime.sessions() as reading:
        regions = await all_region_priorities(reading)
    topics = ranked_topics(regions, k=1, reporting_currency=reporting_currency, rates=rates)
    topic = next((t for t in topics if t.id == topic_id), None)
    if topic is None:
        raise UnknownTopic(f"No region prioritises {topic_id}.")
    chosen = _chosen_regions(topic, request.get("regions"))
    body = _call_draft(topic, chosen, request, reporting_currency=reporting_currency, rates=rates)
    created = await _create(client, body, authorization)
    link = TopicCall(
        id=str(uuid.uuid4()),
        topic_id=topic.id,
        call_id=str(created["id"]),
        call_code=str(created["code"]),
        regions=[r.code for r in chosen],
        created_at=runtime.clock.now(),
        created_by=actor.label,
    )
    session.add(link)
    await session.flush()
    after = {"call_id": link.call_id, "call_code": link.call_code, "regions": link.regions}
    await AuditTrail(session, audit_log, runtime.clock, actor.actor).record(
        "topic.call_started", Audited("topic", topic.id, link.call_id), after=after
    )
    return link, created


def _call_draft(
    topic: Topic,
    regions: list[TopicRegion],
    request: Mapping[str, Any],
    *,
    reporting_currency: str,
    rates: Mapping[str, Decimal],
) -> dict[str, Any]:
    """The call configuration sent to call_definition (see start_call_from_topic for `request`)."""
    budgets: Mapping[str, Any] = request.get("budgets") or {}
    rules: Mapping[str, Mapping[str, Any]] = request.get("region_rules") or {}
    missing = [r.code for r in regions if r.code not in budgets and r.indicative_budget <= 0]
    if missing:
        raise MissingBudget(
            f"No indicative budget for {', '.join(missing)} on {topic.id}: give one in `budgets`.",
            errors=[
                FieldError(f"budgets.{code}", "this region's matching priorities give no budget") for code in missing
            ],
        )
    annexes = []
    for region in regions:
        own = dict(rules.get(region.code) or {})
        annexes.append(
            {
                **DEFAULT_ANNEX,
                "agency": region.programmes[0] if region.programmes else f"{region.name} funding agency",
                **own,
                "code": region.code,
                "name": region.name,
                "currency": region.currency,
                "budget": str(budgets.get(region.code, region.indicative_budget)),
                "s3_areas": [topic.label],
            }
        )
    currencies = sorted({r.currency for r in regions} - {reporting_currency})
    return {
        "title": f"Joint call on {topic.label}",
        "description": f"A synchronised call of {len(regions)} regions whose S3 priorities share "
        f"{topic.label} ({topic.id}).",
        "evaluation": DEFAULT_EVALUATION,
        **dict(request.get("call") or {}),
        "code": request["code"],
        "stages": request["stages"],
        **({"title": request["title"]} if request.get("title") else {}),
        **({"evaluation": request["evaluation"]} if request.get("evaluation") else {}),
        "topics": [topic.label],
        "funding": {
            "reporting_currency": reporting_currency,
            "reporting_rates": {c: str(rates[c]) for c in currencies if c in rates},
        },
        "regions": annexes,
        "s3_topic": {"id": topic.id, "label": topic.label, "regions": [r.code for r in regions]},
    }


def _chosen_regions(topic: Topic, wanted: Any) -> list[TopicRegion]:
    if not wanted:
        return list(topic.regions)
    by_code = {r.code: r for r in topic.regions}
    unknown = [(i, code) for i, code in enumerate(wanted) if code not in by_code]
    if unknown:
        raise RegionNotInTopic(
            f"Not every region asked for prioritises {topic.id}.",
            errors=[FieldError(f"regions.{i}", f"{code} has no priority on {topic.id}") for i, code in unknown],
        )
    return [by_code[code] for code in sorted(set(wanted))]


async def _create(client: httpx.AsyncClient, body: dict[str, Any], authorization: str) -> dict[str, Any]:
    try:
        response = await client.post("/calls", json=body, headers={"Authorization": authorization})
    except httpx.HTTPError as exc:
        raise CallDefinitionUnavailable(f"call_definition could not be reached: {exc!r}") from exc
    if response.status_code == 201:
        created: dict[str, Any] = response.json()
        return created
    if response.status_code >= 500:
        raise CallDefinitionUnavailable(f"call_definition answered {response.status_code}.")
    try:
        problem = response.json()
    except ValueError:
        problem = {"detail": response.text}
    errors = [
        FieldError(f"call.{e.get('field', '')}".rstrip("."), str(e.get("message", "")))
        for e in problem.get("errors", [])
        if isinstance(e, dict)
    ]
    raise CallDefinitionRefused(
        response.status_code, f"call_definition refused the draft: {problem.get('detail', '')}", errors, problem
    )
