"""`billing quote` and `billing test` output: line items tier by tier, and test reports.

Amounts print exactly as the engine computed them, in fixed-point notation and in one
format per currency (`money`): at least the currency's minor-unit decimals, and the further
decimals an exact amount really has (`400.00`, `0.0025`; never `400.0000` beside
`500.00000`). Line items and adjustments are unrounded (they are exact), the total is
rounded to the minor unit. Quantities and rates print as computed. JSON
writes every decimal as a string, like plan files (DESIGN §4), so no reader turns money
into a binary float.

Contracts:
- Quote text (`quote_text`): a header (reference, model, interval, currency), the usage,
  one row per line item (description, quantity, unit price or percentage, amount), the
  subtotal, one row per adjustment, then the total. Quote JSON (`quote_json`): `{price,
  type, billing_interval, currency, usage, line_items, subtotal, adjustments,
  unrounded_total, total}`.
- Test text (`tests_text`): one `PASS`/`FAIL` line per test (name, reference, usage,
  total); under a failure, the expected and actual totals with the difference, each line
  difference, the actual line items, or the error that kept it from being priced; last, one
  summary line. Test JSON (`tests_json`): `{environment, passed, summary {tests, passed,
  failed}, tests: [{name, description, price, usage, currency, expected_total,
  actual_total, difference, passed, error, line_differences, quote}]}`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from alguna_pricing.model.currency import shown_amount
from alguna_pricing.periods import one_off_period
from alguna_pricing.quote import LineItem, Quote
from alguna_pricing.usage import Usage
from alguna_pricing.usage_fields import read_fields
from reconciler.commands.pricing_tests import LineDifference, PricingTestResult, PricingTestRun
from reconciler.model import ExpectedLine, PricingTest
from reconciler.pricing.quoting import PriceQuote
from reconciler.pricing.refs import ResolvedPrice
from reconciler.report.templating import Painter, painter

Row = tuple[str, str, str, str]


def number(value: Decimal) -> str:
    """`value` in fixed-point notation, exactly (never `1E+3`)."""
    return format(value, "f")


def money(value: Decimal, currency: str) -> str:
    """An amount in `currency`, as every quote and test report writes it."""
    return number(shown_amount(value, currency))


def signed_plain(value: Decimal) -> str:
    """`number` with its sign always shown: `+1234.50`, `-0.05`, `+0.00` (no grouping, so
    it reads like the other figures of a quote; `money_table.signed_grouped` differs)."""
    if value == 0:
        value = abs(value)  # -0.00 reads +0.00, not +-0.00
    return ("+" if value >= 0 else "") + number(value)


# ---- usage ------------------------------------------------------------------------------


def usage_fields(usage: Usage, reads: frozenset[str]) -> dict[str, Any]:
    """The usage fields a model reads (JSON-ready), plus `period` when not the first."""
    out: dict[str, Any] = {}
    if "quantity" in reads:
        out["quantity"] = number(usage.quantity)
    if "volume" in reads:
        out["volume"] = number(usage.volume)
    if "count" in reads:
        out["count"] = usage.transactions
    if "metrics" in reads:
        out["metrics"] = {key: number(value) for key, value in sorted(usage.metrics.items())}
    if "groups" in reads:
        out["groups"] = [
            {
                "properties": dict(group.properties),
                "quantity": number(group.quantity),
                "volume": number(group.volume),
                "count": group.transactions,
            }
            for group in usage.groups
        ]
    if usage.period_index:
        out["period"] = usage.period_index
    return out


def declared_usage(test: PricingTest) -> dict[str, Any]:
    """The usage a test declares (JSON-ready), whatever the price reads."""
    out: dict[str, Any] = {}
    if test.quantity is not None:
        out["quantity"] = number(test.quantity)
    if test.volume is not None:
        out["volume"] = number(test.volume)
    if test.count is not None:
        out["count"] = test.count
    if test.metrics is not None:
        out["metrics"] = {key: number(value) for key, value in sorted(test.metrics.items())}
    if test.period:
        out["period"] = test.period
    return out


def usage_phrase(fields: dict[str, Any]) -> str:
    """`quantity 25`, `volume 12000, count 40`, `metrics gpu_seconds=7200`, `no usage`."""
    parts: list[str] = []
    for name, value in fields.items():
        if name == "metrics":
            shown = " ".join(f"{k}={v}" for k, v in value.items()) or "(none)"
            parts.append(f"metrics {shown}")
        elif name == "groups":
            parts.append("; ".join(map(_group_phrase, value)) or "no groups")
        else:
            parts.append(f"{name} {value}")
    return ", ".join(parts) or "no usage"


def _group_phrase(group: dict[str, Any]) -> str:
    """`region=eu plan=pro: quantity 250` (only the non-zero amounts)."""
    props = " ".join(f"{k}={v}" for k, v in group["properties"].items()) or "(no properties)"
    amounts = [
        f"{k} {group[k]}" for k in ("quantity", "volume", "count") if group[k] not in (0, "0")
    ]
    return f"{props}: {', '.join(amounts) or 'nothing'}"


# ---- quotes -----------------------------------------------------------------------------


def line_json(line: LineItem, currency: str) -> dict[str, Any]:
    tier = line.tier
    return {
        "kind": line.kind,
        "description": line.description,
        "quantity": number(line.quantity),
        "unit_amount": None if line.unit_amount is None else number(line.unit_amount),
        "percentage": None if line.percentage is None else number(line.percentage),
        "amount": money(line.amount, currency),
        "tier": None
        if tier is None
        else {"index": tier.index, "lower": tier.lower, "upper": tier.upper},
        "interval": line.interval,
    }


def quote_data(quote: Quote) -> dict[str, Any]:
    """The engine's `Quote` as JSON-ready data, decimals as strings."""
    currency = quote.currency
    return {
        "currency": currency,
        "line_items": [line_json(line, currency) for line in quote.line_items],
        "subtotal": money(quote.subtotal, currency),
        "adjustments": [
            {
                "kind": a.kind,
                "description": a.description,
                "amount": money(a.amount, currency),
            }
            for a in quote.adjustments
        ],
        "unrounded_total": money(quote.unrounded_total, currency),
        "total": money(quote.total, currency),
    }


