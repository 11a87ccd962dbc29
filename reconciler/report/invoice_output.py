"""Rendering an invoice preview (`billing invoice preview`): text, line by line, and JSON.

Amounts are shown as the engine computed them: each line exact, the total rounded once to
the currency's minor unit (docs/pricing.md, "Invoices")."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from alguna_pricing.model.currency import shown_amount
from reconciler.commands.invoice_preview import InvoicePreview
from reconciler.commands.invoice_tests import InvoiceTestResult


def invoice_json(preview: InvoicePreview) -> str:
    invoice = preview.invoice
    data: dict[str, Any] = {
        "subscription": preview.subscription,
        "customer": preview.customer,
        "period": preview.period,
        "billing_period_start": preview.start.isoformat(),
        "billing_period_end": preview.end.isoformat(),
        "currency": invoice.currency,
        "lines": [
            {
                "description": line.description,
                "kind": line.kind,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "amount": str(line.amount),
            }
            for line in invoice.lines
        ],
        "subtotal": str(invoice.subtotal),
        "tax": str(invoice.tax),
        "total": str(invoice.total),
    }
    return json.dumps(data, indent=2) + "\n"


def invoice_text(preview: InvoicePreview) -> str:
    invoice = preview.invoice
    code = invoice.currency
    out = [
        f"Invoice preview: subscription {preview.subscription} (customer {preview.customer}),"
        f" period {preview.period}: {preview.start} to {preview.end}, {code}",
        "",
    ]
    width = max((len(line.description) for line in invoice.lines), default=10)
    for line in invoice.lines:
        qty = f"{line.quantity} x {line.unit_price}"
        out.append(
            f"  {line.description:<{width}}  {qty:>28}  {shown_amount(line.amount, code):>14}"
        )
    if not invoice.lines:
        out.append("  (no charges this period)")
    out += [
        "",
        f"  {'subtotal':<{width}}  {'':>28}  {shown_amount(invoice.subtotal, code):>14}",
        f"  {'tax':<{width}}  {'':>28}  {shown_amount(invoice.tax, code):>14}",
        f"  {'total':<{width}}  {'':>28}  {invoice.total:>14} {code}",
    ]
    return "\n".join(out) + "\n"


# ---- invoice tests (`billing test`) -------------------------------------------------------


def _invoice_test_lines(result: InvoiceTestResult) -> list[str]:
    test = result.test
    head = f"{'PASS' if result.passed else 'FAIL'} {result.name}: invoice of"
    head += f" subscription.{test.subscription}, period {test.period}"
    if result.passed and result.preview is not None:
        return [f"{head} -> {result.actual_total} {result.preview.invoice.currency}"]
    out = [head]
    if test.description:
        out.append(f"     {test.description}")
    if result.error is not None:
        out.append(f"     error: {result.error}")
        return out
    assert result.preview is not None
    invoice = result.preview.invoice
    out.append(f"     expected total {test.expected_total} {invoice.currency}")
    out.append(f"     actual total   {invoice.total} {invoice.currency}")
    for diff in result.line_differences:
        want = f'"{diff.expected.description}" {diff.expected.amount}' if diff.expected else "none"
        got = f'"{diff.actual.description}" {diff.actual.amount}' if diff.actual else "none"
        out.append(f"     line {diff.position}: expected {want}, actual {got}")
    out.append("     actual lines:")
    out += [f"       {line.description}  {line.amount}" for line in invoice.lines]
    return out


def with_invoice_tests(report: str, results: Sequence[InvoiceTestResult]) -> str:
    """The pricing tests' text report with the invoice tests' lines and summary added
    before its last (summary) line; unchanged when there are no invoice tests."""
    if not results:
        return report
    body, _, summary = report.rstrip("\n").rpartition("\n")
    passed = sum(r.passed for r in results)
    lines = [line for result in results for line in _invoice_test_lines(result)]
    tally = (
        f"Invoice tests: {passed} passed, {len(results) - passed} failed, {len(results)} in all."
    )
    return "\n".join([*([body] if body else []), *lines, "", tally, summary]) + "\n"


def invoice_test_data(result: InvoiceTestResult) -> dict[str, Any]:
    invoice = result.preview.invoice if result.preview is not None else None
    return {
        "name": result.name,
        "subscription": result.test.subscription,
        "period": result.test.period,
        "expected_total": str(result.test.expected_total),
        "actual_total": None if invoice is None else str(invoice.total),
        "passed": result.passed,
        "error": result.error,
        "line_differences": [
            {
                "position": d.position,
                "expected": None
                if d.expected is None
                else {"description": d.expected.description, "amount": str(d.expected.amount)},
                "actual": None
                if d.actual is None
                else {"description": d.actual.description, "amount": str(d.actual.amount)},
            }
            for d in result.line_differences
        ],
    }


def with_invoice_tests_json(report: str, results: Sequence[InvoiceTestResult]) -> str:
    """The pricing tests' JSON report with `invoice_tests` and `invoice_summary` added;
    `passed` is true only when every test of both kinds passed."""
    payload = json.loads(report)
    passed = sum(r.passed for r in results)
    payload["invoice_summary"] = {
        "tests": len(results),
        "passed": passed,
        "failed": len(results) - passed,
    }
    payload["invoice_tests"] = [invoice_test_data(r) for r in results]
    payload["passed"] = bool(payload["passed"]) and passed == len(results)
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
