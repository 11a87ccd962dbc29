"""Applying safely, through the CLI: a plan file others can change is refused, one others
can read is applied with a warning (docs/workflow.md); a protected environment refuses a
fresh apply before reading anything, in one line, without printing a plan.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.builders import copy_example
from tests.running import billing, control

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


def saved(project: Path, mode: int) -> Path:
    out = project / "reviewed.json"
    planned = billing(project, "plan", "--out", str(out))
    assert planned.exit_code == 0, planned.output
    out.chmod(mode)
    return out


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_plan_file_others_can_change_is_refused_before_any_read(project: Path, mode: int) -> None:
    planfile = saved(project, mode)
    before = control(project, "GET", "/counters")

    refused = billing(project, "apply", str(planfile), "--auto-approve")

    assert refused.exit_code == 1
    assert "reviewed.json" in refused.stderr
    assert f"mode {mode:04o}" in refused.stderr
    assert "other users can change this plan file" in refused.stderr
    assert "Traceback" not in refused.output
    assert control(project, "GET", "/counters") == before
    assert control(project, "GET", "/objects/product")["data"] == []


def test_a_plan_file_others_can_read_is_applied_with_a_warning(project: Path) -> None:
    planfile = saved(project, 0o644)

    applied = billing(project, "apply", str(planfile), "--auto-approve")

    assert applied.exit_code == 0, applied.output
    warning = applied.stderr.splitlines()[0]
    assert warning.startswith("Warning: ") and warning.endswith("reviewed.json`")
    assert "reviewed.json is readable by other users (mode 0644)" in warning
    assert "chmod 600" in warning


def test_a_private_plan_file_is_applied_without_a_warning(project: Path) -> None:
    planfile = saved(project, 0o600)
    applied = billing(project, "apply", str(planfile), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Warning" not in applied.stderr


def test_a_protected_environment_refuses_a_fresh_apply_before_reading(project: Path) -> None:
    settings = project / "billing.toml"
    settings.write_text(
        settings.read_text().replace('api = "embedded"', 'api = "embedded"\nprotected = true', 1)
    )

    refused = billing(project, "apply", "--auto-approve")

    assert refused.exit_code == 1
    assert refused.stdout == ""  # no plan shown only to be refused
    (line,) = refused.stderr.splitlines()
    assert "protected" in line and "billing apply FILE" in line
    assert not (project / ".billing" / "local.db").exists()  # the account was not read
