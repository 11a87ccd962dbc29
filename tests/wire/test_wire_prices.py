"""Prices: exact request bodies, and the round trip of all ten pricing models."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from alguna_pricing.model.prices import Discount, Spend, Tier, TieredPrice, UnitPrice
from reconciler.model import PRICE_TYPES
from reconciler.wire import price_from_wire, price_to_wire
from tests.wire.catalog import RESOLVER, SAMPLE_PRICES
from tests.wire.server import FakeServer

METERED_TYPES = [t for t in PRICE_TYPES if t != "fixed"]


def test_samples_cover_all_eleven_models() -> None:
    assert sorted(SAMPLE_PRICES) == sorted(PRICE_TYPES)
    assert len(PRICE_TYPES) == 11


def test_graduated_tiered_body_is_exact() -> None:
    body = price_to_wire(SAMPLE_PRICES["graduated_tiered"], "api", RESOLVER)
    assert body == {
        "type": "graduated_tiered",
        "fee_type": "metered",
        "billing_frequency": "recurring",
        "billing_direction": "arrears",
        "billing_interval": "monthly",
        "metric_ids": ["mtr_API_CALLS"],
        "charge_on_contract_start": False,
        "graduated_tiered_pricing_model": {
            "tiers": [
                {"min_units": 0, "max_units": 1000, "price_per_unit": "0.10", "fixed_fee": "0"},
                {
                    "min_units": 1000,
                    "max_units": 10000,
                    "price_per_unit": "0.05",
                    "fixed_fee": "10.00",
                },
                {"min_units": 10000, "max_units": None, "price_per_unit": "0.01", "fixed_fee": "0"},
            ],
            "units": 10,
        },
    }


def test_fixed_price_on_fixed_product_with_all_common_fields() -> None:
    price = SAMPLE_PRICES["fixed"].model_copy(
        update={
            "billing_interval_count": 3,
            "billing_interval_unit": "month",
            "billing_direction": "arrears",
            "charge_on_contract_start": True,
            "trial_days": 14,
            "display_order": 2,
            "minimum_spend": Spend(amount=D("1E+3")),
            "maximum_spend": Spend(amount=D("5000.50"), period="yearly"),
            "discount": Discount(
                amount=D("12.5"), duration_type="fixed", duration_unit="months", duration_value=6
            ),
        }
    )
    assert price_to_wire(price, "onboarding", RESOLVER) == {
        "type": "fixed",
        "fee_type": "fixed",
        "billing_frequency": "one-off",
        "billing_direction": "arrears",
        "billing_interval": "yearly",
        "billing_interval_count": 3,
        "billing_interval_unit": "month",
        "metric_ids": [],
        "display_order": 2,
        "charge_on_contract_start": True,
        "trial_period_days": 14,
        "minimum_spend": {"amount": "1000", "period": "monthly"},
        "maximum_spend": {"amount": "5000.50", "period": "yearly"},
        "discount": {
            "type": "percentage",
            "amount": "12.5",
            "duration_type": "fixed",
            "duration_unit": "months",
            "duration_value": 6,
        },
        "fixed_pricing_model": {"price_per_unit": "500.00", "units": 3},
    }


@pytest.mark.parametrize(
    ("price_type", "model"),
    [
        ("unit", {"price_per_unit": "0.002"}),
        ("fixed", {"price_per_unit": "500.00", "units": 3}),
        (
            "tiered_percentage",
            {
                "tiers": [
                    {"min_units": 0, "max_units": 50000, "percentage": "2.9", "fixed_fee": "0.30"},
                    {"min_units": 50000, "max_units": None, "percentage": "1.5", "fixed_fee": "0"},
                ]
            },
        ),
        ("volume_percentage", {"price_per_unit": "0.30", "percentage": "2.9", "fixed_fee": "5"}),
        (
            "expression",
            {
                "charges": [
                    {
                        "billing_direction": "arrears",
                        "description": "API usage",
                        "quantity_expression": "usage.api_calls",
                        "unit_price_expression": "0.01",
                    }
                ]
            },
        ),
        (
            "prepaid_fixed_tiered",
            {
                "prepaid_units": 50000,
                "overages_charge_interval": "quarterly",
                "tiers": [
                    {"min_units": 0, "max_units": 1000, "price_per_unit": "0.10", "fixed_fee": "0"},
                    {
                        "min_units": 1000,
                        "max_units": 10000,
                        "price_per_unit": "0.05",
                        "fixed_fee": "10.00",
                    },
                    {
                        "min_units": 10000,
                        "max_units": None,
                        "price_per_unit": "0.01",
                        "fixed_fee": "0",
                    },
                ],
            },
        ),
    ],
)
def test_model_object_shapes(price_type: str, model: dict[str, object]) -> None:
    body = price_to_wire(SAMPLE_PRICES[price_type], "api", RESOLVER)
    assert body[f"{price_type}_pricing_model"] == model
    assert [k for k in body if k.endswith("_pricing_model")] == [f"{price_type}_pricing_model"]
    assert "product_id" not in body


def test_defaults_come_from_the_product() -> None:
    price = UnitPrice(type="unit", billing_interval="monthly", price_per_unit=D("1"))
    body = price_to_wire(price, "payments", RESOLVER)
    assert body["billing_direction"] == "arrears"
    assert body["metric_ids"] == ["mtr_PAYMENT_VOLUME", "mtr_API_CALLS"]
    assert body["fee_type"] == "metered"
    assert body["billing_frequency"] == "recurring"
    explicit = price.model_copy(update={"billing_direction": "advance", "metrics": ("api_calls",)})
    body = price_to_wire(explicit, "payments", RESOLVER)
    assert body["billing_direction"] == "advance"
    assert body["metric_ids"] == ["mtr_API_CALLS"]


def test_fixed_product_without_frequency_is_recurring() -> None:
    body = price_to_wire(SAMPLE_PRICES["fixed"], "platform", RESOLVER)
    assert (body["fee_type"], body["billing_frequency"], body["billing_direction"]) == (
        "fixed",
        "recurring",
        "advance",
    )


@pytest.mark.parametrize("price_type", sorted(SAMPLE_PRICES))
@pytest.mark.parametrize("product", ["api", "platform"])
def test_every_model_round_trips_through_the_server(price_type: str, product: str) -> None:
    price = SAMPLE_PRICES[price_type]
    response = FakeServer().price(price_to_wire(price, product, RESOLVER), "USD")
    back = price_from_wire(response, product, RESOLVER)
    # The samples use product defaults, so the canonical form differs only in decimals.
    assert back == price
    assert back.model_dump() == price.model_dump()  # Decimal("0.10") == Decimal("0.1")
    assert price_to_wire(back, product, RESOLVER)["type"] == price_type


def test_inverse_normalizes_decimals_and_folds_defaults() -> None:
    response = {
        "id": "price_1",
        "type": "tiered",
        "currency": "USD",
        "fee_type": "metered",
        "billing_frequency": "recurring",
        "billing_direction": "arrears",
        "billing_interval": "monthly",
        "metric_ids": ["mtr_API_CALLS"],
        "charge_on_contract_start": False,
        "tiered_pricing_model": {
            "tiers": [
                {"min_units": 0, "max_units": 100, "price_per_unit": "0.1500", "fixed_fee": "0.00"},
                {"min_units": 100, "max_units": None, "price_per_unit": "1E-1"},
            ]
        },
        "created_at": "2026-04-01T10:00:00Z",
    }
    price = price_from_wire(response, "api", RESOLVER)
    assert price == TieredPrice(
        type="tiered",
        billing_interval="monthly",
        tiers=(Tier(up_to=100, price_per_unit=D("0.15")), Tier(price_per_unit=D("0.1"))),
    )
    assert isinstance(price, TieredPrice)
    assert [str(t.price_per_unit) for t in price.tiers] == ["0.15", "0.1"]
    assert str(price.tiers[0].fixed_fee) == "0"
    assert price.billing_direction is None and price.metrics is None


def test_inverse_keeps_non_default_direction_and_metrics() -> None:
    body = price_to_wire(SAMPLE_PRICES["unit"], "api", RESOLVER)
    body["billing_direction"] = "advance"
    body["metric_ids"] = ["mtr_STORAGE_GB", "mtr_API_CALLS"]
    price = price_from_wire(body, "api", RESOLVER)
    assert price.billing_direction == "advance"
    assert price.metrics == ("storage_gb", "api_calls")


@pytest.mark.parametrize("price_type", METERED_TYPES)
def test_body_is_json_serializable_primitives(price_type: str) -> None:
    import json

    body = price_to_wire(SAMPLE_PRICES[price_type], "api", RESOLVER)
    assert json.loads(json.dumps(body)) == body