def priced_data(priced: PriceQuote) -> dict[str, Any]:
    price = priced.price
    return {
        "price": priced.ref,
        "type": price.type,
        "billing_interval": price.billing_interval,
        "usage": usage_fields(priced.usage, read_fields(price)),
        **quote_data(priced.quote),
    }


def quote_json(priced: PriceQuote) -> str:
    return json.dumps(priced_data(priced), indent=2, ensure_ascii=False) + "\n"


def _rate(line: LineItem) -> str:
    if line.percentage is not None:
        return f"{number(line.percentage)} %"
    return "" if line.unit_amount is None else number(line.unit_amount)


def _line_rows(quote: Quote, empty: str = "nothing is charged at this usage") -> list[Row]:
    rows: list[Row] = [("line", "quantity", "rate", "amount")]
    for line in quote.line_items:
        label = line.description
        if line.interval is not None:
            label += f" (invoiced {line.interval})"
        amount = money(line.amount, quote.currency)
        rows.append((label, number(line.quantity), _rate(line), amount))
    if not quote.line_items:
        zero = money(Decimal(0), quote.currency)
        rows.append((f"(no line: {empty})", "", "", zero))
    rows.append(("subtotal", "", "", money(quote.subtotal, quote.currency)))
    for adjustment in quote.adjustments:
        shown = shown_amount(adjustment.amount, quote.currency)
        rows.append((adjustment.description, "", "", signed_plain(shown)))
    total = money(quote.total, quote.currency)
    rows.append((f"total ({quote.currency}, rounded half up)", "", "", total))
    return rows


def _table(rows: Sequence[Row], indent: str = "  ") -> list[str]:
    """Left-aligned first column, right-aligned numbers; no trailing spaces."""
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    out = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in range(1, 4)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _empty(priced: PriceQuote) -> str:
    """Why a quote has no line."""
    if priced.one_off and priced.usage.period_index != one_off_period(priced.price):
        return f"a one-off price is charged once, in period {one_off_period(priced.price)}"
    return "nothing is charged at this usage"


def quote_text(priced: PriceQuote) -> str:
    price = priced.price
    usage = usage_phrase(usage_fields(priced.usage, read_fields(price)))
    lines = [
        f"{priced.ref}: {price.type}, billed {price.billing_interval}, in {priced.currency}",
        f"usage: {usage}",
        "",
        *_table(_line_rows(priced.quote, _empty(priced))),
    ]
    return "\n".join(lines) + "\n"


# ---- test reports ------------------------------------------------------------------------


def _expected_json(line: ExpectedLine | None) -> dict[str, Any] | None:
    if line is None:
        return None
    return {
        "description": line.description,
        "amount": number(line.amount),
        "quantity": None if line.quantity is None else number(line.quantity),
    }


def _actual_json(line: LineItem | None) -> dict[str, Any] | None:
    if line is None:
        return None
    return {
        "description": line.description,
        "amount": number(line.amount),
        "quantity": number(line.quantity),
    }


def difference_json(diff: LineDifference) -> dict[str, Any]:
    return {
        "position": diff.position,
        "problem": diff.problem,
        "fields": list(diff.fields),
        "expected": _expected_json(diff.expected),
        "actual": _actual_json(diff.actual),
    }


