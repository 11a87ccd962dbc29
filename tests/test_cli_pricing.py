"""`billing test` and `billing quote` through the CLI: offline, exit codes, reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.builders import REPO, copy_example

WRONG_TEST = """
[tests.seats_wrong]
description = "A deliberately wrong expectation."
price = "plan.growth.seats"
quantity = 25
expected_total = "300.00"

[[tests.seats_wrong.lines]]
description = "tier 1 (over 0, up to 3)"
amount = "0"

[[tests.seats_wrong.lines]]
description = "tier 2 (over 3, up to 20)"
amount = "250"
"""


def _run(*args: str, project: Path = REPO) -> Result:
    return CliRunner().invoke(main, ["--project", str(project), *args], env={"BILLING_ENV": None})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the example project (no emulator database: nothing is opened)."""
    return copy_example(tmp_path)


def _no_api_was_opened(project: Path) -> None:
    assert not (project / ".billing").exists(), "an offline command opened the embedded API"


# ---- billing test -----------------------------------------------------------------------


@pytest.mark.parametrize("env", ["local", "sandbox", "production"])
def test_the_example_tests_pass_in_every_environment(env: str, project: Path) -> None:
    result = _run("test", "--env", env, project=project)
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert "PASS growth_seats_25: plan.growth.seats, quantity 25 -> 315.00 USD" in result.output
    assert result.output.rstrip().endswith(f"0 failed, 5 in all (environment '{env}').")
    _no_api_was_opened(project)


def test_a_wrong_expectation_fails_with_a_clear_report(project: Path) -> None:
    tests_file = project / "catalog" / "pricing_tests.toml"
    tests_file.write_text(tests_file.read_text(encoding="utf-8") + WRONG_TEST, encoding="utf-8")
    result = _run("test", project=project)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    report = result.output
    assert "FAIL seats_wrong: plan.growth.seats, quantity 25" in report
    assert "A deliberately wrong expectation." in report
    assert "expected total 300.00 USD" in report
    assert "actual total   315.00 USD (difference +15.00)" in report
    assert 'line 2 ("tier 2 (over 3, up to 20)"): amount expected 250, actual 255' in report
    assert 'line 3: not expected, the quote has "tier 3 (over 20)" 60' in report
    assert "PASS growth_seats_25" in report  # the others still run and pass
    assert report.rstrip().endswith(
        "Pricing tests: 5 passed, 1 failed, 6 in all (environment 'local')."
    )


def test_the_json_report(project: Path) -> None:
    tests_file = project / "catalog" / "pricing_tests.toml"
    tests_file.write_text(tests_file.read_text(encoding="utf-8") + WRONG_TEST, encoding="utf-8")
    result = _run("test", "--format", "json", project=project)
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["passed"] is False
    assert payload["summary"] == {"tests": 6, "passed": 5, "failed": 1}
    wrong = next(t for t in payload["tests"] if t["name"] == "seats_wrong")
    assert wrong["expected_total"] == "300.00"
    assert wrong["actual_total"] == "315.00"
    assert wrong["difference"] == "15.00"
    assert wrong["usage"] == {"quantity": "25"}
    assert [d["problem"] for d in wrong["line_differences"]] == ["different", "unexpected"]
    assert wrong["line_differences"][0]["fields"] == ["amount"]
    assert wrong["quote"]["total"] == "315.00"
    assert [line["amount"] for line in wrong["quote"]["line_items"]] == ["0.00", "255.00", "60.00"]


def test_no_tests_declared_passes(project: Path) -> None:
    (project / "catalog" / "pricing_tests.toml").unlink()
    result = _run("test", project=project)
    assert result.exit_code == 0
    assert "No pricing tests are declared" in result.output


def test_a_catalog_error_exits_1_with_the_diagnostic(project: Path) -> None:
    (project / "catalog" / "zz.toml").write_text(
        '[tests.bad]\nprice = "plan.growth.nothing"\nquantity = 1\nexpected_total = "1"\n',
        encoding="utf-8",
    )
    result = _run("test", project=project)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "catalog/zz.toml:2: error test.price_unknown [tests.bad.price]" in result.output
    validate = _run("validate", project=project)
    assert validate.exit_code == 1
    assert "test.price_unknown" in validate.output
    as_json = _run("test", "--format", "json", project=project)
    assert as_json.exit_code == 1
    payload = json.loads(as_json.stdout)
    assert payload["valid"] is False
    assert [d["code"] for d in payload["diagnostics"]] == ["test.price_unknown"]


# ---- billing quote ----------------------------------------------------------------------


def test_quote_prints_the_line_items_tier_by_tier(project: Path) -> None:
    result = _run("quote", "plan.growth.seats", "--quantity", "25", project=project)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "plan.growth.seats: graduated_tiered, billed monthly, in USD"
    assert lines[1] == "usage: quantity 25"
    body = "\n".join(lines[3:])
    assert "tier 1 (over 0, up to 3)" in body
    assert "tier 2 (over 3, up to 20)           17    15  255.00" in body
    assert lines[-1].split() == ["total", "(USD,", "rounded", "half", "up)", "315.00"]
    _no_api_was_opened(project)


