"""`billing show PLANFILE`: a saved plan re-rendered exactly as `billing plan` showed it,
offline and without the API key.

Every scenario golden (tests/scenarios/*/expected.json is the saved plan, expected.txt and
expected.md what `plan_text`/`plan_markdown` printed for it, masked the same way) is
shown again through the CLI and compared byte for byte; and on a live project, `billing
plan`'s own stdout is compared with `billing show` of the file it saved, in each format.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from tests.running import billing
from tests.scenarios.harness import scenario_folders
from tests.ship.project import new_project, saved_plan, set_starter_fee

FORMATS = {"text": "expected.txt", "markdown": "expected.md", "json": "expected.json"}


@pytest.mark.parametrize("folder", scenario_folders(), ids=lambda p: p.name)
def test_show_reprints_every_scenario_golden(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no billing.toml here or above: the plan as saved
    for fmt, golden in FORMATS.items():
        shown = CliRunner().invoke(
            main, ["show", str(folder / "expected.json"), "--format", fmt], env={"NO_COLOR": "1"}
        )
        assert shown.exit_code in (0, 1), shown.output
        assert shown.stdout == (folder / golden).read_text(), f"{folder.name} {fmt}"


def test_show_is_what_plan_printed(tmp_path: Path) -> None:
    project = new_project(tmp_path / "demo")
    assert billing(project, "apply", "--auto-approve").exit_code == 0
    set_starter_fee(project, "39")
    for fmt in ("text", "markdown", "json"):
        planned = billing(project, "plan", "--format", fmt)
        assert planned.exit_code == 0, planned.output
        shown = billing(project, "show", str(saved_plan(planned)), "--format", fmt)
        assert shown.exit_code == 0, shown.output
        assert shown.stdout == planned.stdout
        assert "bundle.starter" in shown.stdout


def test_show_needs_no_key_and_no_network(tmp_path: Path) -> None:
    """A project whose environment is a remote account with no key set: show still works."""
    (tmp_path / "billing.toml").write_text(
        'default_environment = "local"\n[environments.local]\n'
        'base_url = "https://api.alguna.io"\napi_key_env = "BILLING_TEST_NO_SUCH_KEY"\n'
    )
    plan = Path(__file__).resolve().parents[1] / "scenarios" / "update_tier_price"
    shown = billing(tmp_path, "show", str(plan / "expected.json"))
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == (plan / "expected.txt").read_text()


def test_show_refuses_what_is_not_a_plan(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"format_version": 1}')
    shown = CliRunner().invoke(main, ["show", str(bad)])
    assert shown.exit_code == 1
    assert "not a plan file" in shown.stderr and str(bad) in shown.stderr
    assert "Traceback" not in shown.output
