"""What project_monitoring exposes to Prometheus beside the shared metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CONTRACTS_OVERDUE = Counter(
    "jointcall_contracts_overdue_total", "Offers to partners not signed by their deadline", ["region"]
)
TIME_TO_CONTRACT = Histogram(
    "jointcall_time_to_contract_days",
    "Days from a partner's offer to its signature",
    ["region"],
    buckets=(7, 14, 30, 60, 90, 120, 180, 270, 365),
)
REPORTS_OVERDUE = Counter("jointcall_reports_overdue_total", "Periodic reports not submitted by their due date")
PAYMENTS_HELD = Counter("jointcall_payments_held_total", "Grants whose next payment a late report holds", ["region"])
