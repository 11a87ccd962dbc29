"""A small catalog the wire tests resolve against, with realistic remote ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from alguna_pricing.model.prices import (
    ExpressionCharge,
    ExpressionPrice,
    FixedPrice,
    GraduatedPercentagePrice,
    GraduatedTieredPrice,
    MatrixPrice,
    PercentageTier,
    PrepaidFixedTieredPrice,
    PrepaidTieredPrice,
    Tier,
    TieredPercentagePrice,
    TieredPrice,
    UnitPrice,
    VolumePercentagePrice,
)
from reconciler.model import (
    KIND_OF_TABLE,
    Address,
    Bundle,
    Customer,
    DesiredState,
    Item,
    Metric,
    Plan,
    Price,
    Product,
    ProductItem,
    Subscription,
)
from reconciler.model.matrix import (
    FixedCell,
    GraduatedPercentageCell,
    GraduatedTieredCell,
    MatrixDimension,
    TieredCell,
    TieredPercentageCell,
    UnitCell,
    VolumePercentageCell,
)
from reconciler.model.resources import Aggregation, ContractTerms, SubscriptionContract
from reconciler.wire import MapResolver

METRICS = {
    "api_calls": Metric(
        name="API calls", event_name="api_call", aggregation=Aggregation(method="count")
    ),
    "storage_gb": Metric(
        name="Storage", event_name="storage", aggregation=Aggregation(method="max", field="gb")
    ),
    "payment_volume": Metric(
        name="Payment volume",
        event_name="payment",
        aggregation=Aggregation(method="sum", field="amount"),
    ),
}

PRODUCTS = {
    "platform": Product(
        name="Platform", fee_type="fixed", payment_terms="advance", billing_frequency="recurring"
    ),
    "onboarding": Product(
        name="Onboarding",
        fee_type="fixed",
        payment_terms="advance",
        billing_frequency="one-off",
        sku="ONB-1",
    ),
    "api": Product(name="API", fee_type="metered", payment_terms="arrears", metrics=("api_calls",)),
    "storage": Product(
        name="Storage", fee_type="metered", payment_terms="arrears", metrics=("storage_gb",)
    ),
    "payments": Product(
        name="Payments",
        fee_type="metered",
        payment_terms="arrears",
        metrics=("payment_volume", "api_calls"),
    ),
}

TIERS = (
    Tier(up_to=1000, price_per_unit=D("0.10")),
    Tier(up_to=10000, price_per_unit=D("0.05"), fixed_fee=D("10.00")),
    Tier(price_per_unit=D("0.01")),
)
PCT_TIERS = (
    PercentageTier(up_to=50000, percentage=D("2.9"), fixed_fee=D("0.30")),
    PercentageTier(percentage=D("1.5")),
)

MATRIX = MatrixPrice(
    type="matrix",
    billing_interval="monthly",
    line_item_template="{{region}} / {{plan_tier}}",
    dimensions=(
        MatrixDimension(key="region", label="Region", values=("eu", "us", "apac")),
        MatrixDimension(key="plan_tier", label="Tier"),
    ),
    cells=(
        UnitCell(
            type="unit", label="EU gold", match={"region": "eu", "plan_tier": "gold"},
            price_per_unit=D("0.10"),
        ),
        FixedCell(
            type="fixed", label="EU flat", match={"region": "eu", "plan_tier": "*"},
            price_per_unit=D("25.00"), units=2,
        ),
        TieredCell(type="tiered", match={"region": "us", "plan_tier": "gold"}, tiers=TIERS),
        GraduatedTieredCell(
            type="graduated_tiered", label="", match={"region": "us", "plan_tier": "silver"},
            tiers=TIERS,
        ),
        TieredPercentageCell(
            type="tiered_percentage", match={"region": "*", "plan_tier": "gold"}, tiers=PCT_TIERS
        ),
        GraduatedPercentageCell(
            type="graduated_percentage", match={"region": "*", "plan_tier": "*"}, tiers=PCT_TIERS
        ),
    ),
    fallback=VolumePercentageCell(
        type="volume_percentage", label="Other", percentage=D("1.5"), price_per_unit=D("0.05")
    ),
)  # fmt: skip
"""Every cell model, exact values and `*`, a label empty or absent, and a fallback."""

SAMPLE_PRICES: dict[str, Price] = {
    "unit": UnitPrice(type="unit", billing_interval="monthly", price_per_unit=D("0.002")),
    "fixed": FixedPrice(
        type="fixed", billing_interval="yearly", price_per_unit=D("500.00"), units=3
    ),
    "tiered": TieredPrice(type="tiered", billing_interval="monthly", tiers=TIERS),
    "graduated_tiered": GraduatedTieredPrice(
        type="graduated_tiered", billing_interval="monthly", tiers=TIERS, units=10
    ),
    "prepaid_tiered": PrepaidTieredPrice(
        type="prepaid_tiered", billing_interval="quarterly", prepaid_units=50000, tiers=TIERS
    ),
    "prepaid_fixed_tiered": PrepaidFixedTieredPrice(
        type="prepaid_fixed_tiered",
        billing_interval="yearly",
        prepaid_units=50000,
        overages_charge_interval="quarterly",
        tiers=TIERS,
    ),
    "tiered_percentage": TieredPercentagePrice(
        type="tiered_percentage", billing_interval="monthly", tiers=PCT_TIERS
    ),
    "graduated_percentage": GraduatedPercentagePrice(
        type="graduated_percentage", billing_interval="monthly", tiers=PCT_TIERS
    ),
    "volume_percentage": VolumePercentagePrice(
        type="volume_percentage",
        billing_interval="monthly",
        percentage=D("2.9"),
        price_per_unit=D("0.30"),
        fixed_fee=D("5"),
    ),
    "expression": ExpressionPrice(
        type="expression",
        billing_interval="monthly",
        charges=(
            ExpressionCharge(
                description="API usage",
                quantity_expression="usage.api_calls",
                unit_price_expression="0.01",
            ),
        ),
    ),
    "matrix": MATRIX,
}

BUNDLES = {
    "addons": Bundle(
        name="Add-ons",
        items=(
            ProductItem(product="storage", price=SAMPLE_PRICES["unit"]),
            ProductItem(product="api", price=SAMPLE_PRICES["graduated_tiered"]),
        ),
    ),
}

PLANS = {
    "starter": Plan(
        name="Starter",
        currency="USD",
        contract=ContractTerms(duration_months=12),
        items=(
            Item(product="platform", price=SAMPLE_PRICES["fixed"]),
            Item(product="api", price=SAMPLE_PRICES["tiered"]),
            Item(bundle="addons"),
        ),
    ),
}

CUSTOMERS = {
    "acme": Customer(name="Acme Corp", currency="USD", aliases=("acme-corp",)),
    "globex": Customer(name="Globex", currency="EUR"),
}

SUBSCRIPTIONS = {
    "acme_main": Subscription(
        customer="acme",
        plan="starter",
        contract=SubscriptionContract(start_date=dt.date(2026, 7, 1), duration_months=12),
    ),
}

CATALOG = DesiredState(
    environment="test",
    metrics=METRICS,
    products=PRODUCTS,
    bundles=BUNDLES,
    plans=PLANS,
    customers=CUSTOMERS,
    subscriptions=SUBSCRIPTIONS,
)

_PREFIX = {"metric": "mtr_", "product": "prod_", "plan": "pln_", "bundle": "bnd_"}
IDS: dict[Address, str] = {
    Address(kind=kind, key=key): f"{_PREFIX.get(kind, 'C')}{key.upper()}"
    for table, kind in KIND_OF_TABLE.items()
    for key in getattr(CATALOG, table)
}
RESOLVER = MapResolver(CATALOG, IDS)
