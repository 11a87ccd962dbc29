"""Round trip through the emulator, every kind and every pricing model:

catalog model -> wire body (`to_wire`) -> keyed create on the emulator (dependency order;
later subscription versions created after their subscription) -> list -> `fetch_live`
(matched as managed through a `DesiredState` that declares them) -> live model, which
equals `canonical(original)`, and is its own canonical form (the diff takes read-back
objects as they are).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reconciler.diff.normalize import LiveModels
from reconciler.diff.plans import readable
from reconciler.live import fetch_live
from reconciler.model import KINDS, DesiredState, Item, ProductItem
from reconciler.wire import CatalogModels, canonical
from reconciler.wire.revisions import plan_digest
from tests.api.emulated import emulated
from tests.live.seed import create_all
from tests.live.valid import (
    catalog_errors,
    desired_with,
    product_for,
    repaired_bundle,
    repaired_customer,
    repaired_metric,
    repaired_plan,
    repaired_price,
    repaired_product,
    repaired_subscription,
    with_price_first,
)
from tests.wire import strategies as s

EXAMPLES = settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


def differences(got: Any, expected: Any) -> list[str]:
    """Where two models differ: `path: live != expected` lines."""
    found: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for name in sorted(set(a) | set(b), key=str):
                walk(a.get(name), b.get(name), f"{path}.{name}")
        elif isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{path}[{index}]")
        elif a != b:
            found.append(f"{path}: {a!r} != {b!r}")

    walk(got.model_dump(), expected.model_dump(), "")
    return found


async def created_and_read_back(desired: DesiredState) -> Any:
    async with emulated() as env:
        ids = await create_all(env.writer, desired)
        live = await fetch_live(env.reader, desired)
    assert live.problems == ()
    assert live.unmanaged == ()
    assert live.ids == {str(address): remote for address, remote in ids.items()}
    return live


def assert_round_trips(desired: DesiredState) -> None:
    assert catalog_errors(desired) == []
    live = asyncio.run(created_and_read_back(desired))
    models, live_models = CatalogModels(desired), LiveModels(live)
    for kind in KINDS:
        declared = getattr(desired, f"{kind}s")
        assert set(getattr(live, f"{kind}s")) == set(declared)
        for key, resource in declared.items():
            expected = canonical(resource, key, models)
            if kind == "plan":
                # A plan read shows name, currency and description only; the rest comes
                # back as the digest its revision marker records.
                expected = readable(expected)
                assert live.revisions[key].current.digest == plan_digest(resource, models)
            got = getattr(live, f"{kind}s")[key]
            assert got == expected, f"{kind}.{key}: {differences(got, expected)}"
            # What the diff relies on to take read-back objects as they are
            # (`diff.normalize`): they are already canonical.
            assert live.is_read_back(got)
            again = canonical(got, key, live_models)
            assert again == got, f"{kind}.{key} not canonical: {differences(again, got)}"


@pytest.mark.parametrize("price_type", sorted(s.MODEL_FIELDS))
@EXAMPLES
@given(data=st.data())
def test_every_kind_and_pricing_model_round_trips(price_type: str, data: st.DataObject) -> None:
    """One resource of each kind per example; the generated plan, bundle and subscription
    each carry a price of `price_type` (ten types x examples), besides whatever the
    strategies drew."""
    price = data.draw(s.prices_of(price_type), label="price")
    product = product_for(price, data.draw(s.product_keys, label="product"), set())
    assert product is not None
    price = repaired_price(price, product)
    plan = repaired_plan(data.draw(s.plans, label="plan"))
    plan = plan.model_copy(update={"items": with_price_first(plan.items, price, product, Item)})
    bundle = repaired_bundle(data.draw(s.bundles, label="bundle"))
    bundle = bundle.model_copy(
        update={"items": with_price_first(bundle.items, price, product, ProductItem)}
    )
    subscription = repaired_subscription(data.draw(s.subscriptions(), label="subscription"))
    if subscription.versions:
        last = subscription.versions[-1]
        items = with_price_first(last.items, price, product, Item)
        versions = (*subscription.versions[:-1], last.model_copy(update={"items": items}))
        subscription = subscription.model_copy(update={"versions": versions})
    desired = desired_with(
        metric=repaired_metric(data.draw(s.metrics, label="metric")),
        product=repaired_product(data.draw(s.products, label="product")),
        bundle=bundle,
        plan=plan,
        customer=repaired_customer(data.draw(s.customers, label="customer"), "gen"),
        subscription=subscription,
    )
    assert_round_trips(desired)
