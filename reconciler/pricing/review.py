"""The money-first review of a plan: what each changed price charges, before and after.

    reviews = price_reviews(result.changes, desired, live)

Pure (no I/O, no clock): the planner calls it on the changes of a diff and puts the
result in `Plan.review`; `report` renders it. It reads the changes' canonical
`before`/`after` (the same values the field rows show), so a review never disagrees with
the diff, and prices them with the engine (`price_charge`): every amount is the engine's
total for one billing period, rounded once, half up, to the currency's minor unit.

Which prices are reviewed (one `PriceReview` per price that differs):
- a plan or bundle `update`: every item whose price differs between `before` and `after`
  in what it charges (fields that only time an invoice, `_TIMING`, do not count),
  matched by product key (`items[api]`; bundle overrides in a plan as
  `items[addons].items[storage]`); an item added or removed is reviewed with the missing
  side None. A bundle item without overrides on both sides takes the bundle's own prices:
  a change to those is reviewed under the bundle, not under every plan that uses it. A plan
  `replace` is not reviewed: it changes the currency, and charges in two currencies do not
  compare.
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

Which usages are sampled (`ChargeSample.quantity`, read as `PriceReview.basis` says):
- 0, always (except for a flat price, below);
- tiered models (unit tiers): each tier bound and one unit past it, from both sides; the
  prepaid models add `prepaid_units` and the first overage unit (`prepaid_units + 1`);
- percentage tier models: the transaction volume at each bound and one minor unit past it
  (10000 and 10000.01 USD); `volume_percentage` (no bounds): volumes 100, 1000, 10000 and
  100000. Every non-zero volume is sampled with `SAMPLE_TRANSACTIONS` (100) transactions,
  a fixed count (what the per-transaction fee of volume_percentage is charged on);
- flat models: `unit`, a single-tier price and `expression` prices use the ladder
  1, 10, 100, 1000 (an expression with every metric it reads set to the sampled value);
- `fixed` (and `graduated_tiered` with declared `units`) ignore usage: when neither side
  reads usage there is one sample, with quantity None ("any");
- when the model changes between units, volume and metrics, the union of both sides'
  points, each used as quantity, volume and metric value at once (`basis = "mixed"`);
- the usages of the catalog's pricing tests that name this price, or, for a new
  version, the same item of the version it follows (`declared_tests`), noted
  `test <name>`; a test at a point already sampled joins that row.
Samples price the first billing period outside both sides' trials (period 0 without a
trial), so a trial does not hide the price; a fixed-duration discount active in that
period applies, as it would on that invoice.

Per sample: the charge before and after (None on a side without the price), the
difference (a missing side counts 0) and the percentage change (`ChargeSample`). A price
the engine cannot price (a spend limit on another period, say) gets a review with its
`problem` and no samples, instead of failing the plan.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reconciler.errors import BillingError
from reconciler.expression import referenced_metrics
from reconciler.model import Address, Bundle, DesiredState, Item, LiveState, Price, Version
from reconciler.model import Plan as CatalogPlan
from reconciler.model.currency import minor_units
from reconciler.model.prices import (
    ExpressionPrice,
    FixedPrice,
    GraduatedPercentagePrice,
    GraduatedTieredPrice,
    TieredPercentagePrice,
    VolumePercentagePrice,
)
from reconciler.plan import Action, Change, ChargeSample, PriceReview, ReviewBasis
from reconciler.pricing.charge import price_charge
from reconciler.pricing.periods import in_trial
from reconciler.pricing.usage import Usage

LADDER: tuple[int, ...] = (1, 10, 100, 1000)
"""Quantities sampled for prices without bounds (unit, single tier, expression)."""
VOLUME_LADDER: tuple[int, ...] = (100, 1000, 10_000, 100_000)
"""Transaction volumes sampled for `volume_percentage`, in the currency's major units."""
SAMPLE_TRANSACTIONS = 100
"""The fixed transaction count of every non-zero volume sample."""

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_PERCENT = Context(prec=60, rounding=ROUND_HALF_UP)
_KEYWORDS = ("immediate", "next_billing_period", "end_of_term")
_LAST_TRIAL_PERIOD = 4000  # trial_days <= 3650, so period 3650 is past any trial
_KEY = r"[a-z][a-z0-9_]{0,63}"
_PRICE_REF = re.compile(
    rf"^(?P<owner>plan|bundle|subscription)\.(?P<key>{_KEY})"
    rf"(?:\.versions\[(?P<version>[^\]\s]+)\])?"
    rf"(?:\.(?P<bundle>{_KEY}))?\.(?P<product>{_KEY})$"
)
"""A pricing test's `price` reference (the catalog's grammar, docs/catalog.md)."""

