"""The checks that relate a call's two-stage configuration (shared/call_stages.py) to the rest of the call.

Every problem at once, each naming its field under ``two_stage``; part of the call's whole validation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from shared.call_stages import StageOnePanel, TwoStageConfig
from shared.calls import CallConfiguration, EvaluationConfig
from shared.errors import FieldError

EvaluationCheck = Callable[[EvaluationConfig], Iterable[FieldError]]


def two_stage_errors(config: CallConfiguration, evaluation_errors: EvaluationCheck) -> Iterator[FieldError]:
    """The two-stage configuration's problems; ``evaluation_errors`` judges the stage-1 panel's rules as the
    call's own evaluation rules are judged."""
    stages = config.two_stage
    if stages is None:
        return
    if len(config.stages) < 2:
        yield FieldError("two_stage", "a one-stage call has no stage 1: add a pre-proposal stage or leave this out")
        return
    yield from _repeated(stages.stage_one.required_fields, "two_stage.stage_one.required_fields")
    yield from _repeated(stages.stage_one.required_documents, "two_stage.stage_one.required_documents")
    yield from _repeated(stages.stage_one.eligibility_rules or [], "two_stage.stage_one.eligibility_rules")
    yield from _evaluation(stages, config.evaluation, evaluation_errors)
    regions = {region.code for region in config.regions}
    for code in sorted(set(stages.shortlist.region_factors) - regions):
        yield FieldError(f"two_stage.shortlist.region_factors.{code}", f"{code} is not a region of this call")


def _evaluation(
    stages: TwoStageConfig, call: EvaluationConfig, evaluation_errors: EvaluationCheck
) -> Iterator[FieldError]:
    panel = stages.evaluation.panel
    if panel is None:
        if not stages.evaluation.region_fit:
            yield FieldError(
                "two_stage.evaluation", "stage 1 needs panel scoring, a go / no-go by each region, or both"
            )
        return
    errors = list(_panel(panel, call))
    if errors:
        yield from errors
        return
    prefix = "two_stage.evaluation.panel."
    for error in evaluation_errors(panel.evaluation(call)):
        yield FieldError(prefix + error.field.removeprefix("evaluation."), error.message)


def _panel(panel: StageOnePanel, call: EvaluationConfig) -> Iterator[FieldError]:
    field = "two_stage.evaluation.panel"
    keys = [criterion.key for criterion in call.criteria]
    chosen = panel.criteria if panel.criteria is not None else keys
    if not chosen:
        yield FieldError(f"{field}.criteria", "name at least one of the call's criteria, or leave this out")
    for index, key in enumerate(chosen):
        if key not in keys:
            yield FieldError(f"{field}.criteria.{index}", f"{key} is not a criterion of this call")
    yield from _repeated(chosen, f"{field}.criteria")
    for key in sorted(set(panel.thresholds) - set(chosen)):
        yield FieldError(f"{field}.thresholds.{key}", f"{key} is not a stage-1 criterion")


def _repeated(values: Iterable[Any], field: str) -> Iterator[FieldError]:
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield FieldError(f"{field}.{index}", f"{value} is listed twice")
        seen.add(value)
