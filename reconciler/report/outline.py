"""A few lines that describe a declared resource or version: what a `create` brings in.

A create has no field rows (nothing to compare against), and its whole JSON would bury the
one number a reviewer wants. The outline keeps the main attributes on a few lines (money
never cut) and gives each priced item its own line: the price type and the money that defines it
(`api  graduated_tiered 0.1 up to 1000 / 0.05 up to 10000 / 0.01 above, monthly`). The
JSON of the plan (`--format json`) still holds everything.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import JsonValue

from reconciler.plan import JsonObject
from reconciler.report.money import is_money_path
from reconciler.report.values import show

LINE_WIDTH = 88
MAX_ATTRIBUTE_LINES = 3
_NESTED = ("items", "versions")
# Prose, not terms: long and never what decides a review of a create.
_PROSE = frozenset({"description", "additional_terms"})
_SPENDS = {"minimum_spend": "min", "maximum_spend": "max"}
_SMALL = 3  # a nested table with at most this many plain values is spelt out


def outline(after: JsonObject) -> list[str]:
    """Lines for `after` (a resource or a version, catalog-shaped): its main attributes
    (at most `MAX_ATTRIBUTE_LINES` lines, then a count of the rest), its money attributes
    (never cut), then `items:` with one line per item, then each version with its items."""
    pairs = list(_attributes(after))
    rest = _wrap([text for key, text in pairs if not is_money_path(key)])
    if len(rest) > MAX_ATTRIBUTE_LINES:
        hidden = sum(len(line) for line in rest[MAX_ATTRIBUTE_LINES - 1 :])
        rest = [*rest[: MAX_ATTRIBUTE_LINES - 1], [f"… {hidden} more (--format json has all)"]]
    money = _wrap([text for key, text in pairs if is_money_path(key)])
    lines = [", ".join(line) for line in (*rest, *money)]
    lines += _items(after.get("items"))
    for version in _dicts(after.get("versions")):
        lines.append(f"version {version.get('effective')}:")
        lines += [f"  {line}" for line in _items(version.get("items"))]
    return lines


def _attributes(after: JsonObject) -> Iterator[tuple[str, str]]:
    """`(key, text)`: `name: value` for plain values, money tables in money words, small
    tables spelt out, a count for the rest (contacts, entitlements, long settings)."""
    for key, value in after.items():
        if key in _NESTED or key in _PROSE or key == "effective":
            continue
        if key in _SPENDS and isinstance(value, dict):
            yield key, f"{key}: {_spend(value)}"
        elif key == "discount" and isinstance(value, dict):
            yield key, f"discount: {_discount(value)}"
        elif isinstance(value, dict):
            leaves = list(_flatten(value, f"{key}."))
            if len(leaves) <= _SMALL:
                yield from ((key, f"{path}: {show(leaf)}") for path, leaf in leaves)
            else:
                yield key, f"{key}: {len(leaves)} settings"
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            yield key, f"{key}: {len(value)}"
        else:
            yield key, f"{key}: {show(value)}"


def _spend(spend: JsonObject) -> str:
    text = f"{spend.get('amount')}/{spend.get('period', 'monthly')}"
    if spend.get("billing_direction") == "advance":
        text += " billed in advance"
    return text


def _discount(discount: JsonObject) -> str:
    off = " off" if discount.get("type") == "fixed" else "%"
    text = f"{discount.get('amount')}{off}"
    if discount.get("duration_value") is not None:
        unit = discount.get("duration_unit") or "months"
        text += f" for {discount['duration_value']} {unit}"
    return text


def price_line(price: JsonObject) -> str:
    """`fixed 49, monthly`: the type, its money, then interval, trial and spend limits."""
    kind = str(price.get("type", "?"))
    parts = [f"{kind} {_money(price)}".rstrip()]
    interval = price.get("billing_interval")
    count = price.get("billing_interval_count")
    if count is not None:
        parts.append(f"every {count} {price.get('billing_interval_unit') or 'month'}")
    elif interval is not None:
        parts.append(str(interval))
    if price.get("trial_days") is not None:
        parts.append(f"trial {price['trial_days']} days")
    for name, label in _SPENDS.items():
        spend = price.get(name)
        if isinstance(spend, dict):
            parts.append(f"{label} {_spend(spend)}")
    discount = price.get("discount")
    if isinstance(discount, dict):
        parts.append(f"discount {_discount(discount)}")
    return ", ".join(parts)


def _money(price: JsonObject) -> str:
    tiers = list(_dicts(price.get("tiers")))
    if tiers:
        text = " / ".join(_tier(t) for t in tiers)
        prepaid = price.get("prepaid_units")
        return f"{text} (prepaid {prepaid})" if prepaid is not None else text
    cells = list(_dicts(price.get("cells")))
    if cells:  # a matrix: how many cells, by which dimensions
        keys = " x ".join(str(d.get("key")) for d in _dicts(price.get("dimensions")))
        fallback = " + fallback" if isinstance(price.get("fallback"), dict) else ""
        return f"{len(cells)} cell(s) by {keys}{fallback}"
    charges = list(_dicts(price.get("charges")))
    if charges:
        names = ", ".join(str(c.get("description")) for c in charges)
        return f"{len(charges)} charge(s): {names}"
    parts = []
    if price.get("percentage") is not None:
        parts.append(f"{price['percentage']}%")
    if price.get("price_per_unit") is not None:
        units = price.get("units")
        each = str(price["price_per_unit"])
        parts.append(f"{each} x {units}" if units not in (None, 1) else each)
    if price.get("fixed_fee") is not None:
        parts.append(f"{price['fixed_fee']} fixed")
    return " + ".join(parts)


def _tier(tier: JsonObject) -> str:
    rate = tier.get("price_per_unit")
    value = f"{tier['percentage']}%" if rate is None else str(rate)
    if tier.get("fixed_fee") is not None:
        value += f" + {tier['fixed_fee']} fee"
    up_to = tier.get("up_to")
    return f"{value} up to {up_to}" if up_to is not None else f"{value} above"


def _items(items: JsonValue) -> list[str]:
    entries = list(_dicts(items))
    return ["items:", *(f"  {line}" for line in _item_lines(entries))] if entries else []


def _item_lines(entries: list[JsonObject]) -> list[str]:
    """A line per item, prices aligned; a bundle's overriding items indented under it."""
    names = [str(i.get("product") or f"bundle {i.get('bundle')}") for i in entries]
    width = max((len(n) for n, i in zip(names, entries, strict=True) if "price" in i), default=0)
    lines = []
    for name, item in zip(names, entries, strict=True):
        price = item.get("price")
        if isinstance(price, dict):
            lines.append(f"{name.ljust(width)}  {price_line(price)}")
        else:
            lines.append(name)
            lines += [f"  {line}" for line in _item_lines(list(_dicts(item.get("items"))))]
    return lines


def _flatten(value: JsonObject, prefix: str) -> Iterator[tuple[str, JsonValue]]:
    """`(dotted path, plain value)` for every leaf under `value`."""
    for key, child in value.items():
        path = f"{prefix}{key}"
        if isinstance(child, dict) and child:
            yield from _flatten(child, f"{path}.")
        elif isinstance(child, list) and child and all(isinstance(c, dict) for c in child):
            for index, element in enumerate(_dicts(child)):
                yield from _flatten(element, f"{path}[{index}].")
        else:
            yield path, child


def _dicts(value: JsonValue) -> Iterator[JsonObject]:
    if isinstance(value, list):
        yield from (v for v in value if isinstance(v, dict))


def _wrap(texts: list[str]) -> list[list[str]]:
    """`texts` in lines of at most `LINE_WIDTH` (joined by ", "); a long text alone."""
    lines: list[list[str]] = []
    width = 0
    for text in texts:
        if lines and width + 2 + len(text) <= LINE_WIDTH:
            lines[-1].append(text)
            width += 2 + len(text)
        else:
            lines.append([text])
            width = len(text)
    return lines
