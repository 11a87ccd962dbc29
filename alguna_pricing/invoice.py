"""`compute_invoice`: every price of a subscription for one billing period, line by line.

The emulator's period close and `billing invoice preview` both call this one function, so
the invoice Alguna's stand-in issues and the one the catalog predicts agree to the cent by
construction. Pure: no I/O, no clock; the caller gives the usage and where the period sits.

The rules (docs/pricing.md, "Invoices"):

- **Periods.** An invoice covers one monthly billing cycle, `month` cycles after the
  contract's start (0 for the first). A price billed every `m` months (`periods`) is
  charged on the invoices of cycles `0, m, 2m, ...` (the cycle its own period starts in),
  as its period `month // m`; on the others it has no line. Its usage is the usage the
  caller gives for the invoice's cycle.
- **Segments.** A version that takes effect mid-cycle splits the cycle: each `Segment` is
  the items of the version in force and the usage recorded while it was. Usage-based prices
  are charged per segment (old rates for the usage before the change, new rates after);
  prices that read no usage (fixed fees) are charged once per cycle, from the first segment
  (the version in force when the cycle started): a new fixed fee starts with the next cycle.
- **Usage.** An item names the metrics its price reads (`InvoiceItem.metrics`); the
  first metric's value is the price's usage (`quantity` for the unit models, `volume` for
  the percentage models); `transactions` is the second metric's value when there is one
  (a volume metric and a count metric, as card processing declares them), else the number
  of events the first counted; `groups` (matrix) are the first metric's groups, its events
  split by the price's dimensions (`matrix_dimensions`). Expression prices read every
  metric of the segment by key (`usage.<key>`).
- **Price terms** (trial, minimum and maximum spend, discount, one-off) apply per price, as
  `price_charge` applies them; then **subscription terms** (`Terms`: the subscription's
  own, else its plan's) apply to the sum of the period's charges, in the same order
  (`adjustments.apply_terms`), except that a subscription trial frees only recurring
  charges (a one-off charged on contract start is billed, trial or not).
- **Lines and rounding.** Each list-price line and each adjustment is an `InvoiceLine`
  with `amount == quantity x unit_price`, exact. `subtotal` is their exact sum, `tax` is 0
  (no tax is modelled), `total` is `subtotal + tax` rounded once, half up, to the
  currency's minor unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from alguna_pricing.adjustments import apply_terms
from alguna_pricing.charge import price_charge
from alguna_pricing.exact import exact_arithmetic
from alguna_pricing.model.prices import (
    Discount,
    ExpressionPrice,
    MatrixPrice,
    Price,
    PriceCommon,
    Spend,
)
from alguna_pricing.model.values import Interval
from alguna_pricing.periods import in_trial, period_months
from alguna_pricing.quote import Adjustment, LineItem, Quote
from alguna_pricing.rounding import check_currency, round_total
from alguna_pricing.usage import Usage, UsageGroup
from alguna_pricing.usage_fields import read_fields

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class MetricUsage:
    """One metric's aggregated usage in a segment: its `value` (0 when nothing was
    aggregated), how many `events` it counted, and, for matrix prices, the usage split by
    event properties (`groups`)."""

    value: Decimal = _ZERO
    events: int = 0
    groups: tuple[UsageGroup, ...] = ()


@dataclass(frozen=True)
class InvoiceItem:
    """One priced product of a version. `product` labels its lines (a catalog key, or an
    API id); `metrics` are the metric keys whose usage the price reads; `one_off` when the
    product is billed once (`billing_frequency = "one-off"`)."""

    product: str
    price: Price
    metrics: tuple[str, ...] = ()
    one_off: bool = False


@dataclass(frozen=True)
class Segment:
    """A stretch of the billing cycle priced by one version: its items and the usage
    recorded while it was in force, by metric key. `label` (e.g. the version's effective
    date) is added to line descriptions when a cycle has several segments."""

    items: tuple[InvoiceItem, ...]
    usage: Mapping[str, MetricUsage] = field(default_factory=dict, hash=False)
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "usage", MappingProxyType(dict(self.usage)))


@dataclass(frozen=True)
class Terms:
    """Subscription-level terms, applied to the sum of a cycle's charges. Their spend
    limits must be monthly (an invoice covers one monthly cycle)."""

    trial_days: int | None = None
    discount: Discount | None = None
    minimum_spend: Spend | None = None
    maximum_spend: Spend | None = None
    billing_interval: Interval = "monthly"

    def as_price_terms(self) -> PriceCommon:
        return PriceCommon(
            billing_interval=self.billing_interval,
            trial_days=self.trial_days,
            discount=self.discount,
            minimum_spend=self.minimum_spend,
            maximum_spend=self.maximum_spend,
        )

    @property
    def empty(self) -> bool:
        return not (self.trial_days or self.discount or self.minimum_spend or self.maximum_spend)


@dataclass(frozen=True)
class InvoiceLine:
    """One line: `amount == quantity x unit_price`, exact and signed (adjustments that
    take something off are negative). `product` is None for a subscription-level term;
    `kind` is the engine's line or adjustment kind."""

    product: str | None
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    """Contract: `subtotal == sum(line.amount)` (exact, >= 0); `tax == 0`; `total` is
    `subtotal + tax` rounded once, half up, to the currency's minor unit."""

    currency: str
    month: int
    lines: tuple[InvoiceLine, ...]
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def matrix_dimensions(items: Sequence[InvoiceItem]) -> dict[str, tuple[str, ...]]:
    """Metric key -> the event properties its usage must be grouped by: the dimension keys
    of every matrix price reading it (as its first metric), in order, without repeats.
    The caller groups that metric's events (`aggregation.grouped`) into `MetricUsage.groups`."""
    out: dict[str, tuple[str, ...]] = {}
    for item in items:
        if isinstance(item.price, MatrixPrice) and item.metrics:
            keys = out.get(item.metrics[0], ())
            extra = tuple(d.key for d in item.price.dimensions if d.key not in keys)
            out[item.metrics[0]] = keys + extra
    return out


