"""Phases after the deadline: the checks open, each region's back office closes its manual items, and the
outcome reaches the joint evaluation."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from .api import all_pages, checked
from .context import Run

ELIGIBILITY = "/regional-eligibility"
MANUAL_FAIL_PER_MILLE = 40  # an officer finds a problem in about 4% of the manual items


def manual_verdict(seed: int, acronym: str, organisation: str, item: str) -> str:
    """An officer's finding on one manual item, the same on every run of a seed."""
    digest = hashlib.sha256(f"{seed}:{acronym}:{organisation}:{item}".encode()).hexdigest()
    return "fail" if int(digest[:8], 16) % 1000 < MANUAL_FAIL_PER_MILLE else "pass"


async def wait_for_checks(run: Run) -> None:
    """Once the call has closed, every submitted proposal's checks are opened (the last one submitted is
    watched first: the events reach regional_eligibility in order, so the others are ready by then)."""
    ids = [run.proposal_ids[acronym] for acronym in run.submitted]
    with run.progress.phase("eligibility checks opened", len(ids)):
        if ids:
            await run.until(lambda: _opened(run, ids[-1]), "the checks to open")
        await run.each(ids, lambda proposal_id: run.until(lambda: _opened(run, proposal_id), "the checks to open"))


async def _opened(run: Run, proposal_id: str) -> bool | None:
    response = await run.client.get(f"{ELIGIBILITY}/proposals/{proposal_id}", headers=run.agency)
    return True if response.status_code == 200 and response.json()["status"] != "awaiting_deadline" else None


async def regions_decide(run: Run) -> None:
    """Each region's officers close their open (manual) items; an item found wanting fails its partner."""
    items: list[tuple[str, Any]] = []
    for region in run.config["regions"]:
        token = run.tokens(f"region:{region['code']}")
        checks = await all_pages(run.client, f"{ELIGIBILITY}/checks", token, status="open", call_id=run.call_id)
        items += [(region["code"], check) for check in checks]
    acronyms = run.acronym_of()
    with run.progress.phase("regional manual checks", len(items)):
        verdicts = await run.each(items, lambda item: _close(run, acronyms, *item))
    run.tally.manual_checks = len(verdicts)
    run.tally.manual_checks_failed = verdicts.count("fail")


async def _close(run: Run, acronyms: dict[str, str], region: str, check: Any) -> str:
    verdict = manual_verdict(run.seed, acronyms[check["proposal_id"]], check["organisation_name"], check["reason"])
    reason = "documents checked and in order" if verdict == "pass" else "documents missing or not in order"
    body = {"action": "close", "verdict": verdict, "reason": f"{check['reason']}: {reason}"}
    checked(
        await run.client.post(
            f"{ELIGIBILITY}/checks/{check['id']}/decision", json=body, headers=run.tokens(f"region:{region}")
        )
    )
    return verdict


async def wait_for_evaluation(run: Run) -> list[Any]:
    """joint_evaluation's entries of this run's proposals, once it knows every submitted one's eligibility."""
    wanted = {run.proposal_ids[acronym] for acronym in run.submitted}
    with run.progress.phase("eligibility decided", len(wanted)):

        async def settled() -> list[Any] | None:
            entries = await all_pages(run.client, f"/joint-evaluation/calls/{run.call_id}/proposals", run.agency)
            ours = [e for e in entries if e["proposal_id"] in wanted]  # stage 2: not the pre-proposals
            done = [e for e in ours if e["status"] != "awaiting_eligibility"]
            run.progress.update(len(done))
            return ours if len(done) == len(wanted) else None

        return await run.until(settled, "joint_evaluation to learn every eligibility decision")


async def failed_rules(run: Run, entries: list[Any]) -> dict[str, int]:
    """Per rule, how many proposals it made ineligible (from the regions' checks)."""
    ineligible = [entry["proposal_id"] for entry in entries if entry["eligibility"] == "not_eligible"]

    async def rules_of(proposal_id: str) -> set[str]:
        case = checked(await run.client.get(f"{ELIGIBILITY}/proposals/{proposal_id}", headers=run.agency))
        return {check["rule"] for check in case["checks"] if check["verdict"] == "fail"}

    with run.progress.phase("ineligibility reasons", len(ineligible)):
        counts = Counter(rule for rules in await run.each(ineligible, rules_of) for rule in rules)
    return dict(sorted(counts.items()))
