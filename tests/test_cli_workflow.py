"""`billing plan`, `apply` and `drift` end to end through the CLI, on the embedded emulator.

Each test copies the example project (billing.toml + catalog/) into a temporary folder;
its `local` environment keeps the emulator's data in `.billing/local.db` there. Out-of-band
edits go through the emulator's control API on the same data file, as a person editing in
the dashboard would.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.builders import copy_example
from tests.running import EMBEDDED_KEY, billing, control


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


def live_product(project: Path, sku: str) -> dict[str, Any]:
    products = control(project, "GET", "/objects/product")["data"]
    (found,) = [p for p in products if p.get("sku") == sku]
    return dict(found)


def saved_plans(project: Path) -> list[Path]:
    return sorted((project / "plans" / "local").glob("*.json"))


def test_plan_apply_then_nothing_to_do(project: Path) -> None:
    planned = billing(project, "plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "Plan: 29 to create" in planned.stdout
    (saved,) = saved_plans(project)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    applied = billing(project, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 29 created" in applied.stdout

    again = billing(project, "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout
    assert saved_plans(project) == [saved], "a plan without changes is not saved"


def test_apply_without_confirmation_writes_nothing(project: Path) -> None:
    refused = billing(project, "apply")  # CliRunner's stdin is not a terminal
    assert refused.exit_code == 1
    assert "--auto-approve" in refused.stderr
    assert control(project, "GET", "/objects/product")["data"] == []


def test_saved_plan_applies_once(project: Path) -> None:
    out = project / "reviewed.json"
    assert billing(project, "plan", "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text())["format_version"] == 1
    first = billing(project, "apply", str(out))
    assert first.exit_code == 0, first.output
    second = billing(project, "apply", str(out))
    assert second.exit_code == 1
    assert "already applied" in second.stderr


def test_stale_saved_plan_is_refused_before_any_write(project: Path) -> None:
    assert billing(project, "apply", "--auto-approve").exit_code == 0
    catalog = project / "catalog" / "products.toml"
    text = catalog.read_text()
    assert 'name = "Platform fee"' in text
    catalog.write_text(text.replace('name = "Platform fee"', 'name = "Platform access"', 1))
    out = project / "rename.json"
    assert billing(project, "plan", "--out", str(out)).exit_code == 0
    platform = live_product(project, "platform_fee")
    control(project, "PATCH", f"/objects/product/{platform['id']}", {"description": "edited"})
    before = control(project, "GET", "/counters")

    refused = billing(project, "apply", str(out))
    assert refused.exit_code == 1
    assert "stale" in refused.stderr
    assert "product.platform_fee" in refused.stderr
    writes = [
        row
        for row in control(project, "GET", "/counters")
        if row["method"] != "GET" and row not in before
    ]
    assert writes == []
    assert live_product(project, "platform_fee")["name"] == "Platform fee"


def test_drift_shows_the_edited_field_until_applied(project: Path) -> None:
    assert billing(project, "apply", "--auto-approve").exit_code == 0
    assert billing(project, "drift").exit_code == 0
    platform = live_product(project, "platform_fee")
    control(project, "PATCH", f"/objects/product/{platform['id']}", {"name": "Renamed by hand"})

    drift = billing(project, "drift")
    assert drift.exit_code == 2, drift.output
    assert "product.platform_fee" in drift.stdout
    assert "Renamed by hand" in drift.stdout and "Platform fee" in drift.stdout
    markdown = billing(project, "drift", "--format", "markdown")
    assert markdown.exit_code == 2
    assert markdown.stdout.startswith("<!-- alguna-billing drift: local -->")
    as_json = json.loads(billing(project, "drift", "--format", "json").stdout)
    assert as_json["drifted"] is True

    assert billing(project, "apply", "--auto-approve").exit_code == 0
    assert billing(project, "drift").exit_code == 0


def test_protected_environment_needs_a_saved_plan(project: Path) -> None:
    settings = project / "billing.toml"
    settings.write_text(
        settings.read_text().replace('api = "embedded"', 'api = "embedded"\nprotected = true', 1)
    )
    refused = billing(project, "apply", "--auto-approve")
    assert refused.exit_code == 1
    assert "protected" in refused.stderr
    assert control(project, "GET", "/objects/product")["data"] == []
    out = project / "reviewed.json"
    assert billing(project, "plan", "--out", str(out)).exit_code == 0
    assert billing(project, "apply", str(out)).exit_code == 1  # no terminal to confirm on
    applied = billing(project, "apply", str(out), "--auto-approve")
    assert applied.exit_code == 0, applied.output


def test_plan_formats(project: Path) -> None:
    as_json = billing(project, "plan", "--format", "json", "--no-save")
    assert as_json.exit_code == 0
    body = json.loads(as_json.stdout)
    assert body["summary"]["create"] == 29
    assert body["environment"] == "local"
    markdown = billing(project, "plan", "--format", "markdown", "--no-save")
    assert markdown.stdout.startswith("<!-- alguna-billing plan: local -->")
    assert not (project / "plans").exists()


def test_invalid_catalog_makes_no_api_call(project: Path) -> None:
    broken = project / "catalog" / "metrics.toml"
    broken.write_text(broken.read_text() + "\n[metrics.bad]\nname = 3\n")
    result = billing(project, "plan")
    assert result.exit_code == 1
    assert "metrics.toml" in result.stderr
    assert "Traceback" not in result.output
    assert not (project / ".billing" / "local.db").exists()


def test_plan_files_hold_no_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "umask", os.umask)  # restored by monkeypatch
    previous = os.umask(0)
    try:
        assert billing(project, "plan").exit_code == 0
    finally:
        os.umask(previous)
    (saved,) = saved_plans(project)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert EMBEDDED_KEY not in saved.read_text()
