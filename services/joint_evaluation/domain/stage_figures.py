"""Both stages' numbers of a two-stage call, per region and in all (pure): pre-proposals, invited, full proposals,
funded. A proposal counts in a region when it has a partner from that region."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StagedProposal:
    proposal_id: str
    stage: int
    regions: frozenset[str]  # the participating regions of its partners
    pre_proposal_id: str | None = None  # a full proposal's pre-proposal


@dataclass(frozen=True, slots=True)
class StageCounts:
    pre_proposals: int
    invited: int
    full_proposals: int
    funded: int


def stage_figures(
    proposals: Iterable[StagedProposal], invited: Collection[str], funded: Collection[str], regions: Sequence[str]
) -> tuple[StageCounts, dict[str, StageCounts]]:
    """The call's counts, then each region's (in the given order)."""
    listed = list(proposals)

    def counts(keep: frozenset[str] | None) -> StageCounts:
        mine = [p for p in listed if keep is None or p.regions & keep]
        return StageCounts(
            pre_proposals=sum(p.stage == 1 for p in mine),
            invited=sum(p.stage == 1 and p.proposal_id in invited for p in mine),
            full_proposals=sum(p.stage == 2 for p in mine),
            funded=sum(p.stage == 2 and p.proposal_id in funded for p in mine),
        )

    return counts(None), {code: counts(frozenset({code})) for code in regions}
