"""Real plans for the report tests: diffs of small states (`tests.diff.catalog`) wrapped by
`make_plan`, each one built to exercise a part of the output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from alguna_pricing.model.prices import Tier
from reconciler.diff import diff
from reconciler.model import DesiredState, Item, LiveState, UnmanagedObject, Version
from reconciler.model.live_state import LiveProblem
from reconciler.model.resources import Cancellation
from reconciler.plan import Plan
from reconciler.planning.planner import make_plan
from tests.diff.catalog import DESIRED, START, TIERS, edit, fixed, graduated, live_of, unit

AT = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
LATER = dt.date(2026, 7, 1)
UNMANAGED = (
    UnmanagedObject(kind="metric", key="legacy", remote_id="mtr_9", natural_key="Legacy"),
    UnmanagedObject(kind="customer", key="zed", remote_id="C9", natural_key="zed|<co>"),
)


def make(desired: DesiredState, live: LiveState, at: dt.datetime = AT) -> Plan:
    return make_plan(desired, live, diff(desired, live), created_at=at)


def unchanged_plan() -> Plan:
    """The account right after an apply: nothing to do, 10 things unchanged."""
    return make(DESIRED, live_of(DESIRED))


def mixed_plan(at: dt.datetime = AT) -> Plan:
    """A replace (product.platform), an update with a price (bundle.addons), two creates
    (the customer and its subscription, missing live) and two unmanaged objects."""
    desired = edit(DESIRED, "product", "platform", payment_terms="arrears", name="Platform Pro")
    addons = [{"product": "storage", "price": unit("0.40")}]
    desired = edit(desired, "bundle", "addons", items=addons, name="Extras")
    live = live_of(DESIRED).model_copy(
        update={"customers": {}, "subscriptions": {}, "unmanaged": UNMANAGED}
    )
    return make(desired, live, at)


def repriced_plan() -> Plan:
    """plan.starter updated: a description (sorted first by the diff) and three money
    fields; the subscription follows with its own changes."""
    starter = DESIRED.plans["starter"]
    cheaper = graduated(Tier(up_to=1000, price_per_unit=D("0.08")), *TIERS[1:])
    items = (
        starter.items[0].model_copy(update={"price": fixed("59")}),
        Item(product="api", price=cheaper),
        starter.items[2],
    )
    desired = edit(
        DESIRED,
        "plan",
        "starter",
        description="For small teams",
        items=items,
        minimum_spend={"amount": D("100")},
    )
    no_subs: dict[str, object] = {"subscriptions": {}}
    return make(desired.model_copy(update=no_subs), live_of(DESIRED).model_copy(update=no_subs))


def lifecycle_plan() -> Plan:
    """subscription.acme_main: a new version, activation and cancellation."""
    versions = (Version(effective=START), Version(effective=LATER, items=(_raise(),)))
    desired = edit(
        DESIRED,
        "subscription",
        "acme_main",
        activate=True,
        cancel=Cancellation(reason="pricing"),
        versions=versions,
    )
    return make(desired, live_of(DESIRED))


def subscription_replace_plan() -> Plan:
    """A subscription whose contract start moved: a replace the planner refuses (an error)."""
    contract = DESIRED.subscriptions["acme_main"].contract.model_copy(update={"start_date": LATER})
    desired = edit(DESIRED, "subscription", "acme_main", contract=contract)
    return make(desired, live_of(DESIRED))


def awkward_name_plan() -> Plan:
    """A product renamed to a value full of Markdown and HTML syntax."""
    desired = edit(DESIRED, "product", "platform", name="Plat|form <b>*x*</b> `y`")
    return make(desired, live_of(DESIRED))


def _raise() -> Item:
    return Item(product="platform", price=fixed("59"))


def unreadable_plan() -> Plan:
    """A declared subscription whose live object could not be read: no change (a create
    would duplicate it), an error, nothing else different."""
    live = live_of(DESIRED)
    key = next(iter(DESIRED.subscriptions))
    problem = LiveProblem(kind="subscription", remote_id="sub_x", key=key, message="bad answer")
    subscriptions = {k: v for k, v in live.subscriptions.items() if k != key}
    update = {"subscriptions": subscriptions, "problems": (problem,)}
    return make(DESIRED, live.model_copy(update=update))
