from datetime import UTC, datetime, timedelta

from services.call_definition.domain.lifecycle import CallStatus, can_publish, effective_status
from services.call_definition.domain.validation import validate_regions, validate_timeline

OPENS = datetime(2027, 2, 1, 8, tzinfo=UTC)
DEADLINE = datetime(2027, 4, 15, 15, tzinfo=UTC)


def test_status_follows_the_clock() -> None:
    published = CallStatus.PUBLISHED
    assert effective_status(published, OPENS, DEADLINE, OPENS - timedelta(seconds=1)) is CallStatus.PUBLISHED
    assert effective_status(published, OPENS, DEADLINE, OPENS) is CallStatus.OPEN
    assert effective_status(published, OPENS, DEADLINE, DEADLINE - timedelta(microseconds=1)) is CallStatus.OPEN
    assert effective_status(published, OPENS, DEADLINE, DEADLINE) is CallStatus.CLOSED


def test_a_draft_stays_a_draft_whatever_the_time() -> None:
    assert effective_status(CallStatus.DRAFT, OPENS, DEADLINE, DEADLINE) is CallStatus.DRAFT
    assert can_publish(CallStatus.DRAFT)
    assert not can_publish(CallStatus.PUBLISHED)


def test_timeline_needs_deadline_after_opening() -> None:
    assert validate_timeline(OPENS, DEADLINE) == []
    [error] = validate_timeline(DEADLINE, OPENS)
    assert error.field == "deadline"


def test_regions_unique_with_known_currencies() -> None:
    errors = validate_regions([("AT-4", "EUR"), ("AT-4", "EUR"), ("CH-FR", "CHX")])
    assert {e.field for e in errors} == {"regions.1.code", "regions.2.currency"}
    assert validate_regions([])[0].field == "regions"
