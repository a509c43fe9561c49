"""What if: the funding walk with regional budgets topped up, for the selection meeting. Nothing is stored."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import FieldError, ValidationFailed
from shared.events import FundingDecided
from shared.service import Runtime

from ..access import call_config
from ..caches import PREVIEWS
from ..domain.funding import FundingTrigger
from ..errors import EvaluationNotComplete
from ..funding import preview_key, walk
from ..ranking import fixed_ranking


async def simulate_funding(
    session: AsyncSession,
    runtime: Runtime,
    call_id: str,
    top_ups: Mapping[str, Decimal],
    *,
    present: Callable[[FundingDecided], bytes],
    amounts_around_the_line_only: bool = False,
) -> bytes:
    """The allocation as it would be with the top-ups (funding_version 0: never announced), as `present` writes it;
    with `amounts_around_the_line_only`, only the decisions around the funding line carry their amounts. The
    answer is kept by everything the walk reads and the view (funding.preview_key): the selection meeting's page
    asks for it on every load, and for 5,000 proposals reading every entry's partners took most of its time, then
    writing the answer most of what was left."""
    config = await call_config(session, call_id)
    known = {region.code for region in config.regions}
    unknown = [FieldError(f"top_ups.{code}", "not a region of the call") for code in top_ups if code not in known]
    if unknown:
        raise ValidationFailed("Top-ups name regions outside the call.", errors=unknown)
    fixed = await fixed_ranking(session, call_id)
    if fixed is None:
        raise EvaluationNotComplete("The evaluation is not complete: complete the ranking first.")
    key = await preview_key(
        session, config, call_id, fixed[1], top_ups, amounts_around_the_line_only=amounts_around_the_line_only
    )

    async def walked() -> bytes:
        decided = await walk(
            session,
            config,
            call_id,
            fixed[0],
            version=0,
            trigger=FundingTrigger.SIMULATION,
            decided_at=runtime.clock.now(),
            top_ups=top_ups,
            amounts_around_the_line_only=amounts_around_the_line_only,
        )
        return present(decided)

    return await PREVIEWS.kept(session, key, walked)
