"""The money-first review of a plan: what each changed price charges, before and after.

    reviews = price_reviews(result.changes, desired, live)

Pure (no I/O, no clock): the planner calls it on the changes of a diff and puts the
result in `Plan.review`; `report` renders it. It reads the changes' canonical
`before`/`after` (the same values the field rows show), so a review never disagrees with
the diff, and prices them with the engine (`price_charge`): every amount is the engine's
exact total for one billing period, shown with at least the currency's minor-unit decimals
(`sampling.shown_charge`), so the percentage is that of the real change.

Which prices are reviewed (one `PriceReview` per price that differs):
- a plan or bundle `update`: every item whose price differs between `before` and `after`
  in what it charges (fields that only time an invoice, `_TIMING`, do not count),
  matched by product key (`items[api]`; bundle overrides in a plan as
  `items[addons].items[storage]`); an item added or removed is reviewed with the missing
  side None. A bundle item without overrides on both sides takes the bundle's own prices:
  a change to those is reviewed under the bundle, not under every plan that uses it. A plan
  `replace` is not reviewed: it changes the currency, and charges in two currencies do not
  compare.
- a plan `new_revision`: its items against the current revision's, as far as the API
  shows them (`before.items`: `diff.plans.published_plan_items`). Nothing is reviewed
  when no published version shows any; an item every such version overrides is
  reviewed as added (its old price cannot be read back). A revision in another currency
  is not reviewed (charges in two currencies do not compare).
- a subscription version `update` (a draft version edited): its items, before vs after.
- a subscription `new_version`: its items against the version it follows, that is the
  latest version with an earlier effective date among the live versions and the versions
  this plan creates or edits (dated versions first, then the keyword-dated ones in the
  order immediate, next_billing_period, end_of_term). This is the live version in effect
  before it, except when the plan also adds an intermediate version: then each new
  version is compared with the one just before it, so a change is never counted twice.
- nothing else: creates have no "before", and settings (a name, a plan-level term) are not
  a price. Plan-level discount and spend limits are shown in the field rows only: the
  engine prices a price, and those terms apply to a whole invoice.

How each price is sampled and priced: `sampling`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from alguna_pricing.usage_fields import make_usage
from reconciler.model import (
    Address,
    Bundle,
    DesiredState,
    Item,
    LiveState,
    Price,
    PriceRef,
    Version,
)
from reconciler.model import Plan as CatalogPlan
from reconciler.plan import Action, Change, PriceReview
from reconciler.planning.sampling import PricePair, ReviewTest, review_pair
from reconciler.pricing.refs import is_one_off

_KEYWORDS = ("immediate", "next_billing_period", "end_of_term")
M = TypeVar("M", bound=BaseModel)
Priced = dict[str, Price]
"""An owner's prices by item path (`items[api]`, `items[addons].items[storage]`)."""


def exceeds(review: PriceReview, threshold: Decimal) -> bool:
    """Whether a sampled charge of `review` rises by strictly more than `threshold` %
    (compared as shown: the percentage rounded to 2 decimals)."""
    return review.max_increase_percent is not None and review.max_increase_percent > threshold


def declared_tests(desired: DesiredState) -> tuple[ReviewTest, ...]:
    """The catalog's pricing tests (`[tests.*]`) as review samples: the address and item
    path of the price each names (`PriceRef`), and its usage. Validation has checked the
    references; one that does not parse is left out (tests only add samples)."""
    found: list[ReviewTest] = []
    for name, test in sorted(desired.tests.items()):
        try:
            ref = PriceRef.parse(test.price)
        except ValueError:
            continue
        usage = make_usage(
            quantity=test.quantity, volume=test.volume, count=test.count, metrics=test.metrics
        )
        owner = Address(kind=ref.owner, key=ref.key, version=ref.version)
        bundle = f"items[{ref.bundle}]." if ref.bundle else ""
        found.append(ReviewTest(name, str(owner), f"{bundle}items[{ref.product}]", usage))
    return tuple(found)


# ---- which prices changed ------------------------------------------------------------------


