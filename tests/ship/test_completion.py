"""Shell completion (click's, as README.md "Shell completion" sets it up): commands,
environment names from billing.toml, and addresses from the catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from tests.ship.project import new_project

README = Path(__file__).resolve().parents[2] / "README.md"


def complete(words: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What bash would offer for the last word of `words` (empty: a new word)."""
    monkeypatch.chdir(cwd)
    parts = words.split(" ")
    env = {
        "_BILLING_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1),
    }
    result = CliRunner().invoke(main, [], env=env, prog_name="billing")
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_commands_environments_and_addresses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = new_project(tmp_path / "demo")
    settings = project / "billing.toml"
    settings.write_text(settings.read_text() + '\n[environments.staging]\napi = "embedded"\n')
    assert complete("billing sh", project, monkeypatch) == ["show"]
    assert {"init", "plan", "apply", "drift", "show"} <= set(
        complete("billing ", project, monkeypatch)
    )
    assert complete("billing plan --env ", project, monkeypatch) == ["local", "staging"]
    assert complete("billing drift --env st", project, monkeypatch) == ["staging"]
    assert complete("billing plan --target pro", project, monkeypatch) == [
        "product.api_requests",
        "product.platform_fee",
    ]
    assert complete("billing apply --exclude bun", project, monkeypatch) == ["bundle.starter"]


def test_outside_a_project_or_with_a_broken_catalog_nothing_breaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert complete("billing plan --env ", tmp_path, monkeypatch) == []
    project = new_project(tmp_path / "demo")
    (project / "catalog" / "bundles.toml").write_text("[bundles.x\n")
    assert complete("billing plan --target ", project, monkeypatch) == []
    assert complete("billing plan --env ", project, monkeypatch) == ["local"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_readme_recipe_emits_a_script(shell: str, tmp_path: Path) -> None:
    assert f"_BILLING_COMPLETE={shell}_source billing" in README.read_text()
    result = CliRunner().invoke(
        main, [], env={"_BILLING_COMPLETE": f"{shell}_source"}, prog_name="billing"
    )
    assert result.exit_code == 0
    assert re.search(r"_BILLING_COMPLETE=\w+_complete|_BILLING_COMPLETE=complete", result.stdout)
