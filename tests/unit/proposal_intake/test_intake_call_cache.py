"""services/proposal_intake/call_cache.py: the app's cache of parsed calls and what is derived from them, keyed by
the stored snapshot's text (an amended call is a new entry), bounded, and cleared on demand; and the drafts it
last parsed, keyed by their stored text in the same way."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.proposal_intake.call_cache import CallCache, CallNotKnownHere
from services.proposal_intake.domain.precheck import engine_digest
from services.proposal_intake.domain.requirements import submission_requirements
from shared.clock import MovableClock
from shared.proposals import ProposalDraft
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


DRAFT = ProposalDraft.model_validate({"acronym": "ALP", "title": "Alpine", "partners": [{"key": "p1"}]})


def _draft_text(acronym: str) -> str:
    return DRAFT.model_copy(update={"acronym": acronym}).model_dump_json()


def test_a_draft_text_is_validated_once_as_a_parse_would_give_it() -> None:
    cache = CallCache()
    text = '{"acronym": "ALP", "title": "Cafe\\u0301 alpin", "partners": [{"key": "p1"}]}'
    draft = cache.draft(text)
    assert draft == ProposalDraft.model_validate_json(text)
    assert draft.title == "Caf\u00e9 alpin"  # validated: the decomposed accent normalised (NFC), as a parse gives it
    assert cache.draft(text) is draft
    changed = cache.draft(_draft_text("ALQ"))  # a changed draft is another text: a new entry at once
    assert changed is not draft
    assert changed.acronym == "ALQ"


def test_an_invalid_draft_text_is_refused_every_time_and_never_kept() -> None:
    cache = CallCache()
    text = '{"acronym": "ALP", "unknown": 1}'
    for _ in range(2):
        with pytest.raises(ValidationError):
            cache.draft(text)


def test_the_least_recently_used_draft_goes_beyond_capacity_and_clear_drops_drafts() -> None:
    cache = CallCache(draft_capacity=2)
    first, second = cache.draft(_draft_text("ONE")), cache.draft(_draft_text("TWO"))
    assert cache.draft(_draft_text("ONE")) is first  # used again: now the most recent
    cache.draft(_draft_text("THREE"))
    assert cache.draft(_draft_text("ONE")) is first
    assert cache.draft(_draft_text("TWO")) is not second  # evicted, parsed again
    cache.clear()
    assert cache.draft(_draft_text("ONE")) is not first
