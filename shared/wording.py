"""Numbers in sentences, as people write them: "1 partner", "2 partners", "1 takes part", "2 take part"."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`count(1, "stage")` -> "1 stage"; `count(2, "stage")` -> "2 stages"; irregular plurals given."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def agree(number: int, singular: str, plural: str) -> str:
    """The verb that agrees with `number`: `agree(1, "takes", "take")` -> "takes"."""
    return singular if number == 1 else plural