@dataclass
class _States:
    desired: DesiredState
    live: LiveState
    changes: Sequence[Change]
    bundles_after: dict[str, Bundle] = field(default_factory=dict)
    # Each subscription's changes, in change order: `_predecessor` scanned every change
    # of the plan for each version change it looked at, quadratic in the catalog (at
    # 10,000 resources, half of `make_plan`'s CPU; issue 19).
    subscription_changes: dict[str, list[Change]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        planned = {
            c.key: b
            for c in self.changes
            if c.kind == "bundle" and (b := _load(Bundle, c.after)) is not None
        }
        self.bundles_after = {**self.desired.bundles, **self.live.bundles, **planned}
        for change in self.changes:
            if change.kind == "subscription":
                self.subscription_changes.setdefault(change.key, []).append(change)

    @property
    def bundles_before(self) -> dict[str, Bundle]:
        return {**self.desired.bundles, **self.live.bundles}


def price_reviews(
    changes: Sequence[Change],
    desired: DesiredState,
    live: LiveState,
    tests: Sequence[ReviewTest] | None = None,
) -> tuple[PriceReview, ...]:
    """A review per changed price of `changes` (the diff of `desired` against `live`), in
    change order, then item path. `tests` defaults to `declared_tests(desired)`."""
    states = _States(desired, live, changes)
    declared = declared_tests(desired) if tests is None else tests
    reviews: list[PriceReview] = []
    for change in changes:
        for pair in _pairs(change, states):
            product = _ITEM.findall(pair.item)[-1]
            pair.one_off = is_one_off(desired, product) or is_one_off(live, product)
            reviews.append(review_pair(pair, declared))
    return tuple(reviews)


_ITEM = re.compile(r"items\[([^\]]+)\]")


def _pairs(change: Change, states: _States) -> list[PricePair]:
    version = change.version
    if change.kind == "plan" and change.action is Action.UPDATE:
        before, after = _load(CatalogPlan, change.before), _load(CatalogPlan, change.after)
        if before is None or after is None:
            return []
        prices = _item_prices(before.items, after.items, states)
        return _changed(change, *prices, after.currency)
    if change.kind == "plan" and change.action is Action.NEW_REVISION:
        before, after = _load(CatalogPlan, change.before), _load(CatalogPlan, change.after)
        if before is None or after is None or not before.items:
            return []
        if before.currency != after.currency:
            return []  # charges in two currencies do not compare
        prices = _item_prices(before.items, after.items, states)
        return _changed(change, *prices, after.currency)
    if change.kind == "bundle" and change.action is Action.UPDATE:
        old, new = _load(Bundle, change.before), _load(Bundle, change.after)
        if old is None or new is None:
            return []
        prices = _bundle_prices(old), _bundle_prices(new)
        return _changed(change, *prices, _bundle_currency(change.key, states))
    if change.kind != "subscription" or version is None:
        return []
    currency = _subscription_currency(change.key, states)
    new_version = _load(Version, change.after)
    if currency is None or new_version is None:
        return []
    if change.action is Action.UPDATE:
        old_version = _load(Version, change.before)
        compared = None
    elif change.action is Action.NEW_VERSION:
        compared, old_version = _predecessor(change.key, version, states)
    else:
        return []
    if old_version is None:
        return []
    prices = _item_prices(old_version.items, new_version.items, states)
    pairs = _changed(change, *prices, currency)
    for pair in pairs:
        pair.compared_with = compared
    return pairs


_TIMING = frozenset({"billing_direction", "charge_on_contract_start", "display_order", "metrics"})
"""Price fields that say when or how an amount is invoiced, never how much."""


def _charged(price: Price | None) -> dict[str, Any] | None:
    """What of `price` decides a charge: everything but `_TIMING` (and an expression
    charge's or a minimum spend's `billing_direction`: an advance minimum changes when it
    is invoiced, not a period's total)."""
    if price is None:
        return None
    data = price.model_dump(exclude=set(_TIMING))
    for charge in data.get("charges", ()):
        charge.pop("billing_direction", None)
    if data.get("minimum_spend") is not None:
        data["minimum_spend"].pop("billing_direction", None)
    return data


def _changed(change: Change, before: Priced, after: Priced, currency: str) -> list[PricePair]:
    """A pair per path whose price differs in what it charges (`_charged`)."""
    paths = sorted(set(before) | set(after))
    return [
        PricePair(change, path, before.get(path), after.get(path), currency)
        for path in paths
        if _charged(before.get(path)) != _charged(after.get(path))
    ]


def _load(model: type[M], data: Mapping[str, Any] | None) -> M | None:
    """A change's `before`/`after` back as its catalog model (it re-validates as JSON)."""
    if data is None:
        return None
    try:
        return model.model_validate_json(json.dumps(data))
    except ValidationError:
        return None


def _bundle_prices(bundle: Bundle, prefix: str = "") -> Priced:
    return {f"{prefix}items[{item.product}]": item.price for item in bundle.items}


def _item_prices(
    before: Sequence[Item], after: Sequence[Item], states: _States
) -> tuple[Priced, Priced]:
    """The prices of two item lists (module docstring: bundle items without overrides on
    both sides are the bundle's business)."""
    sides = (before, after)
    bundled = [{i.bundle: i for i in side if i.bundle is not None} for side in sides]
    out: list[Priced] = []
    for index, (items, bundles) in enumerate(
        zip(sides, (states.bundles_before, states.bundles_after), strict=True)
    ):
        other = bundled[1 - index]
        prices: Priced = {}
        for item in items:
            if item.product is not None and item.price is not None:
                prices[f"items[{item.product}]"] = item.price
            elif item.bundle is not None:
                prefix = f"items[{item.bundle}]."
                if item.items is not None:
                    prices.update({f"{prefix}items[{c.product}]": c.price for c in item.items})
                    continue
                counterpart = other.get(item.bundle)
                bundle = bundles.get(item.bundle)
                if bundle is not None and (counterpart is None or counterpart.items is not None):
                    prices.update(_bundle_prices(bundle, prefix))
        out.append(prices)
    return out[0], out[1]


def _bundle_currency(key: str, states: _States) -> str:
    """A bundle has no currency: the review rounds in the currency of the plans (then the
    subscriptions) that use it, the first alphabetically; else the only plan currency of
    the catalog; else USD."""
    desired = states.desired
    plans = {p.currency for p in desired.plans.values() if any(i.bundle == key for i in p.items)}
    if plans:
        return sorted(plans)[0]
    users = {
        currency
        for sub_key, sub in desired.subscriptions.items()
        if any(i.bundle == key for v in sub.versions for i in v.items)
        and (currency := _subscription_currency(sub_key, states)) is not None
    }
    if users:
        return sorted(users)[0]
    everything = {p.currency for p in desired.plans.values()}
    return everything.pop() if len(everything) == 1 else "USD"


def _subscription_currency(key: str, states: _States) -> str | None:
    """The subscription's currency, else its customer's, else its plan's."""
    desired, live = states.desired, states.live
    sub = desired.subscriptions.get(key) or live.subscriptions.get(key)
    if sub is None:
        return None
    if sub.currency is not None:
        return sub.currency
    customer = desired.customers.get(sub.customer) or live.customers.get(sub.customer)
    if customer is not None:
        return customer.currency
    plan = desired.plans.get(sub.plan or "") or live.plans.get(sub.plan or "")
    return plan.currency if plan is not None else None


def _order(effective: str) -> tuple[int, str]:
    """Effective dates in time order, then the keywords in theirs."""
    if effective in _KEYWORDS:
        return (1, str(_KEYWORDS.index(effective)))
    return (0, effective)


def _effective(version: Version) -> str:
    effective = version.effective
    return effective.isoformat() if isinstance(effective, dt.date) else effective


def _predecessor(key: str, version: str, states: _States) -> tuple[Address | None, Version | None]:
    """The address and content of the version `version` follows (module docstring): the
    live versions, overlaid with the versions this plan creates or edits."""
    timeline: dict[str, Version] = {}
    live = states.live.subscriptions.get(key)
    for v in live.versions if live is not None else ():
        timeline[_effective(v)] = v
    if not timeline:
        timeline.update(_declared_versions(key, states.desired))
    for change in states.subscription_changes.get(key, ()):
        if change.version is None and change.action in (Action.CREATE, Action.REPLACE):
            versions = (change.after or {}).get("versions")
            for data in versions if isinstance(versions, list) else []:
                if isinstance(data, dict) and (first := _load(Version, data)) is not None:
                    timeline[_effective(first)] = first
        elif change.version is not None and change.action in (Action.NEW_VERSION, Action.UPDATE):
            planned = _load(Version, change.after)
            if planned is not None:
                timeline[change.version] = planned
    earlier = [eff for eff in timeline if _order(eff) < _order(version)]
    if not earlier:
        return None, None
    last = max(earlier, key=_order)
    return Address(kind="subscription", key=key, version=last), timeline[last]


def _declared_versions(key: str, desired: DesiredState) -> dict[str, Version]:
    """The declared versions of subscription `key`, each with its complete item set (the
    plan's items, overridden by the version's by product or bundle key), as the API
    holds them: the fallback when nothing of the subscription is live or planned."""
    sub = desired.subscriptions.get(key)
    if sub is None:
        return {}
    plan = desired.plans.get(sub.plan or "")
    base = {item.ref: item for item in plan.items} if plan is not None else {}
    return {
        _effective(v): v.model_copy(
            update={"items": tuple({**base, **{i.ref: i for i in v.items}}.values())}
        )
        for v in sub.versions
    }
