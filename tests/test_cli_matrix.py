"""A matrix price end to end through the CLI: validate, apply to the embedded emulator,
plan again with nothing to do (the routing tree read back is the catalog's), and quote
usage by event properties with `--group`. The matrix lives in a bundle: bundles are read
back with their prices (a plan's items are not readable: issue 16)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import Result

from tests.builders import write_project
from tests.running import billing

SCENARIO = Path(__file__).parent / "scenarios" / "update_matrix_price"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_project(tmp_path, SCENARIO / "catalog")
    (tmp_path / "catalog" / "plans.toml").unlink(missing_ok=True)
    return tmp_path


def test_apply_then_plan_again_is_a_no_op(project: Path) -> None:
    assert billing(project, "validate").exit_code == 0
    applied = billing(project, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    again = billing(project, "plan", "--format", "json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)["summary"]
    assert summary["create"] == summary["update"] == summary["replace"] == 0, summary


def _quote(project: Path, *groups: str) -> Result:
    args = [a for g in groups for a in ("--group", g)]
    return billing(project, "quote", "bundle.compute.gpu", "--currency", "USD", *args)


def test_quote_by_event_properties(project: Path) -> None:
    result = _quote(
        project,
        "region=eu,gpu=a100:quantity=1000",  # EU A100: 1000 x 0.0011 = 1.10
        "region=us,gpu=l4:quantity=25000",  # US any: 20000 x 0.0012 + 5000 x 0.0008 = 28.00
        "region=eu,gpu=h100:quantity=3",  # EU H100: fixed 500.00
        "gpu=a100:quantity=100",  # no region: the fallback, 100 x 0.0020 = 0.20
        "region=eu,gpu=t4:quantity=7",  # eu, then no t4 cell nor *: unmatched
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "EU A100: units" in out and "EU H100: fixed" in out and "Other: units" in out
    assert "unmatched (region=eu, gpu=t4): no cell, not charged" in out
    assert "529.30" in out  # 1.10 + 28.00 + 500.00 + 0.20


@pytest.mark.parametrize(
    ("group", "needle"),
    [
        ("region=eu,gpu=a100", "write PROPERTY=VALUE"),
        ("region=eu:amount=3", "'amount=3' is not quantity=, volume= or count="),
        ("region:quantity=3", "property 'region'"),
        ("region=eu:quantity=-3", "must be a finite number >= 0"),
    ],
)
def test_a_malformed_group_is_a_clear_error(project: Path, group: str, needle: str) -> None:
    result = _quote(project, group)
    assert result.exit_code == 1
    assert needle in result.output and "Traceback" not in result.output


def test_a_matrix_price_reads_only_groups(project: Path) -> None:
    result = billing(project, "quote", "bundle.compute.gpu", "--currency", "USD", "--quantity", "5")
    assert result.exit_code == 1
    assert "a `matrix` price does not read `quantity`: it reads `groups`" in result.output


def test_import_writes_a_matrix_the_plan_accepts_unchanged(project: Path, tmp_path: Path) -> None:
    assert billing(project, "apply", "--auto-approve").exit_code == 0
    fresh = tmp_path / "fresh"
    (fresh / "catalog").mkdir(parents=True)
    shutil.copy(project / "billing.toml", fresh / "billing.toml")
    shutil.copytree(project / ".billing", fresh / ".billing")
    imported = billing(fresh, "import")
    assert imported.exit_code == 0, imported.output
    written = (fresh / "catalog" / "imported_bundles.toml").read_text()
    assert 'match = { region = "us", gpu = "*" }' in written
    again = billing(fresh, "plan", "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["changes"] == []
