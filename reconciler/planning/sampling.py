"""Sampling one changed price: the usages it is priced at, and its charge before and after.

`review` decides which prices changed and pairs their two sides (`PricePair`); this
module prices each pair with the engine at representative usages.

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
- `matrix` (either side): each cell of each side is sampled on its own, at its own
  model's points as above, by one usage group with the cell's match (`*` as a value no
  exact branch names) or, for the fallback, no properties; the group's amount is its
  quantity and its volume (`basis = "mixed"`), with `SAMPLE_TRANSACTIONS` when the cell
  reads transactions; noted `cell <name>`; a flat (fixed) cell at one group of quantity 1;
- the usages of the catalog's pricing tests that name this price, or, for a new
  version, the same item of the version it follows (`declared_tests`), noted
  `test <name>`; a test at a point already sampled joins that row.
Samples price the first billing period outside both sides' trials (period 0 without a
trial), so a trial does not hide the price; a fixed-duration discount active in that
period applies, as it would on that invoice.

Per sample: the charge before and after (None on a side without the price), the
difference (a missing side counts 0) and the percentage change (`ChargeSample`). Charges
are the engine's exact totals for the period (`unrounded_total`), written with at least
the currency's minor-unit decimals and more where the charge has them (`0.025`): rounding
each side to cents first would turn a 25 % rise from 0.02 to 0.025 into "+50 % (0.02 ->
0.03)". A price
the engine cannot price (a spend limit on another period, say) gets a review with its
`problem` and no samples, instead of failing the plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from alguna_pricing.charge import price_charge
from alguna_pricing.expression import referenced_metrics
from alguna_pricing.matrix_models import cell_name, cell_price
from alguna_pricing.model.currency import minor_units, shown_amount
from alguna_pricing.model.prices import (
    ExpressionPrice,
    FixedPrice,
    GraduatedPercentagePrice,
    GraduatedTieredPrice,
    MatrixPrice,
    TieredPercentagePrice,
    VolumePercentagePrice,
)
from alguna_pricing.periods import in_trial, one_off_period
from alguna_pricing.usage import Usage, UsageGroup
from reconciler.errors import BillingError
from reconciler.model import Address, Price
from reconciler.plan import Change, ChargeSample, PriceReview, ReviewBasis

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
_LAST_TRIAL_PERIOD = 4000  # trial_days <= 3650, so period 3650 is past any trial


def percent_change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """`(after - before) / before x 100` of exact charges, half up to 2 decimals (to 2
    significant digits when a real change would read 0.00); a missing `after` counts 0
    (-100 %); None when `before` is missing or 0 (there is no base)."""
    if not before:
        return None
    ratio = _PERCENT.divide(_PERCENT.multiply(_or_zero(after) - before, _HUNDRED), before)
    shown = ratio.quantize(_CENT, context=_PERCENT)
    if shown or not ratio:
        return shown
    first = ratio.adjusted()  # the exponent of the first significant digit (< -2 here)
    return ratio.quantize(Decimal(1).scaleb(first - 1), context=_PERCENT)


def shown_charge(value: Decimal, currency: str) -> Decimal:
    """An exact charge as the review shows it (`currency.shown_amount`)."""
    return shown_amount(value, currency)


def _or_zero(amount: Decimal | None) -> Decimal:
    return _ZERO if amount is None else amount


@dataclass(frozen=True)
class ReviewTest:
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


@dataclass
class PricePair:
    """One price to review: where, its two sides and what to compare it with."""

    change: Change
    item: str
    before: Price | None
    after: Price | None
    currency: str
    compared_with: Address | None = None
    one_off: bool = False  # the product is billed once, in the contract's first period


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


ANY_VALUE = "(any value)"
"""The property value a matrix sample gives for a `*`: no exact branch names it."""


def _matrix_samples(pair: PricePair, period: int) -> list[_Sample]:
    """Each cell of each matrix side at its own points (module docstring)."""
    out: dict[tuple[tuple[tuple[str, str], ...], Decimal], _Sample] = {}
    for side in (pair.before, pair.after):
        if not isinstance(side, MatrixPrice):
            continue
        for cell in (*side.cells, *((side.fallback,) if side.fallback is not None else ())):
            props = {k: ANY_VALUE if v == "*" else v for k, v in (cell.match or {}).items()}
            points = side_points(cell_price(cell, side), pair.currency)
            values = points.points or {_ONE: ["any usage"]}
            name = "cell " + cell_name(cell).replace(",", "")
            for value, notes in values.items():
                key = (tuple(props.items()), value)
                tx = SAMPLE_TRANSACTIONS if points.transactions and value > 0 else 0
                group = UsageGroup(props, quantity=value, volume=value, transactions=tx)
                usage = Usage(
                    quantity=value, volume=value, transactions=tx, groups=(group,),
                    period_index=period,
                )  # fmt: skip
                note = f"{name}: {' '.join(notes)}"
                if key not in out:
                    out[key] = _Sample(value, tx if points.transactions else None, note, usage)
    return sorted(out.values(), key=lambda s: (s.note.split(":")[0], s.quantity or _ZERO))


def _samples(
    pair: PricePair, tests: Sequence[ReviewTest], period: int
) -> tuple[ReviewBasis, list[_Sample]]:
    if isinstance(pair.before, MatrixPrice) or isinstance(pair.after, MatrixPrice):
        return "mixed", _matrix_samples(pair, period)
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


def _stub(pair: PricePair, basis: ReviewBasis) -> PriceReview:
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
        one_off=pair.one_off,
    )


def _test_sample(
    test: ReviewTest,
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


def _period(pair: PricePair) -> int:
    """The first billing period outside both sides' trials; for a one-off price the one
    period it is charged in (`one_off_period`, each side priced at its own)."""
    if pair.one_off:
        shown = pair.after if pair.after is not None else pair.before
        return one_off_period(shown) if shown is not None else 0
    prices = [p for p in (pair.before, pair.after) if p is not None]
    for index in range(_LAST_TRIAL_PERIOD):
        if not any(in_trial(p, index) for p in prices):
            return index
    return 0


def review_pair(pair: PricePair, tests: Sequence[ReviewTest] = ()) -> PriceReview:
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


def _priced(pair: PricePair, sample: _Sample) -> ChargeSample:
    before = _charge(pair.before, sample.usage, pair.currency, pair.one_off)
    after = _charge(pair.after, sample.usage, pair.currency, pair.one_off)
    return ChargeSample(
        quantity=sample.quantity,
        transactions=sample.transactions,
        note=sample.note,
        before=before,
        after=after,
        difference=shown_charge(_or_zero(after) - _or_zero(before), pair.currency),
        percent_change=percent_change(before, after),
    )


def _charge(price: Price | None, usage: Usage, currency: str, one_off: bool) -> Decimal | None:
    if price is None:
        return None
    if one_off:  # each side at the one period it is charged in
        usage = dataclasses.replace(usage, period_index=one_off_period(price))
    quote = price_charge(price, usage, currency, one_off=one_off)
    return shown_charge(quote.unrounded_total, currency)
