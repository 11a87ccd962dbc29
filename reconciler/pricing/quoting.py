"""`quote_price`: price a usage under a declared price named by reference (`billing quote`).

The library face of `billing quote` and the pricing tests: resolve the reference
(`refs`), check the usage fields against the model (`usage_fields`), pick the currency,
and call the engine. Pure; raises `PricingError` subclasses (all `BillingError`s) for a
reference that names nothing, usage the model does not read, or a missing or conflicting
currency, so the CLI reports them as user errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from alguna_pricing.charge import price_charge
from alguna_pricing.errors import InvalidUsageError, PricingError
from alguna_pricing.quote import Quote
from alguna_pricing.usage import Usage, UsageGroup
from alguna_pricing.usage_fields import make_usage, usage_problems
from reconciler.model import Price
from reconciler.pricing.refs import CatalogTables, ResolvedPrice, is_one_off, resolve_text


class CurrencyChoiceError(PricingError):
    """No currency for a bundle's declared price, or one that is not the owner's."""


@dataclass(frozen=True)
class PriceQuote:
    """A quote with what it quoted: the reference (normalized), the price, the usage."""

    ref: str
    price: Price
    currency: str
    usage: Usage
    quote: Quote
    one_off: bool = False  # the product is billed once: one period only (`one_off_period`)


def choose_currency(resolved: ResolvedPrice, given: str | None) -> str:
    """The owner's currency, or `given` for a bundle's declared price (which has none).
    Giving a currency other than the owner's is an error: a USD plan has no EUR price."""
    owner = resolved.currency
    if owner is None:
        if given is None:
            why = (
                "is a bundle's declared price: a bundle has no currency of its own"
                if resolved.ref.owner == "bundle"
                else "has no known currency (its subscription, plan and customer give none)"
            )
            raise CurrencyChoiceError(
                f"`{resolved.ref}` {why}, so give one (a test's `currency`, quote's --currency)"
            )
        return given
    if given is not None and given != owner:
        raise CurrencyChoiceError(f"`{resolved.ref}` bills in {owner}, not {given}")
    return owner


def quote_price(
    tables: CatalogTables,
    ref: str,
    *,
    quantity: Decimal | None = None,
    volume: Decimal | None = None,
    count: int | None = None,
    metrics: Mapping[str, Decimal] | None = None,
    period: int = 0,
    currency: str | None = None,
    groups: Sequence[UsageGroup] | None = None,
) -> PriceQuote:
    """The charge of the price `ref` names for one period of the given usage.

    Usage fields left out are zero; `groups` is a matrix price's usage by event
    properties. Raises `PriceRefError`, `InvalidUsageError` (a field
    the model does not read, a metric missing or unread), `CurrencyChoiceError`, or any
    engine `PricingError`.
    """
    resolved = resolve_text(tables, ref)
    given = {
        "quantity": quantity,
        "volume": volume,
        "count": count,
        "metrics": metrics,
        "groups": groups or None,
    }
    problems = usage_problems(resolved.price, given, metrics)
    if problems:
        raise InvalidUsageError("; ".join(message for _path, message in problems))
    chosen = choose_currency(resolved, currency)
    usage = make_usage(
        quantity=quantity, volume=volume, count=count, metrics=metrics, period=period, groups=groups
    )
    one_off = is_one_off(tables, resolved.ref.product)
    return PriceQuote(
        ref=str(resolved.ref),
        price=resolved.price,
        currency=chosen,
        usage=usage,
        quote=price_charge(resolved.price, usage, chosen, one_off=one_off),
        one_off=one_off,
    )
