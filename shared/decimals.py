"""The decimal numbers an API accepts, one annotated type per kind: bounded in digits and in exponent.

Every decimal input of every API is one of these (a test walks every request body and fails on a decimal
without both bounds). A value with more precision than its kind holds is refused with a 422 naming the field,
never rounded: "4.50000000000000000000000000001" as a score is an error, not 4.5. A value with more digits
or a larger exponent than the kind holds ("1e-30" as a scale step, "1e400" as an amount) is the same 422,
never a 500 from arithmetic on it downstream. NaN and infinities are refused.

JSON numbers never pass through a float on the way (shared/http/exact_json.py parses them as Decimal), so the
digits checked are the digits sent; a string ("4.5") is accepted as well.

Within its bounds, a value is kept as written, except that needless trailing zeros beyond the kind's places
("4.50000" as a score) and a positive exponent ("1E+2") are written out plainly ("4.50", "100"): the same
number, stored and hashed in one form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field


def _plain(places: int) -> AfterValidator:
    def plain(value: Decimal) -> Decimal:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:
            return value.quantize(Decimal(1))
        if isinstance(exponent, int) and exponent < -places:
            return value.quantize(Decimal(1).scaleb(-places))  # exact: validation allowed no more places
        return value

    return AfterValidator(plain)


# Money, in the currency it travels with: up to 9,999,999,999,999,999.99, cents at most.
Amount = Annotated[Decimal, Field(max_digits=18, decimal_places=2), _plain(2)]
NonNegativeAmount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2), _plain(2)]
PositiveAmount = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2), _plain(2)]

# A fraction in [0, 1] (a funding rate, a cost cap, a share): a percentage to two decimals, 0.3333 at most.
Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4), _plain(4)]
Share = Annotated[Decimal, Field(gt=0, le=1, max_digits=5, decimal_places=4), _plain(4)]

# A score on a call's scale, the scale's bounds and step, a criterion's threshold, a divergence spread:
# 0 to 100, to the hundredth (a step of 0.25 is the finest a panel uses).
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2), _plain(2)]
PositiveScore = Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2), _plain(2)]
# A criterion's weight: (0, 100], to the hundredth.
Weight = PositiveScore
# A sum of scores (an overall threshold): up to 20 criteria of 100 each, to the hundredth.
ScoreTotal = Annotated[Decimal, Field(ge=0, le=100_000, max_digits=8, decimal_places=2), _plain(2)]

# An exchange rate: 1 unit of a currency = rate units of another; eight decimal places, as central banks
# publish them.
ExchangeRate = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=8), _plain(8)]

# A figure a project reports (an indicator's value): non-negative, to the hundredth.
Figure = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2), _plain(2)]
