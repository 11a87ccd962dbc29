"""Generated valid catalogs, and one emulator to apply them to (reset between examples).

A catalog is the test catalog (`tests/wire/catalog.py`) plus one generated resource of
each kind under key `gen` (`tests/live/valid.py`: drawn by the wire strategies, repaired
to pass the catalog rules, then checked with them). Examples go straight to
`apply.apply_plan` with states from `fetch_live`, `diff` and `make_plan`: no project
folder, so each example costs only its requests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import strategies as st
from pydantic import SecretStr

from alguna_emulator import create_app, emulator_transport
from reconciler.api import AlgunaReader, AlgunaWriter, Connection, HttpCore
from reconciler.apply import apply_plan
from reconciler.diff import diff
from reconciler.live import fetch_live
from reconciler.model import DesiredState, Item, ProductItem
from reconciler.plan import ApplyResult, Plan
from reconciler.planning.planner import make_plan
from reconciler.settings import RateLimits
from tests.api.emulated import FAST_RETRY, START
from tests.apply.harness import Control, control_for
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

API_KEY = "sk_test_generated"
FAST = RateLimits(standard=100_000, bulk=100_000, events=100_000)
T = TypeVar("T")


@st.composite
def valid_catalogs(draw: st.DrawFn) -> DesiredState:
    """The test catalog plus a generated resource of each kind (key `gen`); one price is
    shared by the plan, the bundle and the subscription's last version, and the
    subscription is activated or left a draft."""
    price = draw(s.prices, label="price")
    product = product_for(price, draw(s.product_keys, label="product"), set())
    assert product is not None
    price = repaired_price(price, product)
    plan = repaired_plan(draw(s.plans, label="plan"))
    plan = plan.model_copy(update={"items": with_price_first(plan.items, price, product, Item)})
    bundle = repaired_bundle(draw(s.bundles, label="bundle"))
    bundle = bundle.model_copy(
        update={"items": with_price_first(bundle.items, price, product, ProductItem)}
    )
    subscription = repaired_subscription(draw(s.subscriptions(), label="subscription"))
    if subscription.versions:
        last = subscription.versions[-1]
        items = with_price_first(last.items, price, product, Item)
        versions = (*subscription.versions[:-1], last.model_copy(update={"items": items}))
        subscription = subscription.model_copy(update={"versions": versions})
    subscription = subscription.model_copy(
        update={"activate": draw(st.booleans(), label="activate")}
    )
    desired = desired_with(
        metric=repaired_metric(draw(s.metrics, label="metric")),
        product=repaired_product(draw(s.products, label="product")),
        bundle=bundle,
        plan=plan,
        customer=repaired_customer(draw(s.customers, label="customer"), "gen"),
        subscription=subscription,
    )
    errors = catalog_errors(desired)
    assert errors == [], errors
    return desired


@dataclass
class Direct:
    """A client of one in-process emulator, driven from synchronous test code (one event
    loop for every example, so clients stay open between them)."""

    runner: asyncio.Runner
    reader: AlgunaReader
    writer: AlgunaWriter
    control: Control
    minutes: int = 0

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def created_at(self) -> dt.datetime:
        """A new plan time for every plan: plan ids, hence idempotency keys, never repeat."""
        self.minutes += 1
        return START + dt.timedelta(minutes=self.minutes)

    async def plan(self, desired: DesiredState) -> tuple[Plan, Any]:
        live = await fetch_live(self.reader, desired)
        assert live.problems == (), live.problems
        plan = make_plan(desired, live, diff(desired, live), created_at=self.created_at())
        return plan, live

    async def apply(self, desired: DesiredState) -> tuple[Plan, ApplyResult]:
        """Plan `desired` against the live account and apply that plan."""
        plan, live = await self.plan(desired)
        result = await apply_plan(plan, desired, live, self.writer, self.reader)
        return plan, result


@contextmanager
def direct() -> Iterator[Direct]:
    app = create_app(clock_start=START)
    connection = Connection(
        base_url="http://emulator.invalid",
        api_key=SecretStr(API_KEY),
        rate_limits=FAST,
        retry=FAST_RETRY,
    )
    with asyncio.Runner() as runner:
        core = HttpCore(connection, transport=emulator_transport(app))
        control = control_for(app, API_KEY)
        try:
            yield Direct(runner, AlgunaReader(core), AlgunaWriter(core), control)
        finally:
            runner.run(core.aclose())
            runner.run(control.client.aclose())
            app.state.emulator.store.close()
