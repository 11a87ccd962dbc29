"""ISO 4217 currencies the catalog accepts, with their minor units.

The minor unit is what money is rounded to (pricing) and what precision lint checks
against. The table holds the currencies in common billing use; an unknown code is a
diagnostic rather than a guess.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

MINOR_UNITS: dict[str, int] = {
    "AED": 2, "ARS": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2,
    "CLP": 0, "CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2,
    "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0,
    "KRW": 0, "KWD": 3, "MXN": 2, "MYR": 2, "NGN": 2, "NOK": 2, "NZD": 2, "OMR": 3,
    "PHP": 2, "PKR": 2, "PLN": 2, "RON": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2,
    "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip


def is_known_currency(code: str) -> bool:
    return code in MINOR_UNITS


def minor_units(code: str) -> int:
    """Digits after the decimal point for `code`; 2 for a code not in the table."""
    return MINOR_UNITS.get(code, 2)


SHOWN_DECIMALS = 12  # Money's own precision: an expression's 1/3 is cut here, half up
_EXACT = Context(prec=60, rounding=ROUND_HALF_UP)


def shown_amount(value: Decimal, code: str) -> Decimal:
    """An amount as every report writes money in `code`: at least the currency's
    minor-unit decimals (`400.00`, never `400.0000` or `400.0`), and any further decimals
    it really has (`0.025`, at most 12). Not a rounding to the minor unit: exact amounts
    stay exact; trailing zeros past the minor unit go."""
    minor = Decimal(1).scaleb(-minor_units(code))
    exact = value.quantize(Decimal(1).scaleb(-SHOWN_DECIMALS), context=_EXACT).normalize()
    return exact.quantize(minor, context=_EXACT) if exact == exact.quantize(minor) else exact
