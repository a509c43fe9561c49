"""An agency reads the calls started from a topic."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..models import TopicCall
from ..repository import calls_of_topic


async def list_topic_calls(session: AsyncSession, *, topic_id: str) -> list[TopicCall]:
    return await calls_of_topic(session, topic_id)
