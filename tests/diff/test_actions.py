"""One test per action and rule of the diff, for every kind but subscriptions' own rules
(`test_subscriptions.py`). States are built directly from models (`catalog.py`)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from reconciler.diff import DiffResult, diff, immutable_fields
from reconciler.model import (
    RESOURCE_CLASS,
    CatalogFile,
    LiveProblem,
    LiveState,
    Metric,
    ProductItem,
    UnmanagedObject,
)
from reconciler.model.resources import Aggregation
from reconciler.plan import Action, Change
from reconciler.source.diagnostics import Severity
from reconciler.wire.products import product_patch_body
from tests.diff.catalog import DESIRED, METRICS, edit, fixed, live_of, tables, unit


def actions(result: DiffResult) -> list[tuple[str, str]]:
    return [(c.address, c.action.value) for c in result.changes]


def one(result: DiffResult) -> Change:
    changes = result.changes
    assert len(changes) == 1, actions(result)
    change: Change = changes[0]
    return change


EMPTY = LiveState(environment="test")


def test_a_plan_right_after_apply_is_empty() -> None:
    result = diff(DESIRED, live_of(DESIRED))
    assert result.changes == ()
    assert result.diagnostics == ()
    assert "subscription.acme_main.versions[2026-01-01]" in result.unchanged
    assert result.summary.unchanged == len(result.unchanged) == 10


ORDER = ["metric", "product", "bundle", "plan", "customer", "subscription"]


@pytest.mark.parametrize("kind", ORDER)
def test_create_of_every_kind(kind: str) -> None:
    # Live holds the kinds below `kind` only (nothing live can refer to what is missing).
    gone = {f"{k}s": {} for k in ORDER[ORDER.index(kind) :]}
    result = diff(DESIRED, live_of(DESIRED.model_copy(update=gone)))
    assert result.diagnostics == ()
    created = [c for c in result.changes if c.kind == kind and c.version is None]
    assert created and {c.action for c in result.changes} <= {Action.CREATE, Action.NEW_VERSION}
    for change in created:
        assert change.before is None and change.remote_id is None
        assert "declared" in change.reason
        # `after` describes the resource completely: it validates back into its kind.
        RESOURCE_CLASS[kind].model_validate_json(json.dumps(change.after))


def test_update_in_place_with_a_human_path_and_the_remote_id() -> None:
    desired = edit(DESIRED, "product", "platform", name="Platform Pro")
    change = one(diff(desired, live_of(DESIRED)))
    assert change.action is Action.UPDATE
    assert change.remote_id == "pro_platform"
    assert [(f.path, f.before, f.after, f.forces_replace) for f in change.fields] == [
        ("name", "Platform", "Platform Pro", False)
    ]
    assert change.before is not None and change.before["name"] == "Platform"
    assert change.after is not None and change.after["name"] == "Platform Pro"


def replaced(result: DiffResult, address: str) -> Change:
    """The replace of `address`; the only other changes are bundles that price it,
    re-pointed to the replacement (`diff.repoint`), with no fields of their own, and new
    revisions of the plans that price it (their digest covers the replaced fields)."""
    (change,) = [c for c in result.changes if c.address == address]
    others = [c for c in result.changes if c is not change]
    bundles = [c for c in others if c.kind == "bundle"]
    plans = [c for c in others if c.kind == "plan"]
    assert len(bundles) + len(plans) == len(others), actions(result)
    assert all(c.action is Action.UPDATE for c in bundles)
    assert all(not c.fields and address in c.reason for c in bundles), actions(result)
    assert all(c.action is Action.NEW_REVISION for c in plans), actions(result)
    return change


def test_an_immutable_field_makes_a_replace_that_says_why() -> None:
    desired = edit(DESIRED, "product", "platform", payment_terms="arrears")
    result = diff(desired, live_of(DESIRED))
    change = replaced(result, "product.platform")
    # The plan's digest covers the fields a replace changes: it gets a new revision.
    assert actions(result) == [("product.platform", "replace"), ("plan.starter", "new_revision")]
    assert change.action is Action.REPLACE
    assert [(f.path, f.forces_replace) for f in change.fields] == [("payment_terms", True)]
    assert "`payment_terms`" in change.reason and "--allow-replace" in change.reason
    assert "cannot" in change.reason


def test_only_immutable_fields_force_replace() -> None:
    desired = edit(DESIRED, "product", "platform", payment_terms="arrears", name="New")
    change = replaced(diff(desired, live_of(DESIRED)), "product.platform")
    assert change.action is Action.REPLACE
    assert {f.path: f.forces_replace for f in change.fields} == {
        "name": False,
        "payment_terms": True,
    }


def test_immutable_fields_come_from_the_wire_rules() -> None:
    assert "fee_type" in immutable_fields("product")
    assert {"customer", "plan", "currency", "contract"} <= immutable_fields("subscription")
    assert "currency" in immutable_fields("plan")  # the API refuses it (docs §3 Plans)
    assert immutable_fields("customer") == frozenset()


def test_a_plan_currency_change_is_a_new_revision() -> None:
    desired = edit(DESIRED, "plan", "starter", currency="EUR")
    live = live_of(DESIRED)
    live = live.model_copy(update={"subscriptions": {}})
    change = one(diff(desired.model_copy(update={"subscriptions": {}}), live))
    assert change.action is Action.NEW_REVISION
    assert "`currency` changed" in change.reason


def test_write_once_kinds_get_a_new_revision() -> None:
    # A metric change is a new metric; its description changes nothing it counts.
    desired = edit(DESIRED, "metric", "api_calls", description="Calls")
    assert actions(diff(desired, live_of(DESIRED))) == [("metric.api_calls", "new_revision")]
    # What it counts: the products metering it are replaced (their metrics are fixed),
    # and the plan pricing them gets a new revision.
    desired = edit(DESIRED, "metric", "api_calls", event_name="api.call.v2")
    result = diff(desired, live_of(DESIRED))
    assert actions(result) == [
        ("metric.api_calls", "new_revision"),
        ("product.api", "replace"),
        ("plan.starter", "new_revision"),
    ]
    replace = result.changes[1]
    assert [(f.path, f.forces_replace) for f in replace.fields] == [("metrics[api_calls]", True)]
    assert "metric.api_calls" in replace.reason
    desired = edit(DESIRED, "plan", "starter", description="For small teams")
    change = one(diff(desired, live_of(DESIRED)))
    assert change.action is Action.NEW_REVISION
    assert "write-once" in change.reason and "`description` changed" in change.reason


def test_a_rename_is_an_update_naming_the_old_key() -> None:
    # Product `api` was `api_v1`: the live object (sku api_v1) matched through moved_from.
    desired = edit(DESIRED, "product", "api", moved_from=("api_v1",))
    live = edit(live_of(DESIRED), "product", "api", sku="api_v1")
    live = live.model_copy(update={"moved": {"product.api": "api_v1"}})
    change = one(diff(desired, live))
    assert change.action is Action.UPDATE
    assert "product.api_v1" in change.reason
    # The row shows the sku apply writes (`sku or key`), not "(none)".
    assert [(f.path, f.before, f.after) for f in change.fields] == [("sku", "api_v1", "api")]
    assert product_patch_body(desired.products["api"], "api")["sku"] == "api"


def test_a_rename_with_nothing_else_changed_is_still_an_update() -> None:
    # A subscription's billing_key is not a field (canonical drops it), yet the live one
    # still says the old key: without an update the rename would never be written.
    live = live_of(DESIRED).model_copy(update={"moved": {"subscription.acme_main": "old"}})
    change = one(diff(DESIRED, live))
    assert (change.address, change.action, change.fields) == (
        "subscription.acme_main",
        Action.UPDATE,
        (),
    )
    assert "subscription.old" in change.reason


def test_a_rename_with_an_immutable_change_is_a_replace() -> None:
    desired = edit(DESIRED, "product", "platform", fee_type="metered", metrics=("api_calls",))
    desired = desired.model_copy(update={"plans": {}, "subscriptions": {}})
    live = live_of(DESIRED).model_copy(
        update={"moved": {"product.platform": "base"}, "plans": {}, "subscriptions": {}}
    )
    change = one(diff(desired, live))
    assert change.action is Action.REPLACE and "product.base" in change.reason


def test_unmanaged_objects_are_listed_apart_and_never_changed() -> None:
    stray = Metric(name="Legacy", event_name="legacy", aggregation=Aggregation(method="count"))
    live = live_of(DESIRED).model_copy(
        update={
            "unmanaged": (
                UnmanagedObject(
                    kind="metric", key="legacy", remote_id="mtr_9", natural_key="Legacy"
                ),
                UnmanagedObject(kind="customer", key="zed", remote_id="C9", natural_key="zed"),
            ),
            "unmanaged_tables": CatalogFile(metrics={"legacy": stray}),
        }
    )
    result = diff(DESIRED, live)
    assert result.changes == ()
    assert [(u.kind, u.key) for u in result.unmanaged] == [
        ("metric", "legacy"),
        ("customer", "zed"),
    ]


def test_a_live_object_absent_from_the_catalog_is_not_deleted() -> None:
    desired = DESIRED.model_copy(update={"metrics": {"api_calls": METRICS["api_calls"]}})
    desired = edit(desired, "product", "storage", metrics=("api_calls",))
    desired = desired.model_copy(
        update={"products": {k: v for k, v in desired.products.items() if k != "storage"}}
    )
    live = live_of(DESIRED)
    result = diff(
        desired.model_copy(update={"bundles": {}, "plans": {}, "subscriptions": {}}),
        live.model_copy(update={"bundles": {}, "plans": {}, "subscriptions": {}}),
    )
    assert result.changes == ()


def test_an_unreadable_live_object_is_not_recreated() -> None:
    live = live_of(DESIRED)
    live = live.model_copy(
        update={
            "metrics": {"storage_gb": live.metrics["storage_gb"]},
            "problems": (
                LiveProblem(kind="metric", remote_id="mtr_1", key="api_calls", message="bad"),
                LiveProblem(kind="plan", remote_id="pln_2", key="other", message="odd"),
            ),
        }
    )
    result = diff(DESIRED, live)
    assert result.changes == ()
    codes = {(d.code, d.severity) for d in result.diagnostics}
    assert codes == {("live.unreadable", Severity.ERROR), ("live.problem", Severity.WARNING)}


def test_creating_everything_from_an_empty_account() -> None:
    result = diff(DESIRED, EMPTY)
    assert {c.action for c in result.changes} == {Action.CREATE}
    assert result.unchanged == ()
    assert result.summary.create == len(result.changes) == 9


@pytest.mark.parametrize("written", [D("0.5000"), D("5E-1")])
def test_money_is_compared_as_decimals_not_text(written: D) -> None:
    price = {"type": "unit", "billing_interval": "monthly", "price_per_unit": written}
    desired = edit(DESIRED, "bundle", "addons", items=[{"product": "storage", "price": price}])
    assert diff(desired, live_of(DESIRED)).changes == ()


def test_plan_item_order_does_not_matter_but_prices_do() -> None:
    starter = DESIRED.plans["starter"]
    reordered = edit(DESIRED, "plan", "starter", items=tuple(reversed(starter.items)))
    assert diff(reordered, live_of(DESIRED)).changes == ()
    repriced = edit(
        DESIRED,
        "plan",
        "starter",
        items=(starter.items[0].model_copy(update={"price": fixed("59")}), *starter.items[1:]),
    )
    no_subs = {"subscriptions": {}}
    change = one(
        diff(repriced.model_copy(update=no_subs), live_of(DESIRED).model_copy(update=no_subs))
    )
    assert [(f.path, f.before, f.after) for f in change.fields][1:] == [
        ("items[platform].price.price_per_unit", "49", "59")
    ]
    assert change.fields[0].path == "revision"


def test_live_state_tables_helper_covers_every_kind() -> None:
    assert set(tables(DESIRED)) == {
        "metrics",
        "products",
        "plans",
        "bundles",
        "customers",
        "subscriptions",
    }


def test_a_bundle_price_change_updates_the_copies_of_plans_and_draft_versions() -> None:
    """The API copies a bundle's prices into the plans and versions that use it without
    overrides: they follow in the same plan (published versions do not: grandfathered)."""
    cheaper = (ProductItem(product="storage", price=unit("0.40")),)
    desired = edit(DESIRED, "bundle", "addons", items=cheaper)
    result = diff(desired, live_of(DESIRED))
    assert actions(result) == [
        ("bundle.addons", "update"),
        ("plan.starter", "new_revision"),
        ("subscription.acme_main.versions[2026-01-01]", "update"),
    ]
    follow_up = result.changes[2]
    assert "bundle.addons without overrides" in follow_up.reason
    assert "customer acme" in follow_up.reason

    active = edit(desired, "subscription", "acme_main", activate=True)
    live = edit(live_of(DESIRED), "subscription", "acme_main", activate=True)
    assert actions(diff(active, live)) == [
        ("bundle.addons", "update"),
        ("plan.starter", "new_revision"),
    ]