M = TypeVar("M", bound=BaseModel)
Priced = dict[str, Price]
"""An owner's prices by item path (`items[api]`, `items[addons].items[storage]`)."""


def percent_change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """`(after - before) / before x 100`, half up to 2 decimals; a missing `after` counts
    0 (-100 %); None when `before` is missing or 0 (there is no base)."""
    if not before:
        return None
    ratio = _PERCENT.divide(_PERCENT.multiply(_or_zero(after) - before, _HUNDRED), before)
    return ratio.quantize(_CENT, context=_PERCENT)


def _or_zero(amount: Decimal | None) -> Decimal:
    return _ZERO if amount is None else amount


def exceeds(review: PriceReview, threshold: Decimal) -> bool:
    """Whether a sampled charge of `review` rises by strictly more than `threshold` %
    (compared as shown: the percentage rounded to 2 decimals)."""
    return review.max_increase_percent is not None and review.max_increase_percent > threshold


# ---- the catalog's pricing tests ---------------------------------------------------------


@dataclass(frozen=True)
class DeclaredTest:
    """A pricing test's usage and the price it names: the owner's address (a subscription
    version's for a version) and the item's path in it, as reviews write them."""

    name: str
    address: str
    item: str
    usage: Usage

    def names(self, review: PriceReview) -> bool:
        """Whether the test prices `review`'s item, on either side: a test pinned on the
        version a new version follows samples the new one too."""
        return self.item == review.item and self.address in (
            review.address,
            review.compared_with,
        )


def declared_tests(desired: object) -> tuple[DeclaredTest, ...]:
    """The pricing tests of `desired` (`getattr(desired, "tests", {})`, name -> test), read
    duck-typed (attributes or keys) so that this module does not depend on their model:
    `price`, a reference (`plan.<plan>.<product>`, `plan.<plan>.<bundle>.<product>`,
    `bundle.<bundle>.<product>`, `subscription.<sub>.versions[<effective>].<product>`,
    `subscription.<sub>.versions[<effective>].<bundle>.<product>`), and the usage:
    `quantity`, `volume`, `count` (transactions), `metrics`. A test that cannot be read
    that way is left out: tests only add samples."""
    tests = getattr(desired, "tests", None)
    if not isinstance(tests, Mapping):
        return ()
    found: list[DeclaredTest] = []
    for name, test in sorted(tests.items(), key=lambda pair: str(pair[0])):
        ref = _get(test, "price")
        match = _PRICE_REF.match(ref.strip()) if isinstance(ref, str) else None
        try:
            usage = _test_usage(test)
        except (BillingError, TypeError, ValueError):
            continue
        if match is None or usage is None:
            continue
        owner = Address(kind=match["owner"], key=match["key"], version=match["version"])
        bundle = f"items[{match['bundle']}]." if match["bundle"] else ""
        item = f"{bundle}items[{match['product']}]"
        found.append(DeclaredTest(str(name), str(owner), item, usage))
    return tuple(found)


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _test_usage(test: Any) -> Usage | None:
    values = {name: _get(test, name) for name in ("quantity", "volume", "count", "metrics")}
    if all(value is None for value in values.values()):
        return None
    metrics = values["metrics"]
    return Usage(
        quantity=values["quantity"] or _ZERO,
        volume=values["volume"] or _ZERO,
        transactions=values["count"] or 0,
        metrics=dict(metrics) if isinstance(metrics, Mapping) else {},
    )


# ---- which prices changed ------------------------------------------------------------------


@dataclass
class _Pair:
    """One price to review: where, its two sides and what to compare it with."""

    change: Change
    item: str
    before: Price | None
    after: Price | None
    currency: str
    compared_with: str | None = None


@dataclass
class _States:
    desired: DesiredState
    live: LiveState
    changes: Sequence[Change]
    bundles_after: dict[str, Bundle] = field(default_factory=dict)

    def __post_init__(self) -> None:
        planned = {
            c.key: b
            for c in self.changes
            if c.kind == "bundle" and (b := _load(Bundle, c.after)) is not None
        }
        self.bundles_after = {**self.desired.bundles, **self.live.bundles, **planned}

    @property
    def bundles_before(self) -> dict[str, Bundle]:
        return {**self.desired.bundles, **self.live.bundles}


