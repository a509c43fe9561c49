"""What a user notices after the results, checked through the APIs (embedded or a full stack): one region
declined one grant, the money funded a reserve project (confirmed by its regions, funded by the agency), every
project started, two periods were reported and accepted (on a moving clock one report late, holding its regions'
payments), and the indicators per region are the sums of the accepted reports."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx

from services.demo import Tokens
from services.demo.monitoring import MONITORING
from services.demo.report import _monitoring

tokens = Tokens()


async def get(client: httpx.AsyncClient, path: str, role: str = "agency") -> Any:
    response = await client.get(path, headers=tokens(role))
    assert response.status_code == 200, response.text
    return response.json()


def text_report_of(followed: Any) -> str:
    return "\n".join(_monitoring(followed))


def text_report(results: Any) -> str:
    from services.demo.report import text_report as render

    return render(results)


async def the_funded_projects_were_contracted_and_reported(
    client: httpx.AsyncClient, call_id: str, results: Any
) -> None:
    """After the results: one region declined one grant, the money funded a reserve project (confirmed by its
    regions, funded by the agency), every project started, two periods were reported and accepted but for one
    late report, which holds its regions' payments; the table shows the indicators summed per region."""
    followed = results["monitoring"]
    assert followed is not None
    monitoring = MONITORING
    projects = {p["acronym"]: p for p in (await get(client, f"{monitoring}/calls/{call_id}/projects"))["items"]}
    status = {line["acronym"]: line["status"] for line in results["ranking"]}
    decline = followed["decline"]
    assert decline is not None and status[decline["acronym"]] == "funded"
    declined = await get(client, f"{monitoring}/projects/{projects[decline['acronym']]['proposal_id']}")
    lost = [p for p in declined["partners"] if p["region_code"] == decline["region"]]
    assert lost and all(p["status"] == "declined" and p["reason"] for p in lost)
    assert len(lost) == decline["partners"]

    [offer] = followed["reserve"]
    reserve = await get(client, f"/joint-evaluation/calls/{call_id}/reserve-offers")
    assert [(o["offer_round"], o["status"]) for o in reserve] == [(offer["offer_round"], "funded")]
    assert offer["funded"] == followed["reserve_funded"] and offer["funded"]
    asked = {g["region_code"] for p in reserve[0]["proposals"] for g in p["grants"] if Decimal(g["amount"])}
    assert asked == set(offer["confirmed_by"]) and reserve[0]["regions_to_confirm"] == []
    assert [p["acronym"] for p in reserve[0]["proposals"]] == offer["funded"]
    for acronym in offer["funded"]:
        assert status[acronym] == "reserve"  # on the reserve list at publication, funded from the money back
        assert projects[acronym]["funded_by"] == f"reserve offer {offer['offer_round']}"
    funded = [acronym for acronym, s in status.items() if s == "funded"]
    assert set(projects) == set(funded) | set(offer["funded"])
    assert {p["status"] for p in projects.values()} <= {"started", "cancelled"}
    assert followed["projects"].get("started", 0) == sum(1 for p in projects.values() if p["status"] == "started")

    lines = {line["code"]: line for line in followed["regions"]}
    if followed["clock_moved"]:
        await one_late_report_holds_its_regions_payments(client, projects, followed)
    else:  # a real clock: reported ahead of time, nothing late, nothing held
        assert followed["late"] == [] and followed["payments_held"] == []
        started = followed["projects"]["started"]
        assert followed["reports"]["accepted"] == started * followed["reporting_periods_passed"]
        assert "overdue" not in followed["reports"]
    await indicators_per_region_are_the_sums_of_the_accepted_reports(client, projects, lines)
    text = text_report(results)
    assert "Monitoring per region" in text
    assert f"{decline['region']} declined its grant to {decline['acronym']}" in text


async def one_late_report_holds_its_regions_payments(
    client: httpx.AsyncClient, projects: dict[str, Any], followed: Any
) -> None:
    """One report late: the payments of the regions funding it are held, shown per region."""
    monitoring = MONITORING
    [late] = followed["late"]
    acronym, _, period = late.partition(" period ")
    project = await get(client, f"{monitoring}/projects/{projects[acronym]['proposal_id']}")
    held = sorted(g["region_code"] for g in project["grants"] if g["payment_held"])
    assert held and held == sorted(g["region_code"] for g in project["grants"] if Decimal(g["amount"]))
    assert [r["status"] for r in project["reports"]][: int(period)] == ["accepted"] * (int(period) - 1) + ["due"]
    assert followed["payments_held"] == held
    proposal_id = projects[acronym]["proposal_id"]
    for code in held:  # each region holding a payment is told so on its feed (and webhooks), once the event arrives
        told: list[dict[str, Any]] = []
        for _ in range(100):
            told = [e for e in await feed_of(client, code, "payment.held") if e["proposal_id"] == proposal_id]
            if told:
                break
            await asyncio.sleep(0.2)
        assert [e["data"]["period"] for e in told] == [int(period)], f"{code} was not told of its held payment"
    lines = {line["code"]: line for line in followed["regions"]}
    lines = {line["code"]: line for line in followed["regions"]}
    assert all(lines[code]["payments_held"] == 1 and lines[code]["reports_overdue"] == 1 for code in held)
    assert f"late: {late}" in text_report_of(followed)


async def feed_of(client: httpx.AsyncClient, region: str, kind: str) -> list[dict[str, Any]]:
    """The region's whole change feed, page by page, the entries of one kind."""
    entries, after = [], 0
    while True:
        page = await client.get(
            "/regional-eligibility/feed", params={"after": after, "limit": 500}, headers=tokens(f"region:{region}")
        )
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        entries += [item for item in items if item["type"] == kind]
        if not items:
            return entries
        after = page.json()["next_after"]


async def indicators_per_region_are_the_sums_of_the_accepted_reports(
    client: httpx.AsyncClient, projects: dict[str, Any], lines: dict[str, Any]
) -> None:
    monitoring = MONITORING
    jobs: dict[str, Decimal] = defaultdict(Decimal)
    for p in projects.values():
        detail = await get(client, f"{monitoring}/projects/{p['proposal_id']}")
        funders = {g["region_code"] for g in detail["grants"]}
        for summary in detail["reports"]:
            if summary["status"] == "accepted":
                report = await get(client, f"{monitoring}/projects/{p['proposal_id']}/reports/{summary['period']}")
                figure = sum((Decimal(f["jobs_created"]) for f in report["partner_indicators"].values()), Decimal(0))
                for code in funders:
                    jobs[code] += figure
    assert {code: Decimal(line["indicators"]["jobs_created"]) for code, line in lines.items()} == {
        code: jobs[code] for code in lines
    }
    assert sum(jobs.values()) > 0
