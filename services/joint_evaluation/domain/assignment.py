"""Assignment of evaluators to proposals as a minimum-cost flow (pure computation, no I/O).

Problem: each proposal needs ``k`` evaluators; an evaluator takes at most ``max_load`` proposals and never one it
is in conflict with (a hard constraint; conflicts come in as ``(evaluator_id, proposal_id)`` pairs computed
elsewhere). Among the assignments that fill the LARGEST possible number of places, the one of least cost is
chosen, where:

* an assigned pair costs ``1 - affinity`` (affinity in [0, 1]; by default the share of the proposal's topics
  covered by the evaluator's expertise, see ``affinity``; or given per pair), so total affinity is maximised;
* on each proposal, every evaluator beyond the first from the same country costs ``same_country_penalty`` more
  (a soft preference for different countries: a second evaluator of a country is chosen only when its affinity
  beats every free candidate from another country by more than the penalty, or when nobody else is free).

The solver works on integers: costs are in thousandths (``COST_SCALE``), affinities and the penalty rounded half
up to that unit. The network, solved for a maximum flow of minimum cost::

    source -> evaluator e                capacity: free load of e          cost 0
    evaluator e -> (p, country of e)     capacity 1, non-conflicted pairs  cost (1 - affinity(e, p))
    (p, c) -> p                          capacity 1 if no fixed evaluator of p is from c, else 0   cost 0
    (p, c) -> p                          capacity open places of p         cost same_country_penalty
    p -> sink                            capacity open places of p         cost 0

An ``evaluator -> (p, c)`` arc carrying flow assigns e to p. A proposal that ends with fewer than ``k`` is
reported with the reason: too few non-conflicted evaluators exist at all, or the others are at their maximum
load (a maximum flow leaves no non-conflicted evaluator with free load next to an unfilled proposal).

Re-assignment after late conflicts: the pairs that became conflicted are removed; every other current pair is
kept fixed (it uses its evaluator's load and its country counts for diversity) and only the open places are
solved for, with the same costs. No kept pair ever moves.

The solver is pluggable (``MinCostFlowSolver``); ``OrToolsMinCostFlow`` uses OR-Tools' ``SimpleMinCostFlow``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

import numpy as np
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

COST_SCALE = 1000
_AFFINITY_UNIT = Decimal(1) / COST_SCALE

Pair = tuple[str, str]  # (evaluator_id, proposal_id)


@dataclass(frozen=True, slots=True)
class EvaluatorProfile:
    evaluator_id: str
    country: str
    max_load: int
    expertise: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ProposalProfile:
    proposal_id: str
    topics: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class AssignmentProblem:
    proposals: tuple[ProposalProfile, ...]
    evaluators: tuple[EvaluatorProfile, ...]
    evaluators_per_proposal: int = 3
    conflicts: frozenset[Pair] = frozenset()
    # Given affinities replace the computed ones; pairs missing from them score 0.
    affinities: Mapping[Pair, Decimal] | None = None
    same_country_penalty: Decimal = Decimal("0.3")

    def __post_init__(self) -> None:
        _require_unique("proposal", [p.proposal_id for p in self.proposals])
        _require_unique("evaluator", [e.evaluator_id for e in self.evaluators])
        if self.evaluators_per_proposal < 1:
            raise ValueError("each proposal needs at least one evaluator")
        if any(e.max_load < 0 for e in self.evaluators):
            raise ValueError("a maximum load cannot be negative")
        if self.same_country_penalty < 0:
            raise ValueError("the same-country penalty cannot be negative")
        if self.affinities and any(not 0 <= a <= 1 for a in self.affinities.values()):
            raise ValueError("affinities must lie in [0, 1]")


@dataclass(frozen=True, slots=True)
class CoverageShortfall:
    proposal_id: str
    assigned: int
    needed: int
    non_conflicted_evaluators: int
    reason: str


@dataclass(frozen=True, slots=True)
class Assignment:
    evaluators_by_proposal: Mapping[str, tuple[str, ...]]  # every proposal, evaluator ids sorted
    shortfalls: tuple[CoverageShortfall, ...]  # in the problem's proposal order
    total_affinity: Decimal

    @property
    def pairs(self) -> frozenset[Pair]:
        return frozenset(
            (evaluator_id, proposal_id)
            for proposal_id, evaluator_ids in self.evaluators_by_proposal.items()
            for evaluator_id in evaluator_ids
        )

    def loads(self) -> Counter[str]:
        return Counter(evaluator_id for evaluator_id, _ in self.pairs)


@dataclass(frozen=True, slots=True)
class Reassignment:
    assignment: Assignment
    removed: frozenset[Pair]
    added: frozenset[Pair]


@dataclass(frozen=True, slots=True)
class FlowNetwork:
    """Arcs as parallel lists over nodes ``0 .. node_count - 1``; ``source`` and ``sink`` are node indices."""

    source: int
    sink: int
    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    unit_costs: list[int] = field(default_factory=list)

    @property
    def node_count(self) -> int:
        return 1 + max(self.source, self.sink, *self.tails, *self.heads)

    def add_arc(self, tail: int, head: int, capacity: int, unit_cost: int) -> None:
        self.tails.append(tail)
        self.heads.append(head)
        self.capacities.append(capacity)
        self.unit_costs.append(unit_cost)


class MinCostFlowSolver(Protocol):
    def max_flow_min_cost(self, network: FlowNetwork) -> Sequence[int]:
        """The flow on each arc of a maximum source -> sink flow of minimum total cost."""
        ...


class SolverError(RuntimeError):
    pass


class OrToolsMinCostFlow:
    """``MinCostFlowSolver`` backed by OR-Tools' ``SimpleMinCostFlow`` (C++, handles 10^5-10^6 arcs)."""

    def max_flow_min_cost(self, network: FlowNetwork) -> Sequence[int]:
        if not network.tails:
            return []
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.asarray(network.tails, dtype=np.int32),
            np.asarray(network.heads, dtype=np.int32),
            np.asarray(network.capacities, dtype=np.int64),
            np.asarray(network.unit_costs, dtype=np.int64),
        )
        # Offer more than can ever flow; the solver then maximises the flow and minimises its cost.
        offered = sum(c for t, c in zip(network.tails, network.capacities, strict=True) if t == network.source)
        flow.set_node_supply(network.source, offered)
        flow.set_node_supply(network.sink, -offered)
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise SolverError(f"min-cost flow failed: {status}")
        flows: list[int] = flow.flows(np.arange(len(network.tails), dtype=np.int32)).tolist()
        return flows


