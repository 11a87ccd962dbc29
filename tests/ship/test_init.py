"""`billing init [DIR]`: a project that validates, plans and applies as written; never
overwrites; its CI recipes are the repository's examples, pinned to this release."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import main
from reconciler.commands.init import FILES, template
from reconciler.version import __version__
from tests.running import billing

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "github" / "workflows"


def init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", *args])
    return result.exit_code, result.output


def test_init_makes_a_project_that_plans_and_applies(tmp_path: Path) -> None:
    code, output = init(str(tmp_path / "demo"))
    assert code == 0, output
    project = tmp_path / "demo"
    assert sorted(FILES) == sorted(
        p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()
    )
    assert f"cd {tmp_path / 'demo'} && billing plan && billing apply" in output
    settings = (project / "billing.toml").read_text()
    assert '[environments.local]\napi = "embedded"' in settings
    assert "# [environments.sandbox]" in settings and "# [environments.production]" in settings
    assert ".billing/" in (project / ".gitignore").read_text().splitlines()
    assert billing(project, "validate").exit_code == 0
    assert billing(project, "fmt", "--check").exit_code == 0, "the action checks formatting"
    planned = billing(project, "plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "Plan: 4 to create" in planned.stdout
    assert billing(project, "apply", "--auto-approve").exit_code == 0
    assert billing(project, "plan", "--detailed-exitcode").exit_code == 0


def test_what_is_commented_out_is_valid_once_uncommented(tmp_path: Path) -> None:
    """The commented sandbox and production environments, the policies and the plan
    that sells the bundle all validate once uncommented."""
    assert init(str(tmp_path))[0] == 0
    for name in ("billing.toml", "catalog/plans.toml"):
        path = tmp_path / name
        path.write_text(re.sub(r"^# (\[|[a-z_]+ = )", r"\1", path.read_text(), flags=re.M))
    assert "[environments.production]\nbase_url" in (tmp_path / "billing.toml").read_text()
    validated = billing(tmp_path, "validate", "--env", "production")
    assert validated.exit_code == 0, validated.output
    assert "5 resources" in validated.output


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "plans.toml").write_text("# mine\n")
    code, output = init(str(tmp_path))
    assert code == 1
    assert "refusing to overwrite catalog/plans.toml" in output
    assert "Traceback" not in output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["catalog", "plans.toml"]
    assert (tmp_path / "catalog" / "plans.toml").read_text() == "# mine\n"


def test_init_extends_an_existing_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/")
    code, output = init(str(tmp_path))
    assert code == 0, output
    assert "extended" in output
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines == ["node_modules/", ".billing/", "plans/*/"]


def test_the_ci_recipes_are_the_examples_pinned_to_this_release() -> None:
    for path in sorted(EXAMPLES.glob("*.yml")):
        text = template(f"workflows/{path.name}")
        assert text == path.read_text(), f"{path.name}: skeleton and example differ"
        pins = re.findall(r"alguna/alguna-billing@v([\d.]+)|^\s+version: \"([\d.]+)\"", text, re.M)
        assert pins, path.name
        assert {tag or version for tag, version in pins} == {__version__}, path.name


def test_the_action_installs_this_release_by_default() -> None:
    action = (ROOT / "action.yml").read_text()
    assert re.search(rf'  version:\n(    .*\n)*?    default: "{re.escape(__version__)}"\n', action)
