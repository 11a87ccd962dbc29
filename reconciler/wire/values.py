"""Wire scalars (decimal strings, dates) both ways, and two helpers for wire objects.

Contracts:
- `decimal_to_wire(d)` is the fixed-point text of `d` (no exponent), keeping its scale:
  `Decimal("500.00")` -> `"500.00"`, `Decimal("1E+3")` -> `"1000"`.
- `decimal_from_wire(text)` parses a decimal string (ints are accepted too, floats are not)
  and returns its *canonical* value: no exponent and no trailing fractional zeros, so
  `"10.00"`, `"10"` and `"1E+1"` all read back as `Decimal("10")`.
- `date_to_wire(d)` is `YYYY-MM-DD`; `date_from_wire` accepts that or an RFC 3339
  timestamp (`2026-01-01T00:00:00Z`) and returns the UTC calendar date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

WireObject = dict[str, Any]
"""A JSON object as sent to or received from the API (snake_case keys)."""


def decimal_to_wire(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value}")
    return format(abs(value) if value.is_zero() else value, "f")  # never "-0"


def canonical_decimal(value: Decimal) -> Decimal:
    """`value` without exponent and trailing fractional zeros (context-precision free)."""
    text = decimal_to_wire(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


def decimal_from_wire(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"expected a decimal string, got {type(value).__name__}")
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal string: {value!r}") from None
    if not parsed.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")
    return canonical_decimal(parsed)


def date_to_wire(value: dt.date) -> str:
    return value.isoformat()


def date_from_wire(value: object) -> dt.date:
    if not isinstance(value, str):
        raise TypeError(f"expected a date string, got {type(value).__name__}")
    if "T" not in value:
        return dt.date.fromisoformat(value)
    stamp = dt.datetime.fromisoformat(value)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    return stamp.date()


def omit_none(obj: Mapping[str, Any]) -> WireObject:
    """A copy of `obj` without the keys whose value is None (optional wire keys)."""
    return {k: v for k, v in obj.items() if v is not None}


def known_fields(obj: Mapping[str, Any] | None, model: type[BaseModel]) -> WireObject:
    """The non-None entries of a response object that `model` declares: response-only
    extras (ids, computed dates) are dropped before validating into a catalog model."""
    return {k: v for k, v in (obj or {}).items() if k in model.model_fields and v is not None}
