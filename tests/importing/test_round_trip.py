"""Import round trip: objects created out of band -> `billing import` -> plan is empty.

The live account is the example catalog (every kind, all ten pricing models, bundles
with overrides, an active subscription with a later version, a draft one) plus a
canceled subscription, a product with fields the catalog does not manage and a metric
whose description looks like a Jinja template, all created with raw API requests; some
without the natural keys the tool writes (no sku, no alias, no `billing_key`), as a
person in the dashboard would make them. The project starts with an empty catalog.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.commands.fmt import format_toml
from reconciler.commands.importing import ImportOptions, ImportResult, import_live
from reconciler.commands.workflow import load_catalog
from reconciler.model import KINDS, PRICE_TYPES, DesiredState, Subscription
from reconciler.model.resources import Cancellation, SubscriptionContract
from tests.importing.harness import Bench, bench, create_out_of_band, example_account
from tests.test_example_catalog import NOT_IN_EXAMPLE

STRIPPED = {
    "product.seats": frozenset({"sku"}),
    "product.storage": frozenset({"sku"}),
    "customer.globex": frozenset({"aliases"}),
    "subscription.acme_enterprise": frozenset({"billing_key"}),
    "subscription.globex_custom": frozenset({"billing_key"}),
    "subscription.acme_developer": frozenset({"billing_key"}),
}


def live_account() -> DesiredState:
    """What is created out of band: the example catalog, plus a canceled subscription
    and a metric whose description holds Jinja delimiters."""
    state = example_account()
    canceled = Subscription(
        customer="acme",
        plan="developer",
        name="Acme - Developer (trial team)",
        contract=SubscriptionContract(
            period_type="monthly_rolling", start_date=dt.date(2026, 2, 1)
        ),
        activate=True,
        cancel=Cancellation(reason="upgraded", effective=dt.date(2026, 6, 30)),
    )
    templated = state.metrics["api_requests"].model_copy(
        update={"description": "Counts {{ requests }} and {% raw %}-looking text as is."}
    )
    return state.model_copy(
        update={
            "subscriptions": {**state.subscriptions, "acme_developer": canceled},
            "metrics": {**state.metrics, "api_requests": templated},
        }
    )


async def seed(space: Bench) -> None:
    async with space.writer("sandbox") as writer:
        await create_out_of_band(writer, live_account(), STRIPPED)
        # A product with fields the catalog has no place for, and no sku.
        await writer.create(
            "/products",
            {
                "name": "Legacy seats",
                "fee_type": "fixed",
                "payment_terms": "advance",
                "billing_frequency": "recurring",
                "unit_label": "seat",
                "unit_label_plural": "seats",
            },
            key="oob:legacy",
        )


async def run_import(space: Bench, **options: object) -> ImportResult:
    project = space.project
    catalog = load_catalog(project, "sandbox")
    async with space.target("sandbox") as target:
        return await import_live(
            project,
            catalog,
            target,
            ImportOptions(out_dir=space.root / "catalog", **options),  # type: ignore[arg-type]
        )


@pytest.fixture
async def space(tmp_path: Path) -> Bench:  # type: ignore[misc]
    async with bench(tmp_path / "project") as created:
        await seed(created)
        yield created


async def test_every_kind_and_pricing_model_round_trips(space: Bench) -> None:
    result = await run_import(space, adopt=True)

    assert result.skipped == ()
    assert result.residual == ()
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert len(result.files) == len(KINDS)  # one file per kind
    planned = await space.plan("sandbox")
    assert planned.plan.changes == ()
    assert planned.plan.unmanaged == ()
    declared = planned.desired
    assert len(declared.resources()) == len(result.imported)
    assert planned.plan.summary.unchanged >= len(result.imported)  # + versions
    assert {kind for kind in KINDS if declared.table(kind)} == set(KINDS)
    assert _price_types(declared) == set(PRICE_TYPES) - NOT_IN_EXAMPLE
    assert declared.subscriptions  # active with a later version, draft, canceled
    states = {(s.activate, s.cancel is not None) for s in declared.subscriptions.values()}
    assert states == {(True, False), (False, False), (True, True)}


async def test_imported_files_are_canonical_and_commented(space: Bench) -> None:
    result = await run_import(space, adopt=True)

    for shown in result.files:
        text = (space.root / shown).read_text()
        assert format_toml(text).changed is False, shown
        assert format_toml(text, sort_keys=True).changed is False, shown
        tomllib.loads(text, parse_float=Decimal)  # TOML before rendering, too
    products = (space.root / "catalog" / "imported_products.toml").read_text()
    assert '#   unit_label = "seat"' in products
    assert 'Adopted: set sku = "legacy_seats"' in products
    metrics = (space.root / "catalog" / "imported_metrics.toml").read_text()
    assert metrics.startswith("# {% raw %}\n") and metrics.endswith("# {% endraw %}\n")
    planned = await space.plan("sandbox")
    description = planned.desired.metrics["api_requests"].description
    assert description == "Counts {{ requests }} and {% raw %}-looking text as is."


async def test_adoption_writes_only_natural_keys_and_is_idempotent(space: Bench) -> None:
    await run_import(space, adopt=True)

    products = {p["name"]: p for p in await space.objects("sandbox", "product")}
    assert products["Legacy seats"]["sku"] == "legacy_seats"
    assert products["Legacy seats"]["unit_label"] == "seat"  # left as it was
    customers = {c["name"]: c for c in await space.objects("sandbox", "customer")}
    assert customers["Globex Logistik GmbH"]["aliases"] == ["globex_logistik_gmbh"]
    subscriptions = await space.objects("sandbox", "subscription")
    assert all(s["metadata"]["managed_by"] == "alguna-billing" for s in subscriptions)

    before = await space.writes()
    again = await run_import(space, adopt=True)
    assert again.imported == () and again.files == ()
    assert await space.writes() == before


async def test_without_adopt_objects_without_a_natural_key_are_skipped(space: Bench) -> None:
    before = await space.writes()
    result = await run_import(space)

    assert await space.writes() == before, "an import without --adopt never writes"
    skipped = {s.address: s.reason for s in result.skipped}
    assert "--adopt" in skipped["product.legacy_seats"]
    assert "set sku" in skipped["product.team_seats"]
    assert "add the alias" in skipped["customer.globex_logistik_gmbh"]
    # Plans that price an unadoptable product cannot be declared either: they say why.
    assert "refers to product." in skipped["plan.growth"]
    assert "cannot be imported" in skipped["plan.growth"]
    assert result.residual == ()
    planned = await space.plan("sandbox")
    assert planned.plan.changes == ()
    assert {f"{u.kind}.{u.key}" for u in planned.plan.unmanaged} == set(skipped)


async def test_dry_run_writes_nothing(space: Bench) -> None:
    before = await space.writes()
    result = await run_import(space, adopt=True, dry_run=True)

    assert result.dry_run and result.files == ()
    assert any(i.adopted and "set sku" in i.adopted for i in result.imported)
    assert list((space.root / "catalog").iterdir()) == []
    assert await space.writes() == before


def _price_types(state: DesiredState) -> set[str]:
    found: set[str] = set()
    items = [*(i for p in state.plans.values() for i in p.items)]
    items += [*(i for s in state.subscriptions.values() for v in s.versions for i in v.items)]
    for item in items:
        if item.price is not None:
            found.add(item.price.type)
        found.update(child.price.type for child in item.items or ())
    found.update(i.price.type for b in state.bundles.values() for i in b.items)
    return found
