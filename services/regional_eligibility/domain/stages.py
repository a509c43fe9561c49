"""Eligibility in a two-stage call (pure): a pre-proposal is checked when stage 1 closes, on its indicative
figures, by the rules the call applies at stage 1; a full proposal when the call closes, by every rule."""

from __future__ import annotations

from datetime import datetime

from shared.call_stages import stage_rules
from shared.calls import CallConfiguration

from .checks import CheckDraft


def deadline_of(call: CallConfiguration, stage: int) -> datetime:
    """The deadline after which a proposal of `stage` is final (one-stage calls: the call's deadline)."""
    return call.stages[min(stage, len(call.stages)) - 1].deadline


def checks_of_stage(drafts: list[CheckDraft], call: CallConfiguration, stage: int) -> list[CheckDraft]:
    """The automatic checks that count in `stage`: at stage 1 of a two-stage call, only its rule set (the
    check that the data is complete enough to judge always counts)."""
    rules = stage_rules(call)
    if rules is None or stage != 1 or rules.stage_one.eligibility_rules is None:
        return drafts
    applying = {*rules.stage_one.eligibility_rules, "data.complete"}
    return [draft for draft in drafts if draft.rule in applying]
