"""services/proposal_intake/domain/submission.py: the server clock alone decides whether a submission is
accepted, at the instant of each stage's opening and deadline."""

from __future__ import annotations

from datetime import timedelta

from services.proposal_intake.domain.submission import submission_window_error
from shared.calls import Stage
from shared.clock import MovableClock
from tests.helpers import NOW, published_call

CALL = published_call(MovableClock(NOW))
assert CALL.configuration is not None
DEADLINE = CALL.configuration.stages[-1].deadline
OPENS = CALL.configuration.stages[-1].opens


def test_open_call_accepts_between_opening_and_deadline() -> None:
    assert submission_window_error(CALL, NOW) is None
    assert submission_window_error(CALL, OPENS) is None
    assert submission_window_error(CALL, DEADLINE - timedelta(microseconds=1)) is None


def test_the_deadline_instant_itself_is_too_late() -> None:
    error = submission_window_error(CALL, DEADLINE)
    assert error is not None
    assert error.startswith(f"The deadline ({DEADLINE.isoformat()}) has passed")
    assert error.endswith("Nothing was stored.")


def test_before_opening_says_when_it_opens() -> None:
    error = submission_window_error(CALL, OPENS - timedelta(seconds=1))
    assert error is not None and OPENS.isoformat() in error and "not accepted before" in error


def test_a_draft_call_accepts_nothing() -> None:
    assert submission_window_error(CALL.model_copy(update={"status": "draft"}), NOW) == "The call is not published."


def test_between_two_stages_nothing_is_accepted_and_the_next_opening_is_named() -> None:
    assert CALL.configuration is not None
    first = Stage(name="pre-proposal", opens=NOW - timedelta(days=20), deadline=NOW - timedelta(days=10))
    second = Stage(name="full proposal", opens=NOW + timedelta(days=5), deadline=NOW + timedelta(days=40))
    two_stage = CALL.model_copy(
        update={"configuration": CALL.configuration.model_copy(update={"stages": [first, second]})}
    )
    between = submission_window_error(two_stage, NOW)
    assert between is not None and between.startswith("The full proposal stage opens at")
    assert submission_window_error(two_stage, first.deadline - timedelta(seconds=1)) is None
    assert submission_window_error(two_stage, second.opens) is None
    after = submission_window_error(two_stage, second.deadline)
    assert after is not None and second.deadline.isoformat() in after
