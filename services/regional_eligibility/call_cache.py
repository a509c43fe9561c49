"""What the app keeps between requests of the calls it knows: each stored call copy, parsed. An explicit object the
app owns (as proposal_intake's CallCache).

Every officer's decision reads its call's copy, to know the check deadline and to decide the case: validating it
(a whole call configuration, every region's rules, each text checked storable) cost more than the rest of the use
case. A `CallCache` keeps it per stored version.

Invalidation: the key is the copy's call id and version. A stored copy is only ever replaced by a newer version
(shared.readmodel.upsert_call_copy), and the version is read at every request, so an amended call is a new key at
once and its old entry is never served for it; entries beyond `capacity` go oldest first (calls are few,
amendments rare); `clear()` drops everything. Nothing cached is ever mutated by its readers.

One instance per app (`app.state.call_cache`, made on the first request that needs it: api/dependencies.py), so
two apps in one process (the embedded stack, tests) never share entries.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.errors import RetryableError
from shared.events import CallSnapshot

from .cases import call_config
from .repository import call_copy_version


class CallCache:
    def __init__(self, capacity: int = 32) -> None:
        self.capacity = capacity
        self._known: dict[tuple[str, int], tuple[CallSnapshot, CallConfiguration]] = {}

    async def call_config(
        self, session: AsyncSession, call_id: str, *, missing: type[Exception] = RetryableError
    ) -> tuple[CallSnapshot, CallConfiguration]:
        """`cases.call_config`, parsed once per stored version of the call."""
        version = await call_copy_version(session, call_id)
        known = self._known.get((call_id, version)) if version is not None else None
        if known is None:
            known = await call_config(session, call_id, missing=missing)
            if len(self._known) >= self.capacity:
                self._known.pop(next(iter(self._known)))  # the oldest
            self._known[(call_id, known[0].ordering_key)] = known  # the version parsed (a newer one may have come)
        return known

    def clear(self) -> None:
        self._known.clear()

    def __len__(self) -> int:
        return len(self._known)
