"""End to end: the emulator's invoice equals `billing invoice preview`, to the cent.

The example catalog (plus one subscription on each of its other plans and one with a
matrix price whose rates change mid-February, so every pricing model is billed: fixed,
unit, tiered, graduated_tiered, prepaid_tiered, prepaid_fixed_tiered, tiered_percentage,
graduated_percentage, volume_percentage, expression, matrix) is applied to the embedded
emulator; one usage file is sent with `billing events send`; the emulator clock is moved
past two billing cycles, which closes them; then each invoice the emulator issued is
compared with the preview of the same subscription, cycle and usage file.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.builders import copy_example
from tests.running import billing, control
from tests.test_cli_live_drift import api

EXTRA = """
[subscriptions.e2e_developer]
customer = "acme"
plan = "developer"
contract = { period_type = "monthly_rolling", start_date = 2026-01-01 }
activate = true

[subscriptions.e2e_growth]
customer = "acme"
plan = "growth"
contract = { period_type = "monthly_rolling", start_date = 2026-01-01 }
activate = true

# A matrix price, with new rates from mid-February (a version change inside a cycle).
[subscriptions.e2e_matrix]
customer = "acme"
contract = { period_type = "monthly_rolling", start_date = 2026-01-01 }
activate = true
{% for effective, eu, other in [("2026-01-01", "0.01", "0.03"), ("2026-02-15", "0.008", "0.02")] %}
[[subscriptions.e2e_matrix.versions]]
effective = {{ effective }}

[[subscriptions.e2e_matrix.versions.items]]
product = "api_requests"
[subscriptions.e2e_matrix.versions.items.price]
type = "matrix"
billing_interval = "monthly"
dimensions = [{ key = "route", label = "Route" }, { key = "region", label = "Region" }]

[[subscriptions.e2e_matrix.versions.items.price.cells]]
label = "X in the EU"
match = { route = "/v1/x", region = "eu" }
type = "unit"
price_per_unit = "{{ eu }}"

[[subscriptions.e2e_matrix.versions.items.price.cells]]
label = "X elsewhere"
match = { route = "/v1/x", region = "*" }
type = "graduated_tiered"
tiers = [{ up_to = 10, price_per_unit = "0.02" }, { price_per_unit = "0.015" }]

[[subscriptions.e2e_matrix.versions.items.price.cells]]
label = "Other routes"
match = { route = "*", region = "*" }
type = "unit"
price_per_unit = "{{ other }}"

