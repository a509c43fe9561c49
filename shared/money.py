"""Money is an exact decimal amount with its ISO 4217 currency: never a float."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: Amount
    currency: CurrencyCode

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"
