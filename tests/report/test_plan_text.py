"""`plan_text`: the Terraform-style terminal output of a plan."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from reconciler.plan import Plan
from reconciler.report.diagnostics import diagnostics_text
from reconciler.report.plan_output import plan_text
from tests.report.plans import (
    lifecycle_plan,
    mixed_plan,
    repriced_plan,
    subscription_replace_plan,
    unchanged_plan,
)

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def block(text: str, header: str) -> list[str]:
    """The lines of the change block whose header line starts with `header` (stripped)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(header))
    end = lines.index("", start)
    return lines[start:end]


def last_line(text: str) -> str:
    assert text.endswith("\n") and not text.endswith("\n\n")
    return text.rstrip("\n").split("\n")[-1]


def test_one_summary_line_at_the_end_with_every_count() -> None:
    text = plan_text(mixed_plan())
    assert last_line(text) == (
        "Plan: 2 to create, 1 to update, 1 to replace, 0 new versions, 0 to activate,"
        " 0 to cancel, 1 new revision (4 unchanged)."
    )
    assert sum(line.startswith("Plan: ") for line in text.split("\n")) == 1


def test_an_empty_plan_says_so_in_its_summary() -> None:
    text = plan_text(unchanged_plan())
    assert last_line(text) == "No changes. The live account matches the catalog (10 unchanged)."
    assert "Symbols:" not in text


def test_the_header_names_the_environment_and_the_plan() -> None:
    plan = mixed_plan()
    first = plan_text(plan).split("\n")[0]
    assert plan.environment in first and plan.plan_id in first
    assert "2026-05-01T12:00:00Z" in first


def test_each_change_has_its_symbol_address_action_and_reason() -> None:
    plan = mixed_plan()
    text = plan_text(plan)
    assert "-/+ product.platform  (replace, id pro_platform)" in text
    assert "  ~ bundle.addons  (update, id bun_addons)" in text
    assert "  + customer.acme  (create)" in text
    for change in plan.changes:
        assert f"      # {change.reason}" in text
    assert "Symbols: + create or new revision, ~ update, -/+ replace" in text


def test_lifecycle_symbols() -> None:
    text = plan_text(lifecycle_plan())
    assert "  + subscription.acme_main.versions[2026-07-01]  (new version)" in text
    assert "  > subscription.acme_main  (activate, id sub_acme_main)" in text
    assert "  x subscription.acme_main  (cancel, id sub_acme_main)" in text
    # activate and cancel show what they flip, from before/after
    assert "      activate: false -> true" in text
    assert '      cancel: (none) -> {"reason": "pricing"}' in text


def test_money_fields_come_first_and_the_rest_keeps_its_order() -> None:
    plan = repriced_plan()
    # the diff sorts by path: the description comes first there
    assert plan.changes[0].fields[0].path == "description"
    rows = block(plan_text(plan), "+ plan.starter")[2:]
    # A new plan revision: plan-level terms (minimum_spend here) cannot be read back, so
    # they show only through the content digest (`revision`), after the money.
    assert rows[:3] == [
        "      items[api].price.tiers[0].price_per_unit: 0.1 -> 0.08",
        "      items[platform].price.price_per_unit: 49 -> 59",
        '      description: (none) -> "For small teams"',
    ]
    assert rows[3].startswith("      revision: ")


def test_forces_replacement_marks_exactly_the_forcing_fields() -> None:
    rows = block(plan_text(mixed_plan()), "-/+ product.platform")[2:]
    assert rows == [
        '      name: "Platform" -> "Platform Pro"',
        '      payment_terms: "advance" -> "arrears"  # forces replacement',
    ]


def test_a_create_shows_an_outline_with_one_line_per_priced_item() -> None:
    lines = block(plan_text(mixed_plan()), "+ subscription.acme_main")
    assert lines[2] == '      customer: "acme", plan: "starter", contract.start_date: "2026-01-01"'
    assert "      version 2026-01-01:" in lines
    api = next(line for line in lines if line.strip().startswith("api "))
    assert "graduated_tiered 0.1 up to 1000 / 0.05 up to 10000 / 0.01 above, monthly" in api
    assert any(line.strip().startswith("platform") and "fixed 49" in line for line in lines)
    assert len(lines) < 10 and not any('"tiers"' in line for line in lines)


def test_unmanaged_objects_are_listed_as_never_touched() -> None:
    text = plan_text(mixed_plan())
    assert "`billing import` adopts them" in text and "never touched" in text
    assert '  metric.legacy  (id mtr_9, natural key "Legacy")' in text
    assert "  customer.zed  (id C9" in text


@pytest.mark.parametrize("make", [mixed_plan, subscription_replace_plan])
def test_diagnostics_are_shown_in_the_diagnostics_style(make: Callable[[], Plan]) -> None:
    plan = make()
    text = plan_text(plan)
    for line in diagnostics_text(plan.diagnostics).split("\n"):
        assert f"  {line}\n" in text


def test_no_ansi_without_color_even_on_a_colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    for make in (mixed_plan, lifecycle_plan, subscription_replace_plan):
        assert "\x1b" not in plan_text(make())


def test_colour_is_added_on_request_and_only_adds_escapes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # the caller decides; plan_text obeys `color`
    plan = mixed_plan()
    coloured = plan_text(plan, color=True)
    assert "\x1b[1;31m-/+\x1b[0m" in coloured  # replace in bold red
    assert "\x1b[32m  +\x1b[0m" in coloured  # create in green
    assert "\x1b[33m  ~\x1b[0m" in coloured  # update in yellow
    assert ANSI.sub("", coloured) == plan_text(plan)
