"""`drift_text`, `drift_markdown`, `drift_json`: the plan read as what changed outside."""

from __future__ import annotations

import json

from reconciler.report.drift_output import drift_json, drift_markdown, drift_text
from tests.report.plans import (
    lifecycle_plan,
    mixed_plan,
    repriced_plan,
    subscription_replace_plan,
    unchanged_plan,
    unreadable_plan,
)


def test_an_update_shows_the_live_value_beside_the_declared_one() -> None:
    text = drift_text(mixed_plan())
    assert "  ~ bundle.addons  (id bun_addons): changed outside the catalog\n" in text
    assert "items[storage].price.price_per_unit  live: 0.5  declared: 0.4\n" in text
    assert 'live: "Add-ons"  declared: "Extras"' in text
    assert 'payment_terms  live: "advance"  declared: "arrears"' in text


def test_every_action_is_framed_as_drift() -> None:
    text = drift_text(mixed_plan())
    assert "  + customer.acme: declared, missing from the live account\n" in text
    text = drift_text(lifecycle_plan())
    assert "+ subscription.acme_main.versions[2026-07-01]: declared version not live" in text
    assert "> subscription.acme_main  (id sub_acme_main): declared active, live is a draft" in text
    assert "x subscription.acme_main  (id sub_acme_main): declared canceled, live is not" in text
    assert "activate  live: false  declared: true" in text


def test_a_plan_whose_content_differs_shows_its_revision_digest() -> None:
    # The plan prices a replaced product and a repriced bundle: its digest differs.
    text = drift_text(mixed_plan())
    assert "  + plan.starter  (id pla_starter): the current plan revision differs" in text
    resources = json.loads(drift_json(mixed_plan()))["resources"]
    starter = next(r for r in resources if r["address"] == "plan.starter")
    assert "content digest its marker records" in starter["description"]


def test_one_summary_line_counting_resources_not_changes() -> None:
    text = drift_text(mixed_plan())
    assert text.endswith("\nDrift: 5 resources differ from the catalog.\n")
    # three changes to one subscription: one resource
    text = drift_text(lifecycle_plan())
    assert text.endswith("\nDrift: 1 resource differs from the catalog.\n")
    assert sum(line.startswith("Drift: ") for line in text.split("\n")) == 1


def test_no_drift() -> None:
    text = drift_text(unchanged_plan())
    assert text.endswith("\n\nNo drift: the live account matches the catalog.\n")
    assert json.loads(drift_json(unchanged_plan()))["drifted"] is False


def test_apply_guards_are_not_drift_but_other_diagnostics_are_shown() -> None:
    plan = subscription_replace_plan()
    assert {d.code for d in plan.diagnostics} == {"plan.subscription_replace"}
    assert "plan.subscription_replace" not in drift_text(plan)
    assert json.loads(drift_json(plan))["diagnostics"] == []


def test_colour_only_on_request() -> None:
    plan = mixed_plan()
    assert "\x1b" not in drift_text(plan)
    assert "\x1b[33m  ~\x1b[0m" in drift_text(plan, color=True)


def test_markdown_has_its_marker_and_live_beside_declared_tables() -> None:
    text = drift_markdown(repriced_plan())
    assert text.split("\n")[0] == "<!-- alguna-billing drift: test -->"
    assert "**Drift: 1 resource differs from the catalog.**" in text
    assert "| `+` `plan.starter` | the current plan revision differs" in text
    assert "| path | live | declared |" in text
    assert "| `items[platform].price.price_per_unit` | `49` | `59` |" in text


def test_markdown_is_stable_without_trailing_whitespace() -> None:
    for make in (mixed_plan, unchanged_plan, lifecycle_plan):
        text = drift_markdown(make())
        assert text == drift_markdown(make())
        assert all(line == line.rstrip() for line in text.split("\n"))
    assert "No drift: the live account matches the catalog." in drift_markdown(unchanged_plan())


def test_json_lists_resources_with_live_and_declared_fields() -> None:
    data = json.loads(drift_json(mixed_plan()))
    assert data["environment"] == "test" and data["drifted"] is True
    assert data["checked_at"] == "2026-05-01T12:00:00Z"
    by_address = {r["address"]: r for r in data["resources"]}
    addons = by_address["bundle.addons"]
    assert addons["kind"] == "bundle" and addons["key"] == "addons"
    assert addons["action"] == "update" and addons["remote_id"] == "bun_addons"
    assert addons["fields"][0] == {
        "path": "items[storage].price.price_per_unit",
        "live": "0.5",
        "declared": "0.4",
    }
    assert by_address["customer.acme"]["description"] == "declared, missing from the live account"
    assert by_address["customer.acme"]["fields"] == []
    assert [u["key"] for u in data["unmanaged"]] == ["legacy", "zed"]
    assert set(data) == {
        "environment",
        "checked_at",
        "drifted",
        "resources",
        "unmanaged",
        "diagnostics",
    }


def test_errors_never_read_as_no_drift() -> None:
    """A resource that could not be read is an error (drift exits 1): the summary must not
    say the account matches."""
    plan = unreadable_plan()
    assert not plan.has_changes
    assert any(d.code == "live.unreadable" for d in plan.diagnostics)
    for text in (drift_text(plan), drift_markdown(plan)):
        assert "No drift" not in text
        assert "Drift not fully checked: 1 error above" in text
