"""The monitoring pages on a call the demo took past its results: the agency finds the call and its view
(projects and reports by status, payments held, indicators, money committed against costs reported, time to
contract); a region reaches its part from its overview; a consortium is sent to sign in; German is German."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.demo import ShiftedTimeline, run_joint_call
from shared.clock import ShiftedClock
from tests.helpers import bearer, embedded_client
from tests.portal.test_portal_pages import sign_in


@pytest.fixture
async def followed(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, str, list[str]]]:
    clock = ShiftedClock()
    async with embedded_client(tmp_path, clock=clock) as client:
        results = await run_joint_call(client, proposals=12, seed=3, timeline=ShiftedTimeline(clock))
        assert results["monitoring"] is not None
        yield client, results["call"]["code"], list(results["monitoring"]["payments_held"])


async def test_the_agency_and_a_region_read_the_monitoring_of_a_funded_call(
    followed: tuple[httpx.AsyncClient, str, list[str]],
) -> None:
    client, code, held = followed
    await sign_in(client, "agency", "")
    listing = await client.get("/monitoring")
    assert listing.status_code == 200 and code in listing.text
    assert 'href="/monitoring"' in listing.text  # in the agency's navigation
    link = listing.text.split('href="/monitoring/calls/', 1)[1].split('"', 1)[0]
    page = await client.get(f"/monitoring/calls/{link}")
    assert page.status_code == 200
    for heading in ("Projects by status", "Reports by status", "Indicators against their targets"):
        assert heading in page.text
    assert "started" in page.text and "The whole call." in page.text
    view = (await client.get(f"/project-monitoring/calls/{link}/monitoring", headers=bearer("agency"))).json()
    assert f"Payments held: {view['payments_held']}." in page.text
    german = await client.get(f"/monitoring/calls/{link}", headers={"Accept-Language": "de"})
    assert "Projekte nach Status" in german.text and "Zeit bis zum Vertrag" in german.text

    region = held[0] if held else "AT-4"
    await sign_in(client, "region", region)
    overview = await client.get("/officer/overview")
    assert f'href="/monitoring/calls/{link}"' in overview.text
    mine = await client.get(f"/monitoring/calls/{link}")
    assert mine.status_code == 200 and f"The part of region {region}." in mine.text

    await sign_in(client, "consortium", "acme")
    refused = await client.get(f"/monitoring/calls/{link}", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/sign-in"
