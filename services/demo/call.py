"""The call the demo runs: the Alpine Space example, re-dated around the present, with the reporting schedule and
indicators its funded projects report on."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..call_definition.examples import alpine_call, redated
from ..call_definition.examples.two_stage import TWO_STAGE, as_two_stage

# After the results: partners sign within 60 days; a partner lost, the rest go on if the consortium rules hold;
# a joint report every 6 months (due 30 days later), its indicators fixed before the call opens.
DEMO_MONITORING: dict[str, Any] = {
    "signature_days": 60,
    "missing_partner_policy": "drop_partner",
    "report_every_months": 6,
    "reporting_periods": 4,
    "report_due_days": 30,
    "indicators": [
        {"key": "jobs_created", "name": "Jobs created", "unit": "jobs", "per": "partner", "target_per_project": "4"},
        {
            "key": "patents_filed",
            "name": "Patents filed",
            "unit": "patents",
            "per": "project",
            "target_per_project": "1",
        },
        {
            "key": "private_co_investment",
            "name": "Private co-investment",
            "unit": "EUR",
            "per": "project",
            "target_per_project": "150000",
        },
    ],
}

LATER_STEPS = (("eligibility_check_due", 30), ("evaluation_due", 60), ("decisions_due", 90))  # days after now


def alpine_call_body(
    now: datetime, *, window: timedelta = timedelta(hours=2), code: str | None = None
) -> dict[str, Any]:
    """The Alpine example with its document types, open since an hour before `now`, closing `window` after it
    (default code: timestamped)."""
    body = redated(alpine_call(documents=True), now - timedelta(hours=1))
    body["code"] = code or f"{body['code']}-DEMO-{now:%H%M%S}"
    body["stages"][-1]["deadline"] = (now + window).isoformat()
    for key, days in LATER_STEPS:
        body[key] = (now + timedelta(days=days)).isoformat()
    body["monitoring"] = deepcopy(DEMO_MONITORING)
    return body


# A two-stage call: pre-proposals in the submission window, full proposals from two weeks after the start for
# two weeks (the clock jumps over the weeks between).
STAGE_TWO_OPENS, STAGE_TWO_CLOSES = timedelta(days=14), timedelta(days=28)


def two_stage_call_body(
    now: datetime, *, window: timedelta = timedelta(hours=2), code: str | None = None, factor: Decimal | None = None
) -> dict[str, Any]:
    """The Alpine example as a two-stage call (its stage-1 form, evaluation, shortlist and stage-2 rules from
    call_definition's example): pre-proposals until `window` after `now`, full proposals in weeks 3 and 4.
    `factor`: one oversubscription factor for every region instead of the example's."""
    body = alpine_call_body(now, window=STAGE_TWO_CLOSES, code=code)
    two_stage = deepcopy(TWO_STAGE)
    if factor is not None:
        two_stage["shortlist"] = {"oversubscription_factor": str(factor), "region_factors": {}}
    return as_two_stage(body, pre_deadline=now + window, full_opens=now + STAGE_TWO_OPENS, two_stage=two_stage)