[subscriptions.e2e_matrix.versions.items.price.fallback]
label = "No route"
type = "unit"
price_per_unit = "0.05"
{% endfor %}
"""


def _event(n: int, day: str, name: str, **properties: Any) -> dict[str, Any]:
    return {
        "unique_id": f"e2e-{day}-{name}-{n}-" + ",".join(f"{k}={v}" for k, v in properties.items()),
        "customer": "acme",
        "event_name": name,
        "timestamp": f"{day}T09:30:00Z",
        "properties": properties,
    }


def usage_lines() -> list[dict[str, Any]]:
    """January and February usage of every metric (February's is larger)."""
    out: list[dict[str, Any]] = []
    for month, scale in (("2026-01", 1), ("2026-02", 3)):
        day = f"{month}-10"
        regions = ("eu", "us", "apac")
        for when in (day, f"{month}-20"):
            out += [
                _event(n, when, "api.request", mode="live", route="/v1/x", region=regions[n % 3])
                for n in range(40 * scale)
            ]
            out += [
                _event(n, when, "api.request", mode="live", route="/v1/y", region="eu")
                for n in range(7)
            ]
            out += [_event(n, when, "api.request", mode="live") for n in range(4)]  # no route
        out += [_event(n, day, "api.request", mode="test", route="/v1/x") for n in range(5)]
        out += [
            _event(n, day, "auth.session_started", user_id=f"u{n % (7 * scale)}") for n in range(30)
        ]
        out += [_event(n, day, "storage.snapshot", gigabytes=300 * scale + n) for n in range(3)]
        out += [
            _event(n, day, "realtime.connections_sampled", connections=10 * scale + n)
            for n in range(4)
        ]
        out += [
            _event(
                n,
                day,
                "runner.job_finished",
                machine_class="gpu-h100",
                duration_seconds=5400 * scale,
            )
            for n in range(2)
        ]
        out += [_event(0, day, "runner.job_finished", machine_class="cpu", duration_seconds=99999)]
        out += [_event(n, day, "payment.succeeded", amount="1234.56") for n in range(6 * scale)]
        out += [_event(n, day, "payout.sent", amount=250_000 * scale) for n in range(3)]
        out += [_event(n, day, "fx.converted", source_amount=20_000 * scale) for n in range(2)]
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("e2e")
    copy_example(root)
    (root / "catalog" / "e2e_subscriptions.toml").write_text(EXTRA)
    applied = billing(root, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    usage = root / "usage.jsonl"
    usage.write_text("".join(json.dumps(line) + "\n" for line in usage_lines()))
    sent = billing(root, "events", "send", "--file", str(usage))
    assert sent.exit_code == 0, sent.output
    control(root, "PUT", "/clock", {"now": "2026-03-01T12:00:00Z", "frozen": True})
    return root


def emulator_invoice(project: Path, key: str, start: str) -> dict[str, Any]:
    subs = control(project, "GET", "/objects/subscription")["data"]
    (sub,) = [s for s in subs if s["metadata"].get("billing_key") == key]
    listed = api(project, "GET", f"/invoices?subscription_id={sub['id']}&limit=100")["data"]
    (found,) = [i for i in listed if i["billing_period_start"] == f"{start}T00:00:00Z"]
    full: dict[str, Any] = api(project, "GET", f"/invoices/{found['id']}")
    return full


CYCLES = [
    (key, period, start)
    for key in ("acme_enterprise", "e2e_developer", "e2e_growth", "e2e_matrix")
    for period, start in ((0, "2026-01-01"), (1, "2026-02-01"))
]


@pytest.mark.parametrize(("key", "period", "start"), CYCLES)
def test_the_emulator_invoice_equals_the_preview(
    project: Path, key: str, period: int, start: str
) -> None:
    issued = emulator_invoice(project, key, start)
    shown = billing(
        project, "invoice", "preview", "--customer", "acme", "--subscription", key,
        "--period", str(period), "--usage", str(project / "usage.jsonl"), "--format", "json",
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    preview = json.loads(shown.stdout)
    # Issued; an invoice for nothing is paid as issued, the others stay unpaid (no card) and,
    # as each read here is a fresh app at real time, past their due date: overdue.
    unpaid = "paid" if Decimal(issued["total"]) == 0 else "overdue"
    assert issued["issue_date"] is not None and issued["status"] == unpaid
    assert issued["total"] == preview["total"]
    assert issued["subtotal"] == preview["subtotal"]
    assert [(li["description"], li["amount_excluding_tax"]) for li in issued["line_items"]] == [
        (line["description"], line["amount"]) for line in preview["lines"]
    ]


def test_the_cycles_bill_every_model_the_plans_use(project: Path) -> None:
    """The comparison above is not vacuous: the invoices have usage-based lines of each kind
    and different totals across cycles."""
    descriptions = [
        li["description"]
        for key, _, start in CYCLES
        for li in emulator_invoice(project, key, start)["line_items"]
    ]
    text = "\n".join(descriptions)
    for fragment in (
        "prepaid",
        "GPU runner hours",
        "per transaction",
        "tier 2",
        "discount",
        "X in the EU",
        "No route",
        "(2026-02-15)",  # the mid-February version's segment
    ):
        assert fragment in text, fragment
    totals = {emulator_invoice(project, key, start)["total"] for key, _, start in CYCLES}
    assert len(totals) == len(CYCLES)
