"""`plan` and `drift` with an invalid catalog in `--format json|markdown`: stdout carries
every diagnostic in that format (a CI job posting stdout as a comment gets a body), exit 1,
and nothing on stdout pretends there is a plan or no drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main

CASE = Path(__file__).parent / "invalid_catalogs" / "mistakes_behind_a_shape_error"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--project", str(CASE), *args], env={"BILLING_ENV": None})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["plan", "drift"])
def test_markdown_is_a_comment_body_listing_every_problem(command: str) -> None:
    code, out, err = _run(command, "--format", "markdown")
    assert code == 1, out + err
    lines = out.split("\n")
    assert lines[0] == f"<!-- alguna-billing {command}: local -->"  # the workflow's marker
    assert f"**The catalog has 7 error(s) and 0 warning(s): {command} not checked;" in out
    assert "No drift" not in out
    assert "| error | `catalog/catalog.toml:27` | `item.duplicate` | `plans.pro.items[1]` |" in out
    assert "`price.tier_order`" in out and "`ref.unknown`" in out
    assert all(line == line.rstrip() for line in lines)
    assert "Traceback" not in out + err


@pytest.mark.parametrize("command", ["plan", "drift"])
def test_json_lists_every_diagnostic(command: str) -> None:
    code, out, _ = _run(command, "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert payload["valid"] is False and payload["environment"] == "local"
    codes = sorted(d["code"] for d in payload["diagnostics"])
    assert codes == sorted(
        [
            "field.format",
            "field.range",
            "field.range",
            "field.type",
            "item.duplicate",
            "price.tier_order",
            "ref.unknown",
        ]
    )


def test_text_keeps_diagnostics_on_stderr() -> None:
    code, out, err = _run("plan")
    assert code == 1 and out == ""
    assert "catalog/catalog.toml:27: error item.duplicate" in err
