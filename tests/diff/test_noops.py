"""No-op changes are built without validation (issue 19: they are most of a plan's
outcomes): each must still be exactly the `Change` validation would build, and holds one
dump for both sides when they are equal."""

from __future__ import annotations

from reconciler.diff import diff
from reconciler.diff.fields import dump
from reconciler.diff.noops import noop_change
from reconciler.diff.repoint import FOLLOWING, repointed
from reconciler.diff.resources import needs_nothing, resource_change
from reconciler.model import KIND_OF_TABLE, Address, Item, Kind, ProductItem, Version
from reconciler.plan import Action, Change, FieldChange
from tests.diff.catalog import DESIRED, START, edit, live_of, unit


def test_a_noop_is_the_change_validation_builds() -> None:
    noop = noop_change(Address("product", "api"), {"name": "API"}, {"name": "API"}, "same", "p_1")
    validated = Change(
        address=Address("product", "api"),
        kind="product",
        key="api",
        action=Action.NOOP,
        remote_id="p_1",
        before={"name": "API"},
        after={"name": "API"},
        reason="same",
    )
    assert noop == validated
    assert noop.model_dump_json() == validated.model_dump_json()
    assert Change.model_validate_json(noop.model_dump_json()) == noop
    assert noop.before is noop.after  # one dump for both sides


def test_sides_that_differ_are_both_kept() -> None:
    noop = noop_change(Address("plan", "starter"), {"name": "A"}, {"name": "A", "items": []}, "r")
    assert noop.before == {"name": "A"} and noop.after == {"name": "A", "items": []}


def test_a_noop_made_an_update_by_repoint_reads_as_before() -> None:
    """A repriced bundle turns the draft subscription version that copies it into an
    update (`repoint`): a copy of a no-op, written to the plan file like any change."""
    live = live_of(DESIRED)
    items = (ProductItem(product="storage", price=unit("0.75")),)
    result = diff(edit(DESIRED, "bundle", "addons", items=items), live)
    followed = [c for c in result.changes if c.kind == "subscription"]
    assert [c.action for c in followed] == [Action.UPDATE]
    assert "bundle.addons" in followed[0].reason
    for change in result.changes:
        assert Change.model_validate_json(change.model_dump_json()) == change


def _changed(kind: Kind, key: str, action: Action, path: str) -> Change:
    forced = action is Action.REPLACE
    return Change(
        address=Address(kind, key),
        kind=kind,
        key=key,
        action=action,
        before={},
        after={},
        fields=(FieldChange(path=path, before=1, after=2, forces_replace=forced),),
    )


def test_only_the_following_kinds_noops_can_be_turned_into_changes() -> None:
    """The diff keeps the no-ops of other kinds as addresses only (`FOLLOWING`): whatever
    else changes, `repointed` leaves them as they are."""
    desired = DESIRED.model_copy(
        update={"plans": {**DESIRED.plans, "other": DESIRED.plans["starter"]}}
    )
    live = live_of(desired)
    triggers = [
        _changed("metric", "api_calls", Action.NEW_REVISION, "event_name"),
        _changed("metric", "storage_gb", Action.NEW_REVISION, "event_name"),
        _changed("product", "platform", Action.REPLACE, "fee_type"),
        _changed("bundle", "addons", Action.UPDATE, "items[storage].price"),
    ]
    noops = [
        noop_change(Address(kind, key), {}, {}, "live matches the catalog")
        for table, kind in KIND_OF_TABLE.items()
        for key in getattr(desired, table)
    ]
    version = dump(Version(effective=START, items=(Item(bundle="addons"),)))
    noops.append(
        noop_change(Address("subscription", "acme_main", "2026-01-01"), version, version, "same")
    )
    result = repointed([*triggers, *noops], desired, live)
    turned = {c.kind for c in result if c.action is not Action.NOOP and c not in triggers}
    assert turned == FOLLOWING  # each following kind is turned here, and no other


def test_needs_nothing_is_exactly_a_noop_resource_change() -> None:
    """The diff skips building the no-ops of metrics and customers (`needs_nothing`):
    it must agree with `resource_change` in every case."""
    customer = DESIRED.customers["acme"]
    renamed = edit(DESIRED, "customer", "acme", name="Acme").customers["acme"]
    address = Address("customer", "acme")
    cases = [(customer, customer, None), (customer, renamed, None), (customer, None, None)]
    cases.append((customer, customer, "old_acme"))
    for desired, live, moved_from in cases:
        change = resource_change(address, desired, live, "cus_1", moved_from)
        assert needs_nothing(desired, live, moved_from) == (change.action is Action.NOOP)
