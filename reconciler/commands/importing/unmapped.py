"""Live fields that have no catalog counterpart: written as comments above the resource.

The catalog declares what the reconciler manages; the API has more (tags, unit labels,
price escalations...). An import must not silently drop them from view: a reader of the
imported file should see that the live object carries them, and that the catalog leaves
them alone. A field is listed when it is set (not null, not empty, not the API's default)
and is neither part of the create body the reconciler sends for the resource
(`wire.to_wire`) nor a response-only field (ids, timestamps, status...). Prices inside
items are checked the same way, field by field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import JsonValue

from reconciler.model import Kind

_COMMON_RESPONSE = frozenset({"id", "object", "created_at", "updated_at", "account_id"})
RESPONSE_ONLY: dict[Kind, frozenset[str]] = {
    "metric": _COMMON_RESPONSE,
    "product": _COMMON_RESPONSE,
    "plan": _COMMON_RESPONSE,
    "bundle": _COMMON_RESPONSE,
    "customer": _COMMON_RESPONSE,
    "subscription": _COMMON_RESPONSE
    | {
        "status",
        "current_version_id",
        "pending_changes",
        "activated_at",
        "canceled_at",
        "cancellation",  # read back as the catalog's `cancel`
        "auto_activate",
    },
}
# Catalog fields the create body may leave out (a metered product's frequency is implied).
MAPPED_EXTRA: dict[Kind, frozenset[str]] = {"product": frozenset({"billing_frequency"})}
# The API's own defaults: a field holding one of these says nothing.
API_DEFAULTS: dict[str, JsonValue] = {"unit_label": "unit", "unit_label_plural": "units"}
# Price fields the catalog maps (or that only describe the response).
PRICE_FIELDS = frozenset(
    {
        "id",
        "type",
        "fee_type",
        "billing_frequency",
        "billing_direction",
        "billing_interval",
        "billing_interval_count",
        "billing_interval_unit",
        "metric_ids",
        "display_order",
        "charge_on_contract_start",
        "trial_period_days",
        "minimum_spend",
        "maximum_spend",
        "discount",
        "currency",
        "product_id",
        "product",
        "created_at",
        "updated_at",
    }
)


def _is_set(name: str, value: Any) -> bool:
    if value is None or value == [] or value == {} or value == "":
        return False
    return bool(API_DEFAULTS.get(name, object()) != value)


def unmapped_fields(
    kind: Kind,
    obj: Mapping[str, Any],
    body: Mapping[str, Any],
    versions: Sequence[Mapping[str, Any]] = (),
    item_name: Callable[[Mapping[str, Any]], str] | None = None,
) -> list[str]:
    """`path = value` lines for the fields of live `obj` the catalog cannot hold. `body` is
    the create body the reconciler would send for it; `versions` a subscription's version
    objects; `item_name` names an item (its product or bundle key) for price paths."""
    lines = [
        f"{name} = {_show(value)}"
        for name, value in obj.items()
        if name not in body
        and name not in RESPONSE_ONLY[kind]
        and name not in MAPPED_EXTRA.get(kind, ())
        and _is_set(name, value)
    ]
    name_of = item_name or (lambda item: str(item.get("product_id") or item.get("bundle_id")))
    if kind == "plan":
        lines += _price_lines(obj.get("items") or [], "items", name_of)
    if kind == "bundle":
        lines += _price_lines(obj.get("prices") or [], "items", name_of, prices=True)
    for version in versions:
        effective = str(version.get("effective_at", ""))[:10]
        lines += _price_lines(version.get("items") or [], f"versions[{effective}].items", name_of)
    return lines


def _price_lines(
    items: Sequence[Mapping[str, Any]],
    path: str,
    name_of: Callable[[Mapping[str, Any]], str],
    *,
    prices: bool = False,
) -> list[str]:
    """Unmapped price fields of `items` (item objects, or price objects when `prices`:
    a bundle's); a bundle item's own overrides are looked at under it."""
    lines: list[str] = []
    for item in items:
        where = f"{path}[{name_of(item)}]"
        children = item.get("items")
        if not prices and isinstance(children, list):
            lines += _price_lines(children, f"{where}.items", name_of)
        price = item if prices else item.get("price")
        if not isinstance(price, Mapping):
            continue
        model_key = f"{price.get('type')}_pricing_model"
        lines += [
            f"{where}.price.{name} = {_show(value)}"
            for name, value in price.items()
            if name not in PRICE_FIELDS and name != model_key and _is_set(name, value)
        ]
    return lines


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 120 else text[:117] + "..."
