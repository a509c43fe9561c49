from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.money import CurrencyCode
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """s3_strategy's own settings read JOINTCALL_S3_STRATEGY_<NAME> (the common ones JOINTCALL_<NAME>)."""

    model_config = SettingsConfigDict(populate_by_name=True)

    service: str = "s3_strategy"
    call_definition_url: str = Field(
        default="http://127.0.0.1:8001",
        validation_alias="JOINTCALL_S3_STRATEGY_CALL_DEFINITION_URL",
        description="Base URL of call_definition's API, where 'start a call from this topic' creates the draft "
        "(embedded mode reaches the app in-process instead)",
    )
    reporting_currency: CurrencyCode = Field(default="EUR", validation_alias="JOINTCALL_S3_STRATEGY_REPORTING_CURRENCY")
    reporting_rates: dict[CurrencyCode, Decimal] = Field(
        default_factory=lambda: {"CHF": Decimal("1.05")},
        validation_alias="JOINTCALL_S3_STRATEGY_REPORTING_RATES",
        description="JSON: 1 unit of the currency = rate units of the reporting currency",
    )
