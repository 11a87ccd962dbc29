"""Generated catalogs for the benchmarks: every kind and all ten pricing models.

`generate_catalog(n_resources, seed)` declares exactly `n_resources` resources in the
proportions of the crash-safety generator (`tests/crash/catalog_gen.py`, whose `Mix`,
metrics, products and customers it reuses): 15% metrics, 25% products (even ones metered,
odd ones fixed), 3% bundles, 20% plans, one subscription per 30 resources, the rest
customers. It differs in the prices: where the crash generator writes three models, this
one cycles through all ten (`unit`, `fixed`, `tiered`, `graduated_tiered`,
`prepaid_tiered`, `prepaid_fixed_tiered`, `tiered_percentage`, `graduated_percentage`,
`volume_percentage`, `expression`), with a discount, a minimum or maximum spend or a trial
on some, so that mapping, normalizing and diffing costs what a real catalog costs.

A plan of it from an empty account has `n_resources + 2 * subscriptions` changes (a
subscription is a create, a `new_version` for its later version and an `activate`). The
same seed always gives the same text.
"""

from __future__ import annotations

import itertools
import random
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.crash.catalog_gen import (
    Mix,
    _customers,
    _metrics,
    _products,
    plan_products,
)

METERED_MODELS = (
    "unit",
    "tiered",
    "graduated_tiered",
    "prepaid_tiered",
    "prepaid_fixed_tiered",
    "tiered_percentage",
    "graduated_percentage",
    "volume_percentage",
    "expression",
)
FIXED_MODELS = ("fixed", "unit", "tiered", "graduated_tiered")
PRICING_MODELS = frozenset(METERED_MODELS) | frozenset(FIXED_MODELS)

# A running count of priced items per product class (metered or not): the model rotation.
Slots = dict[bool, Iterator[int]]


def _is_metered(product: int) -> bool:
    return product % 2 == 0


def _money(rng: random.Random, low: int, high: int) -> str:
    return f'"{rng.randint(low, high)}.{rng.randint(0, 99):02d}"'


def _rate(rng: random.Random) -> str:
    return f'"0.{rng.randint(1, 999):03d}"'


def _unit_tiers(rng: random.Random, first: int | None = None, free: bool = False) -> str:
    """Three unit tiers with falling rates; the first up to `first` units (drawn when not
    given) and free when `free` (graduated models only: a volume model would lose it)."""
    first = first or rng.randint(1, 9) * 1000
    rates = [f'"0.{digit}{rng.randint(0, 99):02d}"' for digit in (5, 3, 1)]
    if free:
        rates[0] = "0"
    return (
        "tiers = [\n"
        f"  {{ up_to = {first}, price_per_unit = {rates[0]} }},\n"
        f"  {{ up_to = {first * 10}, price_per_unit = {rates[1]} }},\n"
        f"  {{ price_per_unit = {rates[2]} }},\n]\n"
    )


def _seat_tiers(rng: random.Random) -> str:
    """Tiers for a fixed product (seats): a price per seat falling with the count."""
    return (
        "tiers = [\n"
        f"  {{ up_to = 10, price_per_unit = {_money(rng, 20, 40)} }},\n"
        f"  {{ up_to = 100, price_per_unit = {_money(rng, 10, 19)} }},\n"
        f"  {{ price_per_unit = {_money(rng, 5, 9)} }},\n]\n"
    )


def _percentage_tiers(rng: random.Random) -> str:
    first = rng.randint(1, 9) * 10_000
    return (
        "tiers = [\n"
        f"  {{ up_to = {first}, percentage = {rng.randint(15, 30) / 10} }},\n"
        f"  {{ percentage = {rng.randint(5, 14) / 10} }},\n]\n"
    )


def _extras(rng: random.Random) -> str:
    """Common fields on about one price in three."""
    roll = rng.random()
    if roll < 0.1:
        return (
            f'discount = {{ amount = {rng.randint(5, 30)}, duration_type = "monthly_rolling" }}\n'
        )
    if roll < 0.2:
        return f'minimum_spend = {{ amount = {_money(rng, 10, 99)}, period = "monthly" }}\n'
    if roll < 0.3:
        return f"trial_days = {rng.choice((7, 14, 30))}\n"
    return ""


