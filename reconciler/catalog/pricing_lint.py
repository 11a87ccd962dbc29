"""Pricing lint: prices that are valid but almost certainly not what their author meant.

Run by `billing validate` with the other rules; every finding is a **warning** (validate
still exits 0), because each pattern has a rare legitimate use. The price rules own the
errors (tier order, minimum above maximum: `price.spend_range`) and the precision of
flat amounts (`price.precision`); this module adds what they do not check. Codes:

- `lint.rate_rises`: a tier's rate is above the previous (non-free) tier's;
- `lint.volume_free_tier`: a free tier before a paid one in volume pricing (the allowance
  vanishes once usage crosses its bound);
- `lint.tier_unreachable`: a tier no usage can reach or be charged for (graduated
  `units`, a `maximum_spend` cap reached before it);
- `lint.tier_redundant`: two adjacent tiers that charge the same (their bound changes
  nothing);
- `lint.prepaid_spans_tiers`: `prepaid_units` above the first tier's bound;
- `lint.spend_cap_always`: `maximum_spend` below what the price charges at zero usage;
- `lint.spend_floor_always`: a usage-independent price below its own `minimum_spend`;
- `lint.spend_period`: a spend limit whose `period` is not the billing period (the
  engine cannot price it);
- `lint.discount_period`, `lint.trial_period`: a fixed-duration discount or a price's
  trial that does not cover whole (multi-month) billing periods;
- `price.precision`: `volume_percentage`'s `fixed_fee` finer than the currency's minor
  unit (the one flat amount `price_rules` does not check).

Zero-priced first tiers followed by paid tiers in *graduated* models are the normal way to
write a free allowance and are not flagged. The tier-shape rules live in `tier_lint`; the
spend and term rules here compute charges with the pricing engine, exactly, and leave a
price the engine refuses to the rules that report why.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from alguna_pricing.charge import line_items
from alguna_pricing.errors import PricingError
from alguna_pricing.exact import exact_arithmetic
from alguna_pricing.model.currency import is_known_currency, minor_units
from alguna_pricing.model.prices import (
    GraduatedPercentagePrice,
    PercentageTier,
    Tier,
    TieredPercentagePrice,
    VolumePercentagePrice,
)
from alguna_pricing.periods import DAYS_PER_MONTH, MONTHS, period_months
from alguna_pricing.usage import Usage
from alguna_pricing.usage_fields import read_fields
from reconciler.catalog.declared import Declared
from reconciler.catalog.findings import Finding, warning
from reconciler.catalog.tier_lint import VOLUME, Hit, lower_bound, rate, tier_hits, well_formed
from reconciler.model import Item, Kind, Price, ProductItem
from reconciler.pricing.refs import subscription_currency
from reconciler.source.toml_lines import Path

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

_PERCENTAGE = (TieredPercentagePrice, GraduatedPercentagePrice, VolumePercentagePrice)


@dataclass(frozen=True)
class _Site:
    """A price as written in the catalog, where it is, and the currency it bills in."""

    kind: Kind
    key: str
    path: Path
    price: Price
    currency: str | None


def lint_prices(declared: Declared) -> list[Finding]:
    """Warnings for every price written in the catalog (each once, where it is written)."""
    found: list[Finding] = []
    for site in _sites(declared):
        if declared.broken(site.kind, site.key, site.path):
            continue  # a price with a value that failed validation: its errors come first
        for sub, code, message in lint_price(site.price, site.currency):
            found.append(warning(site.kind, site.key, (*site.path, *sub), code, message))
    return found


def lint_price(price: Price, currency: str | None) -> list[Hit]:
    """The warnings for one price; `currency` None where the owner has none (bundles)."""
    tiers: tuple[Tier | PercentageTier, ...] = getattr(price, "tiers", ())
    hits = tier_hits(price, tiers)
    hits += _spend(price, tiers if tiers and well_formed(tiers) else ())
    hits += _whole_periods(price)
    hits += _precision(price, currency)
    return hits


# ---- where prices are written -------------------------------------------------------


def _sites(declared: Declared) -> Iterator[_Site]:
    for key, plan in sorted(declared.plans.items()):
        yield from _item_sites("plan", key, ("items",), plan.items, plan.currency)
    for key, bundle in sorted(declared.bundles.items()):
        yield from _item_sites("bundle", key, ("items",), bundle.items, None)
    for key, subscription in sorted(declared.subscriptions.items()):
        currency = subscription_currency(declared, subscription)
        for index, version in enumerate(subscription.versions or ()):
            path = ("versions", index, "items")
            if version is not None:
                yield from _item_sites("subscription", key, path, version.items, currency)


def _item_sites(
    kind: Kind,
    key: str,
    path: Path,
    items: Sequence[Item | ProductItem | None] | None,
    currency: str | None,
) -> Iterator[_Site]:
    """Every price written in `items` (partial resources: items that failed are None)."""
    for index, item in enumerate(items or ()):
        if item is None:
            continue
        if item.price is not None:
            yield _Site(kind, key, (*path, index, "price"), item.price, currency)
        children = item.items if isinstance(item, Item) else None
        for child_index, child in enumerate(children or ()):
            if child is not None and child.price is not None:
                child_path = (*path, index, "items", child_index, "price")
                yield _Site(kind, key, child_path, child.price, currency)


# ---- spend limits ----------------------------------------------------------------------


def _charge(price: Price, amount: Decimal) -> Decimal | None:
    """The list-price charge at `amount` of the usage the model reads (exact), or None if
    the engine refuses the price."""
    usage = Usage(volume=amount) if isinstance(price, _PERCENTAGE) else Usage(quantity=amount)
    try:
        with exact_arithmetic():
            return sum((line.amount for line in line_items(price, usage)), _ZERO)
    except PricingError:
        return None


def _spend(price: Price, tiers: Sequence[Tier | PercentageTier]) -> list[Hit]:
    hits = _spend_periods(price)
    if hits or "metrics" in read_fields(price):
        return hits  # unpriceable, or an expression (its charge needs metric values)
    base = _charge(price, _ZERO)
    if base is None:
        return hits
    cap, floor = price.maximum_spend, price.minimum_spend
    if cap is not None and base > cap.amount:
        hits.append(
            (
                ("maximum_spend", "amount"),
                "lint.spend_cap_always",
                f"the price charges {base} even at zero usage, above maximum_spend ="
                f" {cap.amount}: every period is capped, and no usage is ever charged",
            )
        )
    elif cap is not None and tiers:
        hits += _capped_tiers(price, tiers, cap.amount)
    if floor is not None and not read_fields(price) and base < floor.amount:
        hits.append(
            (
                ("minimum_spend", "amount"),
                "lint.spend_floor_always",
                f"the price always charges {base}, below minimum_spend = {floor.amount}:"
                " every period bills the minimum instead",
            )
        )
    return hits


def _spend_periods(price: Price) -> list[Hit]:
    try:
        months = period_months(price)
    except PricingError:
        return []  # a half-set custom interval: `price.interval_custom`
    hits: list[Hit] = []
    for name in ("minimum_spend", "maximum_spend"):
        spend = getattr(price, name)
        if spend is not None and MONTHS[spend.period] != months:
            hits.append(
                (
                    (name, "period"),
                    "lint.spend_period",
                    f"{name}.period is {spend.period} (`period` defaults to monthly) but the"
                    f" price is billed every {months} month(s): a spend limit applies per"
                    " billing period, so quotes and tests cannot price it; set `period`",
                )
            )
    return hits


def _capped_tiers(price: Price, tiers: Sequence[Tier | PercentageTier], cap: Decimal) -> list[Hit]:
    """Tiers whose rate never shows on a bill because the cap is reached before them.
    Volume: every quantity in tier i charges more than `lower x rate + fee`. Graduated and
    prepaid: the charge never falls as usage grows, so once the charge at a tier's first
    usage (above the prepaid block) reaches the cap, that tier and every later one are
    capped: only the first is reported."""
    hits: list[Hit] = []
    block = getattr(price, "prepaid_units", 0)
    for index, tier in enumerate(tiers):
        if rate(tier) == 0 and tier.fixed_fee == 0:
            continue
        lower = lower_bound(tiers, index)
        if isinstance(price, VOLUME):
            scale = _HUNDRED if isinstance(tier, PercentageTier) else Decimal(1)
            with exact_arithmetic():
                least: Decimal | None = lower * rate(tier) / scale + tier.fixed_fee
        else:
            if tier.up_to is not None and tier.up_to <= block:
                continue  # wholly inside the prepaid block: charged whatever the usage
            least = _charge(price, Decimal(max(lower, block)))
        if least is not None and least >= cap and rate(tier) > 0:
            whose = (
                "this tier's rate never shows"
                if isinstance(price, VOLUME)
                else "the rates from here on never show"
            )
            hits.append(
                (
                    ("tiers", index),
                    "lint.tier_unreachable",
                    f"usage in tier {index + 1} (over {lower}) is charged at least {least},"
                    f" which reaches maximum_spend = {cap}: the cap applies instead, so"
                    f" {whose} on a bill",
                )
            )
            if not isinstance(price, VOLUME):
                break
    return hits


# ---- terms over whole periods, precision ---------------------------------------------


def _whole_periods(price: Price) -> list[Hit]:
    """The engine bills trials and fixed-duration discounts by whole billing periods, in
    the customer's favour (docs/pricing.md): on a multi-month period, a term that ends
    mid-period covers the whole period."""
    try:
        months = period_months(price)
    except PricingError:
        return []
    if months <= 1:
        return []
    hits: list[Hit] = []
    discount = price.discount
    if (
        discount is not None
        and discount.duration_type == "fixed"
        and discount.duration_value is not None
        and discount.duration_value % months
    ):
        covered = -(-discount.duration_value // months) * months
        hits.append(
            (
                ("discount", "duration_value"),
                "lint.discount_period",
                f"a {discount.duration_value}-month discount on a price billed every {months}"
                f" months: discounts cover whole billing periods, so the first {covered}"
                " months are discounted; use a multiple of the billing period",
            )
        )
    days = price.trial_days or 0
    if days and days % (months * DAYS_PER_MONTH):
        period_days = months * DAYS_PER_MONTH
        covered = -(-days // period_days) * months
        hits.append(
            (
                ("trial_days",),
                "lint.trial_period",
                f"a {days}-day trial on a price billed every {months} months: a period that"
                f" starts in the trial is free, so the first {covered} months are free;"
                f" use a multiple of {period_days} days",
            )
        )
    return hits


def _precision(price: Price, currency: str | None) -> list[Hit]:
    if not isinstance(price, VolumePercentagePrice) or currency is None:
        return []
    if not is_known_currency(currency):
        return []
    digits = minor_units(currency)
    exponent = price.fixed_fee.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if decimals <= digits:
        return []
    return [
        (
            ("fixed_fee",),
            "price.precision",
            f"{price.fixed_fee} has more decimals than {currency} allows ({digits});"
            " it will be rounded when invoiced",
        )
    ]
