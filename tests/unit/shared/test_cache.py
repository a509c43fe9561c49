"""shared.cache: a bounded cache (least recently used out first), a runtime's own caches reached from its
sessions, and values kept only when the transaction that wrote them commits."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from shared.cache import BoundedCache, CacheKind, Caches, caches_of
from shared.db import create_engine, create_session_factory

NUMBERS: CacheKind[str, int] = CacheKind("numbers", 2)


def test_a_bounded_cache_keeps_at_most_its_size_the_least_recently_used_out_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache("t", 2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)
    assert (cache.hits, cache.misses) == (3, 1)
    cache.clear()
    assert cache.get("a") is None and len(cache) == 0
    with pytest.raises(ValueError):
        BoundedCache("none", 0)


async def test_each_runtime_has_its_own_caches_and_a_session_made_elsewhere_none() -> None:
    first, second = Caches(), Caches()
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        async with create_session_factory(engine, info=first.session_info())() as session:
            assert caches_of(session) is first
            calls: list[str] = []

            async def compute() -> int:
                calls.append("computed")
                return 7

            assert await NUMBERS.kept(session, "k", compute) == 7
            assert await NUMBERS.kept(session, "k", compute) == 7 and calls == ["computed"]
        assert NUMBERS.in_(first).get("k") == 7 and NUMBERS.in_(second).get("k") is None
        async with create_session_factory(engine)() as bare:
            assert caches_of(bare) is None and NUMBERS.of(bare) is None
            assert await NUMBERS.kept(bare, "k", compute) == 7 and calls == ["computed", "computed"]
    finally:
        await engine.dispose()


async def test_a_value_kept_on_commit_is_kept_only_if_the_transaction_commits() -> None:
    caches = Caches()
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        sessions = create_session_factory(engine, info=caches.session_info())
        async with sessions() as session:
            await session.execute(text("select 1"))
            NUMBERS.keep_on_commit(session, "rolled back", 1)
            await session.rollback()
            NUMBERS.keep_on_commit(session, "committed", 2)
            assert NUMBERS.in_(caches).get("committed") is None  # not before the commit
            await session.commit()
        assert NUMBERS.in_(caches).get("committed") == 2 and NUMBERS.in_(caches).get("rolled back") is None
    finally:
        await engine.dispose()
