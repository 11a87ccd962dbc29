"""Field changes: human paths, keyed collections, sets, equivalence after normalization."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from alguna_pricing.model.prices import Tier
from reconciler.diff import diff, render_path
from reconciler.diff.fields import field_changes, shape
from reconciler.model import Customer, Plan
from reconciler.model.resources import Contact
from tests.diff.catalog import DESIRED, TIERS, edit, graduated, live_of


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        (
            ["items", "api", "price", "tiers", 1, "price_per_unit"],
            "items[api].price.tiers[1].price_per_unit",
        ),
        (["items", "addons", "items", "storage", "price"], "items[addons].items[storage].price"),
        (["items", "items", "price"], "items[items].price"),  # a product keyed `items`
        (["metadata", "crm_id"], "metadata[crm_id]"),
        (["contacts", "ap@acme.com", "first_name"], "contacts[ap@acme.com].first_name"),
        (["name"], "name"),
        (["contract", "start_date"], "contract.start_date"),
    ],
)
def test_render_path(parts: list[str | int], text: str) -> None:
    assert render_path(parts) == text


def test_shape_keys_collections_and_sorts_sets() -> None:
    shaped = shape(
        {"items": [{"product": "b"}, {"bundle": "a"}], "aliases": ["z", "a"], "tiers": [2, 1]}
    )
    assert shaped == {
        "items": {"b": {"product": "b"}, "a": {"bundle": "a"}},
        "aliases": ["a", "z"],
        "tiers": [2, 1],
    }


def test_alias_order_does_not_matter_and_a_change_is_reported_whole() -> None:
    reordered = edit(DESIRED, "customer", "acme", aliases=("acme-inc", "acme-corp"))
    assert diff(reordered, live_of(DESIRED)).changes == ()
    changed = edit(DESIRED, "customer", "acme", aliases=("acme-corp", "acme-llc"))
    [change] = diff(changed, live_of(DESIRED)).changes
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("aliases", ["acme-corp", "acme-inc"], ["acme-corp", "acme-llc"])
    ]


def test_the_key_alias_never_shows() -> None:
    with_key = edit(DESIRED, "customer", "acme", aliases=("acme", "acme-corp", "acme-inc"))
    assert diff(with_key, live_of(DESIRED)).changes == ()


def test_contacts_are_keyed_by_email() -> None:
    before = Customer(
        name="A",
        currency="USD",
        contacts=(
            Contact(email="a@x.io"),
            Contact(email="b@x.io", first_name="Bo"),
        ),
    )
    after = before.model_copy(
        update={
            "contacts": (
                Contact(email="b@x.io", first_name="Bob"),
                Contact(email="a@x.io"),
            )
        }
    )
    assert [(f.path, f.before, f.after) for f in field_changes(before, after)] == [
        ("contacts[b@x.io].first_name", "Bo", "Bob")
    ]


def test_defaults_written_out_equal_defaults_left_out() -> None:
    starter = DESIRED.plans["starter"]
    explicit = starter.items[1].price.model_copy(
        update={
            "charge_on_contract_start": False,
            "billing_direction": "arrears",
            "metrics": ("api_calls",),
        }
    )
    items = (
        starter.items[0],
        starter.items[1].model_copy(update={"price": explicit}),
        starter.items[2],
    )
    assert diff(edit(DESIRED, "plan", "starter", items=items), live_of(DESIRED)).changes == ()


def test_decimal_formats_are_equal() -> None:
    tiers = (
        Tier(up_to=1000, price_per_unit=D("0.1000")),
        Tier(up_to=10000, price_per_unit=D("5E-2")),
        Tier(price_per_unit=D("0.010"), fixed_fee=D("0.00")),
    )
    starter = DESIRED.plans["starter"]
    items = (
        starter.items[0],
        starter.items[1].model_copy(update={"price": graduated(*tiers)}),
        starter.items[2],
    )
    assert diff(edit(DESIRED, "plan", "starter", items=items), live_of(DESIRED)).changes == ()


def test_an_added_tier_and_a_removed_item_have_paths() -> None:
    before = DESIRED.plans["starter"]
    tiers = (*TIERS[:2], Tier(up_to=50000, price_per_unit=D("0.02")), TIERS[2])
    after = Plan.model_validate(
        {
            **dict(before),
            "items": (
                before.items[0],
                before.items[1].model_copy(update={"price": graduated(*tiers)}),
            ),
        }
    )
    paths = {f.path: (f.before, f.after) for f in field_changes(before, after)}
    assert paths["items[api].price.tiers[2].up_to"] == (None, 50000)
    assert paths["items[api].price.tiers[2].price_per_unit"] == ("0.01", "0.02")
    assert paths["items[api].price.tiers[3]"] == (
        None,
        {"up_to": None, "price_per_unit": "0.01", "fixed_fee": "0"},
    )
    assert paths["items[addons]"] == (
        {"product": None, "bundle": "addons", "price": None, "items": None},
        None,
    )
