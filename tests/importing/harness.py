"""A project with two environments on one in-process emulator, for import and promotion.

`Bench` is a project folder (billing.toml + catalog/) whose environments `sandbox` and
`production` are both embedded and share one emulator app, told apart by their API keys
(`sk_test_embedded_sandbox`, `sk_test_embedded_production`): the emulator keeps each
key's data apart, as Alguna keeps two accounts apart. `production` is protected and has
its own template variables. Everything between a test and the emulator is our own code,
unmodified (`commands.workflow.open_target`, the real HTTP client, the real emulator); objects
"created out of band" are raw API requests, as a person or another tool would make them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from alguna_emulator import create_app, emulator_transport
from reconciler.api import AlgunaWriter, HttpCore, RetryPolicy
from reconciler.api.connection import EMBEDDED_API_KEY_PREFIX, Connection
from reconciler.commands.project import Project
from reconciler.commands.workflow import Planned, Target, load_catalog, open_target, plan_target
from reconciler.model import Address, DesiredState, Kind, Plan, Subscription
from reconciler.model.resources import SubscriptionContract
from reconciler.settings import RateLimits
from reconciler.wire import (
    MapResolver,
    plan_to_wire,
    subscription_create_bodies,
    to_wire,
    version_to_wire,
)
from tests.builders import EXAMPLE_CATALOG, example_state, write_project

START = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
FAST_RETRY = RetryPolicy(
    max_attempts=4, base_delay=0.002, max_delay=0.02, max_total=10.0, max_retry_after=1.0
)
CREATE_ORDER: tuple[Kind, ...] = ("metric", "product", "bundle", "plan", "customer", "subscription")
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})

BILLING_TOML = """\
default_environment = "sandbox"

[variables]
trial_days = 14
growth_base_fee = "49.00"
support_email = "billing-sandbox@example.com"

[environments.sandbox]
api = "embedded"
db = ".billing/shared.db"

[environments.sandbox.rate_limits]
standard = 100000
bulk = 100000

[environments.production]
api = "embedded"
db = ".billing/shared.db"
protected = true

[environments.production.rate_limits]
standard = 100000
bulk = 100000

[environments.production.variables]
trial_days = 30
growth_base_fee = "59.00"
support_email = "billing@example.com"
"""


def api_key(env: str) -> str:
    return EMBEDDED_API_KEY_PREFIX + env


def make_project(root: Path, *, example_catalog: bool) -> Path:
    """A project folder: billing.toml above, and the example catalog or an empty one."""
    return write_project(root, EXAMPLE_CATALOG if example_catalog else None, settings=BILLING_TOML)


@dataclass
class Bench:
    root: Path
    app: FastAPI
    control: httpx.AsyncClient

    @property
    def project(self) -> Project:
        """The project as on disk now (re-read: imports add files)."""
        return Project.open(self.root)

    @asynccontextmanager
    async def target(self, env: str) -> AsyncIterator[Target]:
        async with open_target(
            self.project, env, emulator_transport(self.app), retry=FAST_RETRY
        ) as opened:
            yield opened

    async def plan(self, env: str) -> Planned:
        catalog = load_catalog(self.project, env)
        async with self.target(env) as opened:
            return await plan_target(catalog, opened)

    @asynccontextmanager
    async def writer(self, env: str) -> AsyncIterator[AlgunaWriter]:
        """A plain API client for `env`'s account: out-of-band writes, raw bodies."""
        connection = Connection(
            base_url="http://emulator.invalid",
            api_key=SecretStr(api_key(env)),
            retry=FAST_RETRY,
            rate_limits=RateLimits(standard=100000, bulk=100000),
        )
        async with HttpCore(connection, emulator_transport(self.app)) as core:
            yield AlgunaWriter(core)

    async def objects(self, env: str, kind: str) -> list[dict[str, Any]]:
        response = await self.control.get(f"/objects/{kind}", params={"api_key": api_key(env)})
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    async def edit(self, env: str, kind: str, remote_id: str, patch: Mapping[str, Any]) -> None:
        response = await self.control.patch(
            f"/objects/{kind}/{remote_id}", params={"api_key": api_key(env)}, json=dict(patch)
        )
        assert response.status_code == 200, response.text

    async def writes(self) -> int:
        """Write requests the emulator has counted so far (every account)."""
        response = await self.control.get("/counters")
        assert response.status_code == 200, response.text
        return sum(row["count"] for row in response.json() if row["method"] in WRITES)


