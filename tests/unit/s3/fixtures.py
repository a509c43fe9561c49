"""Small hand-made S3 data sets for the domain tests."""

from __future__ import annotations

from decimal import Decimal

from services.s3_strategy.domain.model import Priority, RegionPriorities


def three_regions() -> list[RegionPriorities]:
    """A and B share NACE 28 and an objective, differ in NABS; C is about farming; texts are one title each."""
    return [
        RegionPriorities(
            "AT-4",
            "Upper Austria",
            "EUR",
            "test",
            (
                Priority(
                    "robots",
                    "Robots machines",
                    nace=("28",),
                    nabs=("06",),
                    objectives=("key_enabling_technologies",),
                    indicative_budget=Decimal("100.00"),
                    programme="EFRE AT-4",
                ),
            ),
        ),
        RegionPriorities(
            "CH-FR",
            "Canton of Fribourg",
            "CHF",
            "test",
            (
                Priority(
                    "robots",
                    "Robots energy",
                    nace=("28",),
                    nabs=("05",),
                    objectives=("key_enabling_technologies",),
                    indicative_budget=Decimal("50.00"),
                    programme="NRP Fribourg",
                ),
            ),
        ),
        RegionPriorities("SI", "Slovenia", "EUR", "test", (Priority("farming", "Farming", nace=("01",)),)),
    ]