def affinity(expertise: Iterable[str], topics: Iterable[str]) -> Decimal:
    """Share of the proposal's topics within the evaluator's expertise, in thousandths; 0 without topics."""
    topic_set = frozenset(topics)
    return _coverage(len(topic_set.intersection(expertise)), len(topic_set))


def _coverage(covered: int, total: int) -> Decimal:
    if not total:
        return Decimal(0)
    return (Decimal(covered) / total).quantize(_AFFINITY_UNIT, rounding=ROUND_HALF_UP)


def assign(problem: AssignmentProblem, solver: MinCostFlowSolver | None = None) -> Assignment:
    """Solve the whole assignment (see the module docstring)."""
    return _solve(problem, problem.conflicts, {}, solver or OrToolsMinCostFlow())


def reassign(
    problem: AssignmentProblem,
    current: Assignment,
    new_conflicts: Iterable[Pair],
    solver: MinCostFlowSolver | None = None,
) -> Reassignment:
    """Drop the newly conflicted pairs, keep every other pair fixed, and fill the freed places."""
    _require_known_pairs(problem, current.pairs)
    conflicts = problem.conflicts | frozenset(new_conflicts)
    kept: dict[str, tuple[str, ...]] = {
        proposal_id: tuple(e for e in evaluator_ids if (e, proposal_id) not in conflicts)
        for proposal_id, evaluator_ids in current.evaluators_by_proposal.items()
    }
    assignment = _solve(problem, conflicts, kept, solver or OrToolsMinCostFlow())
    return Reassignment(
        assignment=assignment,
        removed=current.pairs - assignment.pairs,
        added=assignment.pairs - current.pairs,
    )


