"""What the engine refuses to price, and the typed error it raises instead."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from alguna_pricing.model.prices import Discount, Tier, TieredPrice, UnitPrice
from reconciler.errors import BillingError
from reconciler.pricing import (
    InvalidTiersError,
    InvalidUsageError,
    PeriodMismatchError,
    PricingError,
    UnknownCurrencyError,
    Usage,
    price_charge,
)
from tests.pricing.builders import unit


def test_every_error_is_a_billing_error() -> None:
    assert issubclass(PricingError, BillingError)


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrencyError, match="XXX"):
        price_charge(unit("1"), Usage(quantity=D(1)), "XXX")


@pytest.mark.parametrize(
    "bounds",
    [
        (100, 100, None),  # not rising
        (200, 100, None),  # falling
        (100, None, None),  # a middle tier open
        (100, 200),  # last tier bounded
    ],
)
def test_malformed_tiers_are_refused(bounds: tuple[int | None, ...]) -> None:
    tiers = tuple(Tier(up_to=b, price_per_unit=D(1)) for b in bounds)
    price = TieredPrice(type="tiered", billing_interval="monthly", tiers=tiers)
    with pytest.raises(InvalidTiersError):
        price_charge(price, Usage(quantity=D(1)), "USD")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"quantity": 1.5},
        {"quantity": D(-1)},
        {"quantity": D("NaN")},
        {"volume": D("Infinity")},
        {"transactions": -1},
        {"transactions": True},
        {"period_index": -1},
        {"metrics": {"a": 0.1}},
    ],
)
def test_malformed_usage_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidUsageError):
        Usage(**kwargs)  # type: ignore[arg-type]


def test_usage_is_frozen_and_its_metrics_read_only() -> None:
    metrics = {"a": D(1)}
    usage = Usage(metrics=metrics, quantity=3)  # type: ignore[arg-type]
    metrics["a"] = D(2)
    assert usage.metrics["a"] == D(1)
    assert usage.quantity == D(3)
    with pytest.raises(TypeError):
        usage.metrics["a"] = D(5)  # type: ignore[index]
    assert hash(usage) == hash(Usage(quantity=D(3)))


def test_spend_period_must_be_the_billing_period() -> None:
    price = unit("1", interval="yearly", minimum="100", spend_period="monthly")
    with pytest.raises(PeriodMismatchError, match="minimum_spend"):
        price_charge(price, Usage(quantity=D(1)), "USD")


def test_minimum_above_maximum_is_refused() -> None:
    with pytest.raises(PricingError, match="above maximum_spend"):
        price_charge(unit("1", minimum="10", maximum="5"), Usage(), "USD")


def test_half_a_custom_interval_is_refused() -> None:
    price = UnitPrice(
        type="unit", billing_interval="monthly", price_per_unit=D(1), billing_interval_count=3
    )
    with pytest.raises(PricingError, match="custom interval"):
        price_charge(price, Usage(), "USD")


def test_custom_interval_counts_months_for_trials() -> None:
    price = UnitPrice(
        type="unit",
        billing_interval="monthly",
        price_per_unit=D(1),
        billing_interval_count=2,
        billing_interval_unit="month",
        trial_days=61,
    )
    # period 1 starts on day 60 < 61: still free; period 2 (day 120) is not
    assert price_charge(price, Usage(quantity=D(5), period_index=1), "USD").total == D("0.00")
    assert price_charge(price, Usage(quantity=D(5), period_index=2), "USD").total == D("5.00")


def test_amounts_beyond_exact_precision_are_an_error_not_a_rounding() -> None:
    # The catalog caps a price at 12 decimals; a usage quantity is not capped.
    price = D("1." + "1" * 12)
    quantity = D("1." + "1" * 195)
    with pytest.raises(PricingError, match="exactly"):
        price_charge(
            UnitPrice(type="unit", billing_interval="monthly", price_per_unit=price),
            Usage(quantity=quantity),
            "USD",
        )


def test_bad_terms_fail_in_a_trial_period_too() -> None:
    price = unit("1", interval="yearly", minimum="100", spend_period="monthly", trial_days=30)
    with pytest.raises(PeriodMismatchError):
        price_charge(price, Usage(quantity=D(1), period_index=0), "USD")


def test_fixed_discount_without_duration_is_refused() -> None:
    price = UnitPrice(
        type="unit",
        billing_interval="monthly",
        price_per_unit=D(1),
        discount=Discount(amount=D(10), duration_type="fixed"),
    )
    with pytest.raises(PricingError, match="duration_value"):
        price_charge(price, Usage(), "USD")