@asynccontextmanager
async def bench(root: Path, *, example_catalog: bool = False) -> AsyncIterator[Bench]:
    """A `Bench` on a fresh in-memory emulator (clock frozen at START)."""
    make_project(root, example_catalog=example_catalog)
    app = create_app(clock_start=START)
    control = httpx.AsyncClient(
        transport=emulator_transport(app), base_url="http://emulator.invalid/_emulator"
    )
    try:
        yield Bench(root, app, control)
    finally:
        await control.aclose()
        app.state.emulator.store.close()


def example_account(env: str = "sandbox") -> DesiredState:
    """The example catalog plus active subscriptions on growth and developer: the example
    has none, and a plan read cannot show a plan's items, so the import reads them there."""
    state = example_state(env)
    growth = Subscription(
        customer="acme",
        plan="growth",
        name="Acme - Growth (labs)",
        contract=SubscriptionContract(
            period_type="monthly_rolling", start_date=dt.date(2026, 3, 1)
        ),
        activate=True,
    )
    developer = growth.model_copy(update={"plan": "developer", "name": "Acme - Developer"})
    subscriptions = {**state.subscriptions, "acme_growth": growth, "acme_labs": developer}
    return state.model_copy(update={"subscriptions": subscriptions})


Strip = Mapping[str, frozenset[str]]
"""Per address, the natural keys to leave off a body: `sku`, `aliases`, `billing_key`."""


async def create_out_of_band(
    writer: AlgunaWriter, state: DesiredState, strip: Strip | None = None
) -> dict[str, str]:
    """Create every resource of `state` with raw POSTs, as someone clicking through the
    dashboard would (their bodies are the wire form of the models, so every field and
    every pricing model is exercised), then later versions, activations and
    cancellations. `strip` removes natural keys, so the objects look hand-made: no sku,
    no alias, no `billing_key` metadata. Returns remote ids by address."""
    strip = strip or {}
    ids: dict[Address, str] = {}
    for kind in CREATE_ORDER:
        for key, resource in state.table(kind).items():
            address = f"{kind}.{key}"
            later: dict[str, object] = {}
            if isinstance(resource, Subscription):
                # What the SDK's create does not take follows in a PATCH, as apply does it.
                body, later = subscription_create_bodies(resource, key, MapResolver(state, ids))
            elif isinstance(resource, Plan):
                # Made in the dashboard: no revision marker in its description.
                body = plan_to_wire(resource, MapResolver(state, ids))
            else:
                body = to_wire(resource, key, MapResolver(state, ids))
            dropped = strip.get(address, frozenset())
            if "sku" in dropped:
                body.pop("sku", None)
            if "aliases" in dropped:
                body["aliases"] = []
            if "billing_key" in dropped:
                body["metadata"] = {
                    k: v
                    for k, v in body["metadata"].items()
                    if k not in ("billing_key", "managed_by")
                }
            created = await writer.create(f"/{kind}s", body, key=f"oob:{address}")
            ids[Address(kind=kind, key=key)] = str(created["id"])
            if later:
                await writer.update(
                    f"/{kind}s/{created['id']}", later, key=f"oob:{address}#settings"
                )
    for key, subscription in state.subscriptions.items():
        remote = ids[Address(kind="subscription", key=key)]
        resolver = MapResolver(state, ids)
        for index, version in enumerate(subscription.versions[1:], start=1):
            await writer.create(
                f"/subscriptions/{remote}/versions",
                version_to_wire(version, subscription, resolver),
                key=f"oob:subscription.{key}.v{index}",
            )
        if subscription.activate or subscription.cancel is not None:
            await writer.action(f"/subscriptions/{remote}/activate", key=f"oob:{key}#activate")
        if subscription.cancel is not None:
            effective = subscription.cancel.effective
            await writer.action(
                f"/subscriptions/{remote}/cancel",
                {
                    "reason": subscription.cancel.reason,
                    "effective": effective if isinstance(effective, str) else effective.isoformat(),
                },
                key=f"oob:{key}#cancel",
            )
    return {str(address): remote for address, remote in ids.items()}