@dataclass(slots=True)
class _Graph:
    """The flow network plus what is needed to read the answer back.

    Nodes: 0 source, 1 sink, then one per evaluator, one per proposal, then one per (proposal, country).
    """

    problem: AssignmentProblem
    fixed: Mapping[str, tuple[str, ...]]
    network: FlowNetwork = field(default_factory=lambda: FlowNetwork(source=0, sink=1))
    pair_arcs: list[tuple[int, int]] = field(default_factory=list)  # arc i: (evaluator index, proposal index)
    non_conflicted: list[int] = field(default_factory=list)  # per proposal index
    open_places: list[int] = field(default_factory=list)  # per proposal index
    country_nodes: dict[tuple[int, str], int] = field(default_factory=dict)

    def evaluator_node(self, e_index: int) -> int:
        return 2 + e_index

    def proposal_node(self, p_index: int) -> int:
        return 2 + len(self.problem.evaluators) + p_index

    def country_node(self, p_index: int, country: str) -> int:
        first = 2 + len(self.problem.evaluators) + len(self.problem.proposals)
        return self.country_nodes.setdefault((p_index, country), first + len(self.country_nodes))


def _solve(
    problem: AssignmentProblem,
    conflicts: frozenset[Pair],
    fixed: Mapping[str, tuple[str, ...]],
    solver: MinCostFlowSolver,
) -> Assignment:
    graph = _build_graph(problem, conflicts, fixed)
    flows = solver.max_flow_min_cost(graph.network)
    chosen: dict[str, list[str]] = {p.proposal_id: list(fixed.get(p.proposal_id, ())) for p in problem.proposals}
    for arc, (e_index, p_index) in enumerate(graph.pair_arcs):
        if flows[arc]:
            chosen[problem.proposals[p_index].proposal_id].append(problem.evaluators[e_index].evaluator_id)
    evaluators_by_proposal = {pid: tuple(sorted(ids)) for pid, ids in chosen.items()}
    return Assignment(
        evaluators_by_proposal=evaluators_by_proposal,
        shortfalls=_shortfalls(problem, evaluators_by_proposal, graph.non_conflicted),
        total_affinity=_total_affinity(problem, evaluators_by_proposal),
    )


def _build_graph(
    problem: AssignmentProblem, conflicts: frozenset[Pair], fixed: Mapping[str, tuple[str, ...]]
) -> _Graph:
    graph = _Graph(problem, fixed)
    _add_pair_arcs(graph, conflicts)  # first, so that arc i is graph.pair_arcs[i]
    _add_country_arcs(graph)
    _add_source_and_sink_arcs(graph)
    return graph


def _add_pair_arcs(graph: _Graph, conflicts: frozenset[Pair]) -> None:
    problem, network = graph.problem, graph.network
    affinity_units = _AffinityUnits(problem)
    for p_index, proposal in enumerate(problem.proposals):
        already = graph.fixed.get(proposal.proposal_id, ())
        open_places = max(0, problem.evaluators_per_proposal - len(already))
        graph.open_places.append(open_places)
        graph.non_conflicted.append(0)
        for e_index, evaluator in enumerate(problem.evaluators):
            if (evaluator.evaluator_id, proposal.proposal_id) in conflicts:
                continue
            graph.non_conflicted[p_index] += 1
            if open_places and evaluator.evaluator_id not in already:
                cost = COST_SCALE - affinity_units(evaluator, proposal)
                network.add_arc(graph.evaluator_node(e_index), graph.country_node(p_index, evaluator.country), 1, cost)
                graph.pair_arcs.append((e_index, p_index))


def _add_country_arcs(graph: _Graph) -> None:
    problem = graph.problem
    country_of = {e.evaluator_id: e.country for e in problem.evaluators}
    penalty = _to_cost_units(problem.same_country_penalty)
    for (p_index, country), node in graph.country_nodes.items():
        present = {country_of[e] for e in graph.fixed.get(problem.proposals[p_index].proposal_id, ())}
        proposal_node = graph.proposal_node(p_index)
        graph.network.add_arc(node, proposal_node, 0 if country in present else 1, 0)
        graph.network.add_arc(node, proposal_node, graph.open_places[p_index], penalty)