def charged_in(price: Price, month: int) -> int | None:
    """The price's own period index when it is charged on the invoice of cycle `month`,
    else None (a price billed every `m` months is charged on cycles 0, m, 2m, ...)."""
    months = period_months(price)
    return month // months if month % months == 0 else None


def item_usage(item: InvoiceItem, usage: Mapping[str, MetricUsage], period: int) -> Usage:
    """The engine's `Usage` of `item` in a segment (see the module's rules)."""
    picked = [usage.get(key, MetricUsage()) for key in item.metrics]
    first = picked[0] if picked else MetricUsage()
    # A second metric (card processing: volume, then the payments count) gives the count.
    transactions = int(picked[1].value) if len(picked) > 1 else first.events
    groups = first.groups
    return Usage(
        quantity=first.value,
        volume=first.value,
        transactions=transactions,
        metrics={key: metric.value for key, metric in usage.items()}
        if isinstance(item.price, ExpressionPrice)
        else {},
        period_index=period,
        groups=groups,
    )


def _unit_price(line: LineItem) -> Decimal:
    if line.percentage is not None:
        return line.percentage / _HUNDRED
    if line.unit_amount is not None:
        return line.unit_amount
    return line.amount / line.quantity if line.quantity else line.amount


def _price_lines(product: str, quote: Quote, suffix: str) -> list[InvoiceLine]:
    lines = [
        InvoiceLine(
            product,
            line.kind,
            f"{product}{suffix}: {line.description}",
            line.quantity,
            _unit_price(line),
            line.amount,
        )
        for line in quote.line_items
    ]
    lines.extend(_adjustment_line(product, adj, suffix) for adj in quote.adjustments)
    return lines


def _adjustment_line(product: str | None, adj: Adjustment, suffix: str = "") -> InvoiceLine:
    where = f"{product}{suffix}: " if product is not None else "subscription: "
    return InvoiceLine(product, adj.kind, where + adj.description, _ONE, adj.amount, adj.amount)


def compute_invoice(
    segments: Sequence[Segment], currency: str, month: int, terms: Terms | None = None
) -> Invoice:
    """The invoice of billing cycle `month` (0-based from the contract start).

    Raises a `PricingError` (a `BillingError`) for an unknown currency, a price the engine
    refuses (`price_charge`), negative usage, or a subscription spend limit whose period
    is not monthly."""
    check_currency(currency)
    lines: list[InvoiceLine] = []
    recurring = one_off = _ZERO
    several = len(segments) > 1
    for index, segment in enumerate(segments):
        suffix = f" ({segment.label})" if several and segment.label else ""
        for item in segment.items:
            if index > 0 and not read_fields(item.price):
                continue  # fixed fees: from the version in force when the cycle started
            period = charged_in(item.price, month)
            if period is None:
                continue
            usage = item_usage(item, segment.usage, period)
            quote = price_charge(item.price, usage, currency, one_off=item.one_off)
            if not quote.line_items and not quote.adjustments:
                continue  # a one-off in a period it is not charged in
            lines.extend(_price_lines(item.product, quote, suffix))
            if item.one_off:
                one_off += quote.unrounded_total
            else:
                recurring += quote.unrounded_total
    lines.extend(_subscription_lines(terms, recurring, one_off, month))
    with exact_arithmetic():
        subtotal = sum((line.amount for line in lines), _ZERO)
    tax = _ZERO
    total = round_total(subtotal + tax, currency)
    return Invoice(currency, month, tuple(lines), subtotal, tax, total)


def _subscription_lines(
    terms: Terms | None, recurring: Decimal, one_off: Decimal, month: int
) -> list[InvoiceLine]:
    if terms is None or terms.empty:
        return []
    common = terms.as_price_terms()
    with exact_arithmetic():
        if in_trial(common, month):
            if not recurring:
                return []
            trial = Adjustment("trial", f"trial ({terms.trial_days} days)", _ZERO - recurring)
            return [_adjustment_line(None, trial)]
        adjustments, _ = apply_terms(common, recurring + one_off, month)
    return [_adjustment_line(None, adj) for adj in adjustments]
