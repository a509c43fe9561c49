"""Money is an exact decimal amount with its ISO 4217 currency: never a float."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from shared.decimals import Amount as Amount

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: Amount
    currency: CurrencyCode

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"
