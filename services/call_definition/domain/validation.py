"""Whole-call validation: every problem at once, each pointing at its field.

Field-level checks (types, ranges, formats) are done by the configuration model; these are the
rules that relate fields to each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from services.call_definition.domain.stages import two_stage_errors
from shared.calls import CallConfiguration, EvaluationConfig, MonitoringConfig, RegionAnnex, TrlRange
from shared.errors import FieldError
from shared.wording import agree, count

from .documents import document_errors

# ISO 4217 codes of the currencies of European funding agencies (and a few more); extend as needed.
ISO_4217 = frozenset(
    {"EUR", "CHF", "GBP", "SEK", "DKK", "NOK", "ISK", "PLN", "CZK", "HUF", "RON", "BGN", "RSD", "MKD", "ALL"}
    | {"BAM", "MDL", "UAH", "TRY", "ILS", "USD", "CAD", "JPY"}
)


def validate_configuration(config: CallConfiguration) -> list[FieldError]:
    return [error for check in _CHECKS for error in check(config)]


def validate_what_parses(body: object) -> list[FieldError]:
    """The cross-field problems of a body that is not a valid configuration as a whole, so that one answer
    lists them beside the field errors: each top-level part of the body that is valid on its own is taken,
    and each group of checks runs if every part it reads is among them (the others are skipped: what they
    would judge is already reported as invalid)."""
    if not isinstance(body, Mapping):
        return []
    partial = CallConfiguration.model_construct()  # type: ignore[call-arg]  # filled in part by part below
    validator = CallConfiguration.__pydantic_validator__
    for name in CallConfiguration.model_fields:
        try:
            if name in body:
                validator.validate_assignment(partial, name, body[name])
                continue
        except ValidationError:
            pass
        # Missing or invalid: neither its default nor the invalid value may stand in for it; reading it fails.
        partial.__dict__.pop(name, None)
    errors: list[FieldError] = []
    for check in _CHECKS:
        try:
            errors += list(check(partial))
        except (AttributeError, KeyError, TypeError):
            continue  # a part this group reads is missing or invalid
    return errors


def _timeline(config: CallConfiguration) -> Iterator[FieldError]:
    try:
        ZoneInfo(config.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        yield FieldError("time_zone", f"{config.time_zone} is not an IANA time zone (e.g. Europe/Zurich)")
    for index, stage in enumerate(config.stages):
        if stage.deadline <= stage.opens:
            yield FieldError(
                f"stages.{index}.deadline", f"the deadline of stage '{stage.name}' must be after its opening"
            )
        if index and stage.opens < config.stages[index - 1].deadline:
            yield FieldError(
                f"stages.{index}.opens", f"stage '{stage.name}' opens before the previous stage's deadline"
            )
    if len({stage.name for stage in config.stages}) < len(config.stages):
        yield FieldError("stages", "stage names must differ")
    previous: tuple[str, datetime] = ("the final deadline", config.deadline)
    for field in ("eligibility_check_due", "evaluation_due", "decisions_due"):
        due: datetime | None = getattr(config, field)
        if due is None:
            continue
        if due <= previous[1]:
            yield FieldError(field, f"{field.replace('_', ' ')} must come after {previous[0]}")
        previous = (field.replace("_", " "), due)


def _trl(trl: TrlRange | None, field: str, within: TrlRange | None = None) -> Iterator[FieldError]:
    if trl is None:
        return
    if trl.min > trl.max:
        yield FieldError(f"{field}.min", f"TRL min {trl.min} is above max {trl.max}")
    elif within is not None and (trl.min < within.min or trl.max > within.max):
        yield FieldError(
            field, f"the region's TRL range {trl.min}-{trl.max} must lie within the call's {within.min}-{within.max}"
        )


def _consortium(config: CallConfiguration) -> Iterator[FieldError]:
    rules = config.consortium_rules
    if rules.min_participating_regions > len(config.regions):
        yield FieldError(
            "consortium_rules.min_participating_regions",
            f"{count(rules.min_participating_regions, 'region')} required but only {len(config.regions)} "
            f"{agree(len(config.regions), 'takes', 'take')} part",
        )
    if rules.min_partners < rules.min_participating_regions:
        yield FieldError(
            "consortium_rules.min_partners",
            "fewer partners than required regions: each region needs at least one partner",
        )


def _regions(config: CallConfiguration) -> Iterator[FieldError]:
    duplicates = {code for code, n in Counter(r.code for r in config.regions).items() if n > 1}
    seen: set[str] = set()
    for index, region in enumerate(config.regions):
        field = f"regions.{index}"
        if region.code in duplicates and region.code in seen:
            yield FieldError(f"{field}.code", f"region {region.code} is listed twice")
        seen.add(region.code)
        yield from _region(config, region, field)


def _region(config: CallConfiguration, region: RegionAnnex, field: str) -> Iterator[FieldError]:
    if region.currency not in ISO_4217:
        yield FieldError(f"{field}.currency", f"{region.currency} is not a supported ISO 4217 currency")
    unrated = sorted(set(region.eligible_organisation_types) - set(region.funding_rates))
    if unrated:
        yield FieldError(f"{field}.funding_rates", f"no funding rate for eligible types: {', '.join(unrated)}")
    if len(set(region.eligible_organisation_types)) < len(region.eligible_organisation_types):
        yield FieldError(f"{field}.eligible_organisation_types", "an organisation type is listed twice")
    per_partner, per_proposal = region.max_grant_per_partner, region.max_grant_per_proposal
    if per_partner is not None and per_proposal is not None and per_partner > per_proposal:
        yield FieldError(
            f"{field}.max_grant_per_partner",
            f"max grant per partner ({per_partner}) exceeds max grant per proposal ({per_proposal})",
        )
    if config.topics:
        unknown = sorted(set(region.s3_areas) - set(config.topics))
        if unknown:
            yield FieldError(f"{field}.s3_areas", f"not topics of the call: {', '.join(unknown)}")
    yield from _trl(region.trl, f"{field}.trl")
    if region.eligible_cost_categories is not None:
        uncapped = sorted(set(region.cost_caps) - set(region.eligible_cost_categories))
        if uncapped:
            yield FieldError(f"{field}.cost_caps", f"caps on categories that are not eligible: {', '.join(uncapped)}")


def _evaluation(evaluation: EvaluationConfig) -> Iterator[FieldError]:
    scale = evaluation.scale
    if scale.max <= scale.min:
        yield FieldError("evaluation.scale.max", f"the scale's max ({scale.max}) must exceed its min ({scale.min})")
    elif (scale.max - scale.min) % scale.step != 0:
        yield FieldError("evaluation.scale.step", f"steps of {scale.step} do not divide {scale.min}-{scale.max}")
    keys = [criterion.key for criterion in evaluation.criteria]
    for index, criterion in enumerate(evaluation.criteria):
        if keys.index(criterion.key) != index:
            yield FieldError(f"evaluation.criteria.{index}.key", f"criterion {criterion.key} is defined twice")
        if not scale.min <= criterion.threshold <= scale.max:
            yield FieldError(
                f"evaluation.criteria.{index}.threshold",
                f"threshold {criterion.threshold} lies outside the scale {scale.min}-{scale.max}",
            )
    count = Decimal(len(evaluation.criteria))
    if not scale.min * count <= evaluation.overall_threshold <= scale.max * count:
        yield FieldError(
            "evaluation.overall_threshold",
            f"the overall threshold (on the unweighted sum) must lie within {scale.min * count}-{scale.max * count}",
        )
    for index, key in enumerate(evaluation.tie_break):
        if key not in keys:
            yield FieldError(f"evaluation.tie_break.{index}", f"{key} is not a criterion of this call")
        elif evaluation.tie_break.index(key) != index:
            yield FieldError(f"evaluation.tie_break.{index}", f"{key} is listed twice")


def _funding(config: CallConfiguration) -> Iterator[FieldError]:
    funding = config.funding
    if funding.reporting_currency not in ISO_4217:
        yield FieldError("funding.reporting_currency", f"{funding.reporting_currency} is not a supported currency")
    for currency in sorted({r.currency for r in config.regions} - {funding.reporting_currency}):
        if currency not in funding.reporting_rates:
            yield FieldError(
                "funding.reporting_rates",
                f"no rate fixed for {currency} (1 {currency} = ? {funding.reporting_currency})",
            )


def _monitoring(monitoring: MonitoringConfig) -> Iterator[FieldError]:
    keys = [indicator.key for indicator in monitoring.indicators]
    for index, key in enumerate(keys):
        if keys.index(key) != index:
            yield FieldError(f"monitoring.indicators.{index}.key", f"indicator {key} is defined twice")


def validate_publication(config: CallConfiguration, now: datetime) -> list[FieldError]:
    if config.deadline <= now:
        return [FieldError("stages", "a call whose final deadline has passed cannot be published")]
    return []


# Every group of cross-field checks, each reading the parts of the configuration it names.
_CHECKS: tuple[Callable[[CallConfiguration], Iterable[FieldError]], ...] = (
    _timeline,
    lambda config: _trl(config.trl, "trl"),
    _consortium,
    _regions,
    lambda config: _evaluation(config.evaluation),
    _funding,
    lambda config: _monitoring(config.monitoring),
    lambda config: two_stage_errors(config, _evaluation),
    document_errors,
)
