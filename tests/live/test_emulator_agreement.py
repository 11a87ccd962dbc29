"""Points where the emulator and the wire mapping's `canonical` form once disagreed:
each would make the plan after an apply show a change forever."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from alguna_pricing.model.prices import FixedPrice
from reconciler.live import fetch_live
from reconciler.model import Item, Subscription
from reconciler.model.resources import SubscriptionContract
from reconciler.wire import CatalogModels, canonical
from tests.api.emulated import Emulated
from tests.live.seed import create_all
from tests.wire.catalog import CATALOG


async def read_back(emu: Emulated, sub: Subscription) -> tuple[Subscription, Subscription]:
    desired = CATALOG.model_copy(update={"subscriptions": {"s": sub}})
    await create_all(emu.writer, desired)
    live = await fetch_live(emu.reader, desired)
    return live.subscriptions["s"], canonical(sub, "s", CatalogModels(desired))


async def test_first_version_description_matches_canonical(emu: Emulated) -> None:
    sub = Subscription(
        customer="acme",
        plan="starter",
        contract=SubscriptionContract(start_date=dt.date(2026, 7, 1), duration_months=12),
    )
    live, expected = await read_back(emu, sub)
    assert live.versions[0].description == expected.versions[0].description  # None


async def test_contract_duration_left_to_the_plan_matches_canonical(emu: Emulated) -> None:
    sub = Subscription(
        customer="acme",
        plan="starter",  # contract: 12 months
        contract=SubscriptionContract(start_date=dt.date(2026, 7, 1)),
    )
    live, expected = await read_back(emu, sub)
    assert live.contract == expected.contract  # both take the plan's 12 months
    assert live.contract.duration_months == 12


async def test_a_catalog_valid_display_order_is_accepted(emu: Emulated) -> None:
    price = FixedPrice(
        type="fixed", billing_interval="monthly", price_per_unit=Decimal("1"), display_order=20000
    )
    sub = Subscription(
        customer="acme",
        contract=SubscriptionContract(start_date=dt.date(2026, 7, 1)),
        versions=(
            {"effective": dt.date(2026, 7, 1), "items": (Item(product="platform", price=price),)},
        ),  # type: ignore[arg-type]
    )
    live, expected = await read_back(emu, sub)
    assert live == expected.model_copy(update={"activate": live.activate})
