"""Wire-level field types shared by every resource: money, timestamps, enums, strict bodies.

Owns how a decimal or a date looks on the wire. Money is kept exactly as a decimal string
(never a float): a string is echoed as sent unless it uses exponent notation, a JSON number is
rendered from its shortest decimal form. Must not know any resource.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from .clock import normalize_ts

_DECIMAL_PATTERN = r"^[0-9]+(\.[0-9]+)?$"
MONEY_LIMIT = Decimal(10) ** 15
MAX_DECIMALS = 12


def _decimal_places(value: Decimal) -> int:
    """Decimal places of a finite value, trailing zeros not counted (``1.50`` has 1)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if not any(digits):
        return 0
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))


def to_decimal_string(value: Any) -> str:
    """Validate a money/rate value (string or number) and give its exact decimal string.

    The bounds are the catalog's (docs/api-compatibility.md "3a. Size limits"): finite,
    non-negative, below 10^15, at most 12 decimal places (trailing zeros not counted).
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError('must be a decimal string such as "10.00"')
    try:
        text = repr(value) if isinstance(value, float) else str(value)
    except ValueError:  # an int too long to print
        raise ValueError("is too large") from None
    shown = text if len(text) <= 40 else text[:40] + "..."
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{shown!r} is not a decimal number") from None
    if not parsed.is_finite():
        raise ValueError(f"{shown!r} is not a finite decimal number")
    if parsed < 0:
        raise ValueError(f"{shown!r} must not be negative")
    if parsed >= MONEY_LIMIT:
        raise ValueError(f"{shown!r} must be below 10^15")
    if _decimal_places(parsed) > MAX_DECIMALS:
        raise ValueError(f"{shown!r} has more than {MAX_DECIMALS} decimal places")
    if isinstance(value, str) and re.fullmatch(_DECIMAL_PATTERN, text):
        return text
    if parsed.is_zero():
        return "0"  # "0E-999999999" must not become a billion zeros
    exponent = parsed.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:  # only zeros past the 12th place
        parsed = parsed.quantize(Decimal(1).scaleb(-MAX_DECIMALS))
    return format(parsed, "f")


def to_timestamp(value: Any) -> str:
    """Accept ``YYYY-MM-DD`` or an RFC 3339 timestamp; echo as ``YYYY-MM-DDTHH:MM:SSZ``."""
    if not isinstance(value, str):
        raise ValueError("must be a date (YYYY-MM-DD) or an RFC 3339 timestamp")
    return normalize_ts(value)


Money = Annotated[
    str,
    BeforeValidator(to_decimal_string),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": _DECIMAL_PATTERN}, {"type": "number"}],
            "description": "non-negative decimal below 10^15, at most 12 decimal places; "
            "strings are kept exactly",
        },
        mode="validation",
    ),
    WithJsonSchema({"type": "string", "description": "decimal string"}, mode="serialization"),
]
Timestamp = Annotated[
    str,
    BeforeValidator(to_timestamp),
    WithJsonSchema(
        {"type": "string", "description": "YYYY-MM-DD or RFC 3339 timestamp"}, mode="validation"
    ),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]
Count = Annotated[int, Field(ge=0, le=10**12)]
Name = Annotated[str, Field(min_length=1, max_length=255)]
Text = Annotated[str, Field(max_length=10_000)]
Ref = Annotated[str, Field(min_length=1, max_length=255)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

# Response fields the official SDK makes required: where an object has no value, the answer
# carries the empty value instead of null ("" or false), as the SDK's types demand
# (docs/api-compatibility.md, "Required response fields"). Used in response models only, so a
# stored null (unset, or cleared by a PATCH) reads back as that value.
TextOrEmpty = Annotated[str, BeforeValidator(lambda value: "" if value is None else value)]
FlagOrFalse = Annotated[bool, BeforeValidator(lambda value: False if value is None else value)]

FeeType = Literal["fixed", "metered"]
Direction = Literal["advance", "arrears"]
Frequency = Literal["recurring", "one-off"]
Interval = Literal["monthly", "quarterly", "semi_annual", "yearly"]
PeriodType = Literal["fixed", "monthly_rolling"]


class Strict(BaseModel):
    """Request bodies refuse unknown fields, so a client's mapping typo is a 422, not a no-op."""

    model_config = ConfigDict(extra="forbid")