def price_reviews(
    changes: Sequence[Change],
    desired: DesiredState,
    live: LiveState,
    tests: Sequence[DeclaredTest] | None = None,
) -> tuple[PriceReview, ...]:
    """A review per changed price of `changes` (the diff of `desired` against `live`), in
    change order, then item path. `tests` defaults to `declared_tests(desired)`."""
    states = _States(desired, live, changes)
    declared = declared_tests(desired) if tests is None else tests
    reviews: list[PriceReview] = []
    for change in changes:
        for pair in _pairs(change, states):
            reviews.append(review_pair(pair, declared))
    return tuple(reviews)


def _pairs(change: Change, states: _States) -> list[_Pair]:
    version = change.version
    if change.kind == "plan" and change.action is Action.UPDATE:
        before, after = _load(CatalogPlan, change.before), _load(CatalogPlan, change.after)
        if before is None or after is None:
            return []
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
    charge's `billing_direction`)."""
    if price is None:
        return None
    data = price.model_dump(exclude=set(_TIMING))
    for charge in data.get("charges", ()):
        charge.pop("billing_direction", None)
    return data


def _changed(change: Change, before: Priced, after: Priced, currency: str) -> list[_Pair]:
    """A pair per path whose price differs in what it charges (`_charged`)."""
    paths = sorted(set(before) | set(after))
    return [
        _Pair(change, path, before.get(path), after.get(path), currency)
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


def _predecessor(key: str, version: str, states: _States) -> tuple[str | None, Version | None]:
    """The address and content of the version `version` follows (module docstring): the
    live versions, overlaid with the versions this plan creates or edits."""
    timeline: dict[str, Version] = {}
    live = states.live.subscriptions.get(key)
    for v in live.versions if live is not None else ():
        timeline[_effective(v)] = v
    if not timeline:
        timeline.update(_declared_versions(key, states.desired))
    for change in states.changes:
        if change.kind != "subscription" or change.key != key:
            continue
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
    return str(Address(kind="subscription", key=key, version=last)), timeline[last]


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


# ---- samples -------------------------------------------------------------------------------


@dataclass
class _Points:
    """What one side of a review samples: its basis, the points (value -> notes), the
    metrics an expression reads and whether transactions are read."""

    basis: ReviewBasis
    points: dict[Decimal, list[str]] = field(default_factory=dict)
    metrics: frozenset[str] = frozenset()
    transactions: bool = False

    def add(self, value: int | Decimal, note: str) -> None:
        notes = self.points.setdefault(Decimal(value), [])
        if note not in notes:
            notes.append(note)


def side_points(price: Price, currency: str) -> _Points:
    """The points one price samples (module docstring)."""
    if isinstance(price, FixedPrice) or (
        isinstance(price, GraduatedTieredPrice) and price.units is not None
    ):
        return _Points("flat")
    if isinstance(price, TieredPercentagePrice | GraduatedPercentagePrice | VolumePercentagePrice):
        points = _Points("volume", transactions=isinstance(price, VolumePercentagePrice))
        step, ladder = _ONE.scaleb(-minor_units(currency)), VOLUME_LADDER
    elif isinstance(price, ExpressionPrice):
        texts = [t for c in price.charges for t in (c.quantity_expression, c.unit_price_expression)]
        points = _Points("metrics", metrics=frozenset().union(*map(referenced_metrics, texts)))
        step, ladder = _ONE, LADDER
    else:
        points, step, ladder = _Points("units"), _ONE, LADDER
    points.add(_ZERO, "zero")
    prepaid = getattr(price, "prepaid_units", None)
    if prepaid is not None:
        points.add(prepaid, "prepaid units")
        points.add(prepaid + 1, "first overage unit")
    bounds = [tier.up_to for tier in getattr(price, "tiers", ()) if tier.up_to is not None]
    for bound in bounds:
        points.add(bound, "tier bound")
        points.add(bound + step, "past a bound")
    if not bounds and prepaid is None:
        for value in ladder:
            points.add(value, "ladder")
    return points


@dataclass(frozen=True)
class _Sample:
    quantity: Decimal | None
    transactions: int | None
    note: str
    usage: Usage


def _samples(
    pair: _Pair, tests: Sequence[DeclaredTest], period: int
) -> tuple[ReviewBasis, list[_Sample]]:
    sides = [side_points(p, pair.currency) for p in (pair.before, pair.after) if p is not None]
    bases = {s.basis for s in sides} - {"flat"}
    basis: ReviewBasis = "flat" if not bases else bases.pop() if len(bases) == 1 else "mixed"
    metrics = frozenset().union(*(s.metrics for s in sides))
    reads_transactions = any(s.transactions for s in sides)
    merged: dict[Decimal, list[str]] = {}
    for side in sides:
        for value, notes in side.points.items():
            merged.setdefault(value, [])
            merged[value] += [n for n in notes if n not in merged[value]]
    samples: list[_Sample] = []
    if basis == "flat":
        samples.append(_Sample(None, None, "usage not read", Usage(period_index=period)))
    for value in sorted(merged):
        transactions = SAMPLE_TRANSACTIONS if reads_transactions and value > 0 else 0
        usage = Usage(
            quantity=value,
            volume=value,
            transactions=transactions,
            metrics=dict.fromkeys(metrics, value),
            period_index=period,
        )
        shown = transactions if reads_transactions else None
        samples.append(_Sample(value, shown, ", ".join(merged[value]), usage))
    stub = _stub(pair, basis)
    samples += [
        _test_sample(test, basis, reads_transactions, metrics, period)
        for test in tests
        if test.names(stub)
    ]
    samples.sort(key=lambda s: (s.quantity is not None, s.quantity or _ZERO))
    return basis, samples


def _stub(pair: _Pair, basis: ReviewBasis) -> PriceReview:
    """The review's identity, without samples."""
    return PriceReview(
        address=pair.change.address,
        action=pair.change.action,
        item=pair.item,
        currency=pair.currency,
        before_type=None if pair.before is None else pair.before.type,
        after_type=None if pair.after is None else pair.after.type,
        basis=basis,
        compared_with=pair.compared_with,
    )


def _test_sample(
    test: DeclaredTest,
    basis: ReviewBasis,
    reads_transactions: bool,
    metrics: frozenset[str],
    period: int,
) -> _Sample:
    usage = test.usage
    given = dict(usage.metrics)
    usage = Usage(
        quantity=usage.quantity,
        volume=usage.volume,
        transactions=usage.transactions,
        metrics={**dict.fromkeys(metrics, _ZERO), **given},
        period_index=period,
    )
    quantity: Decimal | None
    if basis == "volume":
        quantity = usage.volume
    elif basis == "metrics":
        values = set(given.values())
        quantity = values.pop() if len(values) == 1 else None
    elif basis == "flat":
        quantity = None
    else:
        quantity = usage.quantity
    shown = usage.transactions if reads_transactions else None
    return _Sample(quantity, shown, f"test {test.name}", usage)


def _period(pair: _Pair) -> int:
    """The first billing period outside both sides' trials."""
    prices = [p for p in (pair.before, pair.after) if p is not None]
    for index in range(_LAST_TRIAL_PERIOD):
        if not any(in_trial(p, index) for p in prices):
            return index
    return 0


def review_pair(pair: _Pair, tests: Sequence[DeclaredTest] = ()) -> PriceReview:
    """The review of one price: its samples priced on both sides (or its problem)."""
    try:
        period = _period(pair)
        basis, drawn = _samples(pair, tests, period)
        samples = _merged(_priced(pair, sample) for sample in drawn)
    except BillingError as exc:  # a PricingError, or an ExpressionError
        return _stub(pair, "flat").model_copy(update={"problem": str(exc)})
    rises = [s.percent_change for s in samples if s.percent_change is not None]
    return _stub(pair, basis).model_copy(
        update={
            "period_index": period,
            "samples": samples,
            "max_increase_percent": max((p for p in rises if p > 0), default=None),
        }
    )


def _merged(samples: Iterable[ChargeSample]) -> tuple[ChargeSample, ...]:
    """`samples` with the rows that read the same (a test at a sampled quantity) as one,
    their notes joined."""
    rows: dict[tuple[Any, ...], ChargeSample] = {}
    for sample in samples:
        key = (sample.quantity, sample.transactions, sample.before, sample.after)
        seen = rows.get(key)
        note = sample.note if seen is None else f"{seen.note}, {sample.note}"
        rows[key] = sample.model_copy(update={"note": note})
    return tuple(rows.values())


def _priced(pair: _Pair, sample: _Sample) -> ChargeSample:
    before = _charge(pair.before, sample.usage, pair.currency)
    after = _charge(pair.after, sample.usage, pair.currency)
    return ChargeSample(
        quantity=sample.quantity,
        transactions=sample.transactions,
        note=sample.note,
        before=before,
        after=after,
        difference=_or_zero(after) - _or_zero(before),
        percent_change=percent_change(before, after),
    )


def _charge(price: Price | None, usage: Usage, currency: str) -> Decimal | None:
    return None if price is None else price_charge(price, usage, currency).total