def test_quote_shows_terms_as_adjustments() -> None:
    result = _run("quote", "plan.enterprise.gpu_runners", "--metric", "gpu_seconds=18_000_000")
    assert result.exit_code == 0, result.output
    assert "maximum spend 10000" in result.output
    assert "-2000.00" in result.output
    assert result.output.rstrip().endswith("10000.00")


def test_quote_json() -> None:
    result = _run(
        "quote",
        "plan.enterprise.payments.card_processing",
        "--volume",
        "12000.00",
        "--count",
        "40",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["price"] == "plan.enterprise.payments.card_processing"
    assert payload["type"] == "volume_percentage"
    assert payload["usage"] == {"volume": "12000.00", "count": 40}
    assert payload["total"] == "310.00"  # 2.5 % x 12,000 + 40 x 0.25
    kinds = [(line["kind"], line["amount"]) for line in payload["line_items"]]
    # one money format per currency: not "300.000" beside "10.00"
    assert kinds == [("percentage", "300.00"), ("transactions", "10.00")]
    assert payload["line_items"][0]["percentage"] == "2.5"


def test_quote_a_subscription_version() -> None:
    ref = "subscription.acme_enterprise.versions[2026-07-01].api_requests"
    result = _run("quote", ref, "--quantity", "600000000", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["total"] == "92000.00"
    assert [line["interval"] for line in payload["line_items"]] == [None, "quarterly", "quarterly"]


def test_quote_without_a_reference_lists_every_price() -> None:
    result = _run("quote")
    assert result.exit_code == 0
    assert "plan.growth.seats" in result.output
    assert "bundle.payments.payouts" in result.output
    assert "subscription.acme_enterprise.versions[2026-07-01].api_requests" in result.output
    listed = json.loads(_run("quote", "--format", "json").stdout)
    assert {
        "price": "plan.growth.seats",
        "type": "graduated_tiered",
        "billing_interval": "monthly",
        "currency": "USD",
    } in listed
    assert {"price": "bundle.payments.payouts", "currency": None}.items() <= next(
        entry for entry in listed if entry["price"] == "bundle.payments.payouts"
    ).items()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan.growth.nothing", "--quantity", "1"], "has no price `plan.growth.nothing`"),
        (["plans.growth.seats"], "is not a price reference"),
        (["plan.growth.seats", "--volume", "10"], "does not read `volume`"),
        (["plan.growth.seats", "--quantity", "ten"], "--quantity 'ten' is not a decimal number"),
        (["plan.growth.seats", "--quantity", "-1"], "must be a finite number >= 0"),
        (["plan.growth.seats", "--count", "1.5"], "--count '1.5' must be a whole number"),
        (["plan.growth.seats", "--count", "2"], "does not read `count`"),
        (["bundle.payments.payouts", "--volume", "10"], "give one"),
        (["plan.growth.seats", "--currency", "EUR"], "bills in USD, not EUR"),
        (["plan.enterprise.gpu_runners"], "usage.gpu_seconds"),
        (["plan.enterprise.gpu_runners", "--metric", "gpu_seconds"], "write KEY=VALUE"),
    ],
)
def test_quote_user_errors_exit_1_without_traceback(args: list[str], message: str) -> None:
    result = _run("quote", *args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert message in result.output


def test_quote_writes_every_amount_in_one_format_per_currency() -> None:
    """Amounts carry the currency's minor-unit decimals and no trailing zeros past them
    (was `100.0` beside `100.00`), but keep the decimals an exact amount has."""
    result = _run("quote", "plan.enterprise.payments.payouts", "--volume", "20000")
    assert result.exit_code == 0, result.output
    amounts = [line.split()[-1] for line in result.output.splitlines()[4:]]
    assert amounts == ["100.00", "100.00", "100.00"]
    fine = _run("quote", "plan.enterprise.payments.payouts", "--volume", "0.10")
    assert "0.0005" in fine.output  # 0.5 % of 0.10, exact
    assert fine.output.rstrip().endswith("0.00")  # the total, rounded to cents


# ---- one-off prices ---------------------------------------------------------------------


def test_a_one_off_price_is_quoted_once(project: Path) -> None:
    """`onboarding` is a one-off product priced with charge_on_contract_start: charged in
    the contract's first period, never again (was 5000.00 in every period)."""
    first = _run("quote", "plan.enterprise.onboarding", project=project)
    assert first.output.rstrip().endswith("5000.00"), first.output
    later = _run("quote", "plan.enterprise.onboarding", "--period", "3", project=project)
    assert later.exit_code == 0, later.output
    assert "a one-off price is charged once, in period 0" in later.output
    assert later.output.rstrip().endswith("0.00") and "5000" not in later.output


def test_billing_test_prices_a_one_off_price_once(project: Path) -> None:
    tests = project / "catalog" / "one_off_tests.toml"
    tests.write_text(
        '[tests.onboarding_at_start]\nprice = "plan.enterprise.onboarding"\n'
        'expected_total = "5000.00"\n\n'
        '[tests.onboarding_later]\nprice = "plan.enterprise.onboarding"\nperiod = 2\n'
        'expected_total = "0.00"\n'
    )
    result = _run("test", "--format", "json", project=project)
    payload = json.loads(result.stdout)
    outcome = {t["name"]: t["passed"] for t in payload["tests"]}
    assert outcome["onboarding_at_start"] and outcome["onboarding_later"], result.stdout
