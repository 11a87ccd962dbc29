"""Error paths: unresolved keys and ids, malformed and gapped wire objects."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest

from alguna_pricing.model.prices import PercentageTier, Tier, TieredPrice, UnitPrice
from reconciler.errors import BillingError
from reconciler.model import Address, Item, Plan
from reconciler.wire import (
    InvalidWireObjectError,
    MapResolver,
    UnmappableModelError,
    UnresolvedReferenceError,
    WireMappingError,
    item_from_wire,
    plan_to_wire,
    price_from_wire,
    price_to_wire,
    product_to_wire,
    subscription_from_wire,
)
from tests.wire.catalog import CATALOG, PRODUCTS, RESOLVER, SAMPLE_PRICES


def test_error_tree() -> None:
    for cls in (UnresolvedReferenceError, InvalidWireObjectError, UnmappableModelError):
        assert issubclass(cls, WireMappingError)
    assert issubclass(WireMappingError, BillingError)


def test_unknown_product_key_names_it() -> None:
    plan = Plan(
        name="P", currency="USD", items=(Item(product="nope", price=SAMPLE_PRICES["unit"]),)
    )
    with pytest.raises(UnresolvedReferenceError) as caught:
        plan_to_wire(plan, RESOLVER)
    assert (caught.value.kind, caught.value.ref, caught.value.direction) == (
        "product",
        "nope",
        "key",
    )
    assert "product key 'nope'" in str(caught.value)


def test_unknown_metric_key_and_missing_id() -> None:
    price = UnitPrice(
        type="unit", billing_interval="monthly", price_per_unit=D(1), metrics=("ghost",)
    )
    with pytest.raises(UnresolvedReferenceError, match="metric key 'ghost'"):
        price_to_wire(price, "api", RESOLVER)
    # a declared model without a remote id yet (not created) is unresolved too
    no_ids = MapResolver(CATALOG, {Address(kind="metric", key="api_calls"): "mtr_1"})
    with pytest.raises(UnresolvedReferenceError, match="bundle key 'addons'"):
        plan_to_wire(Plan(name="P", currency="USD", items=(Item(bundle="addons"),)), no_ids)
    with pytest.raises(UnresolvedReferenceError, match="metric key 'storage_gb'"):
        product_to_wire(PRODUCTS["storage"], "storage", no_ids)


def test_unknown_remote_ids_name_them() -> None:
    body: dict[str, Any] = {
        "product_id": "prod_UNKNOWN",
        "price": price_to_wire(SAMPLE_PRICES["unit"], "api", RESOLVER),
    }
    with pytest.raises(UnresolvedReferenceError) as caught:
        item_from_wire(body, RESOLVER)
    assert (caught.value.kind, caught.value.ref, caught.value.direction) == (
        "product",
        "prod_UNKNOWN",
        "id",
    )
    body = {"product_id": "prod_API", "price": {**body["price"], "metric_ids": ["mtr_GONE"]}}
    with pytest.raises(UnresolvedReferenceError, match="metric id 'mtr_GONE'"):
        item_from_wire(body, RESOLVER)
    obj = {"customer_id": "nobody", "contract": {"start_date": "2026-01-01"}}
    with pytest.raises(UnresolvedReferenceError, match="customer id 'nobody'"):
        subscription_from_wire(obj, [], "k", RESOLVER)


def test_duplicate_ids_are_refused() -> None:
    ids = {Address(kind="product", key="a"): "p1", Address(kind="product", key="b"): "p1"}
    with pytest.raises(ValueError, match="p1"):
        MapResolver(CATALOG, ids)


def _tiered_body() -> dict[str, object]:
    return price_to_wire(SAMPLE_PRICES["tiered"], "api", RESOLVER)


@pytest.mark.parametrize(
    ("tiers", "problem"),
    [
        ([(0, 100), (150, None)], "gap: min_units is 150, expected 100"),
        ([(0, 100), (50, None)], "overlap: min_units is 50, expected 100"),
        ([(10, None)], "gap: min_units is 10, expected 0"),
        ([(0, None), (100, None)], "only the last tier may be open"),
        ([(0, 100), (100, 100)], "max_units 100 is not above 100"),
        ([], "expected a non-empty list of tiers"),
    ],
)
def test_gapped_or_inconsistent_wire_tiers_are_reported(
    tiers: list[tuple[int, int | None]], problem: str
) -> None:
    body = copy.deepcopy(_tiered_body())
    body["tiered_pricing_model"] = {
        "tiers": [
            {"min_units": lo, "max_units": hi, "price_per_unit": "1", "fixed_fee": "0"}
            for lo, hi in tiers
        ]
    }
    with pytest.raises(InvalidWireObjectError) as caught:
        price_from_wire(body, "api", RESOLVER)
    assert problem in caught.value.detail
    assert caught.value.where.startswith("price.tiered_pricing_model.tiers")


def test_a_bounded_last_tier_reads_back_bounded() -> None:
    body = copy.deepcopy(_tiered_body())
    body["tiered_pricing_model"]["tiers"][-1]["max_units"] = 20000  # type: ignore[index]
    price = price_from_wire(body, "api", RESOLVER)
    assert isinstance(price, TieredPrice)
    assert [t.up_to for t in price.tiers] == [1000, 10000, 20000]


@pytest.mark.parametrize(
    "tiers",
    [
        (Tier(price_per_unit=D(1)), Tier(price_per_unit=D(2))),
        (Tier(up_to=100, price_per_unit=D(1)), Tier(up_to=50, price_per_unit=D(2))),
        (PercentageTier(up_to=5, percentage=D(1)), PercentageTier(up_to=5, percentage=D(1))),
    ],
)
def test_tiers_the_wire_cannot_express_are_refused(tiers: tuple[Tier, ...]) -> None:
    price = TieredPrice.model_construct(type="tiered", billing_interval="monthly", tiers=tiers)
    with pytest.raises(UnmappableModelError):
        price_to_wire(price, "api", RESOLVER)


@pytest.mark.parametrize(
    ("mutate", "where", "detail"),
    [
        (lambda b: b.pop("type"), "price", "missing field 'type'"),
        (lambda b: b.update(type="package"), "price", "unknown price type 'package'"),
        (lambda b: b.pop("tiered_pricing_model"), "price", "tiered_pricing_model"),
        (
            lambda b: b["tiered_pricing_model"]["tiers"][0].update(price_per_unit=0.1),
            "price",
            "expected a decimal string, got float",
        ),
        (
            lambda b: b["tiered_pricing_model"]["tiers"][0].update(price_per_unit="abc"),
            "price",
            "not a decimal string: 'abc'",
        ),
        (lambda b: b.update(billing_interval="weekly"), "price", "billing_interval"),
        (
            lambda b: b["tiered_pricing_model"]["tiers"][1].update(min_units="1000"),
            "price.tiered_pricing_model.tiers[1]",
            "min_units must be an integer",
        ),
    ],
)
def test_malformed_prices_raise_typed_errors(
    mutate: Callable[[dict[str, Any]], object], where: str, detail: str
) -> None:
    body = copy.deepcopy(_tiered_body())
    mutate(body)
    with pytest.raises(InvalidWireObjectError) as caught:
        price_from_wire(body, "api", RESOLVER)
    assert caught.value.where == where
    assert detail in caught.value.detail


def test_error_location_names_the_nested_item() -> None:
    price = _tiered_body()
    price.pop("type")
    body = {
        "bundle_id": "bnd_ADDONS",
        "items": [
            {
                "product_id": "prod_STORAGE",
                "price": price_to_wire(SAMPLE_PRICES["unit"], "storage", RESOLVER),
            },
            {"product_id": "prod_API", "price": price},
        ],
    }
    with pytest.raises(InvalidWireObjectError) as caught:
        item_from_wire(body, RESOLVER, "plan.items[2]")
    assert caught.value.where == "plan.items[2].items[1].price"
