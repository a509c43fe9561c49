"""What a running service keeps in memory of what it has read or computed: small bounded caches, owned by the
service's runtime (one set per api or worker process, none at module level), each value kept by a key made of
what it depends on. A change to those inputs makes a new key, so a kept value is never stale; eviction (the oldest
first, beyond `size`) only bounds the memory. Callers read what they get; they never change it.

Code holding only a database session reaches its runtime's caches through the session (``caches_of``): the
runtime's session factory carries them. A session made elsewhere (a test's own) has none and keeps nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_INFO_KEY = "caches"
_PENDING_KEY = "caches.pending"  # what the session's transaction will keep once committed
_LISTENING_KEY = "caches.listening"


class BoundedCache(Generic[K, V]):
    """At most `size` values by key; the least recently used goes first."""

    def __init__(self, name: str, size: int) -> None:
        if size < 1:
            raise ValueError("a cache keeps at least one value")
        self.name, self.size = name, size
        self._values: OrderedDict[K, V] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: K) -> V | None:
        value = self._values.get(key)
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._values.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._values[key] = value
        self._values.move_to_end(key)
        while len(self._values) > self.size:
            self._values.popitem(last=False)

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


class Caches:
    """A runtime's caches, by name: each made on first use with its bound."""

    def __init__(self) -> None:
        self._caches: dict[str, BoundedCache[object, object]] = {}

    def named(self, name: str, size: int) -> BoundedCache[object, object]:
        cache = self._caches.get(name)
        if cache is None:
            cache = self._caches[name] = BoundedCache(name, size)
        return cache

    def clear(self) -> None:
        for cache in self._caches.values():
            cache.clear()

    def session_info(self) -> dict[str, object]:
        """What the runtime's session factory gives each session, for `caches_of`."""
        return {_INFO_KEY: self}


def caches_of(session: AsyncSession) -> Caches | None:
    """The caches of the runtime whose factory made this session; None for a session made elsewhere."""
    return cast(Caches | None, session.info.get(_INFO_KEY))


class CacheKind(Generic[K, V]):
    """A kind of cache a service keeps (its name, bound and types), declared once; each runtime has its own."""

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size

    def of(self, session: AsyncSession) -> BoundedCache[K, V] | None:
        """The cache of the session's runtime; None when the session has no runtime's caches."""
        caches = caches_of(session)
        return None if caches is None else self.in_(caches)

    def in_(self, caches: Caches) -> BoundedCache[K, V]:
        return cast(BoundedCache[K, V], caches.named(self.name, self.size))

    async def kept(self, session: AsyncSession, key: K, compute: Callable[[], Awaitable[V]]) -> V:
        """The value kept by `key` in the session's runtime; computed (and kept) when there is none."""
        cache = self.of(session)
        if cache is not None and (value := cache.get(key)) is not None:
            return value
        value = await compute()
        if cache is not None:
            cache.put(key, value)
        return value

    def keep_on_commit(self, session: AsyncSession, key: K, value: V) -> None:
        """Keep `value` (just written in the session's transaction) once the transaction commits; nothing if it
        rolls back. For what the next request would otherwise read and parse again (a funding round)."""
        cache = self.of(session)
        if cache is None:
            return
        if not session.info.get(_LISTENING_KEY):  # once per session: the listeners stay, harmless when idle
            session.info[_LISTENING_KEY] = True
            event.listen(session.sync_session, "after_commit", _kept_on_commit)
            event.listen(session.sync_session, "after_rollback", _dropped_on_rollback)
        session.info.setdefault(_PENDING_KEY, []).append((cache, key, value))


def _kept_on_commit(session: Session) -> None:
    for cache, key, value in session.info.pop(_PENDING_KEY, []):
        cache.put(key, value)


def _dropped_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
