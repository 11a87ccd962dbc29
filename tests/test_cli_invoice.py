"""`billing invoice preview` and the catalog's invoice tests, through the CLI, offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main

ROOT = Path(__file__).resolve().parent.parent
USAGE = "catalog/usage/acme-2026-01.jsonl"


def _run(*args: str, project: Path = ROOT) -> Result:
    return CliRunner().invoke(main, ["--project", str(project), *args], env={"BILLING_ENV": None})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "billing.toml", tmp_path / "billing.toml")
    shutil.copytree(ROOT / "catalog", tmp_path / "catalog")
    return tmp_path


def test_the_preview_shows_the_invoice_line_by_line() -> None:
    result = _run("invoice", "preview", "--customer", "acme", "--usage", str(ROOT / USAGE))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "subscription acme_enterprise (customer acme), period 0: 2026-01-01 to 2026-02-01" in out
    # the hand-computed invoice of catalog/invoice_tests.toml (acme_first_month_from_events)
    assert "GPU build runners: GPU runner hours" in out and "2 x 2.40" in out
    assert "Storage: tier 2 (over 1000): all units" in out and "1500 x 0.12" in out
    assert "Card processing: volume" in out and "10000.00 x 0.025" in out
    assert "subscription: discount 10%" in out
    assert out.rstrip().endswith("54850.32 USD")


def test_the_json_preview_of_a_later_cycle() -> None:
    result = _run("invoice", "preview", "--customer", "acme", "--period", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["billing_period_start"], data["billing_period_end"]) == (
        "2026-04-01",
        "2026-05-01",
    )
    # 1,500.00 of support topped up to the 2,500.00 minimum: see catalog/invoice_tests.toml
    assert (data["subtotal"], data["tax"], data["total"]) == ("2500.00", "0", "2500.00")
    assert data["lines"][-1] == {
        "description": "subscription: minimum spend 2500",
        "kind": "minimum_spend",
        "quantity": "1",
        "unit_price": "1000.00",
        "amount": "1000.00",
    }


def test_a_bad_usage_file_names_file_line_and_field(tmp_path: Path) -> None:
    usage = tmp_path / "usage.jsonl"
    usage.write_text(
        '{"customer": "acme", "event_name": "api.request"}\n'
        '{"customer": "acme", "evnt_name": "api.request"}\n'
        '{"customer": "acme", "event_name": "x", "timestamp": "yesterday"}\n'
    )
    result = _run("invoice", "preview", "--customer", "acme", "--usage", str(usage))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        f"{usage}:2: error invoice.usage [evnt_name]: unknown field(s) evnt_name" in result.output
    )
    assert f"{usage}:3: error invoice.usage [timestamp]:" in result.output
    assert ":1:" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--customer", "nobody"), "no customer `nobody` is declared"),
        (("--customer", "acme", "--subscription", "globex_custom"),
         "customer `acme` has no subscription `globex_custom`"),
    ],
)  # fmt: skip
def test_an_unknown_customer_or_subscription_is_an_error(
    args: tuple[str, ...], message: str
) -> None:
    result = _run("invoice", "preview", *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_a_customer_with_several_subscriptions_must_name_one(project: Path) -> None:
    extra = project / "catalog" / "more.toml"
    extra.write_text(
        '[subscriptions.acme_dev]\ncustomer = "acme"\nplan = "developer"\n'
        'contract = { period_type = "monthly_rolling", start_date = 2026-01-01 }\n'
    )
    result = _run("invoice", "preview", "--customer", "acme", project=project)
    assert result.exit_code == 1
    assert "customer `acme` has 2 subscriptions (acme_dev, acme_enterprise)" in result.output


def test_the_example_invoice_tests_pass() -> None:
    result = _run("test")
    assert result.exit_code == 0, result.output
    assert "PASS acme_april_minimum_spend: invoice of subscription.acme_enterprise, period 3" in (
        result.output
    )
    assert "Invoice tests: 3 passed, 0 failed, 3 in all." in result.output


def test_a_wrong_invoice_expectation_fails(project: Path) -> None:
    tests = project / "catalog" / "invoice_tests.toml"
    tests.write_text(
        tests.read_text()
        + '\n[invoice_tests.wrong]\nsubscription = "acme_enterprise"\nperiod = 3\n'
        'expected_total = "2400.00"\n'
    )
    result = _run("test", project=project)
    assert result.exit_code == 1
    assert "FAIL wrong: invoice of subscription.acme_enterprise, period 3" in result.output
    assert "expected total 2400.00 USD" in result.output
    assert "actual total   2500.00 USD" in result.output
    assert "Invoice tests: 3 passed, 1 failed, 4 in all." in result.output
    as_json = json.loads(_run("test", "--format", "json", project=project).output)
    assert as_json["passed"] is False
    assert as_json["invoice_summary"] == {"tests": 4, "passed": 3, "failed": 1}


def test_a_bad_invoice_test_names_file_line_and_field(project: Path) -> None:
    tests = project / "catalog" / "invoice_tests.toml"
    tests.write_text(
        tests.read_text()
        + '\n[invoice_tests.bad]\nsubscription = "acme_nope"\nexpected_total = "1.00"\n'
        '\n[invoice_tests.bad_metric]\nsubscription = "acme_enterprise"\n'
        'usage = { gpu_hours = 3 }\nexpected_total = "1.001"\n'
    )
    result = _run("validate", project=project)
    assert result.exit_code == 1
    out = result.output
    assert "Traceback" not in out
    assert "catalog/invoice_tests.toml:" in out
    assert "invoice_test.subscription [invoice_tests.bad.subscription]" in out
    assert "invoice_test.metric [invoice_tests.bad_metric.usage.gpu_hours]" in out
    assert "invoice_test.expected_precision [invoice_tests.bad_metric.expected_total]" in out
