"""Hypothesis strategies for valid catalog prices and resources of every kind.

References are drawn from the test catalog (`catalog.py`), so every generated resource
resolves. Decimals come with varied scales and exponents (`1.50`, `1E+3`, `0.0001`) to
exercise the canonical decimal form.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from alguna_pricing.model.prices import (
    Discount,
    ExpressionCharge,
    PercentageTier,
    Spend,
    Tier,
)
from reconciler.model import (
    Bundle,
    Customer,
    Item,
    Metric,
    Plan,
    Product,
    ProductItem,
    Subscription,
    Version,
)
from reconciler.model.matrix import MatrixDimension
from reconciler.model.resources import (
    Aggregation,
    BillingAddress,
    Contact,
    ContractTerms,
    Entitlement,
    Filter,
    FilterGroup,
    InvoiceSettings,
    RenewalTerms,
    SubscriptionBilling,
    SubscriptionContract,
)
from reconciler.wire.prices import PRICE_ADAPTER
from tests.wire.catalog import BUNDLES, CUSTOMERS, METRICS, PLANS, PRODUCTS

keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
texts = st.text(min_size=1, max_size=12)
intervals = st.sampled_from(["monthly", "quarterly", "semi_annual", "yearly"])
directions = st.sampled_from(["advance", "arrears"])
payment_terms = st.sampled_from(["due_on_receipt", "net_30", "net_7"])
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))

money = st.builds(lambda n, e: Decimal(n).scaleb(e), st.integers(0, 10**8), st.integers(-6, 3))
percentages = st.integers(0, 3).flatmap(
    lambda e: st.integers(0, 100 * 10**e).map(lambda n: Decimal(n).scaleb(-e))
)
counts = st.integers(0, 10**6)
positive = st.integers(1, 10**6)


def opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


spends = st.builds(Spend, amount=money, period=intervals)
discounts = st.builds(
    Discount,
    amount=percentages,
    duration_type=st.sampled_from(["fixed", "monthly_rolling"]),
    duration_unit=opt(st.just("months")),
    duration_value=opt(st.integers(1, 36)),
)

common = st.fixed_dictionaries(
    {"billing_interval": intervals},
    optional={
        "billing_interval_count": st.integers(1, 12),
        "billing_interval_unit": st.just("month"),
        "billing_direction": directions,
        "charge_on_contract_start": st.booleans(),
        "trial_days": st.integers(0, 365),
        "minimum_spend": spends,
        "maximum_spend": spends,
        "discount": discounts,
        "display_order": counts,
        "metrics": st.lists(st.sampled_from(sorted(METRICS)), unique=True, max_size=3).map(tuple),
    },
)

bounds = st.lists(st.integers(1, 10**7), unique=True, max_size=4).map(sorted)


def _tiers(tier: st.SearchStrategy[dict[str, Any]], cls: type) -> st.SearchStrategy[Any]:
    def one(up: int | None) -> st.SearchStrategy[Any]:
        return tier.map(lambda fields: cls(up_to=up, **fields))

    def build(ups: list[int]) -> st.SearchStrategy[tuple[Any, ...]]:
        return st.tuples(*(one(up) for up in [*ups, None]))

    return bounds.flatmap(build)


unit_tiers = _tiers(
    st.fixed_dictionaries({"price_per_unit": money}, optional={"fixed_fee": money}), Tier
)
percentage_tiers = _tiers(
    st.fixed_dictionaries({"percentage": percentages}, optional={"fixed_fee": money}),
    PercentageTier,
)
charges = st.builds(
    ExpressionCharge,
    description=texts,
    quantity_expression=texts,
    unit_price_expression=texts,
    billing_direction=directions,
)

MODEL_FIELDS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "unit": st.fixed_dictionaries({"price_per_unit": money}),
    "fixed": st.fixed_dictionaries({"price_per_unit": money}, optional={"units": positive}),
    "tiered": st.fixed_dictionaries({"tiers": unit_tiers}),
    "graduated_tiered": st.fixed_dictionaries({"tiers": unit_tiers}, optional={"units": counts}),
    "prepaid_tiered": st.fixed_dictionaries({"tiers": unit_tiers, "prepaid_units": positive}),
    "prepaid_fixed_tiered": st.fixed_dictionaries(
        {"tiers": unit_tiers, "prepaid_units": positive},
        optional={"overages_charge_interval": intervals},
    ),
    "tiered_percentage": st.fixed_dictionaries({"tiers": percentage_tiers}),
    "graduated_percentage": st.fixed_dictionaries({"tiers": percentage_tiers}),
    "volume_percentage": st.fixed_dictionaries(
        {"percentage": percentages}, optional={"price_per_unit": money, "fixed_fee": money}
    ),
    "expression": st.fixed_dictionaries(
        {"charges": st.lists(charges, min_size=1, max_size=3).map(tuple)}
    ),
}

CELL_MODELS = {
    name: MODEL_FIELDS[name]
    for name in (
        "unit",
        "tiered",
        "tiered_percentage",
        "graduated_percentage",
        "volume_percentage",
    )
} | {
    "fixed": st.fixed_dictionaries({"price_per_unit": money}, optional={"units": positive}),
    "graduated_tiered": st.fixed_dictionaries({"tiers": unit_tiers}),
}
cells = st.sampled_from(sorted(CELL_MODELS)).flatmap(
    lambda t: st.builds(
        lambda label, model: {"type": t, **label, **model},
        st.fixed_dictionaries({}, optional={"label": st.text(max_size=8)}),
        CELL_MODELS[t],
    )
)


@st.composite
def matrix_fields(draw: st.DrawFn) -> dict[str, Any]:
    """A matrix of 1 to 3 dimensions, its cells in the canonical (depth-first) order: at
    each dimension exact values in order, `*` last."""
    names = draw(st.lists(st.sampled_from(["region", "tier", "size", "zone"]), min_size=1,
                          max_size=3, unique=True))  # fmt: skip
    values = st.sampled_from(["a", "b", "c", "*"])
    matches = draw(st.lists(st.tuples(*[values] * len(names)), min_size=1, max_size=6, unique=True))
    matches.sort(key=lambda m: [(v == "*", v) for v in m])
    listed = draw(st.booleans())
    return {
        "dimensions": tuple(
            MatrixDimension(key=n, label=n.title(), values=("a", "b", "c") if listed else None)
            for n in names
        ),
        "cells": tuple({**draw(cells), "match": dict(zip(names, m, strict=True))} for m in matches),
        **draw(
            st.fixed_dictionaries({}, optional={"fallback": cells, "line_item_template": texts})
        ),
    }


MODEL_FIELDS["matrix"] = matrix_fields()


def prices_of(price_type: str) -> st.SearchStrategy[Any]:
    return st.builds(
        lambda c, m: PRICE_ADAPTER.validate_python({"type": price_type, **c, **m}),
        common,
        MODEL_FIELDS[price_type],
    )


prices = st.one_of(*(prices_of(t) for t in MODEL_FIELDS))
product_keys = st.sampled_from(sorted(PRODUCTS))

product_items = st.builds(ProductItem, product=product_keys, price=prices)
product_item_lists = st.lists(product_items, min_size=1, max_size=3, unique_by=lambda i: i.product)
items = st.one_of(
    st.builds(lambda pi: Item(product=pi.product, price=pi.price), product_items),
    st.builds(
        lambda children: Item(bundle="addons", items=children),
        st.none() | product_item_lists.map(tuple) | st.just(BUNDLES["addons"].items),
    ),
)
item_lists = st.lists(items, max_size=4, unique_by=lambda i: i.ref).map(tuple)

metrics = st.builds(
    Metric,
    name=texts,
    event_name=texts,
    description=opt(texts),
    aggregation=st.builds(
        Aggregation,
        method=st.sampled_from(["count", "count_unique", "sum", "average", "min", "max"]),
        field=opt(texts),
    ),
    filter_groups=st.lists(
        st.builds(
            FilterGroup,
            operator=st.sampled_from(["and", "or"]),
            filters=st.lists(
                st.builds(
                    Filter,
                    field=texts,
                    operator=st.sampled_from(["equal", "not_equal", "contains"]),
                    value=st.text(max_size=8),
                ),
                min_size=1,
                max_size=3,
            ).map(tuple),
        ),
        max_size=2,
    ).map(tuple),
    moved_from=st.lists(keys, max_size=2).map(tuple),
)

products = st.builds(
    Product,
    name=texts,
    description=opt(texts),
    fee_type=st.sampled_from(["fixed", "metered"]),
    payment_terms=directions,
    billing_frequency=opt(st.sampled_from(["recurring", "one-off"])),
    metrics=st.lists(st.sampled_from(sorted(METRICS)), unique=True, max_size=3).map(tuple),
    sku=opt(st.text(min_size=1, max_size=10) | keys),
    revenue_allocation_method=opt(
        st.sampled_from(["straight_line", "usage_based", "contract_level_straight_line"])
    ),
)

currencies = st.sampled_from(["USD", "EUR", "JPY"])
renewals = st.builds(
    RenewalTerms,
    auto_renew=st.booleans(),
    period_type=st.sampled_from(["fixed", "monthly_rolling"]),
    duration_months=opt(st.integers(1, 36)),
)

plans = st.builds(
    Plan,
    name=texts,
    currency=currencies,
    description=opt(texts),
    additional_terms=opt(texts),
    contract=opt(
        st.builds(
            ContractTerms,
            period_type=st.sampled_from(["fixed", "monthly_rolling"]),
            duration_months=opt(st.integers(1, 36)),
        )
    ),
    renewal=opt(renewals),
    trial_days=opt(st.integers(0, 90)),
    payment_terms=opt(payment_terms),
    invoice_settings=opt(
        st.builds(
            InvoiceSettings,
            auto_issue_invoices=opt(st.booleans()),
            auto_pay_invoices=opt(st.booleans()),
            invoice_footer_text=opt(texts),
            send_activation_email=opt(st.booleans()),
        )
    ),
    entitlements=st.lists(
        st.builds(
            Entitlement,
            key=texts,
            type=st.sampled_from(["boolean", "quantity", "tier"]),
            value=st.text(max_size=5),
        ),
        max_size=2,
    ).map(tuple),
    discount=opt(discounts),
    minimum_spend=opt(spends),
    maximum_spend=opt(spends),
    items=item_lists,
)

bundles = st.builds(Bundle, name=texts, description=opt(texts), items=product_item_lists.map(tuple))

emails = st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.[a-z]{2,3}", fullmatch=True)
customers = st.builds(
    Customer,
    name=texts,
    currency=currencies,
    aliases=st.lists(st.sampled_from(["acme", "x-1", "stripe:cus_1"]) | texts, max_size=3).map(
        tuple
    ),
    billing_address=opt(
        st.builds(
            BillingAddress,
            line1=opt(texts),
            line2=opt(texts),
            city=opt(texts),
            state=opt(texts),
            postal_code=opt(texts),
            country=opt(st.sampled_from(["DE", "US"])),
        )
    ),
    contacts=st.lists(
        st.builds(
            Contact,
            email=emails,
            first_name=opt(texts),
            last_name=opt(texts),
            is_primary=st.booleans(),
            email_preferences=st.lists(st.sampled_from(["billing", "updates"]), unique=True).map(
                tuple
            ),
        ),
        max_size=2,
    ).map(tuple),
)


@st.composite
def subscriptions(draw: st.DrawFn) -> Subscription:
    start = draw(dates)
    later = draw(st.lists(st.integers(1, 2000), unique=True, max_size=3))
    effective: list[dt.date | str] = [draw(st.just(start) | st.just("immediate"))]
    effective += [start + dt.timedelta(days=d) for d in sorted(later)]
    versions = tuple(
        Version(effective=e, description=draw(opt(texts)), items=draw(item_lists))
        for e in effective
    )
    return Subscription(
        customer=draw(st.sampled_from(sorted(CUSTOMERS))),
        plan=draw(opt(st.sampled_from(sorted(PLANS)))),
        name=draw(opt(texts)),
        description=draw(opt(texts)),
        currency=draw(opt(currencies)),
        contract=SubscriptionContract(
            period_type=draw(st.sampled_from(["fixed", "monthly_rolling"])),
            duration_months=draw(opt(st.integers(1, 36))),
            start_date=start,
        ),
        renewal=draw(opt(renewals)),
        billing=draw(
            opt(
                st.builds(
                    SubscriptionBilling,
                    auto_issue_invoices=opt(st.booleans()),
                    auto_pay_invoices=opt(st.booleans()),
                    first_billing_date=opt(dates),
                    payment_terms=opt(payment_terms),
                )
            )
        ),
        trial_days=draw(opt(st.integers(0, 90))),
        discount=draw(opt(discounts)),
        minimum_spend=draw(opt(spends)),
        maximum_spend=draw(opt(spends)),
        metadata=draw(
            st.dictionaries(
                st.sampled_from(["crm", "team", "billing_key"]) | texts, texts, max_size=3
            )
        ),
        versions=draw(st.just(()) | st.just(versions)),
    )
