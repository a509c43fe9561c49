import pytest

from shared.messaging.bus import topic_matches


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("call.*", "call.published", True),
        ("call.*", "call.published.extra", False),
        ("call.*", "proposal.submitted", False),
        ("#", "anything.at.all", True),
        ("proposal.#", "proposal", True),
        ("proposal.#", "proposal.submitted", True),
        ("*.decided", "eligibility.decided", True),
        ("*.decided", "decided", False),
        ("eligibility.decided", "eligibility.decided", True),
    ],
)
def test_topic_matching_follows_amqp_rules(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected
