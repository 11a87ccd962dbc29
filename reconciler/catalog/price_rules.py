"""Rules of the pricing models that the field types alone cannot express.

Tiers: upper bounds strictly rising, only the last tier open (also in matrix cells, whose
own rules are in `matrix_rules`). The price's type must suit
its product's fee type, and metrics may only be named for metered products. Findings carry
the field path inside the resource (`items[2].price.tiers[1].up_to`). A price may be
partial (None where a value failed validation, see `Declared`): each rule reads only what
validated, and the loader drops findings at the fields that failed.
"""

from __future__ import annotations

from decimal import Decimal

from alguna_pricing.expression import check_expression
from alguna_pricing.model.currency import minor_units
from alguna_pricing.model.prices import (
    Discount,
    ExpressionPrice,
    FixedPrice,
    GraduatedPercentagePrice,
    MatrixPrice,
    PercentageTier,
    PrepaidFixedTieredPrice,
    PrepaidTieredPrice,
    Spend,
    Tier,
    TieredPercentagePrice,
    VolumePercentagePrice,
)
from reconciler.catalog.findings import Finding, error, warning
from reconciler.catalog.matrix_rules import check_matrix
from reconciler.catalog.tier_rules import Reporter, check_tiers
from reconciler.model import Kind, Price, Product
from reconciler.source.toml_lines import Path

# Usage-only models: they price a metered quantity or a transaction volume.
_METERED_ONLY = (
    PrepaidTieredPrice,
    PrepaidFixedTieredPrice,
    TieredPercentagePrice,
    GraduatedPercentagePrice,
    VolumePercentagePrice,
    ExpressionPrice,
    MatrixPrice,
)


def check_price(
    kind: Kind,
    key: str,
    path: Path,
    price: Price,
    product: Product | None,
    currency: str | None,
) -> list[Finding]:
    """Every rule for one price. `product` is None when the item's product is undeclared
    (already reported), `currency` None where the owner has none (bundles)."""
    found: list[Finding] = []

    def err(sub: Path, code: str, message: str, reads: tuple[Path, ...] | None = None) -> None:
        """A finding at `sub` in the price; `reads` (in the price) if narrower than it."""
        at = None if reads is None else tuple((*path, *r) for r in reads)
        found.append(error(kind, key, (*path, *sub), code, message, reads=at))

    tiers: tuple[Tier | PercentageTier | None, ...] = getattr(price, "tiers", None) or ()
    check_tiers(tiers, err)
    if isinstance(price, MatrixPrice):
        check_matrix(price, err)
    if product is not None:
        _check_fee_type(price, product, err)
    if isinstance(price, ExpressionPrice):
        metrics = (
            price.metrics
            if price.metrics is not None
            else (product.metrics if product is not None else None)
        )
        # A metric that failed validation could be any: then the names are not checked.
        _check_expressions(price, None if metrics is None or None in metrics else metrics, err)
    found.extend(
        check_terms(
            kind,
            key,
            path,
            price.discount,
            price.minimum_spend,
            price.maximum_spend,
            of_price=True,
        )
    )
    if (price.billing_interval_count is None) != (price.billing_interval_unit is None):
        err(
            ("billing_interval_count",),
            "price.interval_custom",
            "a custom interval needs both billing_interval_count and billing_interval_unit",
            reads=(("billing_interval_count",), ("billing_interval_unit",)),
        )
    if currency is not None:
        found.extend(_check_precision(kind, key, path, price, currency))
    return found


def check_terms(
    kind: Kind,
    key: str,
    path: Path,
    discount: Discount | None,
    minimum_spend: Spend | None,
    maximum_spend: Spend | None,
    *,
    of_price: bool = False,
) -> list[Finding]:
    """Discount and spend rules, shared by prices (`of_price`), plans and subscriptions.

    A `fixed` (amount-off) discount belongs on a price only: the SDK's `DiscountInput`
    allows a subscription-level discount to be a percentage only, and a plan's discount
    becomes its subscriptions'. An amount off above the price's maximum spend always bills
    zero. `billing_direction` says when a minimum spend is billed: on a maximum it means
    nothing (the SDK describes it for minimums only), so it is refused there."""
    found: list[Finding] = []
    if (
        minimum_spend is not None
        and maximum_spend is not None
        and minimum_spend.amount is not None
        and maximum_spend.amount is not None
        and minimum_spend.amount > maximum_spend.amount
    ):
        found.append(
            error(
                kind,
                key,
                (*path, "minimum_spend", "amount"),
                "price.spend_range",
                "minimum_spend is above maximum_spend",
            )
        )
    if discount is not None and discount.type == "fixed" and not of_price:
        found.append(
            error(
                kind,
                key,
                (*path, "discount", "type"),
                "price.discount_fixed_level",
                f'a {kind} discount must be a percentage: a "fixed" (amount-off) discount'
                " is for prices only (the SDK takes percentage only for a subscription,"
                " and a plan's discount becomes its subscriptions')",
            )
        )
    if (
        discount is not None
        and discount.type == "fixed"
        and discount.amount is not None
        and maximum_spend is not None
        and maximum_spend.amount is not None
        and discount.amount >= maximum_spend.amount
        and discount.amount > 0
    ):
        found.append(
            error(
                kind,
                key,
                (*path, "discount", "amount"),
                "price.discount_above_maximum",
                f"the discount takes {discount.amount} off a charge capped at maximum_spend"
                f" = {maximum_spend.amount}: every period would bill zero",
                reads=((*path, "discount", "amount"), (*path, "maximum_spend", "amount")),
            )
        )
    if maximum_spend is not None and maximum_spend.billing_direction is not None:
        found.append(
            error(
                kind,
                key,
                (*path, "maximum_spend", "billing_direction"),
                "price.spend_direction",
                "billing_direction is for a minimum spend only (billed in advance and drawn"
                " down, or trued up in arrears); a maximum spend has none",
            )
        )
    if discount is not None and (discount.duration_type == "fixed") != (
        discount.duration_value is not None
    ):
        found.append(
            error(
                kind,
                key,
                (*path, "discount"),
                "price.discount_duration",
                'a discount with duration_type = "fixed" needs duration_value, and only it',
                reads=((*path, "discount", "duration_type"), (*path, "discount", "duration_value")),
            )
        )
    return found


def _check_expressions(
    price: ExpressionPrice, metrics: tuple[str, ...] | None, err: Reporter
) -> None:
    """Each expression parses in the documented shape and names only the price's metrics
    (`usage.<metric key>`)."""
    for index, charge in enumerate(price.charges or ()):
        for field in ("quantity_expression", "unit_price_expression"):
            expression = getattr(charge, field, None) if charge is not None else None
            if expression is None:
                continue
            for problem in check_expression(expression, metrics):
                err(("charges", index, field), "price.expression", problem)


def _check_fee_type(price: Price, product: Product, err: Reporter) -> None:
    if product.fee_type == "metered":
        if isinstance(price, FixedPrice):
            err(
                ("type",),
                "price.fee_type",
                "a `fixed` price cannot price a metered product; use `unit` or a tiered model",
            )
        if price.billing_direction == "advance":
            err(
                ("billing_direction",),
                "price.billing_direction",
                "metered usage is billed in arrears, not in advance",
            )
        if price.metrics is not None:
            if not price.metrics:
                err(
                    ("metrics",),
                    "price.metrics_empty",
                    "a metered price needs at least one metric; omit `metrics` to use the"
                    " product's",
                )
            known = product.metrics
            for index, metric in enumerate(price.metrics):
                if known is None or None in known or metric is None:
                    break  # a metric that failed validation could be any
                if metric not in known:
                    err(
                        ("metrics", index),
                        "price.metric_not_on_product",
                        f"metric `{metric}` is not one of the product's metrics"
                        f" ({', '.join(known) or 'none'})",
                    )
    else:
        if isinstance(price, _METERED_ONLY):
            err(
                ("type",),
                "price.fee_type",
                f'a `{price.type}` price prices usage; the product has fee_type = "fixed"',
            )
        if price.metrics is not None:
            err(
                ("metrics",),
                "price.metrics_on_fixed",
                "only prices of metered products name metrics",
            )


def _check_precision(
    kind: Kind, key: str, path: Path, price: Price, currency: str
) -> list[Finding]:
    """Flat amounts finer than the currency's minor unit cannot be invoiced as written.
    Per-unit rates may be finer (0.0001 per call is normal), so only flat amounts count."""
    digits = minor_units(currency)
    amounts: list[tuple[Path, Decimal | None]] = []
    if isinstance(price, FixedPrice):
        amounts.append((("price_per_unit",), price.price_per_unit))
    for index, tier in enumerate(getattr(price, "tiers", None) or ()):
        if tier is not None:
            amounts.append((("tiers", index, "fixed_fee"), tier.fixed_fee))
    for name in ("minimum_spend", "maximum_spend"):
        spend = getattr(price, name)
        if spend is not None:
            amounts.append(((name, "amount"), spend.amount))
    if price.discount is not None and price.discount.type == "fixed":
        amounts.append((("discount", "amount"), price.discount.amount))
    return [
        warning(
            kind,
            key,
            (*path, *sub),
            "price.precision",
            f"{amount} has more decimals than {currency} allows ({digits});"
            " it will be rounded when invoiced",
        )
        for sub, amount in amounts
        if amount is not None and _decimals(amount) > digits
    ]


def _decimals(amount: Decimal) -> int:
    """Significant digits after the point (`1.50` has 1). Not `quantize`, which fails on
    amounts with more digits than the decimal context holds (`1e30` to cents)."""
    exponent = amount.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