def result_data(result: PricingTestResult) -> dict[str, Any]:
    test, priced = result.test, result.priced
    difference = result.difference
    return {
        "name": result.name,
        "description": test.description,
        "price": test.price,
        "usage": declared_usage(test),
        "currency": priced.currency if priced is not None else test.currency,
        "expected_total": number(test.expected_total),
        "actual_total": money(priced.quote.total, priced.currency) if priced is not None else None,
        "difference": None if difference is None else number(difference),
        "passed": result.passed,
        "error": result.error,
        "line_differences": [difference_json(d) for d in result.line_differences],
        "quote": quote_data(priced.quote) if priced is not None else None,
    }


def tests_json(run: PricingTestRun) -> str:
    payload = {
        "environment": run.environment,
        "passed": run.ok,
        "summary": {"tests": len(run.results), "passed": run.passed, "failed": run.failed},
        "tests": [result_data(result) for result in run.results],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _shown(line: ExpectedLine | LineItem) -> str:
    return f'"{line.description}" {number(line.amount)}'


def difference_text(diff: LineDifference) -> str:
    """One line difference in words."""
    where = f"line {diff.position}"
    if diff.problem == "missing" and diff.expected is not None:
        return f"{where}: expected {_shown(diff.expected)}, but the quote has no such line"
    if diff.problem == "unexpected" and diff.actual is not None:
        return f"{where}: not expected, the quote has {_shown(diff.actual)}"
    assert diff.expected is not None and diff.actual is not None
    parts = []
    for field in diff.fields:
        if field == "description":
            parts.append(
                f'description expected "{diff.expected.description}",'
                f' actual "{diff.actual.description}"'
            )
        elif field == "amount":
            parts.append(
                f"amount expected {number(diff.expected.amount)},"
                f" actual {number(diff.actual.amount)}"
            )
        elif diff.expected.quantity is not None:
            parts.append(
                f"quantity expected {number(diff.expected.quantity)},"
                f" actual {number(diff.actual.quantity)}"
            )
    return f'{where} ("{diff.actual.description}"): ' + "; ".join(parts)


def _failure_lines(result: PricingTestResult) -> list[str]:
    test, priced = result.test, result.priced
    if priced is None:
        return [f"could not be priced: {result.error}"]
    total, currency = priced.quote.total, priced.currency
    out: list[str] = []
    if not result.total_matches:
        difference = result.difference
        assert difference is not None
        out += [
            f"expected total {number(test.expected_total)} {currency}",
            f"actual total   {money(total, currency)} {currency}"
            f" (difference {signed_plain(shown_amount(difference, currency))})",
        ]
    else:
        out.append(f"total {money(total, currency)} {currency} as expected")
    out += [difference_text(d) for d in result.line_differences]
    out.append("actual line items:")
    out += _table(_line_rows(priced.quote))
    return out


def result_text(result: PricingTestResult, paint: Painter) -> list[str]:
    test, priced = result.test, result.priced
    usage = usage_phrase(declared_usage(test))
    head = f"{result.name}: {test.price}, {usage}"
    if result.passed and priced is not None:
        total = f"{money(priced.quote.total, priced.currency)} {priced.currency}"
        return [f"{paint('PASS', 'bold green')} {head} -> {total}"]
    lines = [f"{paint('FAIL', 'bold red')} {head}"]
    if test.description:
        lines.append(f"     {test.description}")
    lines += [f"     {line}" for line in _failure_lines(result)]
    return lines


def tests_summary(run: PricingTestRun) -> str:
    if not run.results:
        return f"No pricing tests are declared in the catalog (environment {run.environment!r})."
    n = len(run.results)
    return (
        f"Pricing tests: {run.passed} passed, {run.failed} failed, {n} in all"
        f" (environment {run.environment!r})."
    )


def tests_text(run: PricingTestRun, *, color: bool = False) -> str:
    """The report; ANSI colour only when `color`."""
    paint = painter(color)
    lines: list[str] = []
    for result in run.results:
        lines += result_text(result, paint)
    if run.results:
        lines.append("")
    lines.append(tests_summary(run))
    return "\n".join(lines) + "\n"


# ---- references ----------------------------------------------------------------------------


def references_text(prices: Sequence[ResolvedPrice]) -> str:
    """Every price reference, one per line with its model and currency."""
    if not prices:
        return "The catalog declares no prices.\n"
    width = max(len(str(p.ref)) for p in prices)
    lines = [
        f"{str(p.ref).ljust(width)}  {p.price.type}, {p.price.billing_interval},"
        f" {p.currency or 'currency of the seller'}"
        for p in prices
    ]
    return "\n".join(lines) + "\n"


def references_json(prices: Sequence[ResolvedPrice]) -> str:
    payload = [
        {
            "price": str(p.ref),
            "type": p.price.type,
            "billing_interval": p.price.billing_interval,
            "currency": p.currency,
        }
        for p in prices
    ]
    return json.dumps(payload, indent=2) + "\n"
