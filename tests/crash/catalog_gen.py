"""A generated catalog of many small resources, for crash-safety tests and benchmarks.

`generate_catalog(n_resources, seed)` returns catalog files (file name -> TOML text):
metrics, products (fixed and metered), bundles, plans with items, customers and a few
subscriptions on a plan, each with a later version and `activate = true`. Exactly
`n_resources` resources are declared; a plan of it from an empty account has
`n_resources + 2 * subscriptions` changes (a subscription is a create, a `new_version`
for its later version and an `activate`). The same seed always gives the same text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

AGGREGATIONS = ("count", "count_unique", "sum", "average", "max")
COUNTRIES = ("US", "DE", "FR", "GB", "CA", "NL")


@dataclass(frozen=True)
class Mix:
    """How many resources of each kind a catalog of `total` resources declares."""

    metrics: int
    products: int
    bundles: int
    plans: int
    customers: int
    subscriptions: int

    @classmethod
    def of(cls, total: int) -> Mix:
        if total < 8:
            raise ValueError("a generated catalog needs at least 8 resources")
        subscriptions = max(1, total // 30)
        metrics = max(1, total * 15 // 100)
        products = max(2, total * 25 // 100)
        bundles = max(1, total * 3 // 100)
        plans = max(1, total * 20 // 100)
        customers = total - subscriptions - metrics - products - bundles - plans
        if customers < subscriptions:
            raise ValueError(f"{total} resources leave too few customers")
        return cls(metrics, products, bundles, plans, customers, subscriptions)


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randint(low, high)}.{rng.randint(0, 99):02d}"


def _metrics(mix: Mix, rng: random.Random) -> str:
    out = ["# Generated metrics: one event name each.\n"]
    for i in range(mix.metrics):
        method = rng.choice(AGGREGATIONS)
        field = "" if method == "count" else ', field = "value"'
        out.append(
            f"\n[metrics.m{i:04d}]\n"
            f'name = "Metric {i:04d}"\n'
            f'event_name = "gen.event_{i:04d}"\n'
            f'aggregation = {{ method = "{method}"{field} }}\n'
        )
    return "".join(out)


def _is_metered(index: int) -> bool:
    return index % 2 == 0


def _products(mix: Mix) -> str:
    out = ["# Generated products: even ones metered (one metric each), odd ones fixed.\n"]
    for i in range(mix.products):
        out.append(f'\n[products.p{i:04d}]\nname = "Product {i:04d}"\n')
        if _is_metered(i):
            out.append(
                'fee_type = "metered"\npayment_terms = "arrears"\n'
                f'metrics = ["m{i // 2 % mix.metrics:04d}"]\n'
            )
        else:
            out.append(
                'fee_type = "fixed"\npayment_terms = "advance"\nbilling_frequency = "recurring"\n'
            )
    return "".join(out)


def _price(index: int, rng: random.Random) -> str:
    """A price suited to product `index` (metered: unit or graduated; fixed: fixed)."""
    if not _is_metered(index):
        amount = _money(rng, 5, 900)
        return f'type = "fixed"\nbilling_interval = "monthly"\nprice_per_unit = "{amount}"\n'
    if rng.random() < 0.5:
        rate = f"0.{rng.randint(1, 999):03d}"
        return f'type = "unit"\nbilling_interval = "monthly"\nprice_per_unit = "{rate}"\n'
    return (
        'type = "graduated_tiered"\nbilling_interval = "monthly"\n'
        f"tiers = [\n  {{ up_to = {rng.randint(1, 9) * 1000}, price_per_unit = 0 }},\n"
        f'  {{ price_per_unit = "0.{rng.randint(1, 99):02d}" }},\n]\n'
    )


def _item(table: str, product: int, rng: random.Random) -> str:
    head = f'\n[[{table}.items]]\nproduct = "p{product:04d}"\n[{table}.items.price]\n'
    return head + _price(product, rng)


def _bundles(mix: Mix, rng: random.Random) -> str:
    out = ["# Generated bundles: two metered products each.\n"]
    for i in range(mix.bundles):
        out.append(f'\n[bundles.b{i:04d}]\nname = "Bundle {i:04d}"\n')
        first = 2 * rng.randrange((mix.products + 1) // 2)
        second = (first + 2) % (2 * ((mix.products + 1) // 2))
        for product in sorted({first, second}):
            out.append(_item(f"bundles.b{i:04d}", product, rng))
    return "".join(out)


def plan_products(plan: int, n_products: int) -> list[int]:
    """The products plan `plan` has items for: one fixed (when there is one), then up to
    two metered ones; never the same product twice."""
    chosen = [(2 * plan + 1) % n_products, (2 * plan) % n_products, (2 * plan + 4) % n_products]
    unique: list[int] = []
    for product in chosen:
        if product not in unique:
            unique.append(product)
    return unique[: 1 + plan % 3]


def _plans(mix: Mix, rng: random.Random) -> str:
    out = ["# Generated plans: one to three priced items each.\n"]
    for i in range(mix.plans):
        table = f"plans.l{i:04d}"
        out.append(
            f'\n[{table}]\nname = "Plan {i:04d}"\ncurrency = "USD"\n'
            'contract = { period_type = "monthly_rolling" }\n'
            'renewal = { auto_renew = true, period_type = "monthly_rolling" }\n'
            f"trial_days = {rng.choice((0, 7, 14, 30))}\n"
        )
        for product in plan_products(i, mix.products):
            out.append(_item(table, product, rng))
    return "".join(out)


def _customers(mix: Mix, rng: random.Random) -> str:
    out = ["# Generated customers: billed in USD, one alias besides the key.\n"]
    for i in range(mix.customers):
        out.append(
            f'\n[customers.c{i:04d}]\nname = "Customer {i:04d}"\ncurrency = "USD"\n'
            f'aliases = ["org_{i:04d}_{rng.randrange(16**6):06x}"]\n'
            f'billing_address = {{ line1 = "{i} Main Street", city = "Springfield",'
            f' country = "{rng.choice(COUNTRIES)}" }}\n'
        )
        if i % 3 == 0:
            out.append(
                f"\n[[customers.c{i:04d}.contacts]]\n"
                f'email = "billing{i}@customer{i:04d}.example"\nis_primary = true\n'
            )
    return "".join(out)


def _subscriptions(mix: Mix, rng: random.Random) -> str:
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
        out.append(_item(f"{table}.versions", product, rng))
    return "".join(out)


def generate_catalog(n_resources: int, seed: int) -> dict[str, str]:
    """Catalog files (file name -> TOML text) declaring exactly `n_resources` resources."""
    mix = Mix.of(n_resources)
    rng = random.Random(seed)
    return {
        "metrics.toml": _metrics(mix, rng),
        "products.toml": _products(mix),
        "bundles.toml": _bundles(mix, rng),
        "plans.toml": _plans(mix, rng),
        "customers.toml": _customers(mix, rng),
        "subscriptions.toml": _subscriptions(mix, rng),
    }
