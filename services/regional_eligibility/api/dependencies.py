"""What regional_eligibility's routes take beside the kernel's session and runtime: the app's CallCache."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..call_cache import CallCache


async def _call_cache(request: Request) -> CallCache:
    """The app's CallCache, made with the app's first request that needs one (so each app has its own). `async
    def`: FastAPI would run a plain `def` in its thread pool."""
    state = request.app.state
    cache: CallCache | None = getattr(state, "call_cache", None)
    if cache is None:
        cache = state.call_cache = CallCache()
    return cache


Calls = Annotated[CallCache, Depends(_call_cache)]
