"""A valid catalog and a menu of independent mistakes to inject into it.

Each mistake is a mutation of the catalog and the error diagnostics it must produce
(code and field). The menu mixes shape errors (a field that fails validation) with
cross-resource errors (tier order, duplicate items, unknown references, identity
clashes), several of them in the same resource, item or price, which is where a loader
that skips the cross-resource checks of a resource with a shape error hides mistakes.

Mistakes are independent by construction: none breaks a value another mistake's check
needs (a check of a version's date against a contract start that is itself invalid
cannot run until the start is fixed; such pairs are left out of the menu).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests import builders

Catalog = dict[str, dict[str, dict[str, Any]]]
Expected = list[tuple[str, str]]  # (code, field)


def _fixed(amount: int | str) -> dict[str, Any]:
    return {"type": "fixed", "billing_interval": "monthly", "price_per_unit": Decimal(amount)}


def base_catalog() -> Catalog:
    """A valid catalog with every kind, bundles inside plans and versioned subscriptions."""
    return {
        "metrics": {
            "api_calls": {
                "name": "API calls",
                "event_name": "api_call",
                "aggregation": {"method": "count"},
            },
            "storage": {
                "name": "Storage",
                "event_name": "storage",
                "aggregation": {"method": "sum", "field": "gb"},
            },
        },
        "products": {
            "api": {
                "name": "API",
                "fee_type": "metered",
                "payment_terms": "arrears",
                "metrics": ["api_calls"],
            },
            "seat": {
                "name": "Seat",
                "fee_type": "fixed",
                "payment_terms": "advance",
                "billing_frequency": "recurring",
            },
            "support": {
                "name": "Support",
                "fee_type": "fixed",
                "payment_terms": "advance",
                "billing_frequency": "recurring",
            },
        },
        "bundles": {"team": {"name": "Team", "items": [{"product": "seat", "price": _fixed(10)}]}},
        "plans": {
            "pro": {
                "name": "Pro",
                "currency": "USD",
                "items": [
                    {
                        "product": "seat",
                        "price": {
                            **_fixed(49),
                            "discount": {
                                "amount": Decimal(10),
                                "duration_type": "fixed",
                                "duration_value": 3,
                            },
                        },
                    },
                    {
                        "product": "api",
                        "price": {
                            "type": "graduated_tiered",
                            "billing_interval": "monthly",
                            "tiers": [
                                {"up_to": 1000, "price_per_unit": Decimal(0)},
                                {"up_to": 5000, "price_per_unit": Decimal("0.002")},
                                {"price_per_unit": Decimal("0.001")},
                            ],
                        },
                    },
                    {"product": "support", "price": _fixed(99)},
                ],
            },
            "basic": {
                "name": "Basic",
                "currency": "USD",
                "items": [
                    {"product": "seat", "price": _fixed(19)},
                    {"bundle": "team"},
                    {
                        "product": "api",
                        "price": {
                            "type": "unit",
                            "billing_interval": "monthly",
                            "price_per_unit": Decimal("0.01"),
                        },
                    },
                ],
            },
        },
        "customers": {
            "acme": {"name": "Acme", "currency": "USD"},
            "globex": {
                "name": "Globex",
                "currency": "USD",
                "contacts": [{"email": "billing@globex.example"}],
            },
        },
        "subscriptions": {
            "globex_custom": {
                "customer": "globex",
                "currency": "USD",
                "contract": {"start_date": dt.date(2025, 3, 1)},
                "versions": [
                    {
                        "effective": dt.date(2025, 3, 1),
                        "description": "Custom terms",
                        "items": [{"product": "seat", "price": _fixed(30)}],
                    }
                ],
            },
            "acme_pro": {
                "customer": "acme",
                "plan": "pro",
                "contract": {"start_date": dt.date(2025, 1, 1)},
                "versions": [
                    {
                        "effective": dt.date(2025, 1, 1),
                        "items": [{"product": "seat", "price": _fixed(45)}],
                    },
                    {
                        "effective": dt.date(2025, 6, 1),
                        "items": [{"product": "support", "price": _fixed(80)}],
                    },
                ],
            },
        },
    }


@dataclass(frozen=True)
class Mistake:
    name: str
    inject: Callable[[Catalog], Expected]  # mutates the catalog, returns what it must report


def _set(
    path: str, value: Any, code: str, field: str | None = None
) -> Callable[[Catalog], Expected]:
    """A mistake that sets the value at a dotted path (`plans.pro.items.0.price`)."""

    def inject(catalog: Catalog) -> Expected:
        *parents, last = path.split(".")
        node: Any = catalog
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
        return [(code, field or _field(path))]

    return inject


def _field(path: str) -> str:
    out = ""
    for part in path.split("."):
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def _append_item(owner: str, item: Any, code: str, sub: str) -> Callable[[Catalog], Expected]:
    """A mistake that adds an item to a plan; its field depends on the items before it."""

    def inject(catalog: Catalog) -> Expected:
        items = catalog["plans"][owner]["items"]
        items.append(item)
        return [(code, f"plans.{owner}.items[{len(items) - 1}]{sub}")]

    return inject


def _versions_out_of_order(catalog: Catalog) -> Expected:
    catalog["subscriptions"]["acme_pro"]["versions"][1]["effective"] = dt.date(2024, 12, 1)
    field = "subscriptions.acme_pro.versions[1].effective"
    return [("version.order", field), ("version.before_contract", field)]


def _spend_range(catalog: Catalog) -> Expected:
    catalog["plans"]["pro"]["minimum_spend"] = {"amount": Decimal(100)}
    catalog["plans"]["pro"]["maximum_spend"] = {"amount": Decimal(50)}
    return [("price.spend_range", "plans.pro.minimum_spend.amount")]


def _tier_order(catalog: Catalog) -> Expected:
    catalog["plans"]["pro"]["items"][1]["price"]["tiers"][1]["up_to"] = 500
    return [("price.tier_order", "plans.pro.items[1].price.tiers[1].up_to")]


def _alias_clash(catalog: Catalog) -> Expected:
    catalog["customers"]["acme"]["aliases"] = ["globex"]
    return [("identity.duplicate", "customers.globex")]


def _override_outside_bundle(catalog: Catalog) -> Expected:
    catalog["plans"]["basic"]["items"][1]["items"] = [{"product": "support", "price": _fixed(5)}]
    return [("item.not_in_bundle", "plans.basic.items[1].items[0].product")]


def _no_items(catalog: Catalog) -> Expected:
    catalog["subscriptions"]["globex_custom"]["versions"][0]["items"] = []
    return [
        ("subscription.no_items", "subscriptions.globex_custom.versions"),
        ("version.no_items", "subscriptions.globex_custom.versions[0].items"),
    ]


def _unknown_metric(catalog: Catalog) -> Expected:
    catalog["products"]["api"]["metrics"].append("gb_stored")
    return [("ref.unknown", "products.api.metrics[1]")]


MISTAKES: tuple[Mistake, ...] = (
    # shape errors
    Mistake("plan currency lowercase", _set("plans.pro.currency", "usd", "field.format")),
    Mistake(
        "negative flat price",
        _set("plans.pro.items.0.price.price_per_unit", Decimal(-1), "field.range"),
    ),
    Mistake(
        "negative tier rate",
        _set("plans.pro.items.1.price.tiers.0.price_per_unit", Decimal(-5), "field.range"),
    ),
    Mistake(
        "bad billing interval",
        _set("plans.pro.items.2.price.billing_interval", "weekly", "field.enum"),
    ),
    Mistake(
        "unknown price field",
        _set("subscriptions.acme_pro.versions.0.items.0.price.prce", 1, "field.unknown"),
    ),
    Mistake(
        "bad billing_frequency", _set("products.seat.billing_frequency", "monthly", "field.enum")
    ),
    Mistake(
        "bad contact email", _set("customers.globex.contacts.0.email", "nobody", "field.format")
    ),
    Mistake("negative trial", _set("subscriptions.acme_pro.trial_days", -1, "field.range")),
    Mistake(
        "version description not text",
        _set("subscriptions.acme_pro.versions.1.description", 5, "field.type"),
    ),
    Mistake("empty event name", _set("metrics.storage.event_name", "", "field.empty")),
    Mistake("bundle description not text", _set("bundles.team.description", 3, "field.type")),
    Mistake("plan trial not a number", _set("plans.basic.trial_days", "x", "field.type")),
    Mistake("empty product name", _set("products.api.name", "", "field.empty")),
    Mistake(
        "unknown subscription field",
        _set("subscriptions.acme_pro.activated", True, "field.unknown"),
    ),
    Mistake(
        "unknown price type", _set("plans.basic.items.0.price.type", "flat", "price.type_unknown")
    ),
    Mistake("item not a table", _append_item("basic", 7, "field.type", "")),
    Mistake(
        "item without price", _append_item("basic", {"product": "support"}, "field.invalid", "")
    ),
    Mistake(
        "custom version description not text",
        _set("subscriptions.globex_custom.versions.0.description", 7, "field.type"),
    ),
    Mistake(
        "discount amount out of range",
        _set("plans.pro.items.0.price.discount.amount", Decimal(150), "field.range"),
    ),
    # cross-resource errors
    Mistake("tier order", _tier_order),
    Mistake(
        "duplicate item",  # the item whose price has "unknown price field"
        _set("plans.pro.items.2.product", "seat", "item.duplicate", "plans.pro.items[2]"),
    ),
    Mistake(
        "unknown product",  # the item whose price has "unknown price type"
        _set("plans.basic.items.0.product", "gadget", "ref.unknown"),
    ),
    Mistake(
        "metered paid in advance",
        _set("products.api.payment_terms", "advance", "product.payment_terms"),
    ),
    Mistake("unknown metric", _unknown_metric),
    Mistake("unknown customer", _set("subscriptions.acme_pro.customer", "nobody", "ref.unknown")),
    Mistake("versions out of order", _versions_out_of_order),
    Mistake(
        "count with field",
        _set("metrics.api_calls.aggregation.field", "x", "metric.aggregation_field"),
    ),
    Mistake("plan name clash", _set("plans.pro.name", "Basic", "identity.duplicate")),
    Mistake(
        "fixed price on metered product",
        _set(
            "plans.basic.items.2.price",
            _fixed(10),
            "price.fee_type",
            "plans.basic.items[2].price.type",
        ),
    ),
    Mistake("alias clash", _alias_clash),
    Mistake("override outside bundle", _override_outside_bundle),
    Mistake(
        "reserved metadata",
        _set(
            "subscriptions.acme_pro.metadata",
            {"billing_key": "x"},
            "subscription.reserved_metadata",
            "subscriptions.acme_pro.metadata.billing_key",
        ),
    ),
    Mistake("minimum above maximum", _spend_range),
    Mistake("planless subscription without items", _no_items),
    Mistake(
        "rolling discount with a duration",
        _set(
            "plans.pro.items.0.price.discount.duration_type",
            "monthly_rolling",
            "price.discount_duration",
            "plans.pro.items[0].price.discount",
        ),
    ),
    Mistake(
        "custom interval without its unit",
        _set(
            "plans.pro.items.0.price.billing_interval_count",
            3,
            "price.interval_custom",
        ),
    ),
)


def with_mistakes(chosen: list[Mistake]) -> tuple[Catalog, dict[str, set[tuple[str, str]]]]:
    """The base catalog with `chosen` injected, and the error diagnostics of each mistake
    (by name) in that catalog."""
    catalog = copy.deepcopy(base_catalog())
    return catalog, {mistake.name: set(mistake.inject(catalog)) for mistake in chosen}


# ---- writing -----------------------------------------------------------------------


def write_project(root: Path, catalog: Catalog) -> None:
    """A project at `root` (`tests.builders`, one embedded environment `local`) with one
    catalog file per table."""
    files = {f"{table}.toml": _table_text(table, entries) for table, entries in catalog.items()}
    builders.write_project(root, files)


def _table_text(table: str, entries: dict[str, dict[str, Any]]) -> str:
    lines: list[str] = []
    for key, body in entries.items():
        lines.append(f"[{table}.{key}]")
        lines.extend(f"{name} = {_toml(value)}" for name, value in body.items())
        lines.append("")
    return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r}")
