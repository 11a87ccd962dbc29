"""No-op changes are built without validation (issue 19: they are most of a plan's
outcomes): each must still be exactly the `Change` validation would build, and holds one
dump for both sides when they are equal."""

from __future__ import annotations

from reconciler.diff import diff
from reconciler.diff.noops import noop_change
from reconciler.model import Address, ProductItem
from reconciler.plan import Action, Change
from tests.diff.catalog import DESIRED, edit, live_of, unit


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