def _price(product: int, n_metrics: int, slot: int, rng: random.Random) -> str:
    """A price for product `product`; `slot` picks the model (a rotation, so every model
    appears at any catalog size)."""
    head = 'billing_interval = "monthly"\n'
    if not _is_metered(product):
        model = FIXED_MODELS[slot % len(FIXED_MODELS)]
        if model == "fixed":
            body = f"price_per_unit = {_money(rng, 5, 900)}\n"
        elif model == "unit":
            body = f"price_per_unit = {_money(rng, 1, 90)}\n"
        else:
            body = _seat_tiers(rng)
        return f'type = "{model}"\n{head}{body}{_extras(rng)}'
    model = METERED_MODELS[slot % len(METERED_MODELS)]
    if model == "unit":
        body = f"price_per_unit = {_rate(rng)}\n"
    elif model in ("tiered", "graduated_tiered"):
        body = _unit_tiers(rng, free=model == "graduated_tiered")
    elif model in ("prepaid_tiered", "prepaid_fixed_tiered"):
        prepaid = rng.randint(1, 9) * 100
        body = f"prepaid_units = {prepaid}\n" + _unit_tiers(rng, first=prepaid * 10)
        if model == "prepaid_fixed_tiered":
            body += 'overages_charge_interval = "quarterly"\n'
    elif model in ("tiered_percentage", "graduated_percentage"):
        body = _percentage_tiers(rng)
    elif model == "volume_percentage":
        body = f"percentage = {rng.randint(10, 39) / 10}\nprice_per_unit = {_rate(rng)}\n"
    else:
        metric = f"m{product // 2 % n_metrics:04d}"
        body = (
            "charges = [\n"
            f'  {{ description = "Usage of {metric}", quantity_expression ='
            f' "usage.{metric} / 1000", unit_price_expression = "{rng.randint(1, 9)}.50" }},\n]\n'
        )
    return f'type = "{model}"\n{head}{body}{_extras(rng)}'


def _item(table: str, product: int, mix: Mix, slots: Slots, rng: random.Random) -> str:
    head = f'\n[[{table}.items]]\nproduct = "p{product:04d}"\n[{table}.items.price]\n'
    return head + _price(product, mix.metrics, next(slots[_is_metered(product)]), rng)


def _bundles(mix: Mix, rng: random.Random, slots: Slots) -> str:
    out = ["# Generated bundles: two metered products each.\n"]
    metered = (mix.products + 1) // 2
    for i in range(mix.bundles):
        out.append(f'\n[bundles.b{i:04d}]\nname = "Bundle {i:04d}"\n')
        first = 2 * rng.randrange(metered)
        second = (first + 2) % (2 * metered)
        for product in sorted({first, second}):
            out.append(_item(f"bundles.b{i:04d}", product, mix, slots, rng))
    return "".join(out)


def _plans(mix: Mix, rng: random.Random, slots: Slots) -> str:
    out = ["# Generated plans: one to three priced items each, every pricing model.\n"]
    for i in range(mix.plans):
        table = f"plans.l{i:04d}"
        out.append(
            f'\n[{table}]\nname = "Plan {i:04d}"\ncurrency = "USD"\n'
            'contract = { period_type = "monthly_rolling" }\n'
            'renewal = { auto_renew = true, period_type = "monthly_rolling" }\n'
            f"trial_days = {rng.choice((0, 7, 14, 30))}\n"
        )
        for product in plan_products(i, mix.products):
            out.append(_item(table, product, mix, slots, rng))
    return "".join(out)


def _subscriptions(mix: Mix, rng: random.Random, slots: Slots) -> str:
    out = ["# Generated subscriptions: on a plan, with a later version, activated.\n"]
    for i in range(mix.subscriptions):
        table = f"subscriptions.s{i:04d}"
        plan = i % mix.plans
        month = 1 + i % 6
        out.append(
            f'\n[{table}]\ncustomer = "c{i:04d}"\nplan = "l{plan:04d}"\n'
            f'name = "Subscription {i:04d}"\n'
            f'contract = {{ period_type = "fixed", duration_months = 12,'
            f" start_date = 2026-{month:02d}-01 }}\n"
            "activate = true\n"
            f'metadata = {{ deal = "D-{i:04d}" }}\n'
            f"\n[[{table}.versions]]\neffective = 2026-{month:02d}-01\n"
            f"\n[[{table}.versions]]\neffective = 2026-{month + 6:02d}-01\n"
            f'description = "Repriced after six months."\n'
        )
        product = plan_products(plan, mix.products)[0]
        out.append(_item(f"{table}.versions", product, mix, slots, rng))
    return "".join(out)


def generate_catalog(n_resources: int, seed: int) -> dict[str, str]:
    """Catalog files (file name -> TOML text) declaring exactly `n_resources` resources."""
    mix = Mix.of(n_resources)
    rng = random.Random(seed)
    slots: Slots = {True: itertools.count(), False: itertools.count()}
    return {
        "metrics.toml": _metrics(mix, rng),
        "products.toml": _products(mix),
        "bundles.toml": _bundles(mix, rng, slots),
        "plans.toml": _plans(mix, rng, slots),
        "customers.toml": _customers(mix, rng),
        "subscriptions.toml": _subscriptions(mix, rng, slots),
    }
