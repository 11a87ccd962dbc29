"""Property tests of the wire value rules: exact decimals, timestamps, tiers, merge patches."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from alguna_emulator.clock import format_ts, parse_ts
from alguna_emulator.control import merge_patch
from alguna_emulator.fields import to_decimal_string
from alguna_emulator.pricing import TieredModel, UnitTier

decimals = st.decimals(
    min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=4
)


@given(decimals)
def test_decimal_strings_are_kept_exactly(value: Decimal) -> None:
    text = format(value, "f")
    assert to_decimal_string(text) == text


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_json_numbers_become_their_shortest_decimal(value: float) -> None:
    exact = Decimal(repr(value))
    if len(format(exact, "f").partition(".")[2].rstrip("0")) > 12:
        with pytest.raises(ValueError, match="more than 12 decimal places"):
            to_decimal_string(value)
        return
    out = to_decimal_string(value)
    assert Decimal(out) == exact
    assert "e" not in out.lower()


@pytest.mark.parametrize(
    "bad",
    [
        "-1",
        "abc",
        "NaN",
        "Infinity",
        True,
        None,
        [1],
        "1E+999999999",
        "1E+99999",
        "1000000000000000",
        "1E+15",
        10**15,
        1e300,
        float("inf"),
        "0.0000000000001",
        "1E-999999999",
        "-0.5",
        pytest.param(10**5000, id="int-5001-digits"),
    ],
)
def test_bad_money_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        to_decimal_string(bad)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("999999999999999.999999999999", "999999999999999.999999999999"),
        ("1.5000000000000000000", "1.5000000000000000000"),  # trailing zeros do not count
        ("1E+2", "100"),
        ("0E-999999999", "0"),
        ("150E-13", "0.000000000015"),
        (0.5, "0.5"),
    ],
)
def test_money_at_the_bounds_is_accepted(sent: str, kept: str) -> None:
    assert to_decimal_string(sent) == kept


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2999, 1, 1), timezones=st.just(UTC)
    )
)
def test_timestamps_round_trip_at_second_precision(moment: datetime) -> None:
    assert parse_ts(format_ts(moment)) == moment.replace(microsecond=0)


@given(st.lists(st.integers(min_value=1, max_value=1000), min_size=0, max_size=8))
def test_contiguous_tiers_are_accepted(widths: list[int]) -> None:
    bounds = [0]
    for width in widths:
        bounds.append(bounds[-1] + width)
    tiers = [
        UnitTier(min_units=lo, max_units=hi, price_per_unit="1")
        for lo, hi in itertools.pairwise(bounds)
    ]
    tiers.append(UnitTier(min_units=bounds[-1], max_units=None, price_per_unit="1"))
    assert TieredModel(tiers=tiers).tiers == tiers


@given(st.integers(min_value=1, max_value=100), st.integers(min_value=0, max_value=200))
def test_tier_gaps_and_overlaps_are_refused(width: int, next_min: int) -> None:
    assume(next_min != width)
    tiers = [
        UnitTier(min_units=0, max_units=width, price_per_unit="1"),
        UnitTier(min_units=next_min, max_units=None, price_per_unit="1"),
    ]
    with pytest.raises(ValueError, match=r"gap|overlap"):
        TieredModel(tiers=tiers)


def test_merge_patch_follows_rfc_7396() -> None:
    target = {"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]}
    patch = {"a": None, "b": {"c": 20}, "e": [3], "f": "new"}
    assert merge_patch(target, patch) == {"b": {"c": 20, "d": 3}, "e": [3], "f": "new"}


@pytest.mark.parametrize(
    "text", ["9999-12-01", "1969-12-31", "2026-13-01", "2026-01-01T00:00:00", "soon"]
)
def test_unusable_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ts(text)
