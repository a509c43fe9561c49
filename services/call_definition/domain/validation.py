"""Whole-call validation: every problem at once, each pointing at its field."""

from __future__ import annotations

from datetime import datetime

from shared.errors import FieldError

KNOWN_CURRENCIES = frozenset({"EUR", "CHF", "GBP", "SEK", "DKK", "NOK", "PLN", "CZK", "HUF", "RON", "BGN", "ISK"})


def validate_timeline(opens_at: datetime, deadline: datetime) -> list[FieldError]:
    if deadline <= opens_at:
        return [
            FieldError(
                "deadline",
                f"the deadline ({deadline.isoformat()}) must be after the opening ({opens_at.isoformat()})",
            )
        ]
    return []


def validate_regions(regions: list[tuple[str, str]]) -> list[FieldError]:
    """`regions` is a list of (code, currency)."""
    errors = []
    seen: set[str] = set()
    for index, (code, currency) in enumerate(regions):
        if code in seen:
            errors.append(FieldError(f"regions.{index}.code", f"region {code} is listed twice"))
        seen.add(code)
        if currency not in KNOWN_CURRENCIES:
            errors.append(FieldError(f"regions.{index}.currency", f"{currency} is not a supported ISO 4217 currency"))
    if not regions:
        errors.append(FieldError("regions", "a joint call needs at least one participating region"))
    return errors


def validate_publication(deadline: datetime, now: datetime) -> list[FieldError]:
    if deadline <= now:
        return [FieldError("deadline", "a call whose deadline has passed cannot be published")]
    return []
