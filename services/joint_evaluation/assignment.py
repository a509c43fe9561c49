"""Assign the call's evaluators to its eligible proposals (min-cost flow, conflicts as hard constraints).

The first run assigns everything. Every later run, and every conflict declared on an assigned pair, solves again
with the current pairs kept fixed (``domain.assignment.reassign``): conflicted pairs are removed, with whatever
their evaluators wrote, and only the open places are filled, so no assessment in progress ever moves.
Proposals whose consensus is final are left as they are; their evaluators' loads count against their maximum.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.calls import CallConfiguration
from shared.service import Runtime

from .access import conflict_policy, evaluation_rules, expert_facts, partner_facts
from .domain.assignment import (
    Assignment,
    AssignmentProblem,
    EvaluatorProfile,
    ProposalProfile,
    Reassignment,
    reassign,
)
from .domain.conflicts import conflicted_pairs
from .models import AssignedPair, CallProgress, EvaluationEntry, Evaluator, audit_log, call_audited
from .repository import (
    declared_conflicts_of_call,
    evaluable_entries,
    evaluators_of_call,
    finalised_proposal_ids,
    pairs_of_call,
    remove_pairs,
)


@dataclass(frozen=True)
class AssignmentReport:
    assigned_at: datetime
    proposals: int
    evaluators: int
    pairs: int
    added: int
    removed: int
    shortfalls: list[dict[str, Any]]


async def rebalance(
    session: AsyncSession,
    runtime: Runtime,
    config: CallConfiguration,
    progress: CallProgress,
    *,
    actor: str,
    reason: str,
) -> AssignmentReport:
    """Solve the call's assignment again around the current pairs, store the change and report it."""
    call_id = progress.call_id
    finalised = await finalised_proposal_ids(session, call_id)
    entries = [e for e in await evaluable_entries(session, call_id) if e.proposal_id not in finalised]
    # A two-stage call is evaluated one stage at a time: the full proposals once there are any.
    stage = max((e.stage for e in entries), default=1)
    entries = [e for e in entries if e.stage == stage]
    evaluators = await evaluators_of_call(session, call_id)
    pairs = await pairs_of_call(session, call_id)
    problem = await _problem(session, call_id, config, entries, evaluators, pairs, finalised, stage)
    outcome = reassign(problem, _current(problem, pairs), ())
    now = runtime.clock.now()
    await _apply(session, call_id, outcome, now)
    acronyms = {e.proposal_id: e.acronym or "" for e in entries}
    progress.shortfalls = [
        {
            "proposal_id": s.proposal_id,
            "acronym": acronyms[s.proposal_id],
            "assigned": s.assigned,
            "needed": s.needed,
            "reason": s.reason,
        }
        for s in outcome.assignment.shortfalls
    ]
    progress.assigned_at = progress.updated_at = now
    await AuditTrail(session, audit_log, runtime.clock, actor).record(
        "assignment.changed",
        call_audited(call_id),
        before={"removed": sorted(map(list, outcome.removed))},
        after={"added": sorted(map(list, outcome.added)), "shortfalls": len(progress.shortfalls)},
        reason=reason,
    )
    return AssignmentReport(
        assigned_at=now,
        proposals=len(entries),
        evaluators=len(evaluators),
        pairs=len(outcome.assignment.pairs),
        added=len(outcome.added),
        removed=len(outcome.removed),
        shortfalls=progress.shortfalls,
    )


async def _problem(
    session: AsyncSession,
    call_id: str,
    config: CallConfiguration,
    entries: list[EvaluationEntry],
    evaluators: list[Evaluator],
    pairs: list[AssignedPair],
    finalised: set[str],
    stage: int,
) -> AssignmentProblem:
    done_load = Counter(p.evaluator_id for p in pairs if p.proposal_id in finalised)
    declared = [(c.evaluator_id, c.proposal_id) for c in await declared_conflicts_of_call(session, call_id)]
    conflicts = conflicted_pairs(
        [expert_facts(e) for e in evaluators],
        {entry.proposal_id: partner_facts(entry) for entry in entries},
        conflict_policy(config),
        declared,
    )
    return AssignmentProblem(
        proposals=tuple(ProposalProfile(e.proposal_id, _folded(e.topics)) for e in entries),
        evaluators=tuple(
            EvaluatorProfile(e.id, e.country, max(0, e.max_load - done_load[e.id]), _folded(e.expertise))
            for e in evaluators
        ),
        evaluators_per_proposal=evaluation_rules(config, stage).evaluators_per_proposal,
        conflicts=conflicts,
    )


def _current(problem: AssignmentProblem, pairs: list[AssignedPair]) -> Assignment:
    """The stored pairs of the proposals in the problem (those that dropped out are left alone)."""
    by_proposal: dict[str, list[str]] = defaultdict(list)
    for pair in pairs:
        by_proposal[pair.proposal_id].append(pair.evaluator_id)
    return Assignment(
        evaluators_by_proposal={p.proposal_id: tuple(sorted(by_proposal[p.proposal_id])) for p in problem.proposals},
        shortfalls=(),
        total_affinity=Decimal(0),
    )


async def _apply(session: AsyncSession, call_id: str, outcome: Reassignment, now: datetime) -> None:
    await remove_pairs(session, outcome.removed)
    session.add_all(
        AssignedPair(proposal_id=proposal_id, evaluator_id=evaluator_id, call_id=call_id, assigned_at=now)
        for evaluator_id, proposal_id in sorted(outcome.added)
    )
    await session.flush()


def _folded(words: list[str]) -> frozenset[str]:
    """Topics and expertise compared without regard to case or surrounding spaces."""
    return frozenset(word.strip().casefold() for word in words)
