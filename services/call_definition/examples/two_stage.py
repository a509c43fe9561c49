"""The Alpine example as a two-stage call: a pre-proposal window, the shortlist, then the full-proposal window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

TWO_STAGE: dict[str, Any] = {
    "stage_one": {
        "required_fields": ["abstract"],
        "required_documents": [],
        "eligibility_rules": [
            "consortium.min_partners",
            "consortium.min_participating_regions",
            "consortium.coordinator",
            "consortium.coordinator_region",
            "consortium.self_funded_partner",
            "regional.organisation_type",
            "regional.established_in_region",
            "regional.max_grant_per_partner",
            "regional.max_grant_per_proposal",
            "regional.s3_areas",
        ],
    },
    "evaluation": {
        "panel": {"evaluators_per_proposal": 2, "criteria": ["excellence", "impact"]},
        "region_fit": True,
    },
    "shortlist": {"oversubscription_factor": 3, "region_factors": {"CH-FR": 2.5}},
    "stage_two": {"new_partners_only_from_present_regions": True, "max_funding_increase": 0.1},
}


def as_two_stage(
    call: dict[str, Any], *, pre_deadline: datetime, full_opens: datetime, two_stage: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The call with a pre-proposal stage from its opening to `pre_deadline`, then the full-proposal stage from
    `full_opens` to its deadline (both instants with their offsets)."""
    (only,) = call["stages"]
    changed = dict(call)
    changed["stages"] = [
        {"name": "pre-proposal", "opens": only["opens"], "deadline": pre_deadline.isoformat()},
        {"name": "full proposal", "opens": full_opens.isoformat(), "deadline": only["deadline"]},
    ]
    changed["two_stage"] = TWO_STAGE if two_stage is None else two_stage
    return changed


def alpine_two_stage(call: dict[str, Any]) -> dict[str, Any]:
    """The Alpine example's dates: pre-proposals for its first five weeks, full proposals from four weeks later."""
    opens = datetime.fromisoformat(call["stages"][0]["opens"])
    return as_two_stage(call, pre_deadline=opens + timedelta(days=35), full_opens=opens + timedelta(days=63))
