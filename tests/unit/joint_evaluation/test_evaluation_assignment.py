"""Evaluator assignment by min-cost flow: conflicts, loads, coverage, diversity, optimality, re-assignment."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.joint_evaluation.domain.assignment import (
    Assignment,
    AssignmentProblem,
    EvaluatorProfile,
    FlowNetwork,
    MinCostFlowSolver,
    OrToolsMinCostFlow,
    Pair,
    ProposalProfile,
    affinity,
    assign,
    reassign,
)

D = Decimal


def evaluator(evaluator_id: str, country: str = "AT", max_load: int = 5, *expertise: str) -> EvaluatorProfile:
    return EvaluatorProfile(evaluator_id, country, max_load, frozenset(expertise))


def proposals(count: int, *topics: str) -> tuple[ProposalProfile, ...]:
    return tuple(ProposalProfile(f"P{i}", frozenset(topics)) for i in range(count))


def random_problem(
    seed: int, n_proposals: int, n_evaluators: int, conflict_rate: float, loads: tuple[int, int] = (1, 6)
) -> AssignmentProblem:
    rng = random.Random(seed)
    topics = [f"t{i}" for i in range(8)]
    props = tuple(ProposalProfile(f"P{i}", frozenset(rng.sample(topics, 2))) for i in range(n_proposals))
    evals = tuple(
        EvaluatorProfile(f"E{i}", rng.choice("ABCD"), rng.randint(*loads), frozenset(rng.sample(topics, 3)))
        for i in range(n_evaluators)
    )
    conflicts = frozenset((e.evaluator_id, p.proposal_id) for p in props for e in evals if rng.random() < conflict_rate)
    return AssignmentProblem(props, evals, evaluators_per_proposal=3, conflicts=conflicts)


def assert_feasible(problem: AssignmentProblem, result: Assignment) -> None:
    assert not result.pairs & problem.conflicts
    loads = result.loads()
    for e in problem.evaluators:
        assert loads[e.evaluator_id] <= e.max_load
    for ids in result.evaluators_by_proposal.values():
        assert len(ids) == len(set(ids)) <= problem.evaluators_per_proposal


def test_affinity_is_the_share_of_topics_covered() -> None:
    assert affinity({"bio-economy", "eco-innovation"}, {"bio-economy", "circular economy"}) == D("0.5")
    assert affinity({"a"}, {"a", "b", "c"}) == D("0.333")
    assert affinity({"a", "b"}, {"a", "b"}) == D(1)
    assert affinity({"a"}, set()) == D(0)


def test_each_proposal_gets_k_evaluators_when_feasible() -> None:
    problem = AssignmentProblem(
        proposals(4, "a"), tuple(evaluator(f"E{i}", max_load=2) for i in range(6)), evaluators_per_proposal=3
    )
    result = assign(problem)
    assert all(len(ids) == 3 for ids in result.evaluators_by_proposal.values())
    assert result.shortfalls == ()
    assert_feasible(problem, result)


def test_conflicted_pairs_are_never_assigned_even_at_a_loss_of_affinity() -> None:
    problem = AssignmentProblem(
        (ProposalProfile("P1", frozenset({"mobility"})),),
        (evaluator("E1", "AT", 5, "mobility"), evaluator("E2", "DE", 5), evaluator("E3", "IT", 5, "mobility")),
        evaluators_per_proposal=2,
        conflicts=frozenset({("E1", "P1")}),
    )
    assert assign(problem).evaluators_by_proposal == {"P1": ("E2", "E3")}


def test_expertise_match_is_maximised() -> None:
    problem = AssignmentProblem(
        (ProposalProfile("P1", frozenset({"bio"})), ProposalProfile("P2", frozenset({"mobility"}))),
        (evaluator("E1", "AT", 1, "mobility"), evaluator("E2", "DE", 1, "bio")),
        evaluators_per_proposal=1,
    )
    result = assign(problem)
    assert result.evaluators_by_proposal == {"P1": ("E2",), "P2": ("E1",)}
    assert result.total_affinity == D(2)


def test_given_affinities_replace_the_computed_ones() -> None:
    problem = AssignmentProblem(
        (ProposalProfile("P1"),),
        (evaluator("E1", "AT"), evaluator("E2", "DE")),
        evaluators_per_proposal=1,
        affinities={("E2", "P1"): D("0.9")},
    )
    result = assign(problem)
    assert result.evaluators_by_proposal == {"P1": ("E2",)}
    assert result.total_affinity == D("0.9")


def test_different_countries_are_preferred_over_a_small_affinity_gain() -> None:
    # two Austrians match 2/2 topics, the Slovene 1/2: the 0.5 loss is worth less than a 0.6 penalty
    problem = AssignmentProblem(
        (ProposalProfile("P1", frozenset({"a", "b"})),),
        (evaluator("AT1", "AT", 5, "a", "b"), evaluator("AT2", "AT", 5, "a", "b"), evaluator("SI1", "SI", 5, "a")),
        evaluators_per_proposal=2,
        same_country_penalty=D("0.6"),
    )
    (chosen,) = assign(problem).evaluators_by_proposal.values()
    assert "SI1" in chosen and len(chosen) == 2  # with either Austrian: they are interchangeable


def test_the_diversity_preference_is_soft() -> None:
    base = AssignmentProblem(
        (ProposalProfile("P1", frozenset({"a", "b"})),),
        (evaluator("AT1", "AT", 5, "a", "b"), evaluator("AT2", "AT", 5, "a", "b"), evaluator("SI1", "SI", 5, "a")),
        evaluators_per_proposal=2,
        same_country_penalty=D("0.4"),  # below the 0.5 affinity gain
    )
    assert assign(base).evaluators_by_proposal == {"P1": ("AT1", "AT2")}
    only_austrians = AssignmentProblem(
        proposals(1), (evaluator("AT1", "AT"), evaluator("AT2", "AT")), evaluators_per_proposal=2
    )
    assert assign(only_austrians).evaluators_by_proposal == {"P0": ("AT1", "AT2")}


def test_too_few_non_conflicted_evaluators_is_reported() -> None:
    problem = AssignmentProblem(
        proposals(1),
        tuple(evaluator(f"E{i}", str(i)) for i in range(3)),
        evaluators_per_proposal=3,
        conflicts=frozenset({("E0", "P0")}),
    )
    result = assign(problem)
    (shortfall,) = result.shortfalls
    assert (shortfall.proposal_id, shortfall.assigned, shortfall.needed) == ("P0", 2, 3)
    assert shortfall.reason == "only 2 non-conflicted evaluators for 3 places"


def test_exhausted_loads_are_reported() -> None:
    problem = AssignmentProblem(
        proposals(3), tuple(evaluator(f"E{i}", str(i), max_load=2) for i in range(4)), evaluators_per_proposal=3
    )
    result = assign(problem)
    assert len(result.pairs) == 8  # 4 evaluators x load 2 for 9 places
    (shortfall,) = result.shortfalls
    assert shortfall.assigned == 2
    assert shortfall.reason == (
        "not enough non-conflicted evaluators with free load: of 4 non-conflicted, 2 are at their maximum load"
    )
    assert_feasible(problem, result)


def test_reassign_after_a_late_conflict_keeps_every_other_pair() -> None:
    problem = random_problem(seed=7, n_proposals=30, n_evaluators=25, conflict_rate=0.05, loads=(4, 8))
    current = assign(problem)
    assert current.shortfalls == ()
    victim = current.evaluators_by_proposal["P3"][0]
    late: Pair = (victim, "P3")

    outcome = reassign(problem, current, [late])

    assert outcome.removed == {late}
    assert current.pairs - {late} <= outcome.assignment.pairs
    assert [pair[1] for pair in outcome.added] == ["P3"]
    assert late not in outcome.assignment.pairs
    assert len(outcome.assignment.evaluators_by_proposal["P3"]) == 3
    assert_feasible(
        AssignmentProblem(problem.proposals, problem.evaluators, 3, problem.conflicts | {late}), outcome.assignment
    )


def test_reassign_uses_the_load_freed_by_the_conflicted_evaluator_and_keeps_diversity() -> None:
    problem = AssignmentProblem(
        (ProposalProfile("P1"), ProposalProfile("P2")),
        (evaluator("AT1", "AT", 1), evaluator("DE1", "DE", 2), evaluator("AT2", "AT", 1), evaluator("SI1", "SI", 1)),
        evaluators_per_proposal=2,
        affinities={("AT1", "P1"): D(1), ("DE1", "P1"): D(1), ("DE1", "P2"): D(1), ("AT2", "P2"): D(1)},
    )
    current = assign(problem)
    assert current.evaluators_by_proposal == {"P1": ("AT1", "DE1"), "P2": ("AT2", "DE1")}

    outcome = reassign(problem, current, [("DE1", "P1")])
    # SI1 (affinity 0, new country) beats nobody else: AT2 is full, and it is the only one left
    assert outcome.assignment.evaluators_by_proposal == {"P1": ("AT1", "SI1"), "P2": ("AT2", "DE1")}
    assert outcome.added == {("SI1", "P1")}


def test_reassign_reports_when_nobody_is_left() -> None:
    problem = AssignmentProblem(proposals(1), (evaluator("E1", "AT"), evaluator("E2", "DE")), evaluators_per_proposal=2)
    outcome = reassign(problem, assign(problem), [("E2", "P0")])
    assert outcome.assignment.evaluators_by_proposal == {"P0": ("E1",)}
    assert outcome.assignment.shortfalls[0].reason == "only 1 non-conflicted evaluators for 2 places"
    assert outcome.added == frozenset()


def test_reassign_refuses_an_assignment_from_another_problem() -> None:
    problem = AssignmentProblem(proposals(1), (evaluator("E1"),), evaluators_per_proposal=1)
    stranger = Assignment({"P0": ("E9",)}, (), D(0))
    with pytest.raises(ValueError, match="unknown"):
        reassign(problem, stranger, [])


def test_problems_are_validated() -> None:
    with pytest.raises(ValueError, match="more than once"):
        AssignmentProblem(proposals(1), (evaluator("E1"), evaluator("E1")))
    with pytest.raises(ValueError, match="at least one"):
        AssignmentProblem(proposals(1), (evaluator("E1"),), evaluators_per_proposal=0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        AssignmentProblem(proposals(1), (evaluator("E1"),), affinities={("E1", "P0"): D(2)})


class RecordingSolver:
    """A solver that delegates, to show the solver is pluggable and sees one flow network."""

    def __init__(self) -> None:
        self.networks: list[FlowNetwork] = []

    def max_flow_min_cost(self, network: FlowNetwork) -> Sequence[int]:
        self.networks.append(network)
        return OrToolsMinCostFlow().max_flow_min_cost(network)


def test_the_solver_is_pluggable() -> None:
    solver: MinCostFlowSolver = RecordingSolver()
    problem = AssignmentProblem(proposals(2), (evaluator("E1", "AT"), evaluator("E2", "DE")), evaluators_per_proposal=2)
    assert len(assign(problem, solver).pairs) == 4
    assert isinstance(solver, RecordingSolver) and len(solver.networks) == 1
    # source, sink, 2 evaluators, 2 proposals, 4 (proposal, country) nodes
    assert solver.networks[0].node_count == 10


def test_a_mid_size_random_problem_is_feasible_and_covered() -> None:
    problem = random_problem(seed=3, n_proposals=120, n_evaluators=90, conflict_rate=0.02, loads=(4, 6))
    result = assign(problem)
    assert_feasible(problem, result)
    assert result.shortfalls == ()


# --- optimality against brute force on tiny problems --------------------------------------------------------


def objective(problem: AssignmentProblem, chosen: dict[str, tuple[str, ...]]) -> tuple[int, Decimal]:
    """(places filled, cost) with cost = sum(1 - affinity) + penalty per extra evaluator of a country."""
    by_id = {e.evaluator_id: e for e in problem.evaluators}
    filled, cost = 0, D(0)
    for proposal in problem.proposals:
        ids = chosen[proposal.proposal_id]
        filled += len(ids)
        cost += sum((1 - affinity(by_id[e].expertise, proposal.topics) for e in ids), D(0))
        extra = sum(n - 1 for n in Counter(by_id[e].country for e in ids).values())
        cost += extra * problem.same_country_penalty
    return filled, cost


def brute_force_best(problem: AssignmentProblem) -> tuple[int, Decimal]:
    k = problem.evaluators_per_proposal
    options = []
    for proposal in problem.proposals:
        free = [
            e.evaluator_id
            for e in problem.evaluators
            if (e.evaluator_id, proposal.proposal_id) not in problem.conflicts
        ]
        options.append([c for size in range(k + 1) for c in itertools.combinations(free, size)])
    best: tuple[int, Decimal] | None = None
    max_load = {e.evaluator_id: e.max_load for e in problem.evaluators}
    for combo in itertools.product(*options):
        loads = Counter(e for ids in combo for e in ids)
        if any(loads[e] > max_load[e] for e in loads):
            continue
        filled, cost = objective(problem, {p.proposal_id: ids for p, ids in zip(problem.proposals, combo, strict=True)})
        if best is None or (filled, -cost) > (best[0], -best[1]):
            best = (filled, cost)
    assert best is not None
    return best


tiny_problems = st.builds(
    lambda seed, n_p, n_e, rate: random_problem(seed, n_p, n_e, rate),
    st.integers(0, 10_000),
    st.integers(1, 3),
    st.integers(2, 4),
    st.sampled_from([0.0, 0.2, 0.4]),
)


@settings(max_examples=40, deadline=None)
@given(tiny_problems)
def test_the_assignment_is_optimal_on_tiny_problems(problem: AssignmentProblem) -> None:
    result = assign(problem)
    assert_feasible(problem, result)
    assert objective(problem, dict(result.evaluators_by_proposal)) == brute_force_best(problem)
