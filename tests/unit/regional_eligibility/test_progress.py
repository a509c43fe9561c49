"""A call's overview counts each region's checks: decided, pending, and overdue once the check deadline passed."""

from __future__ import annotations

from services.regional_eligibility.domain.progress import RegionCounts, progress_by_region


def test_pending_items_become_overdue_only_after_the_check_deadline() -> None:
    rows = [("AT-4", "pass", 2), ("AT-4", "needs_human", 1), ("consortium", "fail", 1), ("AT-4", "fail", 1)]
    assert progress_by_region(rows, overdue=False) == [
        RegionCounts("AT-4", checks=4, decided=3, pending=1, overdue=0),
        RegionCounts("consortium", checks=1, decided=1, pending=0, overdue=0),
    ]
    assert progress_by_region(rows, overdue=True)[0].overdue == 1


def test_a_call_without_checks_has_no_regions_to_show() -> None:
    assert progress_by_region([], overdue=True) == []
