"""Wire scalars: decimal strings and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from reconciler.wire.values import (
    canonical_decimal,
    date_from_wire,
    date_to_wire,
    decimal_from_wire,
    decimal_to_wire,
    omit_none,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1E+3"), "1000"),
        (D("1.0E+3"), "1000"),
        (D("500.00"), "500.00"),
        (D("0.02"), "0.02"),
        (D("2.5"), "2.5"),
        (D("1E-7"), "0.0000001"),
        (D("0"), "0"),
        (D("-0.00"), "0.00"),
        (D("12345678901234567890123456789.123456789"), "12345678901234567890123456789.123456789"),
    ],
)
def test_decimal_to_wire_has_no_exponent(value: D, text: str) -> None:
    assert decimal_to_wire(value) == text


@pytest.mark.parametrize(
    ("wire", "text"),
    [
        ("10.00", "10"),
        ("10", "10"),
        ("1E+1", "10"),
        ("0.0200", "0.02"),
        ("0.000", "0"),
        (7, "7"),
        ("100.5", "100.5"),
        ("1234567890123456789012345678901.10", "1234567890123456789012345678901.1"),
    ],
)
def test_decimal_from_wire_is_canonical(wire: str | int, text: str) -> None:
    parsed = decimal_from_wire(wire)
    assert str(parsed) == text
    assert canonical_decimal(parsed) == parsed and str(canonical_decimal(parsed)) == text


@pytest.mark.parametrize("bad", [0.1, True, None, "NaN", "Infinity", "ten", [1]])
def test_decimal_from_wire_rejects_non_decimals(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        decimal_from_wire(bad)


def test_dates_both_ways() -> None:
    assert date_to_wire(dt.date(2026, 7, 1)) == "2026-07-01"
    assert date_from_wire("2026-07-01") == dt.date(2026, 7, 1)
    assert date_from_wire("2026-07-01T00:00:00Z") == dt.date(2026, 7, 1)
    assert date_from_wire("2026-07-01T00:00:00.000+00:00") == dt.date(2026, 7, 1)
    assert date_from_wire("2026-06-30T23:30:00-02:00") == dt.date(2026, 7, 1)  # UTC date
    with pytest.raises(ValueError):
        date_from_wire("07/01/2026")
    with pytest.raises(TypeError):
        date_from_wire(20260701)


def test_omit_none_keeps_falsy_values() -> None:
    assert omit_none({"a": None, "b": 0, "c": False, "d": [], "e": ""}) == {
        "b": 0,
        "c": False,
        "d": [],
        "e": "",
    }
