"""Phases of the joint evaluation: experts registered, conflicts declared, assignment, assessments, consensus."""

from __future__ import annotations

from typing import Any

from . import documents
from .api import Headers, all_pages, bearer, checked
from .context import Run
from .evaluators import (
    Expert,
    Scale,
    build_panel,
    consensus_scores,
    declared_conflicts,
    expert_scores,
    justification,
    panel_size,
    score_text,
)

EVALUATION = "/joint-evaluation"
CONSENSUS_NOTE = "agreed by the panel in the consensus meeting"


class Panel:
    """The experts, the bearer headers of each one's registration(s) by e-mail, and the tokens by evaluator id."""

    def __init__(
        self, experts: list[Expert], headers: dict[str, list[Headers]], tokens: dict[str, str] | None = None
    ) -> None:
        self.experts, self.headers, self.tokens = experts, headers, tokens or {}

    def everyone(self) -> list[tuple[Expert, Headers]]:
        return [(expert, header) for expert in self.experts for header in self.headers.get(expert.email, [])]


def criteria_of(run: Run) -> list[str]:
    """The criteria the experts score in this run's stage (a pre-proposal: the stage-1 panel's, if it names them)."""
    keys = [criterion["key"] for criterion in run.config["evaluation"]["criteria"]]
    if run.stage_one:
        named = _stage_one_panel(run).get("criteria")
        return [key for key in keys if key in named] if named else keys
    return keys


def _per_proposal(run: Run) -> int:
    if run.stage_one:
        per_proposal: int = _stage_one_panel(run).get("evaluators_per_proposal", 2)
        return per_proposal
    evaluators: int = run.config["evaluation"]["evaluators_per_proposal"]
    return evaluators


def _stage_one_panel(run: Run) -> dict[str, Any]:
    panel: dict[str, Any] = (run.stage_rules.get("evaluation") or {}).get("panel") or {}
    return panel


async def register_panel(run: Run, evaluable: int, registered_before: Panel | None = None) -> Panel:
    """Experts enough for `evaluable` proposals of this stage. In stage 2 of a two-stage call the experts of
    stage 1 (`registered_before`) stay on the panel: only the new ones are registered."""
    before = registered_before.experts if registered_before else []
    experts = build_panel(run.config, len(before) + panel_size(evaluable, _per_proposal(run)), run.seed)
    path = f"{EVALUATION}/calls/{run.call_id}/evaluators"
    new = experts[len(before) :]
    with run.progress.phase("experts registered", len(new)):
        registered = await run.each(new, lambda expert: _checked_post(run, path, expert.registration(), run.agency))
    tokens = {answer["evaluator"]["id"]: answer["token"] for answer in registered}
    if registered_before:
        tokens |= registered_before.tokens
    headers: dict[str, list[Headers]] = {}
    for evaluator in await all_pages(run.client, path, run.agency):  # a repeated registration shows up here
        token = tokens.get(evaluator["id"]) or await _new_token(run, evaluator["id"])
        tokens[evaluator["id"]] = token
        headers.setdefault(evaluator["email"], []).append(bearer(token))
    run.tally.evaluators = len(experts)
    return Panel(experts, headers, tokens)


async def _new_token(run: Run, evaluator_id: str) -> str:
    """For a registration whose answer was lost (the request was repeated): the agency asks for a new token."""
    issued = await _checked_post(run, f"{EVALUATION}/evaluators/{evaluator_id}/token", None, run.agency)
    token: str = issued["token"]
    return token


async def declare_conflicts(run: Run, panel: Panel, evaluable: list[str]) -> None:
    """Before the assignment, experts declare a conflict with every proposal of a former employer."""
    wanted = set(evaluable)
    in_evaluation = [c for c in run.consortia if c.acronym in wanted]
    pairs = declared_conflicts(panel.experts, in_evaluation)
    with run.progress.phase("conflicts declared", len(pairs)):
        await run.each(pairs, lambda pair: _declare(run, panel, *pair))
    run.tally.conflicts_declared = len(pairs)


async def _declare(run: Run, panel: Panel, expert: Expert, acronym: str) -> None:
    body = {"reason": f"worked for {expert.former_employer} until recently"}
    for headers in panel.headers[expert.email]:
        path = f"{EVALUATION}/proposals/{run.proposal_ids[acronym]}/conflicts"
        checked(await run.client.post(path, json=body, headers=headers))  # 200 when declared before


async def assign(run: Run) -> int:
    """The agency assigns the experts; the number of (expert, proposal) pairs."""
    report = await _checked_post(run, f"{EVALUATION}/calls/{run.call_id}/assignment", None, run.agency)
    pairs: int = report["pairs"]
    return pairs


async def assess_all(run: Run, panel: Panel, pairs: int) -> None:
    """Every expert scores each of its proposals and submits; a repeat of a submitted one is left alone."""
    with run.progress.phase("assessments", pairs):
        await run.each(panel.everyone(), lambda item: _assess_mine(run, *item), step=False)


async def _assess_mine(run: Run, expert: Expert, headers: Headers) -> None:
    scale, criteria = Scale.of(run.config["evaluation"]), criteria_of(run)
    ours = set(run.proposal_ids.values())  # in stage 2, an expert of stage 1 also lists what it scored then
    for item in await all_pages(run.client, f"{EVALUATION}/evaluators/me/proposals", headers):
        if item["proposal_id"] not in ours:
            continue
        if item["assessment"] != "submitted":
            await documents.read_what_is_scored(run, item["proposal_id"], headers)
            scores = expert_scores(run.seed, item["acronym"], criteria, scale, expert.email)
            body = {
                "scores": {key: score_text(value) for key, value in scores.items()},
                "justifications": {key: justification(key, value, scale) for key, value in scores.items()},
            }
            path = f"{EVALUATION}/proposals/{item['proposal_id']}/assessment"
            checked(await run.client.put(path, json=body, headers=headers), 409)  # 409: submitted already
            checked(await run.client.post(f"{path}/submit", headers=headers), 409)
        run.progress.step()


async def settle_consensus(run: Run, evaluable: list[str]) -> None:
    """The rapporteur records the scores the panel agreed on, each justified; the agency finalises."""
    with run.progress.phase("consensus", len(evaluable)):
        await run.each(evaluable, lambda acronym: _consensus(run, acronym))


async def _consensus(run: Run, acronym: str) -> None:
    path = f"{EVALUATION}/proposals/{run.proposal_ids[acronym]}"
    agreed = consensus_scores(run.seed, acronym, criteria_of(run), Scale.of(run.config["evaluation"]))
    body = {
        "criteria": {
            key: {"score": score_text(value), "justification": CONSENSUS_NOTE} for key, value in agreed.items()
        }
    }
    recorded = await run.client.put(f"{path}/consensus", json=body, headers=run.agency)
    if recorded.status_code == 409 and await _is_final(run, path):
        return  # finalised by an earlier attempt of this very run
    checked(recorded)
    finalised = await run.client.post(f"{path}/consensus/finalise", headers=run.agency)
    if finalised.status_code != 409 or not await _is_final(run, path):
        checked(finalised)


async def _is_final(run: Run, path: str) -> bool:
    final: bool = checked(await run.client.get(path, headers=run.agency))["consensus"]["final"]
    return final


async def _checked_post(run: Run, path: str, body: Any, headers: Headers) -> Any:
    return checked(await run.client.post(path, json=body, headers=headers))