def _add_source_and_sink_arcs(graph: _Graph) -> None:
    network = graph.network
    for p_index, places in enumerate(graph.open_places):
        network.add_arc(graph.proposal_node(p_index), network.sink, places, 0)
    fixed_load = Counter(e for ids in graph.fixed.values() for e in ids)
    for e_index, evaluator in enumerate(graph.problem.evaluators):
        free = max(0, evaluator.max_load - fixed_load[evaluator.evaluator_id])
        network.add_arc(network.source, graph.evaluator_node(e_index), free, 0)


class _AffinityUnits:
    """Affinity of a pair in cost units, memoised: across 10^5 pairs only a few distinct values recur."""

    def __init__(self, problem: AssignmentProblem) -> None:
        self._given = problem.affinities
        self._units: dict[object, int] = {}

    def __call__(self, evaluator: EvaluatorProfile, proposal: ProposalProfile) -> int:
        if self._given is not None:
            value = self._given.get((evaluator.evaluator_id, proposal.proposal_id), Decimal(0))
            return self._memo(value, lambda: value)
        key = (len(proposal.topics & evaluator.expertise), len(proposal.topics))
        return self._memo(key, lambda: _coverage(*key))

    def _memo(self, key: object, value: Callable[[], Decimal]) -> int:
        units = self._units.get(key)
        if units is None:
            units = self._units[key] = _to_cost_units(value())
        return units


def _pair_affinity(problem: AssignmentProblem, evaluator: EvaluatorProfile, proposal: ProposalProfile) -> Decimal:
    if problem.affinities is not None:
        return problem.affinities.get((evaluator.evaluator_id, proposal.proposal_id), Decimal(0))
    return affinity(evaluator.expertise, proposal.topics)


def _to_cost_units(value: Decimal) -> int:
    return int((value * COST_SCALE).to_integral_value(rounding=ROUND_HALF_UP))


def _shortfalls(
    problem: AssignmentProblem, chosen: Mapping[str, tuple[str, ...]], non_conflicted: list[int]
) -> tuple[CoverageShortfall, ...]:
    needed = problem.evaluators_per_proposal
    shortfalls: list[CoverageShortfall] = []
    for p_index, proposal in enumerate(problem.proposals):
        assigned = len(chosen[proposal.proposal_id])
        if assigned >= needed:
            continue
        available = non_conflicted[p_index]
        if available < needed:
            reason = f"only {available} non-conflicted evaluators for {needed} places"
        else:
            reason = (
                f"not enough non-conflicted evaluators with free load: of {available} non-conflicted, "
                f"{available - assigned} are at their maximum load"
            )
        shortfalls.append(CoverageShortfall(proposal.proposal_id, assigned, needed, available, reason))
    return tuple(shortfalls)


def _total_affinity(problem: AssignmentProblem, chosen: Mapping[str, tuple[str, ...]]) -> Decimal:
    evaluator_by_id = {e.evaluator_id: e for e in problem.evaluators}
    return sum(
        (
            _pair_affinity(problem, evaluator_by_id[e], proposal)
            for proposal in problem.proposals
            for e in chosen[proposal.proposal_id]
        ),
        Decimal(0),
    )


def _require_unique(kind: str, ids: list[str]) -> None:
    duplicates = sorted(i for i, count in Counter(ids).items() if count > 1)
    if duplicates:
        raise ValueError(f"{kind} ids listed more than once: {duplicates}")


def _require_known_pairs(problem: AssignmentProblem, pairs: Iterable[Pair]) -> None:
    evaluator_ids = {e.evaluator_id for e in problem.evaluators}
    proposal_ids = {p.proposal_id for p in problem.proposals}
    unknown = sorted(pair for pair in pairs if pair[0] not in evaluator_ids or pair[1] not in proposal_ids)
    if unknown:
        raise ValueError(f"the current assignment names unknown evaluators or proposals: {unknown}")
