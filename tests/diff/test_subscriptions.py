"""Subscriptions: settings, versions, activation, cancellation, immutability (issue 6)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from typing import Any

from reconciler.diff import DiffResult, diff
from reconciler.model import CatalogFile, Item, Subscription, Version
from reconciler.model.resources import Cancellation
from reconciler.source.diagnostics import Severity
from tests.diff.catalog import DESIRED, START, edit, fixed, graduated, live_of, unit

SUB = "subscription.acme_main"
LATER = dt.date(2026, 7, 1)


def actions(result: DiffResult) -> list[tuple[str, str]]:
    return [(c.address, c.action.value) for c in result.changes]


def codes(result: DiffResult) -> list[tuple[str, Severity]]:
    return [(d.code, d.severity) for d in result.diagnostics]


def active(state: object) -> object:
    return edit(state, "subscription", "acme_main", activate=True)


def as_json(value: object) -> Any:
    return json.loads(json.dumps(value))


RAISE = (Item(product="platform", price=fixed("59")),)


def test_settings_are_patched_in_place() -> None:
    desired = edit(DESIRED, "subscription", "acme_main", name="Acme main", metadata={"crm": "1"})
    result = diff(desired, live_of(DESIRED))
    assert actions(result) == [(SUB, "update")]
    assert [f.path for f in result.changes[0].fields] == ["metadata[crm]", "name"]


def test_customer_plan_currency_and_contract_force_a_replace() -> None:
    later = DESIRED.subscriptions["acme_main"].contract.model_copy(update={"start_date": LATER})
    result = diff(edit(DESIRED, "subscription", "acme_main", contract=later), live_of(DESIRED))
    assert actions(result) == [(SUB, "replace")]
    change = result.changes[0]
    assert {f.path for f in change.fields if f.forces_replace} == {"contract.start_date"}
    assert "contract" in change.reason


def test_create_then_later_versions_then_activation() -> None:
    desired = edit(
        DESIRED,
        "subscription",
        "acme_main",
        activate=True,
        versions=(Version(effective=START), Version(effective=LATER, items=RAISE)),
    )
    result = diff(desired, live_of(DESIRED).model_copy(update={"subscriptions": {}}))
    assert actions(result) == [
        (SUB, "create"),
        (f"{SUB}.versions[2026-07-01]", "new_version"),
        (SUB, "activate"),
    ]
    created = result.changes[0].after
    assert created is not None and len(as_json(created)["versions"]) == 1
    assert "activate" not in created and result.changes[1].before is None


def test_a_declared_version_that_is_not_live_is_a_new_version() -> None:
    desired = edit(
        active(DESIRED),
        "subscription",
        "acme_main",
        versions=(Version(effective=START), Version(effective=LATER, items=RAISE)),
    )
    result = diff(desired, active(live_of(DESIRED)))
    assert actions(result) == [(f"{SUB}.versions[2026-07-01]", "new_version")]
    after = result.changes[0].after
    assert after is not None and after["effective"] == "2026-07-01"
    # the complete item set: plan items with the override
    prices = {i["product"]: i["price"] for i in as_json(after)["items"] if "product" in i}
    assert prices["platform"]["price_per_unit"] == "59"


def test_a_version_applied_is_unchanged_afterwards() -> None:
    desired = edit(
        active(DESIRED),
        "subscription",
        "acme_main",
        versions=(Version(effective=START), Version(effective=LATER, items=RAISE)),
    )
    result = diff(desired, live_of(desired))
    assert result.changes == () and result.diagnostics == ()
    assert f"{SUB}.versions[2026-07-01]" in result.unchanged


def test_keyword_versions_match_the_live_version_the_api_dated() -> None:
    declared = (Version(effective=START), Version(effective="next_billing_period", items=RAISE))
    desired = edit(active(DESIRED), "subscription", "acme_main", versions=declared)
    dated = (Version(effective=START), Version(effective=dt.date(2026, 2, 1), items=RAISE))
    live = edit(active(live_of(DESIRED)), "subscription", "acme_main", versions=dated)
    result = diff(desired, live)
    assert result.changes == () and result.diagnostics == ()
    assert f"{SUB}.versions[next_billing_period]" in result.unchanged


def test_activate_on_a_draft() -> None:
    result = diff(active(DESIRED), live_of(DESIRED))
    assert actions(result) == [(SUB, "activate")]
    assert result.changes[0].remote_id == "sub_acme_main"


def test_no_activation_when_already_active_and_no_deactivation() -> None:
    assert diff(active(DESIRED), active(live_of(DESIRED))).changes == ()
    assert diff(DESIRED, active(live_of(DESIRED))).changes == ()


CANCEL = Cancellation(reason="pricing")


def test_a_declared_cancel_on_an_active_subscription() -> None:
    desired = edit(active(DESIRED), "subscription", "acme_main", cancel=CANCEL)
    result = diff(desired, active(live_of(DESIRED)))
    assert actions(result) == [(SUB, "cancel")]
    change = result.changes[0]
    assert change.after == {"cancel": {"reason": "pricing"}} and "pricing" in change.reason


def test_an_already_canceled_subscription_is_not_canceled_again() -> None:
    desired = edit(active(DESIRED), "subscription", "acme_main", cancel=CANCEL)
    live = edit(active(live_of(DESIRED)), "subscription", "acme_main", cancel=CANCEL)
    assert diff(desired, live).changes == ()
    other = edit(live, "subscription", "acme_main", cancel=Cancellation(reason="other"))
    result = diff(desired, other)
    assert result.changes == ()
    assert codes(result) == [("subscription.cancel_differs", Severity.WARNING)]


def test_a_subscription_gone_from_the_catalog_is_never_canceled() -> None:
    result = diff(DESIRED.model_copy(update={"subscriptions": {}}), active(live_of(DESIRED)))
    assert result.changes == ()


def test_a_cancel_with_no_live_subscription_creates_nothing() -> None:
    desired = edit(DESIRED, "subscription", "acme_main", cancel=CANCEL)
    result = diff(desired, live_of(DESIRED).model_copy(update={"subscriptions": {}}))
    assert result.changes == ()
    assert codes(result) == [("subscription.cancel_not_live", Severity.WARNING)]


def test_a_change_to_a_published_version_is_a_diagnostic_saying_how() -> None:
    override = (Item(product="api", price=graduated()), Item(product="platform", price=fixed("1")))
    desired = edit(
        active(DESIRED),
        "subscription",
        "acme_main",
        versions=(Version(effective=START, items=override),),
    )
    result = diff(desired, active(live_of(DESIRED)))
    assert result.changes == ()
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.severity) == (
        "subscription.version_published",
        Severity.ERROR,
    )
    assert "items[platform].price.price_per_unit" in diagnostic.message
    assert "new version" in diagnostic.message and "effective" in diagnostic.message
    assert (diagnostic.file, diagnostic.line) == ("catalog/subs.toml", 3)
    assert diagnostic.field == "subscription.acme_main.versions[2026-01-01]"
    # The diagnostic is its outcome: the version is not counted as unchanged either.
    assert "subscription.acme_main.versions[2026-01-01]" not in result.unchanged


def test_a_draft_version_is_edited_in_place() -> None:
    desired = edit(
        DESIRED,
        "subscription",
        "acme_main",
        versions=(Version(effective=START, items=(Item(product="platform", price=fixed("1")),)),),
    )
    result = diff(desired, live_of(DESIRED))
    assert actions(result) == [(f"{SUB}.versions[2026-01-01]", "update")]
    assert [f.path for f in result.changes[0].fields] == ["items[platform].price.price_per_unit"]


def test_a_changed_plan_grandfathers_active_subscriptions() -> None:
    starter = DESIRED.plans["starter"]
    items = (starter.items[0].model_copy(update={"price": fixed("59")}), *starter.items[1:])
    desired = edit(active(DESIRED), "plan", "starter", items=items)
    result = diff(desired, active(live_of(DESIRED)))
    assert actions(result) == [("plan.starter", "new_revision")]
    [note] = result.diagnostics
    assert (note.code, note.severity) == ("plan.grandfathered", Severity.WARNING)
    assert "1 live subscription" in note.message and SUB in note.message
    assert "stay on the superseded revision and keep their prices" in note.message


def test_a_plan_change_that_leaves_its_items_alone_grandfathers_nothing() -> None:
    desired = edit(active(DESIRED), "plan", "starter", description="Now with a description")
    result = diff(desired, active(live_of(DESIRED)))
    assert actions(result) == [("plan.starter", "new_revision")]
    assert result.diagnostics == ()


def test_a_live_version_not_declared_is_reported() -> None:
    extra = (Version(effective=START), Version(effective=LATER, items=RAISE))
    live = edit(active(live_of(DESIRED)), "subscription", "acme_main", versions=extra)
    result = diff(active(DESIRED), live)
    assert result.changes == ()
    assert codes(result) == [("subscription.version_undeclared", Severity.WARNING)]


def test_a_customer_currency_change_with_live_subscriptions_is_refused() -> None:
    desired = edit(DESIRED, "customer", "acme", currency="EUR")
    result = diff(desired, live_of(DESIRED))
    assert ("customer.currency_locked", Severity.ERROR) in codes(result)
    unmanaged = live_of(DESIRED).model_copy(
        update={
            "subscriptions": {},
            "unmanaged_tables": CatalogFile(subscriptions=dict(DESIRED.subscriptions)),
        }
    )
    no_subs = desired.model_copy(update={"subscriptions": {}})
    assert ("customer.currency_locked", Severity.ERROR) in codes(diff(no_subs, unmanaged))
    assert (
        codes(diff(no_subs, unmanaged.model_copy(update={"unmanaged_tables": CatalogFile()}))) == []
    )


def test_raw_item_subscriptions_compare_their_items() -> None:
    raw = Subscription(
        customer="acme",
        contract=DESIRED.subscriptions["acme_main"].contract,
        versions=(Version(effective=START, items=(Item(product="storage", price=unit("0.5")),)),),
    )
    desired = DESIRED.model_copy(update={"subscriptions": {"acme_main": raw}})
    same = raw.model_copy(
        update={
            "versions": (
                Version(effective=START, items=(Item(product="storage", price=unit("0.50")),)),
            )
        }
    )
    live = live_of(DESIRED).model_copy(update={"subscriptions": {"acme_main": same}})
    assert diff(desired, live).changes == ()
    assert D("0.50") == D("0.5")
