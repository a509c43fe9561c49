"""The demo's driver: a whole synchronised call through the services' public HTTP APIs, phase by phase.

`run_joint_call` is the entry point, for `jointcall demo` and for tests that drive a running stack (e.g. with
APIs killed and restarted mid-flow). It only ever talks HTTP, through one `httpx.AsyncClient` whose paths carry
the embedded prefixes (`/call-definition/...`, `/proposal-intake/...`, `/regional-eligibility/...`,
`/joint-evaluation/...`): on the embedded app as they are, on a full stack through `RoutingTransport`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from ..call_definition.examples import alpine_call
from . import decisions, eligibility, evaluation, monitoring, s3, submission
from .api import Tokens
from .consolidate import consolidate
from .consortia import generate_consortia
from .context import Run
from .progress import Progress, SilentProgress
from .results import Monitoring, Results
from .timeline import RealTimeline, Timeline


async def run_joint_call(
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
    from_s3: bool = False,
    after_results: bool = True,
) -> Results:
    """Run one joint call on the Alpine Space example, end to end, and return its published results.

    The agency defines and publishes the call (code `call_code`, default `ALP-DEMO-<seed>`: codes are unique,
    so pass a fresh one to run again against the same stack); `proposals` generated consortia draft, pre-check
    and submit (a few retry with the same Idempotency-Key, a few submit late and are refused with 409); the
    `timeline` makes the deadline pass; each region closes its manual checks; evaluators are registered, declare
    conflicts, are assigned and score; the agency sets the consensus, completes the ranking, decides the funding;
    each region confirms; the results are published and read back. Then (unless not `after_results`) the
    funded projects are followed (demo/monitoring.py): the regions contract their partners, one region declines
    one grant and the pot re-offers it down the reserve list, the reserve project is confirmed and funded, the
    projects start and report on two periods (one late, on a clock the `timeline` can move), and the monitoring
    view is read per region.

    Deterministic for a seed: the same `Results`, whatever the timing. Retries are safe: every step tolerates
    a request that the transport repeated after the server had already done it. Tokens are signed with the
    configured JWT secret (`tokens`, default from JOINTCALL_JWT_SECRET); evaluators' tokens come from the API.
    Raises `DemoError` when a service answers something the flow cannot go on from, or when what the bus
    carries has not arrived after `wait_s` seconds. At most `concurrency` requests are in flight at a time.
    With `from_s3` the call is started from the best topic of the Alpine regions' S3 priorities (demo/s3.py).
    """
    if proposals < 1:
        raise ValueError("a joint call needs at least one consortium")
    progress = progress or SilentProgress()
    code = call_code or f"ALP-DEMO-{seed}"
    run = Run(client, tokens or Tokens(), progress, seed, concurrency, wait_s)
    if from_s3:
        deadline = await s3.define_call_from_topic(run, timeline, proposals, code)
        run.consortia = generate_consortia(run.config, proposals, seed)
    else:
        run.consortia = generate_consortia(alpine_call(), proposals, seed)
        deadline = await submission.define_call(run, timeline, proposals, code)
    progress.note(f"call {code} published: {len(run.config['regions'])} regions, deadline {deadline:%H:%M:%S} UTC")
    drafted = await submission.draft_all(run)
    await submission.submit_all(run, drafted)
    progress.note(_deadline_note(timeline, deadline))
    await timeline.pass_deadline(deadline)
    await submission.submit_late(run, drafted)

    decided = await evaluate_and_decide(run)
    progress.note("results published")
    followed = (
        await monitoring.follow_projects(run, timeline, decided.funding, decided.results) if after_results else None
    )
    return decided.consolidated(run, consortia=proposals, monitoring=followed)


@dataclass(frozen=True)
class Decided:
    """What the tail of a call returns: per rule the proposals it made ineligible, the completed ranking, the
    funding decisions and the published results (as joint_evaluation returned them)."""

    eligibility_reasons: dict[str, int]
    ranking: list[Any]
    funding: Any
    results: Any

    def consolidated(self, run: Run, *, consortia: int, monitoring: Monitoring | None = None) -> Results:
        """The run's results: its call, seed and tally with what was decided (and the projects `monitoring`
        followed); `consortia`: how many the call started with."""
        return consolidate(
            call=run.call,
            seed=run.seed,
            consortia=consortia,
            tally=run.tally,
            eligibility_reasons=self.eligibility_reasons,
            ranking=self.ranking,
            results=self.results,
            monitoring=monitoring,
        )


async def evaluate_and_decide(run: Run, panel: evaluation.Panel | None = None) -> Decided:
    """After the deadline, for the proposals of `run` (a one-stage call's, or stage 2's full proposals): each
    region closes its manual checks; experts (besides `panel`, those registered before) are registered, declare
    conflicts, are assigned and score; the consensus is settled; the ranking is completed; the common pot decides
    the funding; each region confirms; the results are published."""
    entries = await settle_eligibility(run)
    reasons = await eligibility.failed_rules(run, entries)
    await evaluate(run, entries, panel)
    ranking = await decisions.complete_ranking(run)
    funding = await decisions.decide_funding(run)
    await decisions.regions_confirm(run, funding)
    published = await decisions.publish_results(run)
    return Decided(reasons, ranking, funding, published)


async def settle_eligibility(run: Run) -> list[Any]:
    """The checks open, each region closes its manual items; joint_evaluation's entries of the run's proposals."""
    await eligibility.wait_for_checks(run)
    await eligibility.regions_decide(run)
    return await eligibility.wait_for_evaluation(run)


async def evaluate(run: Run, entries: list[Any], panel: evaluation.Panel | None = None) -> evaluation.Panel:
    """The eligible proposals among `entries` scored by a panel (the experts of `panel` and new ones as needed)
    on this stage's criteria, with a final consensus each; the panel."""
    acronyms = run.acronym_of()
    evaluable = [acronyms[e["proposal_id"]] for e in entries if e["eligibility"] == "eligible"]
    panel = await evaluation.register_panel(run, len(evaluable), panel)
    await evaluation.declare_conflicts(run, panel, evaluable)
    run.tally.assessments = await evaluation.assign(run)
    await evaluation.assess_all(run, panel, run.tally.assessments)
    await evaluation.settle_consensus(run, evaluable)
    return panel


def _deadline_note(timeline: Timeline, deadline: datetime) -> str:
    if isinstance(timeline, RealTimeline):
        seconds = max(0.0, (deadline - timeline.now()).total_seconds())
        return f"waiting {seconds:.0f}s for the deadline ({deadline:%H:%M:%S} UTC)"
    return "the deadline passes"
