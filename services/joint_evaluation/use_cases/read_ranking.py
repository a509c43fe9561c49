"""An agency reads the ranking list over the final consensus scores, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.events import RankedProposal
from shared.pagination import encode_cursor, id_after

from ..access import call_config
from ..ranking import RankingView, current_ranking, fixed_ranking
from ..repository import withdrawn_proposal_ids


@dataclass(frozen=True)
class RankingPageView:
    view: RankingView
    next_cursor: str | None


async def read_ranking(session: AsyncSession, *, call_id: str, cursor: str | None, limit: int) -> RankingPageView:
    """The ranking is computed whole, so a cursor is a position in it."""
    start = id_after(cursor) or 0
    view, total = await _ranking_page(session, call_id, await call_config(session, call_id), start, limit)
    end = start + limit
    return RankingPageView(view, encode_cursor(end) if end < total else None)


async def _ranking_page(
    session: AsyncSession, call_id: str, config: CallConfiguration, start: int, limit: int
) -> tuple[RankingView, int]:
    """One page of `current_ranking` (its lines `start` to `start + limit`) and how many lines it has in all. A
    fixed ranking validates only the page's lines, so a page of a 5,000-line ranking costs a page."""
    fixed = await fixed_ranking(session, call_id)
    if fixed is None:
        view = await current_ranking(session, call_id, config)
        page = RankingView(view.ranking[start : start + limit], view.pending_consensus, view.awaiting_eligibility)
        return page, len(view.ranking)
    ranking, completed_at = fixed
    withdrawn = await withdrawn_proposal_ids(session, call_id)
    lines = [line for line in ranking if str(line["proposal_id"]) not in withdrawn] if withdrawn else ranking
    items = [RankedProposal.model_validate(line) for line in lines[start : start + limit]]
    return RankingView(items, completed_at=completed_at), len(lines)
