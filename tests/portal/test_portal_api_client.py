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
