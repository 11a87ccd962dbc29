"""`plan_markdown` (the PR comment) and `plan_json` (the plan file format)."""

from __future__ import annotations

import datetime as dt
import re

from reconciler.plan import Plan
from reconciler.report.plan_output import plan_json, plan_markdown
from tests.report.plans import (
    AT,
    awkward_name_plan,
    lifecycle_plan,
    mixed_plan,
    repriced_plan,
    subscription_replace_plan,
    unchanged_plan,
)

ALL = (
    mixed_plan,
    unchanged_plan,
    repriced_plan,
    lifecycle_plan,
    subscription_replace_plan,
    awkward_name_plan,
)


CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")


def table_rows(markdown: str) -> list[list[str]]:
    """Every table row, split into cells the way GitHub splits them (on unescaped `|`)."""
    rows = []
    for line in markdown.split("\n"):
        line = line.strip()
        if line.startswith("|") and not line.startswith("| ---"):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            rows.append([c.strip() for c in cells])
    return rows


def test_the_first_line_is_the_marker_ci_looks_for() -> None:
    assert plan_markdown(mixed_plan()).split("\n")[0] == "<!-- alguna-billing plan: test -->"


def test_the_summary_table_counts_every_action() -> None:
    rows = table_rows(plan_markdown(mixed_plan()))
    assert rows[:9] == [
        ["action", "count"],
        ["create", "2"],
        ["update", "1"],
        ["replace", "1"],
        ["new version", "0"],
        ["activate", "0"],
        ["cancel", "0"],
        ["new revision", "1"],
        ["unchanged", "4"],
    ]


def test_warnings_for_replacements_and_errors_come_before_the_changes() -> None:
    text = plan_markdown(mixed_plan())
    changes = text.index("### Changes")
    warning = text.index("> **Warning** (`plan.replace`)\n> product.platform will be replaced")
    assert warning < changes
    refused = plan_markdown(subscription_replace_plan())
    error = refused.index("> **Error** (`plan.subscription_replace`)")
    assert error < refused.index("### Changes")


def test_each_change_lists_its_fields_in_a_details_table_money_first() -> None:
    text = plan_markdown(repriced_plan())
    assert "- `+` `plan.starter` **new revision** (id `pla_starter`):" in text
    assert "<details><summary>4 fields</summary>" in text
    rows = table_rows(text)
    at = rows.index(["path", "before", "after"])
    # Plan-level terms cannot be read back: they show only in the digest (`revision`).
    assert rows[at + 1 : at + 4] == [
        ["`items[api].price.tiers[0].price_per_unit`", "`0.1`", "`0.08`"],
        ["`items[platform].price.price_per_unit`", "`49`", "`59`"],
        ["`description`", "`(none)`", '`"For small teams"`'],
    ]
    assert rows[at + 4][0] == "`revision`"


def test_a_replacement_row_says_so_and_a_create_shows_its_outline() -> None:
    text = plan_markdown(mixed_plan())
    assert '| `payment_terms` | `"advance"` | `"arrears"` (forces replacement) |' in text
    assert "<details><summary>declared values</summary>" in text
    assert '  ```text\n  name: "Acme Corp"' in text


def test_unmanaged_objects_are_in_a_details_block() -> None:
    text = plan_markdown(mixed_plan())
    block = text[text.index("<details><summary>2 unmanaged live objects</summary>") :]
    assert "`billing import` adopts them" in block
    assert ["customer", "`zed`", "`C9`", "zed\\|&lt;co&gt;"] in table_rows(block)


def test_values_cannot_break_the_table_or_open_html() -> None:
    text = plan_markdown(awkward_name_plan())
    row = next(r for r in table_rows(text) if r[0] == "`name`")
    assert len(row) == 3  # the `|` in the value did not add a cell
    assert row[2] == '``"Plat\\|form <b>*x*</b> `y`"``'  # a code span: `<b>` is literal text
    outside_code = CODE_SPAN.sub("", text)
    assert "<b>" not in outside_code and "*x*" not in outside_code


def test_rendering_is_stable_and_has_no_trailing_whitespace() -> None:
    for make in ALL:
        text = plan_markdown(make())
        assert plan_markdown(make()) == text
        assert text.endswith("\n") and not text.endswith("\n\n")
        assert all(line == line.rstrip() for line in text.split("\n")), make.__name__


def test_only_the_plan_id_and_time_differ_between_plans_of_equal_content() -> None:
    first, second = mixed_plan(AT), mixed_plan(AT + dt.timedelta(hours=5))
    assert first.changes == second.changes and first.plan_id != second.plan_id
    a, b = plan_markdown(first).split("\n"), plan_markdown(second).split("\n")
    assert len(a) == len(b)
    differing = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    assert differing
    for x, y in differing:
        assert first.plan_id in x and "2026-05-01T12:00:00Z" in x
        assert second.plan_id in y and "2026-05-01T17:00:00Z" in y


def test_plan_json_is_the_plan_file_format_and_round_trips() -> None:
    for make in ALL:
        plan = make()
        text = plan_json(plan)
        assert text == plan.model_dump_json(indent=2) + "\n"
        assert Plan.model_validate_json(text) == plan
