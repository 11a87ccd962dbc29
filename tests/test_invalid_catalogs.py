"""The invalid-catalog suite: one folder per mistake under tests/invalid_catalogs/.

Each folder is a minimal project (`billing.toml`, `catalog/*.toml`) with one mistake and
an `expected.toml` listing the diagnostics it must produce (code, file, line, field); a
`# expect:` comment in the data marks each expected line. `billing validate` must exit 1,
show no traceback, and report exactly the expected errors (warnings are not compared).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.model import KINDS, PRICE_TYPES

CASES_DIR = Path(__file__).parent / "invalid_catalogs"
CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "expected.toml").is_file())
REPO = Path(__file__).resolve().parent.parent

Located = tuple[str, str | None, int | None, str | None]  # code, file, line, field


def _expected(case: Path) -> dict[str, Any]:
    return tomllib.loads((case / "expected.toml").read_text(encoding="utf-8"))


def _invoke(case: Path, *args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["--project", str(case), "validate", "--format", "json", *args],
        env={"BILLING_ENV": None},
    )


def diagnostics_of(result: Result) -> list[dict[str, Any]]:
    """The diagnostics of a run: `--format json` reports billing.toml problems too."""
    payload = json.loads(result.stdout)
    assert isinstance(payload["diagnostics"], list)
    assert payload["valid"] is False
    return list(payload["diagnostics"])


def _located(d: dict[str, Any]) -> Located:
    return (d["code"], d.get("file"), d.get("line"), d.get("field"))


def test_the_suite_is_broad() -> None:
    """The acceptance criteria: at least 40 distinct mistakes, every kind, every model."""
    assert len(CASES) >= 40
    fields = [str(e.get("field", "")) for case in CASES for e in _expected(case).get("expect", [])]
    for kind in KINDS:
        assert any(f.startswith(f"{kind}s.") for f in fields), f"no case for {kind}s"
    names = " ".join(p.name for p in CASES)
    for price_type in PRICE_TYPES:
        assert f"price_{price_type}_" in names, f"no case for {price_type} prices"
    assert sum(p.name.startswith("settings_") for p in CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_invalid_catalog(case: Path) -> None:
    spec = _expected(case)
    result = _invoke(case, *spec.get("args", []))
    output = result.stdout + result.stderr
    assert result.exit_code == 1, output
    assert "Traceback" not in output
    assert "internal error" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    reported = diagnostics_of(result)
    errors = {_located(d) for d in reported if d.get("severity", "error") == "error"}
    expected = {(e["code"], e["file"], e["line"], e.get("field")) for e in spec.get("expect", [])}
    assert expected, "a case lists at least one expected diagnostic"
    assert errors == expected, f"{spec['description']}\n{output}"
    for d in reported:
        assert d["message"].strip(), d
        assert d["file"] is not None and not Path(d["file"]).is_absolute(), d


def test_many_mistakes_are_reported_in_one_run() -> None:
    case = CASES_DIR / "many_mistakes_in_one_run"
    result = _invoke(case)
    assert result.exit_code == 1
    reported = diagnostics_of(result)
    codes = {d["code"] for d in reported}
    files = {d["file"] for d in reported}
    assert len(reported) >= 10
    assert len(codes) >= 9
    assert files == {
        "catalog/metrics.toml",
        "catalog/products.toml",
        "catalog/plans.toml",
        "catalog/customers.toml",
        "catalog/zz_broken.toml",
    }
    # Reported top to bottom, file by file.
    order = [(d["file"], d["line"] or 0) for d in reported]
    assert order == sorted(order)


def test_text_report_names_file_line_and_field() -> None:
    case = CASES_DIR / "price_tiered_order"
    result = CliRunner().invoke(
        main, ["--project", str(case), "validate"], env={"BILLING_ENV": None}
    )
    assert result.exit_code == 1
    assert (
        "catalog/plans.toml:30: error price.tier_order"
        " [plans.pro.items[0].price.tiers[1].up_to]: tier bounds must rise"
    ) in result.stderr
    assert "1 error(s)" in result.stderr


def test_subprocess_exits_1_without_traceback() -> None:
    """End to end through a real interpreter: `python -m reconciler ... validate`."""
    case = CASES_DIR / "many_mistakes_in_one_run"
    env = {k: v for k, v in os.environ.items() if k != "BILLING_ENV"}
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "--project", str(case), "validate"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "error price.tier_order" in done.stderr
    assert "catalog/zz_broken.toml:3: error toml.syntax" in done.stderr


def test_subprocess_settings_error_exits_1_without_traceback() -> None:
    case = CASES_DIR / "settings_default_environment_undeclared"
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "--project", str(case), "validate"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "billing.toml:1: error settings.default_environment" in done.stderr
