"""Phases after the results, through project_monitoring's and joint_evaluation's APIs: the regions contract
their partners (one region declines one grant, the money goes back and the pot re-offers it down the reserve
list, the regions confirm and the agency funds the reserve project), the projects start, two reporting periods
pass on the demo's clock (one report is late: the payments of its regions are held), and the monitoring view
sums the indicators per region.

On a real clock (a running stack) time cannot be moved: the partners sign today, the coordinators report ahead
of their periods' end and nothing is late; everything else is the same.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..joint_evaluation.domain.allocation import FundingRequest
from ..joint_evaluation.domain.reserve import walk_reserve
from .api import DemoError, Headers, all_pages, checked
from .context import Run
from .results import Decline, IndicatorTotal, Monitoring, MonitoringRegionLine, ReserveRound
from .timeline import Timeline

MONITORING = "/project-monitoring"
EVALUATION = "/joint-evaluation"
SIGNING_DAYS = 45  # the clock moves this far while the regions contract their partners
DECLINE_REASON = "the partner's de minimis state-aid ceiling is reached: the region cannot grant it"

PERIODS_SHOWN = 2


def choose_decline(
    funding: Mapping[str, Any], results: Mapping[str, Any], coordinators: Mapping[str, str]
) -> tuple[str, str] | None:
    """(acronym, region) of the funded grant whose money, back in its region, funds a reserve proposal: the
    lowest-ranked such project with three or more funding regions (the rest of its consortium goes on), else any.
    `funding` is the decision (with what each passing proposal asks of each region), `results` the published
    results (each region's remainder); the coordinator's region (`coordinators`, by acronym) never declines, as
    a consortium without its coordinator cannot go on. The demo picks its scenario this way; what happens then
    is the services' doing."""
    remaining = {r["region_code"]: Decimal(r["remaining"]["amount"]) for r in results["regions"]}
    lines = sorted(funding["proposals"], key=lambda line: line["rank"])
    asks = {line["acronym"]: {a["region_code"]: Decimal(a["amount"]) for a in line["requested"]} for line in lines}
    reserve = [FundingRequest(line["acronym"], asks[line["acronym"]]) for line in lines if line["status"] == "reserve"]
    funded = [line["acronym"] for line in reversed(lines) if line["status"] == "funded"]
    for wide in (True, False):
        for acronym in funded:
            grants = {region: amount for region, amount in asks[acronym].items() if amount > 0}
            if (len(grants) >= 3) is not wide:
                continue
            for region, amount in sorted(grants.items()):
                if region == coordinators.get(acronym):
                    continue
                budgets = {**remaining, region: remaining.get(region, Decimal(0)) + amount}
                if walk_reserve(reserve, budgets, ()).funded:
                    return acronym, region
    return None


async def follow_projects(
    run: Run, timeline: Timeline, funding: Mapping[str, Any], results: Mapping[str, Any]
) -> Monitoring:
    funded = sorted(line["acronym"] for line in results["results"] if line["status"] == "funded")
    projects = await _projects(run, len(funded), "the funded projects")
    if sorted(p["acronym"] for p in projects) != funded:
        raise DemoError("project_monitoring's projects are not the funded proposals")
    moved = timeline.can_move
    details = await _details(run, projects)
    coordinators = {
        p["acronym"]: c["region_code"] for p in details for c in p["partners"] if c["role"] == "coordinator"
    }

    decline = await _decline(run, details, choose_decline(funding, results, coordinators))
    rounds = await _reserve(run) if decline else []
    reserve_funded = [acronym for r in rounds for acronym in r["funded"]]
    projects = await _projects(run, len(funded) + len(reserve_funded), "the reserve projects")

    if moved:
        await timeline.move_to(timeline.now() + timedelta(days=SIGNING_DAYS))
    unchanged = {p["acronym"] for p in details} - {decline["acronym"] if decline else ""}  # the rest: read again
    details = [p for p in details if p["acronym"] in unchanged]
    details += await _details(run, [p for p in projects if p["acronym"] not in unchanged])
    await _sign_all(run, timeline, details)
    details = await _details(run, projects)
    started = [p for p in details if p["status"] == "started"]
    if len(started) + sum(1 for p in details if p["status"] == "cancelled") != len(details):
        raise DemoError("a project is still contracting after every region contracted its partners")

    late = await _report(run, timeline, started, moved)
    view = checked(await run.client.get(f"{MONITORING}/calls/{run.call_id}/monitoring", headers=run.agency))
    regions = [await _region_line(run, region["code"]) for region in run.config["regions"]]
    held = sorted({r["code"] for r in regions if r["payments_held"]})
    return Monitoring(
        clock_moved=moved,
        projects=dict(view["projects"]),
        decline=decline,
        reserve=rounds,
        reserve_funded=sorted(reserve_funded),
        reporting_periods_passed=PERIODS_SHOWN,
        reports=dict(view["reports"]),
        late=late,
        payments_held=held,
        indicators=[_indicator(i) for i in view["indicators"]],
        time_to_contract_days=_decimal(view["time_to_contract_days"]),
        regions=[r for r in regions if r["projects"]],
    )


async def _projects(run: Run, count: int, what: str) -> list[Any]:
    path = f"{MONITORING}/calls/{run.call_id}/projects"

    async def probe() -> list[Any] | None:
        response = await run.client.get(path, params={"limit": 500}, headers=run.agency)
        if response.status_code == 404:  # the call has not reached project_monitoring yet
            return None
        projects: list[Any] = checked(response)["items"]
        return projects if len(projects) >= count else None

    with run.progress.phase("projects to contract", count) as progress:
        found = await run.until(probe, what)
        progress.update(len(found))
    return await all_pages(run.client, path, run.agency)


async def _decline(run: Run, projects: Sequence[Any], choice: tuple[str, str] | None) -> Decline | None:
    """The chosen region declines its partners in the chosen project: its grant falls away."""
    if choice is None:
        run.progress.note("no grant given back would fund a reserve proposal: every region signs")
        return None
    acronym, region = choice
    [project] = [p for p in projects if p["acronym"] == acronym]
    token = run.tokens(f"region:{region}")
    mine = [p for p in project["partners"] if p["region_code"] == region]
    for partner in mine:
        if partner["status"] == "offered":
            path = f"{MONITORING}/projects/{project['proposal_id']}/partners/{partner['partner_key']}/contract"
            # 409: declined by an earlier attempt of this very request
            checked(
                await run.client.post(path, json={"action": "decline", "reason": DECLINE_REASON}, headers=token), 409
            )
    amount = sum((Decimal(p["amount"]["amount"]) for p in mine), Decimal(0))
    currency = mine[0]["amount"]["currency"] if mine else ""
    run.progress.note(f"{region} declines its grant to {acronym} ({amount:,.0f} {currency}): the money goes back")
    return Decline(acronym=acronym, region=region, partners=len(mine), released=f"{amount:.2f}", currency=currency)


async def _reserve(run: Run) -> list[ReserveRound]:
    """The pot's offer down the reserve list: each region in it confirms, the agency funds it."""
    path = f"{EVALUATION}/calls/{run.call_id}/reserve-offers"

    async def probe() -> list[Any] | None:
        offers: list[Any] = checked(await run.client.get(path, headers=run.agency))
        return offers if offers and offers[-1]["status"] in ("proposed", "nothing_fundable", "funded") else None

    offer = (await run.until(probe, "the reserve list to be walked again"))[-1]
    if offer["status"] == "proposed":
        with run.progress.phase("reserve offer confirmed", len(offer["regions_to_confirm"])):
            for region in offer["regions_to_confirm"]:
                confirmation = f"{path}/{offer['offer_round']}/confirmations"
                checked(await run.client.post(confirmation, headers=run.tokens(f"region:{region}")), 409)
                run.progress.step()
        offer = checked(await run.client.post(f"{path}/{offer['offer_round']}/funding", headers=run.agency), 409)
        offer = checked(await run.client.get(path, headers=run.agency))[-1]
    funded = [p["acronym"] for p in offer["proposals"]] if offer["status"] == "funded" else []
    run.progress.note(
        f"reserve offer {offer['offer_round']}: {', '.join(funded) or 'nothing fundable'}"
        + (f" funded, confirmed by {', '.join(offer['confirmed_by'])}" if funded else "")
    )
    return [
        ReserveRound(
            offer_round=offer["offer_round"],
            status=offer["status"],
            funded=funded,
            confirmed_by=list(offer["confirmed_by"]),
        )
    ]


def signing_day(region: str, index: int) -> int:
    """Days from the offer to a region's signatures: each region on its own schedule (10 to 40 days)."""
    return 10 + (index * 7 + sum(map(ord, region))) % 31


async def _sign_all(run: Run, timeline: Timeline, details: Sequence[Any]) -> None:
    """Every region signs every partner still offered, on its own schedule (a date within the last days)."""
    order = {region["code"]: index for index, region in enumerate(run.config["regions"])}
    steps = [
        (project, partner)
        for project in details
        for partner in project["partners"]
        if partner["status"] == "offered" and project["status"] == "contracting"
    ]

    async def sign(step: tuple[Any, Any]) -> None:
        project, partner = step
        body: dict[str, Any] = {"action": "sign", "reference": f"GA-{project['acronym']}-{partner['partner_key']}"}
        if timeline.can_move:
            offered = datetime.fromisoformat(partner["offered_at"])
            signed = offered + timedelta(days=signing_day(partner["region_code"], order[partner["region_code"]]))
            body["signed_on"] = min(signed.date(), timeline.now().date()).isoformat()
        path = f"{MONITORING}/projects/{project['proposal_id']}/partners/{partner['partner_key']}/contract"
        response = await run.client.post(path, json=body, headers=run.tokens(f"region:{partner['region_code']}"))
        if response.status_code == 409:  # signed by an earlier attempt of this request, or the project moved on
            return
        checked(response)

    with run.progress.phase("grant agreements signed", len(steps)):
        await run.each(steps, sign)


async def _details(run: Run, projects: Sequence[Any]) -> list[Any]:
    async def one(project: Any) -> Any:
        return checked(await run.client.get(f"{MONITORING}/projects/{project['proposal_id']}", headers=run.agency))

    return await run.each(projects, one, step=False)


def figures(
    seed: int, acronym: str, period: int, partners: Sequence[Any], indicators: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A joint report's narrative, the call's `indicators` and a statement per partner: made up, the same for a
    seed."""
    rng = random.Random(f"{seed}:{acronym}:{period}")

    def value(indicator: Mapping[str, Any]) -> str:
        if indicator.get("unit") == "EUR":
            return f"{rng.randrange(20, 120) * 1000}.00"
        return str(rng.choice([0, 0, 1]) if "patent" in indicator["key"] else rng.randrange(0, 3))

    per_project = [i for i in indicators if i.get("per", "project") == "project"]
    per_partner = [i for i in indicators if i.get("per") == "partner"]
    return {
        "narrative": f"{acronym}, period {period}: work packages on schedule; pilot results shared with the partners.",
        "indicators": {i["key"]: value(i) for i in per_project},
        "partner_indicators": {p["partner_key"]: {i["key"]: value(i) for i in per_partner} for p in partners}
        if per_partner
        else {},
        "statements": {
            p["partner_key"]: {
                "currency": p["amount"]["currency"],
                "costs": {
                    "personnel": f"{rng.randrange(20, 60) * 1000}.00",
                    "equipment": f"{rng.randrange(0, 15) * 1000}.00",
                },
            }
            for p in partners
        },
    }


async def _report(run: Run, timeline: Timeline, started: Sequence[Any], moved: bool) -> list[str]:
    """Two periods pass: every coordinator reports and every funding region accepts; in the second one project
    reports late (on a moving clock), and the clock holds its regions' payments. The late reports, as
    'ACRONYM period N'."""
    if not started:
        return []
    late_one = sorted(started, key=lambda p: p["acronym"])[len(started) // 2]["acronym"] if moved else None
    for period in range(1, PERIODS_SHOWN + 1):
        if moved:
            ends = max(datetime.fromisoformat(p["reports"][period - 1]["due_at"]) for p in started)
            await timeline.move_to(
                ends - timedelta(days=run.config.get("monitoring", {}).get("report_due_days", 30) - 1)
            )
        reporting = [p for p in started if not (period == PERIODS_SHOWN and p["acronym"] == late_one)]

        async def submit(project: Any, period: int = period) -> None:
            await _submit_and_review(run, project, period)

        with run.progress.phase(f"reports of period {period}", len(reporting)):
            await run.each(reporting, submit)
    if late_one is None:
        return []
    [late] = [p for p in started if p["acronym"] == late_one]
    due = datetime.fromisoformat(late["reports"][PERIODS_SHOWN - 1]["due_at"])
    await timeline.move_to(due + timedelta(days=1))
    path = f"{MONITORING}/projects/{late['proposal_id']}"

    async def held() -> list[str] | None:
        grants = checked(await run.client.get(path, headers=run.agency))["grants"]
        regions = [g["region_code"] for g in grants if g["payment_held"]]
        return regions or None

    regions = await run.until(held, f"the late report of {late_one} to hold its payments")
    run.progress.note(f"{late_one}'s report of period {PERIODS_SHOWN} is late: payments held by {', '.join(regions)}")
    return [f"{late_one} period {PERIODS_SHOWN}"]


async def _submit_and_review(run: Run, project: Any, period: int) -> None:
    signed = [p for p in project["partners"] if p["status"] == "signed"]
    path = f"{MONITORING}/projects/{project['proposal_id']}/reports/{period}"
    coordinator = run.tokens(f"consortium:{project['acronym'].lower()}")
    response = await run.client.put(
        path,
        json=figures(
            run.seed, project["acronym"], period, signed, run.config.get("monitoring", {}).get("indicators", [])
        ),
        headers=coordinator,
    )
    # 409: submitted by an earlier attempt of this very request (or accepted since)
    report = (
        checked(response) if response.status_code != 409 else checked(await run.client.get(path, headers=coordinator))
    )
    for review in report["reviews"]:
        if review["status"] == "pending":
            await _accept(run, f"{path}/reviews", run.tokens(f"region:{review['region_code']}"))


async def _accept(run: Run, path: str, token: Headers) -> None:
    response = await run.client.post(path, json={"action": "accept"}, headers=token)
    if response.status_code != 409:  # 409: accepted already by an earlier attempt of this request
        checked(response)


async def _region_line(run: Run, code: str) -> MonitoringRegionLine:
    view = checked(
        await run.client.get(
            f"{MONITORING}/calls/{run.call_id}/monitoring", params={"region": code}, headers=run.agency
        )
    )
    committed = view["committed"][0] if view["committed"] else {"currency": "", "amount": "0.00"}
    costs = {line["currency"]: line["amount"] for line in view["reported_costs"]}
    return MonitoringRegionLine(
        code=code,
        currency=committed["currency"],
        projects=sum(view["projects"].values()),
        started=view["projects"].get("started", 0),
        time_to_contract_days=_decimal(view["time_to_contract_days"]),
        reports_accepted=view["reports"].get("accepted", 0),
        reports_overdue=view["reports"].get("overdue", 0),
        payments_held=view["payments_held"],
        committed=committed["amount"],
        reported_costs=costs.get(committed["currency"], "0.00"),
        indicators={i["key"]: _decimal(i["total"]) or "0" for i in view["indicators"]},
    )


def _indicator(line: Mapping[str, Any]) -> IndicatorTotal:
    return IndicatorTotal(
        key=line["key"],
        name=line["name"],
        unit=line["unit"],
        total=_decimal(line["total"]) or "0",
        target=_decimal(line["target"]),
    )


def _decimal(value: Any) -> str | None:
    return None if value is None else f"{Decimal(str(value)).normalize():f}"
