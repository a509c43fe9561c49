"""Phases of the decisions: the ranking is completed, the virtual common pot decides the funding, each region
confirms its part, and the agency publishes the consolidated results. Each step first reads whether it is
already done, so a repeated run of a step (or of a request) changes nothing."""

from __future__ import annotations

from typing import Any

from .api import DemoError, checked
from .context import Run

EVALUATION = "/joint-evaluation"


async def complete_ranking(run: Run) -> list[Any]:
    """The completed ranking list (every line, with the reasons of those not passed)."""
    path = f"{EVALUATION}/calls/{run.call_id}/ranking"
    ranking = checked(await run.client.get(path, params={"limit": 1000}, headers=run.agency))
    if ranking["pending_consensus"] or ranking["awaiting_eligibility"]:
        raise DemoError("the ranking cannot be completed: proposals lack a final consensus or their eligibility")
    if ranking["completed_at"] is None:
        checked(await run.client.post(f"{path}/complete", headers=run.agency), 409)
    return await _whole_ranking(run)


async def _whole_ranking(run: Run) -> list[Any]:
    lines: list[Any] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = checked(
            await run.client.get(f"{EVALUATION}/calls/{run.call_id}/ranking", params=params, headers=run.agency)
        )
        if page["completed_at"] is None:
            raise DemoError("the ranking is not completed")
        lines += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return lines


async def decide_funding(run: Run) -> Any:
    path = f"{EVALUATION}/calls/{run.call_id}/funding"
    current = await run.client.get(path, headers=run.agency)
    if current.status_code == 404:  # not decided yet
        current = await run.client.post(path, headers=run.agency)
    return checked(current)


async def regions_confirm(run: Run, funding: Any) -> None:
    """Each region funding partners confirms its part of the decisions it was shown."""
    regions = sorted(c["region_code"] for c in funding["confirmations"] if c["funds_partners"])
    body = {"decision": "confirm", "funding_version": funding["funding_version"]}
    with run.progress.phase("regions confirm", len(regions)):
        for region in regions:
            path = f"{EVALUATION}/calls/{run.call_id}/funding/regions/{region}/confirmation"
            checked(await run.client.post(path, json=body, headers=run.tokens(f"region:{region}")))
            run.progress.step()
    run.tally.confirmed_by = regions


async def publish_results(run: Run) -> Any:
    """Publish (unless published already) and read the published results back."""
    path = f"{EVALUATION}/calls/{run.call_id}/results"
    results = checked(await run.client.get(path, headers=run.agency))
    if results["published_at"] is None:
        checked(await run.client.post(f"{path}/publish", headers=run.agency), 409)
        results = checked(await run.client.get(path, headers=run.agency))
    if results["published_at"] is None:
        raise DemoError("the results are not published")
    return results
