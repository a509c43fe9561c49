"""The portal's client sends each service's paths to that service's own URL in the full stack."""

from __future__ import annotations

import httpx

from services.portal.api_client import Api


async def test_a_path_under_a_configured_prefix_goes_to_that_service_without_the_prefix() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"ok": True})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://embedded") as client:
        api = Api(client, "t", {"/joint-evaluation": "http://je:8000"})
        await api.get("/joint-evaluation/evaluators/me/proposals")
        await api.get("/regional-eligibility/checks")
    assert seen == ["http://je:8000/evaluators/me/proposals", "http://embedded/regional-eligibility/checks"]


def test_problem_errors_map_to_their_last_field_segment() -> None:
    from services.portal.api_client import ApiAnswer

    body = {"detail": "bad", "errors": [{"field": "justifications.impact", "message": "too short"}]}
    assert ApiAnswer(422, body).field_errors() == {"impact": "too short"}


def test_the_due_date_is_shown_in_the_calls_zone_with_a_reminder_a_week_and_a_day_before() -> None:
    from datetime import UTC, datetime

    from services.portal.pages.evaluator import due_in

    configuration = {"evaluation_due": "2027-03-10T16:00:00+00:00", "time_zone": "Europe/Vienna"}
    assert due_in(configuration, datetime(2027, 3, 1, tzinfo=UTC)) == {"due": "10 Mar 2027 17:00 CET", "reminder": None}
    assert due_in(configuration, datetime(2027, 3, 5, tzinfo=UTC))["reminder"] == "7 days"
    assert due_in(configuration, datetime(2027, 3, 10, 1, tzinfo=UTC))["reminder"] == "1 day"
    assert due_in(configuration, datetime(2027, 3, 11, tzinfo=UTC))["reminder"] == "overdue"
    assert due_in({}, datetime(2027, 3, 1, tzinfo=UTC)) == {"due": None, "reminder": None}


async def test_a_published_call_is_asked_for_once_by_many_pages_a_draft_every_time() -> None:
    import asyncio

    from starlette.requests import Request

    from services.portal.settings import PortalSettings
    from services.portal.web import Portal

    asked: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        await asyncio.sleep(0.01)  # the pages wait meanwhile
        status = "draft" if request.url.path.endswith("/draft") else "open"
        return httpx.Response(200, json={"id": request.url.path, "status": status, "configuration": {"x": 1}})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://embedded") as client:
        portal = Portal(PortalSettings(call_cache_s=60), client, None)
        request = Request({"type": "http", "session": {"token": "t"}, "headers": []})
        pages = await asyncio.gather(*(portal.call(request, "open") for _ in range(20)))
        assert asked == ["/call-definition/calls/open"]  # 20 pages at once: one request
        pages[0].body["configuration"]["x"] = 2  # a page changing its copy changes no other's
        assert (await portal.call(request, "open")).body["configuration"] == {"x": 1}
        for _ in range(3):
            await portal.call(request, "draft")
        assert asked.count("/call-definition/calls/draft") == 3  # an agency's draft is never kept

        fresh = Portal(PortalSettings(call_cache_s=0), client, None)  # 0: asked on every page
        await fresh.call(request, "open")
        await fresh.call(request, "open")
        assert asked.count("/call-definition/calls/open") == 3
