"""`jointcall demo --two-stage`: a two-stage call on the Alpine Space example, end to end, through the services'
public HTTP APIs (as `run_joint_call` does for a one-stage call, whose phases it reuses).

Stage 1: the consortia send pre-proposals on the lighter form; a few come late and are refused; each region
checks its partners by the stage-1 rules; a small panel scores the stage-1 criteria and each region with
partners says go or no-go on the fit; the agency reviews the region-budget-aware shortlist (and a what-if on the
factor), decides it, the regions asked for money confirm, and the invitations are published. Stage 2: the
invited consortia start their full proposals from their pre-proposals once stage 2 opens, complete them with
documents and submit;
then the call runs as a one-stage call does (`flow.evaluate_and_decide`), the stage-1 experts staying on the
panel.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import httpx

from ..call_definition.examples import alpine_call
from . import eligibility, shortlist, submission
from .api import DemoError, Tokens
from .call import two_stage_call_body
from .consolidate import stage_one_summary
from .consortia import generate_consortia
from .context import Run
from .evaluation import criteria_of
from .flow import evaluate, evaluate_and_decide, settle_eligibility
from .progress import Progress, SilentProgress
from .results import Results
from .stages import full_proposal, pre_proposal, stage_one_rules_of
from .timeline import Timeline


async def run_two_stage_call(
    client: httpx.AsyncClient,
    *,
    proposals: int,
    seed: int,
    timeline: Timeline,
    progress: Progress | None = None,
    call_code: str | None = None,
    tokens: Tokens | None = None,
    concurrency: int = 8,
    wait_s: float = 180.0,
    factor: Decimal | None = None,
) -> Results:
    """Run a two-stage call with `proposals` consortia sending pre-proposals, and return stage 2's published
    results with stage 1's figures, the shortlist per region and both stages' numbers (`two_stage`).

    `factor`: one oversubscription factor for every region (default: the example's, 3 and CH-FR 2.5). The
    timeline must be able to move (the embedded clock): the weeks between the stages pass in a jump.
    Deterministic for a seed. Raises `DemoError` as `run_joint_call` does.
    """
    if proposals < 1:
        raise ValueError("a joint call needs at least one consortium")
    if not timeline.can_move:
        raise DemoError("a two-stage call needs a clock that can move on (the embedded default)")
    progress = progress or SilentProgress()
    code = call_code or f"ALP-2STAGE-{seed}"
    first = Run(client, tokens or Tokens(), progress, seed, concurrency, wait_s)
    window = timeline.submission_window(proposals)
    body = two_stage_call_body(timeline.now(), window=window, code=code, factor=factor)
    rules = stage_one_rules_of(body)
    consortia = generate_consortia(alpine_call(), proposals, seed)
    first.consortia = [pre_proposal(c, rules) for c in consortia]
    await submission.define_call(first, timeline, proposals, code, body=body)
    pre_deadline, full_opens, deadline = _instants(first)
    progress.note(
        f"call {code} published: {len(first.config['regions'])} regions, two stages: pre-proposals until "
        f"{pre_deadline:%d %b %H:%M} UTC, full proposals {full_opens:%d %b} to {deadline:%d %b %H:%M} UTC"
    )

    progress.note("Stage 1: pre-proposals")
    drafted = await submission.draft_all(first)
    await submission.submit_all(first, drafted)
    progress.note("the pre-proposal deadline passes")
    await timeline.pass_deadline(pre_deadline)
    await submission.submit_late(first, drafted)
    entries = await settle_eligibility(first)
    reasons = await eligibility.failed_rules(first, entries)
    panel = await evaluate(first, entries)
    fit = await shortlist.regions_judge_fit(first, entries)
    proposed, what_if = await shortlist.decide_shortlist(first)
    invitations = await shortlist.read_invitations(first)
    progress.note(f"invitations published: {len(invitations.invited)} of {len(first.submitted)} pre-proposals invited")

    progress.note("Stage 2: full proposals")
    second = first.next_stage()
    second.consortia = [full_proposal(c, rules) for c in consortia if c.acronym in invitations.invited]
    progress.note("stage 2 opens")
    await timeline.pass_deadline(full_opens)  # documents are accepted from then on
    drafted = await submission.draft_full_proposals(second, invitations.invited)
    await submission.submit_all(second, drafted)
    progress.note("the full-proposal deadline passes")
    await timeline.pass_deadline(deadline)
    decided = await evaluate_and_decide(second, panel)
    progress.note("results published")
    results = decided.consolidated(second, consortia=proposals)
    results["two_stage"] = stage_one_summary(
        tally=first.tally,
        criteria=criteria_of(first),
        eligibility_reasons=reasons,
        fit=fit,
        proposed=proposed,
        what_if=what_if,
        not_invited=invitations.not_invited,
        stages=decided.results["stages"],
    )
    return results


def _instants(run: Run) -> tuple[datetime, datetime, datetime]:
    """The pre-proposal deadline, stage 2's opening and the call's deadline."""
    pre, full = run.config["stages"]
    return (
        datetime.fromisoformat(pre["deadline"]),
        datetime.fromisoformat(full["opens"]),
        datetime.fromisoformat(full["deadline"]),
    )
