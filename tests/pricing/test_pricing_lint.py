"""Pricing lint in `billing validate`: warnings for valid but suspicious prices.

Each folder under `lint_catalogs/` is a minimal project with a `# warn:` comment on every
line that must be flagged and an `expected.toml` listing those warnings (code, file, line,
field). Validate must exit 0 (warnings never fail it) and report exactly those warnings.
The unit tests below pin what must *not* be flagged: the usual ways of writing prices.
"""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from alguna_pricing.model.prices import (
    Discount,
    FixedPrice,
    GraduatedTieredPrice,
    PrepaidTieredPrice,
    Spend,
    TieredPercentagePrice,
    TieredPrice,
    UnitPrice,
    VolumePercentagePrice,
)
from reconciler.catalog.pricing_lint import lint_price
from reconciler.cli import main
from tests.pricing.builders import pct_tiers, unit_tiers

CASES_DIR = Path(__file__).parent / "lint_catalogs"
CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "expected.toml").is_file())
DOCS = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"
LINT_MODULES = [
    Path(__file__).resolve().parents[2] / "reconciler" / "catalog" / name
    for name in ("pricing_lint.py", "tier_lint.py")
]


def _expected(case: Path) -> dict[str, Any]:
    return tomllib.loads((case / "expected.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_lint_case(case: Path) -> None:
    spec = _expected(case)
    result = CliRunner().invoke(
        main, ["--project", str(case), "validate", "--format", "json"], env={"BILLING_ENV": None}
    )
    assert result.exit_code == 0, result.output  # warnings never fail validate
    payload = json.loads(result.stdout)
    assert payload["valid"] is True
    reported = {
        (d["code"], d["file"], d["line"], d["field"])
        for d in payload["diagnostics"]
        if d["severity"] == "warning"
    }
    expected = {(e["code"], e["file"], e["line"], e["field"]) for e in spec["expect"]}
    assert expected, "a case lists at least one warning"
    assert reported == expected, spec["description"]
    assert all(d["severity"] == "warning" for d in payload["diagnostics"])


def test_text_output_shows_the_warning_and_exits_0() -> None:
    result = CliRunner().invoke(
        main,
        ["--project", str(CASES_DIR / "lint_rate_rises"), "validate"],
        env={"BILLING_ENV": None},
    )
    assert result.exit_code == 0
    assert "warning lint.rate_rises [plans.pro.items[0].price.tiers[1].price_per_unit]" in (
        result.output
    )
    assert "0 error(s), 2 warning(s)" in result.output


def _module_codes() -> set[str]:
    text = "".join(module.read_text(encoding="utf-8") for module in LINT_MODULES)
    return set(re.findall(r'"(lint\.[a-z_]+)"', text))


def test_every_lint_code_has_a_case_and_a_doc_entry() -> None:
    codes = _module_codes()
    assert len(codes) >= 10
    covered = {e["code"] for case in CASES for e in _expected(case)["expect"]}
    assert codes <= covered, f"no lint case for {sorted(codes - covered)}"
    docs = DOCS.read_text(encoding="utf-8")
    for code in codes:
        assert f"`{code}` (warning)" in docs, f"{code} is not in docs/catalog.md as a warning"


# ---- what is not flagged --------------------------------------------------------------


def _codes(price: Any, currency: str | None = "USD") -> list[str]:
    return [code for _path, code, _message in lint_price(price, currency)]


def test_a_free_allowance_in_graduated_pricing_is_not_flagged() -> None:
    # The example's developer plan: first 100,000 requests free, then falling rates.
    price = GraduatedTieredPrice(
        type="graduated_tiered",
        billing_interval="monthly",
        tiers=unit_tiers((100_000, "0"), (10_000_000, "0.0005"), (None, "0.0003")),
    )
    assert _codes(price) == []


def test_falling_rates_are_not_flagged() -> None:
    volume = TieredPrice(
        type="tiered",
        billing_interval="monthly",
        tiers=unit_tiers((100, "0.25"), (1000, "0.20"), (None, "0.15")),
    )
    assert _codes(volume) == []


def test_rising_fee_with_same_rate_is_not_redundant_in_graduated_pricing() -> None:
    price = GraduatedTieredPrice(
        type="graduated_tiered",
        billing_interval="monthly",
        tiers=unit_tiers((10, "1.00"), (None, "1.00", "20")),
    )
    assert "lint.tier_redundant" not in _codes(price)


def test_a_cap_above_every_tier_start_is_not_flagged() -> None:
    price = GraduatedTieredPrice(
        type="graduated_tiered",
        billing_interval="monthly",
        maximum_spend=Spend(amount=D("1000")),
        tiers=unit_tiers((10_000, "0.01"), (None, "0.005")),
    )
    assert _codes(price) == []  # 10,000 x 0.01 = 100 < 1,000: tier 2 still bills


def test_a_prepaid_block_equal_to_the_first_tier_is_not_flagged() -> None:
    price = PrepaidTieredPrice(
        type="prepaid_tiered",
        billing_interval="monthly",
        prepaid_units=1000,
        tiers=unit_tiers((1000, "0.01"), (None, "0.008")),
    )
    assert _codes(price) == []


def test_terms_that_cover_whole_periods_are_not_flagged() -> None:
    monthly = UnitPrice(
        type="unit",
        billing_interval="monthly",
        price_per_unit=D("0.01"),
        trial_days=14,  # the whole first month: the documented reading, not a surprise
        discount=Discount(amount=D(10), duration_type="fixed", duration_value=3),
    )
    yearly = FixedPrice(
        type="fixed",
        billing_interval="yearly",
        price_per_unit=D("1200"),
        trial_days=360,
        discount=Discount(amount=D(10), duration_type="fixed", duration_value=24),
        minimum_spend=Spend(amount=D("1000"), period="yearly"),
    )
    assert _codes(monthly) == []
    assert _codes(yearly) == []


def test_percentage_tiers_and_fees_in_the_currency_are_not_flagged() -> None:
    price = VolumePercentagePrice(
        type="volume_percentage",
        billing_interval="monthly",
        percentage=D("2.9"),
        price_per_unit=D("0.30"),
        fixed_fee=D("9.99"),
    )
    assert _codes(price) == []
    assert _codes(price, None) == []  # a bundle's price: no currency to compare with


def test_malformed_tiers_are_left_to_the_price_rules() -> None:
    price = TieredPrice.model_construct(
        type="tiered",
        billing_interval="monthly",
        tiers=unit_tiers((100, "0.05"), (50, "0.10"), (None, "0.20")),
        maximum_spend=None,
        minimum_spend=None,
        discount=None,
        trial_days=None,
        billing_interval_count=None,
        billing_interval_unit=None,
    )
    assert _codes(price) == []  # `price.tier_order` reports it


def test_a_percentage_cap_counts_the_volume_in_major_units() -> None:
    price = TieredPercentagePrice(
        type="tiered_percentage",
        billing_interval="monthly",
        maximum_spend=Spend(amount=D("500")),
        tiers=pct_tiers((10_000, "3.0"), (50_000, "2.0"), (None, "1.0")),
    )
    hits = lint_price(price, "USD")
    # tier 3 starts at 50,000: 50,000 x 1 % = 500 = the cap; tier 2 at 10,000 x 2 % = 200.
    assert [(path, code) for path, code, _m in hits] == [(("tiers", 2), "lint.tier_unreachable")]
