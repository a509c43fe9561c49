"""Monitoring of a call: projects, reports, payments held, indicators and money, for the agency (or one region
it asks for) and for a region its own part only."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal, Role
from shared.service import Runtime

from ..access import call_config
from ..domain import monitoring
from ..domain.reporting import ReportStatus
from ..repository import contracts_of_call, grants_of_call, projects_of_call, reports_of_call


async def monitoring_view(
    session: AsyncSession, runtime: Runtime, principal: Principal, call_id: str, region: str | None
) -> dict[str, object]:
    """The agency's view of the call (or of one region if it asks); a region's view of its own part only."""
    config = await call_config(session, call_id)
    if principal.role is Role.REGION:
        if region not in (None, principal.scope):
            raise NotFound(f"No monitoring of region {region} for {principal.label}.")
        region = principal.scope
    if region is not None and config.region(region) is None:
        raise NotFound(f"No region {region} in call {call_id}.")
    now = runtime.clock.now()
    projects = await projects_of_call(session, call_id)
    reports = [
        monitoring.ReportFacts(
            proposal_id=r.proposal_id,
            status=r.status,
            overdue=r.status == ReportStatus.DUE and now > r.due_at,
            project_indicators={k: Decimal(v) for k, v in (r.indicators or {}).get("project", {}).items()},
            partner_indicators={
                p: {k: Decimal(v) for k, v in f.items()} for p, f in (r.indicators or {}).get("partners", {}).items()
            },
            costs=[
                (s["region_code"], s["currency"], sum((Decimal(a) for a in s["costs"].values()), Decimal(0)))
                for s in r.statements.values()
            ],
        )
        for r in await reports_of_call(session, call_id)
    ]
    return monitoring.summary(
        project_statuses={p.proposal_id: p.status for p in projects},
        grants=[
            monitoring.GrantFacts(g.proposal_id, g.region_code, g.currency, g.amount, g.payment_held)
            for g in await grants_of_call(session, call_id)
        ],
        offers=[
            monitoring.OfferFacts(c.region_code, c.status, c.offered_at, c.settled_at)
            for c in await contracts_of_call(session, call_id)
        ],
        reports=reports,
        indicators=[
            monitoring.IndicatorTarget(i.key, i.name, i.unit, i.target_per_project)
            for i in config.monitoring.indicators
        ],
        reporting_currency=config.funding.reporting_currency,
        rates=config.reporting_rates(),
        region=region,
    )
