"""How far each region is with a call's checks: counted from (region, verdict, count) rows. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from .checks import CheckVerdict


@dataclass
class RegionCounts:
    region_code: str
    checks: int = 0
    decided: int = 0
    pending: int = 0
    overdue: int = 0


def progress_by_region(counts: list[tuple[str, str, int]], *, overdue: bool) -> list[RegionCounts]:
    """Per region (and `consortium`), sorted by code: checks, decided, pending (needing a human) and, once the
    check deadline has passed (`overdue`), the pending ones again as overdue."""
    progress: dict[str, RegionCounts] = {}
    for region, verdict, count in counts:
        entry = progress.setdefault(region, RegionCounts(region))
        entry.checks += count
        if verdict == CheckVerdict.NEEDS_HUMAN.value:
            entry.pending += count
            entry.overdue += count if overdue else 0
        else:
            entry.decided += count
    return sorted(progress.values(), key=lambda p: p.region_code)
