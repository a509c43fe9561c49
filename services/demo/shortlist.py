"""Phases between the two stages of a two-stage call: each region judges the fit of the pre-proposals with partners
of its own, the agency reviews the region-budget-aware shortlist (with a what-if on the factor) and decides it,
each region asked for money confirms, and the applicants read their invitations (or why they were not invited).
Each step first reads whether it is already done, so a repeated request changes nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .api import checked
from .context import Run
from .stages import fit_verdict

EVALUATION = "/joint-evaluation"
INTAKE = "/proposal-intake"
WHAT_IF_FACTOR = "2"  # the what-if the agency looks at: every region held to twice its budget


@dataclass(frozen=True)
class Invitations:
    """What the applicants read: acronym -> pre-proposal id of those invited; per status, how many were not."""

    invited: dict[str, str]
    not_invited: dict[str, int]


async def regions_judge_fit(run: Run, entries: list[Any]) -> tuple[int, int]:
    """When the call asks for it, each region with partners in an eligible pre-proposal says go or no-go, with
    its reason; (answers, no-gos)."""
    if not (run.stage_rules.get("evaluation") or {}).get("region_fit"):
        return 0, 0
    participating = {region["code"] for region in run.config["regions"]}
    acronyms = run.acronym_of()
    consortia = {c.acronym: c for c in run.consortia}
    judged = [
        (acronyms[entry["proposal_id"]], region)
        for entry in entries
        if entry["eligibility"] == "eligible"
        for region in sorted(consortia[acronyms[entry["proposal_id"]]].regions & participating)
    ]
    with run.progress.phase("regions judge the fit", len(judged)):
        verdicts = await run.each(judged, lambda item: _judge(run, *item))
    return len(verdicts), verdicts.count(False)


async def _judge(run: Run, acronym: str, region: str) -> bool:
    go, reason = fit_verdict(run.seed, acronym, region)
    path = f"{EVALUATION}/proposals/{run.proposal_ids[acronym]}/fit"
    checked(await run.client.put(path, json={"go": go, "reason": reason}, headers=run.tokens(f"region:{region}")))
    return go


async def decide_shortlist(run: Run) -> tuple[Any, Any]:
    """The proposed shortlist under the call's factors and budgets and a what-if with another factor (both as
    joint_evaluation returned them); the agency decides the proposed one and every region asked for money
    confirms it, the last confirmation publishing the invitations (a decision repeated before that asks them
    again)."""
    path = f"{EVALUATION}/calls/{run.call_id}/shortlist"
    proposed = checked(await run.client.get(path, headers=run.agency))
    what_if = checked(await run.client.post(f"{path}/simulate", json={"factor": WHAT_IF_FACTOR}, headers=run.agency))
    decided = await run.client.post(path, json={}, headers=run.agency)
    confirming = [] if decided.status_code == 409 else sorted(checked(decided)["confirmations"])  # 409: published
    with run.progress.phase("regions confirm", len(confirming)):
        for region in confirming:
            confirmation = f"{path}/regions/{region}/confirmation"
            checked(await run.client.post(confirmation, headers=run.tokens(f"region:{region}")), 409)
            run.progress.step()
    return proposed, what_if


async def read_invitations(run: Run) -> Invitations:
    """Each applicant reads its invitation once invitations.published has reached proposal_intake (the last one
    submitted first: the others are there by then)."""
    submitted = list(run.submitted)
    with run.progress.phase("invitations read", len(submitted)):
        if submitted:
            await run.until(lambda: _invitation(run, submitted[-1]), "the invitations to reach proposal_intake")
        read = await run.each(
            submitted,
            lambda acronym: run.until(lambda: _invitation(run, acronym), "the invitations to reach proposal_intake"),
        )
    invited = {
        acronym: run.proposal_ids[acronym] for acronym, answer in zip(submitted, read, strict=True) if answer["invited"]
    }
    not_invited = Counter(answer["status"] for answer in read if not answer["invited"])
    return Invitations(invited, dict(sorted(not_invited.items())))


async def _invitation(run: Run, acronym: str) -> Any:
    consortium = next(c for c in run.consortia if c.acronym == acronym)
    headers = run.tokens(f"consortium:{consortium.applicant}")
    found = await run.client.get(f"{INTAKE}/proposals/{run.proposal_ids[acronym]}/invitation", headers=headers)
    return found.json() if found.status_code == 200 else None
