"""Generated messages read as English: articles by sound, counts that agree, statuses in words."""

from __future__ import annotations

import re

from services.call_definition.domain.lifecycle import CallStatus, transition_refusal
from shared.wording import agree, count


def test_counts_agree_with_their_nouns_and_verbs() -> None:
    assert count(1, "stage") == "1 stage" and count(0, "stage") == "0 stages" and count(3, "stage") == "3 stages"
    assert count(2, "priority", "priorities") == "2 priorities"
    assert agree(1, "takes", "take") == "takes" and agree(2, "takes", "take") == "take"


def test_every_transition_refusal_reads_as_english() -> None:
    for current in CallStatus:
        for target in CallStatus:
            message = transition_refusal(current, target)
            if message is None:
                continue
            assert not re.search(r"\ba [aeiou]", message), message  # "a open call"
            assert "become" not in message and "(s)" not in message, message
            assert " cannot move on to " in message or "follow the clock" in message, message
    assert transition_refusal(CallStatus.OPEN, CallStatus.RANKING) == (
        "an open call cannot move on to ranking: no step can be taken by hand now"
    )
    assert transition_refusal(CallStatus.ELIGIBILITY, CallStatus.RANKING) == (
        "a call in its eligibility check cannot move on to ranking: the next step is evaluation"
    )
