"""A subscription's life as code, through the real reconciler and the emulator's clock.

create (draft) -> activate -> a future version declared and applied -> the clock passes
its effective date -> it is the current version -> the next plan is empty. Plus the
guards around it: an out-of-band version between plan and apply makes the saved plan
stale (nothing overwritten), and an edit of a published version is a diagnostic that
says to declare a new version.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from alguna_emulator import create_app, emulator_transport
from reconciler.apply import StalePlanError
from reconciler.commands.project import Project
from reconciler.commands.workflow import (
    Planned,
    Target,
    apply_planned,
    apply_saved,
    load_catalog,
    open_target,
    plan_target,
)
from reconciler.plan import Action, ApplyStatus
from tests.api.emulated import FAST_RETRY
from tests.builders import write_catalog, write_project

KEY = "sk_test_embedded_local"

SETTINGS = """\
default_environment = "local"
[environments.local]
api = "embedded"
[environments.local.rate_limits]
standard = 1000
bulk = 1000
"""

CATALOG = """\
[products.seats]
name = "Seats"
fee_type = "fixed"
payment_terms = "advance"
billing_frequency = "recurring"

[plans.team]
name = "Team"
currency = "USD"
[[plans.team.items]]
product = "seats"
[plans.team.items.price]
type = "unit"
price_per_unit = "20"
billing_interval = "monthly"

[customers.initech]
name = "Initech"
currency = "USD"

[subscriptions.initech_team]
customer = "initech"
plan = "team"
activate = {activate}
[subscriptions.initech_team.contract]
period_type = "monthly_rolling"
start_date = 2026-05-01

[[subscriptions.initech_team.versions]]
effective = 2026-05-01
{later}
"""

LATER = """\
[[subscriptions.initech_team.versions]]
effective = 2026-08-01
description = "Price increase"
[[subscriptions.initech_team.versions.items]]
product = "seats"
[subscriptions.initech_team.versions.items.price]
type = "unit"
price_per_unit = "{price}"
billing_interval = "monthly"
"""


@dataclass
class World:
    root: Path
    control: httpx.AsyncClient  # the emulator's control API
    public: httpx.AsyncClient  # its public API, as another user of the account
    target: Target

    def declare(self, *, activate: bool, later_price: str | None = None) -> None:
        later = LATER.format(price=later_price) if later_price else ""
        text = CATALOG.format(activate=str(activate).lower(), later=later)
        write_catalog(self.root, {"catalog.toml": text})

    async def plan(self) -> Planned:
        project = Project.open(self.root)
        return await plan_target(load_catalog(project, "local"), self.target)

    async def converge(self) -> None:
        planned = await self.plan()
        result = await apply_planned(planned, self.target)
        assert result.status is ApplyStatus.SUCCESS, result.errors
        again = await self.plan()
        assert again.plan.changes == (), [c.change_id for c in again.plan.changes]

    async def subscription_id(self) -> str:
        listed = await self.control.get("/objects/subscription", params={"api_key": KEY})
        (subscription,) = listed.json()["data"]
        return str(subscription["id"])

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        """A call on the public API as another user of the account would make it."""
        headers = {"Authorization": f"Bearer {KEY}", "Alguna-Version": "2026-04-01"}
        response = await self.public.request(method, path, json=body, headers=headers)
        assert response.status_code < 300, response.text
        return response.json()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    write_project(tmp_path, settings=SETTINGS)
    app = create_app()
    asgi = httpx.ASGITransport(app=app)
    base = "http://emulator.invalid"
    async with (
        httpx.AsyncClient(transport=asgi, base_url=f"{base}/_emulator") as control,
        httpx.AsyncClient(transport=asgi, base_url=base) as public,
    ):
        set_clock = await control.put("/clock", json={"now": "2026-05-10T12:00:00Z"})
        assert set_clock.status_code == 200, set_clock.text
        project = Project.open(tmp_path)
        transport = emulator_transport(app=app)
        async with open_target(project, "local", transport, retry=FAST_RETRY) as target:
            yield World(root=tmp_path, control=control, public=public, target=target)


async def test_lifecycle_draft_activate_future_version_becomes_current(world: World) -> None:
    world.declare(activate=False)
    await world.converge()
    sub_id = await world.subscription_id()
    draft = await world.api("GET", f"/subscriptions/{sub_id}")
    assert draft["status"] == "draft"

    world.declare(activate=True)
    planned = await world.plan()
    assert [c.action for c in planned.plan.changes] == [Action.ACTIVATE]
    await world.converge()
    assert (await world.api("GET", f"/subscriptions/{sub_id}"))["status"] == "active"

    world.declare(activate=True, later_price="25")
    planned = await world.plan()
    assert [(c.address, c.action) for c in planned.plan.changes] == [
        ("subscription.initech_team.versions[2026-08-01]", Action.NEW_VERSION)
    ]
    await world.converge()
    current = await world.api("GET", f"/subscriptions/{sub_id}/versions/current")
    assert current["effective_at"].startswith("2026-05-01")

    moved = await world.control.put("/clock", json={"now": "2026-08-02T00:00:00Z"})
    assert moved.status_code == 200
    current = await world.api("GET", f"/subscriptions/{sub_id}/versions/current")
    assert current["effective_at"].startswith("2026-08-01")
    assert current["items"][0]["price"]["unit_pricing_model"]["price_per_unit"] == "25"
    after = await world.plan()
    assert after.plan.changes == ()


async def test_a_version_added_out_of_band_makes_the_saved_plan_stale(world: World) -> None:
    world.declare(activate=True)
    await world.converge()
    sub_id = await world.subscription_id()
    world.declare(activate=True, later_price="25")
    saved = (await world.plan()).plan
    assert [c.action for c in saved.changes] == [Action.NEW_VERSION]

    source = await world.api("GET", f"/subscriptions/{sub_id}/versions/current")
    seats = source["items"][0]
    price = {**seats["price"], "unit_pricing_model": {"price_per_unit": "30"}}
    await world.api(
        "POST",
        f"/subscriptions/{sub_id}/changes",
        {
            "effective": "2026-07-01",
            "source_version_id": source["id"],
            "remove": [{"product_id": seats["product_id"]}],
            "add": [{"product_id": seats["product_id"], "new_price": price}],
        },
    )
    before = await world.api("GET", f"/subscriptions/{sub_id}/versions")

    project = Project.open(world.root)
    with pytest.raises(StalePlanError) as refused:
        await apply_saved(load_catalog(project, "local"), world.target, saved)
    assert "subscription.initech_team" in str(refused.value)
    assert await world.api("GET", f"/subscriptions/{sub_id}/versions") == before


async def test_editing_a_published_version_says_to_declare_a_new_one(world: World) -> None:
    world.declare(activate=True, later_price="25")
    await world.converge()
    world.declare(activate=True, later_price="27")
    planned = await world.plan()
    assert planned.plan.changes == ()
    (problem,) = [d for d in planned.plan.diagnostics if d.severity == "error"]
    assert problem.code == "subscription.version_published"
    assert "new version" in problem.message
    assert problem.file == "catalog/catalog.toml" and problem.line is not None
    # The version's own `[[...versions]]` line, not the subscription's header.
    lines = (world.root / "catalog" / "catalog.toml").read_text().splitlines()
    version_line = lines.index("effective = 2026-08-01")  # 0-based: the line above it
    assert lines[version_line - 1] == "[[subscriptions.initech_team.versions]]"
    assert problem.line == version_line
