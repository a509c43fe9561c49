"""Rules from a call's configuration document, in the shape of the calls the secretariat defines.

The shape is the one of ``alpine-call.json``: call-level ``consortium_rules``, ``trl`` and
``max_duration_months``; ``funding.reporting_currency`` and ``funding.reporting_rates``; and one entry per
participating region in ``regions``. Keys the rule engine does not use (agency, budget, ...) are ignored.
Numbers become `Decimal` through their text, so a JSON ``0.7`` is exactly 0.7.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from shared.rules.model import ConsortiumRules, RegionalRules

_CONSORTIUM_KEYS = (
    "min_partners",
    "min_participating_regions",
    "max_partners_per_region",
    "coordinator_from_participating_region",
    "max_share_per_partner",
    "max_share_per_region",
    "min_sme_share",
    "self_funded_partners_allowed",
)
_REGION_KEYS = (
    "code",
    "name",
    "currency",
    "eligible_organisation_types",
    "funding_rates",
    "max_grant_per_partner",
    "max_grant_per_proposal",
    "s3_areas",
    "eligible_cost_categories",
    "cost_caps",
    "must_be_established_in_region",
    "max_partners",
    "manual_checks",
)


def regional_rules_from_dict(d: Mapping[str, Any]) -> RegionalRules:
    """One entry of the call's ``regions`` list."""
    fields = {key: _decimals(d[key]) for key in _REGION_KEYS if d.get(key) is not None}
    return RegionalRules.model_validate({**fields, **_trl_range(d)})


def consortium_rules_from_dict(call: Mapping[str, Any]) -> ConsortiumRules:
    """The call's ``consortium_rules`` with its call-level ``max_duration_months`` and ``trl`` range."""
    configured = call.get("consortium_rules") or {}
    fields = {key: _decimals(configured[key]) for key in _CONSORTIUM_KEYS if configured.get(key) is not None}
    if call.get("max_duration_months") is not None:
        fields["max_duration_months"] = call["max_duration_months"]
    return ConsortiumRules.model_validate({**fields, **_trl_range(call)})


def regional_rules_by_code(call: Mapping[str, Any]) -> dict[str, RegionalRules]:
    """Every participating region's rules, by region code, as `precheck` takes them."""
    regions = [regional_rules_from_dict(region) for region in call.get("regions") or []]
    return {rules.code: rules for rules in regions}


def reporting_rates_from_dict(call: Mapping[str, Any]) -> dict[str, Decimal]:
    """``funding.reporting_rates`` with the reporting currency itself at rate 1."""
    funding = call.get("funding") or {}
    currency = funding.get("reporting_currency", "EUR")
    rates = {code: _decimal(rate) for code, rate in (funding.get("reporting_rates") or {}).items()}
    return {**rates, currency: Decimal(1)}


def _trl_range(d: Mapping[str, Any]) -> dict[str, int]:
    trl = d.get("trl") or {}
    return {f"trl_{bound}": trl[bound] for bound in ("min", "max") if trl.get(bound) is not None}


def _decimals(value: Any) -> Any:
    """Floats, also inside lists and mappings, as the Decimal of their shortest text."""
    if isinstance(value, Mapping):
        return {key: _decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals(item) for item in value]
    return _decimal(value) if isinstance(value, float) else value


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"not a number: {value!r}")
    return Decimal(str(value))
