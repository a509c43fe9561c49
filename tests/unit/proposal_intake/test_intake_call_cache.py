"""services/proposal_intake/call_cache.py: the app's cache of parsed calls and what is derived from them, keyed by
the stored snapshot's text (an amended call is a new entry), bounded, and cleared on demand."""

from __future__ import annotations

import pytest

from services.proposal_intake.call_cache import CallCache, CallNotKnownHere
from services.proposal_intake.domain.precheck import engine_digest
from services.proposal_intake.domain.requirements import submission_requirements
from shared.clock import MovableClock
from tests.helpers import NOW, published_call

CALL = published_call(MovableClock(NOW))
TEXT = CALL.model_dump_json()


def _amended(title: str) -> str:
    return CALL.model_copy(update={"title": title}).model_dump_json()


def test_one_text_is_parsed_once_and_what_derives_from_it_is_kept() -> None:
    cache = CallCache()
    known = cache.known(TEXT, str(CALL.call_id))
    assert known.snapshot == CALL
    assert cache.known(TEXT, str(CALL.call_id)) is known
    assert known.rules is known.rules
    requirements = known.requirements(str(CALL.call_id))
    assert requirements is known.requirements(str(CALL.call_id))
    assert requirements == submission_requirements(str(CALL.call_id), known.config)


def test_an_amended_call_is_a_new_entry_at_once() -> None:
    cache = CallCache()
    before = cache.known(TEXT, str(CALL.call_id))
    after = cache.known(_amended("Amended"), str(CALL.call_id))
    assert after is not before
    assert after.snapshot.title == "Amended"
    assert len(cache) == 2


def test_the_oldest_entry_goes_beyond_capacity_and_clear_drops_all() -> None:
    cache = CallCache(capacity=2)
    first = cache.known(_amended("one"), "c")
    cache.known(_amended("two"), "c")
    cache.known(_amended("three"), "c")
    assert len(cache) == 2
    assert cache.known(_amended("one"), "c") is not first  # evicted, parsed again
    assert cache.engine_digest == engine_digest()
    cache.clear()
    assert len(cache) == 0


def test_no_copy_of_the_call_is_a_404() -> None:
    with pytest.raises(CallNotKnownHere):
        CallCache().known(None, "c")


def test_two_caches_share_nothing() -> None:
    assert CallCache().known(TEXT, "c") is not CallCache().known(TEXT, "c")
