"""The money review in the plan output: text and Markdown goldens for a price change, the
tables' formatting, the JSON round trip, and the threshold from billing.toml end to end.

Goldens: `goldens/price_change.txt` and `.md`. Regenerate them only on purpose, with
`UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/report/test_money_review.py`, and read
the diff before committing it.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from alguna_pricing.model.prices import ExpressionCharge, ExpressionPrice, Tier
from reconciler.cli import main
from reconciler.model import Item
from reconciler.model.resources import ProductItem
from reconciler.plan import Action, ChargeSample, Plan, PriceReview
from reconciler.report.money_table import amount, money_table, percent, signed_grouped
from reconciler.report.plan_output import plan_json, plan_markdown, plan_text
from tests.builders import EXAMPLE_SETTINGS, copy_example
from tests.diff.catalog import DESIRED, PLANS, TIERS, edit, fixed, graduated, live_of, unit
from tests.report.plans import make, mixed_plan, unchanged_plan

GOLDENS = Path(__file__).parent / "goldens"


def price_change_plan() -> Plan:
    """plan.starter: the second API tier 0.05 -> 0.06 (+16.36 % at 10,000 calls), the
    platform fee 49 -> 54 (+10.20 %: both above the default 10 % threshold) and a storage
    item added; bundle.addons: storage 0.50 -> 0.45. No subscriptions, so that only the
    priced objects change."""
    api = graduated(TIERS[0], Tier(up_to=10000, price_per_unit=D("0.06")), TIERS[2])
    items = (
        Item(product="platform", price=fixed("54")),
        Item(product="api", price=api),
        PLANS["starter"].items[2],
        Item(product="storage", price=unit("0.02")),
    )
    base = DESIRED.model_copy(update={"subscriptions": {}})
    desired = edit(base, "plan", "starter", items=items)
    cheaper = (ProductItem(product="storage", price=unit("0.45")),)
    desired = edit(desired, "bundle", "addons", items=cheaper)
    return make(desired, live_of(base))


def check_golden(name: str, text: str) -> None:
    path = GOLDENS / name
    if os.environ.get("UPDATE_GOLDENS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden {path}: run with UPDATE_GOLDENS=1 once"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden"


def test_text_golden() -> None:
    check_golden("price_change.txt", plan_text(price_change_plan()))


def test_markdown_golden() -> None:
    check_golden("price_change.md", plan_markdown(price_change_plan()))


def test_the_plan_reviews_every_changed_price_and_warns_once() -> None:
    plan = price_change_plan()
    assert [(r.address, r.item) for r in plan.review] == [
        ("bundle.addons", "items[storage]"),
        ("plan.starter", "items[api]"),
        ("plan.starter", "items[platform]"),
        ("plan.starter", "items[storage]"),
    ]
    warnings = [d for d in plan.diagnostics if d.code == "plan.price_increase"]
    assert [d.field for d in warnings] == [
        "plan.starter.items[api]",  # +16.36 % at 10,000 calls
        "plan.starter.items[platform]",  # +10.20 %
    ]
    assert "+16.36% (at quantity 10,000: 550.00 → 640.00 USD" in warnings[0].message
    assert "+10.20%" in warnings[1].message and "49.00 → 54.00 USD" in warnings[1].message


def test_the_money_comes_before_any_field_in_text() -> None:
    text = plan_text(price_change_plan())
    money = text.index("Money: the charge per billing period before and after")
    assert money < text.index("  ~ bundle.addons  (update") < text.index("items[storage].price")
    block = text[money : text.index("  ~ bundle.addons  (update")]
    assert "  plan.starter items[platform]  (fixed, USD per billing period)\n" in block
    assert "      quantity  before  after  change        %\n" in block
    assert "           any   49.00  54.00   +5.00  +10.20%\n" in block
    # the added item: no before, its whole charge as the change, no percentage
    assert "  plan.starter items[storage]  (added, unit, USD per billing period)\n" in block
    assert "         1,000  (none)  20.00  +20.00  n/a\n" in block


def test_markdown_puts_the_warning_up_front_and_money_before_fields() -> None:
    text = plan_markdown(price_change_plan())
    warning = text.index("> **Warning** (`plan.price_increase`)")
    changes = text.index("### Changes")
    starter = text.index("- `+` `plan.starter` **new revision**")
    money = text.index("**Money** `items[api]`: graduated\\_tiered, USD per billing period")
    fields = text.index("<details><summary>", starter)
    assert warning < changes < starter < money < fields
    assert "| quantity | before | after | change | % |" in text
    assert "| 10,000 | 550.00 | 640.00 | +90.00 | +16.36% |" in text


def test_a_plan_without_price_changes_has_no_money_section() -> None:
    for plan in (
        unchanged_plan(),
        make(edit(DESIRED, "product", "api", name="Calls"), live_of(DESIRED)),
    ):
        assert plan.review == ()
        assert "Money" not in plan_text(plan) and "**Money**" not in plan_markdown(plan)
        assert "review" not in json.loads(plan_json(plan))  # byte for byte as before


def test_a_plan_with_review_round_trips_through_json() -> None:
    for plan in (price_change_plan(), mixed_plan()):
        assert plan.review
        text = plan_json(plan)
        assert Plan.model_validate_json(text) == plan
        data = json.loads(text)
        assert list(data)[-1] == "review"
        first = data["review"][0]["samples"][1]
        assert isinstance(first["before"], str) and isinstance(first["difference"], str)


def test_a_price_that_cannot_be_priced_shows_why_instead_of_a_table() -> None:
    divide = ExpressionCharge(
        description="calls", quantity_expression="1", unit_price_expression="10 / usage.api_calls"
    )
    bad = ExpressionPrice(type="expression", billing_interval="monthly", charges=(divide,))
    base = DESIRED.model_copy(update={"subscriptions": {}})
    items = (*PLANS["starter"].items[::2], Item(product="api", price=bad))
    plan = make(edit(base, "plan", "starter", items=items), live_of(base))
    text = plan_text(plan)
    assert (
        "  plan.starter items[api]  (graduated_tiered -> expression, USD per billing period)\n"
        in text
    )
    assert "      could not be priced: " in text and "division by zero" in text
    assert "quantity  before" not in text
    assert "could not be priced" in plan_markdown(plan)


# ---- formatting and invariants ----------------------------------------------------------


def test_table_cells() -> None:
    assert amount(D("1234567.50")) == "1,234,567.50" and amount(None) == "(none)"
    assert signed_grouped(D("5.00")) == "+5.00" and signed_grouped(D("-0.05")) == "-0.05"
    assert signed_grouped(D("0.00")) == "0.00" and signed_grouped(D("-0.00")) == "0.00"
    assert percent(D("20.41")) == "+20.41%" and percent(None) == "n/a"


def review(*samples: ChargeSample, **fields: object) -> PriceReview:
    data: dict[str, object] = {
        "address": "plan.starter",
        "action": Action.UPDATE,
        "item": "items[api]",
        "currency": "USD",
        "before_type": "volume_percentage",
        "after_type": "volume_percentage",
        "basis": "volume",
        "samples": samples,
        **fields,
    }
    return PriceReview.model_validate(data)


def test_volume_rows_show_the_transactions_and_test_names() -> None:
    sample = ChargeSample(
        quantity=D("10000.01"),
        transactions=100,
        note="past a bound, test big_month",
        before=D("320.00"),
        after=D("325.00"),
        difference=D("5.00"),
        percent_change=D("1.56"),
    )
    table = money_table(review(sample, max_increase_percent=D("1.56"), period_index=1))
    assert table.header[0] == "volume"
    assert table.rows == (
        ("10,000.01 (100 tx) [test big_month]", "320.00", "325.00", "+5.00", "+1.56%"),
    )
    assert "billing period 2, the first after the trial" in table.details


def test_the_review_types_refuse_inconsistent_values() -> None:
    with pytest.raises(ValidationError, match="difference"):
        ChargeSample(before=D("1.00"), after=D("2.00"), difference=D("3.00"))
    with pytest.raises(ValidationError, match="percent_change"):
        ChargeSample(before=D("0.00"), after=D("2.00"), difference=D("2.00"), percent_change=D(1))
    rise = ChargeSample(
        before=D("1.00"), after=D("2.00"), difference=D("1.00"), percent_change=D(100)
    )
    with pytest.raises(ValidationError, match="max_increase_percent"):
        review(rise)
    with pytest.raises(ValidationError, match="at least one side"):
        review(before_type=None, after_type=None)
    plan = price_change_plan()
    stray = review(rise, max_increase_percent=D(100), address="plan.other")
    with pytest.raises(ValidationError, match="price reviews name changes"):
        Plan(**{**dict(plan), "review": (*plan.review, stray)})


# ---- billing.toml [review] end to end ----------------------------------------------------


def plan_with_fee(tmp_path: Path, settings_extra: str) -> dict[str, object]:
    """Apply a copy of the example project in `tmp_path` (with an active subscription on
    growth: a plan read cannot show growth's old prices, the subscription's published
    version does), raise growth's platform fee 49.00 -> 53.00 (+8.16 %), add
    `settings_extra` to billing.toml and plan again (JSON)."""
    copy_example(tmp_path)
    with (tmp_path / "catalog" / "subscriptions.toml").open("a", encoding="utf-8") as file:
        file.write(
            '\n[subscriptions.acme_growth]\ncustomer = "acme"\nplan = "growth"\n'
            'contract = { period_type = "monthly_rolling", start_date = 2026-02-01 }\n'
            "activate = true\n"
        )
    settings = EXAMPLE_SETTINGS.read_text(encoding="utf-8")
    runner = CliRunner()
    env = {"BILLING_ENV": None, "NO_COLOR": "1"}
    applied = runner.invoke(main, ["--project", str(tmp_path), "apply", "--auto-approve"], env=env)
    assert applied.exit_code == 0, applied.output
    raised = settings.replace('growth_base_fee = "49.00"', 'growth_base_fee = "53.00"', 1)
    (tmp_path / "billing.toml").write_text(raised + settings_extra, encoding="utf-8")
    planned = runner.invoke(main, ["--project", str(tmp_path), "plan", "--format", "json"], env=env)
    assert planned.exit_code == 0, planned.output
    data: dict[str, object] = json.loads(planned.stdout)
    return data


def increase_codes(data: dict[str, object]) -> list[str]:
    diagnostics = data["diagnostics"]
    assert isinstance(diagnostics, list)
    return [d["field"] for d in diagnostics if d["code"] == "plan.price_increase"]


def test_the_threshold_comes_from_billing_toml_per_environment(tmp_path: Path) -> None:
    data = plan_with_fee(tmp_path / "default", "")
    reviews = data["review"]
    assert isinstance(reviews, list)
    fee = next(r for r in reviews if r["item"] == "items[platform_fee]")
    assert (fee["address"], fee["max_increase_percent"]) == ("plan.growth", "8.16")
    assert increase_codes(data) == []  # 8.16 % is under the default 10 %

    override = (
        "\n[review]\nprice_increase_warning_percent = 20\n"
        "\n[environments.local.review]\nprice_increase_warning_percent = 8\n"
    )
    data = plan_with_fee(tmp_path / "override", override)
    assert increase_codes(data) == ["plan.growth.items[platform_fee]"]
