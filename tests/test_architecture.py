"""The import contracts in pyproject.toml ([tool.importlinter]) hold, and they can fail.

The contracts name packages, not hand-kept lists of modules: one `layers` contract over
the packages of `reconciler` (exhaustive, so a new package or top-level module must be
given a layer), `protected` contracts for httpx, jinja2, deepdiff and the emulator, and
one `forbidden` contract keeping `alguna_emulator` free of `reconciler`, and one keeping the
shared pricing engine `alguna_pricing` pure (neither package, nor any I/O library).

To show they are not vacuous, a throwaway copy of both packages gets one wrong import per
contract (and a module no layer names), and `lint-imports` must report every contract
broken, naming the wrong import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# contract name (start) -> (file of the throwaway copy, wrong import appended to it, what
# the report must name)
WRONG_IMPORTS = {
    "Layers": (
        "reconciler/plan.py",
        "from reconciler.commands import workflow",
        "reconciler.plan -> reconciler.commands.workflow",
    ),
    "The emulator (alguna_emulator) imports nothing from reconciler": (
        "alguna_emulator/clock.py",
        "import reconciler.errors",
        "alguna_emulator.clock -> reconciler.errors",
    ),
    "The pricing engine (alguna_pricing) is pure": (
        "alguna_pricing/charge.py",
        "import alguna_emulator.clock",
        "alguna_pricing.charge -> alguna_emulator.clock",
    ),
    "Only commands.embedded and commands.sandbox": (
        "reconciler/commands/workflow.py",
        "import alguna_emulator",
        "reconciler.commands.workflow -> alguna_emulator",
    ),
    "The CLI calls commands": (
        "reconciler/cli/show.py",
        "import reconciler.apply.executor",
        "reconciler.cli.show -> reconciler.apply.executor",
    ),
    "httpx only in api": (
        "reconciler/planning/planner.py",
        "import httpx",
        "reconciler.planning.planner -> httpx",
    ),
    "Jinja2 only": (
        "reconciler/report/money.py",
        "import jinja2",
        "reconciler.report.money -> jinja2",
    ),
    "deepdiff only in diff": (
        "reconciler/apply/steps.py",
        "import deepdiff",
        "reconciler.apply.steps -> deepdiff",
    ),
    "The official SDK (alguna) is a test-only oracle": (
        "alguna_emulator/store.py",
        "import alguna",
        "alguna_emulator.store -> alguna",
    ),
}


def _contract_names() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "500", "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three packages and pyproject.toml, copied as they are."""
    root = tmp_path_factory.mktemp("contracts")
    for package in ("reconciler", "alguna_emulator", "alguna_pricing"):
        shutil.copytree(
            ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_every_contract_has_a_wrong_import_here() -> None:
    names = _contract_names()
    for name in names:
        assert any(name.startswith(start) for start in WRONG_IMPORTS), name
    assert len(names) == len(WRONG_IMPORTS)


def test_the_package_keeps_every_contract(copy: Path) -> None:
    result = _lint_imports(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(WRONG_IMPORTS)} kept, 0 broken." in result.stdout


def test_a_wrong_import_breaks_each_contract(copy: Path) -> None:
    for path, statement, _ in WRONG_IMPORTS.values():
        with (copy / path).open("a") as file:
            file.write(f"\n{statement}  # deliberately wrong\n")
    (copy / "reconciler" / "stray.py").write_text('"""A module that no layer names."""\n')

    result = _lint_imports(copy)

    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stdout
    for name in _contract_names():
        assert f"{name} BROKEN" in report, f"not broken: {name}\n{report}"
    for _, _, named in WRONG_IMPORTS.values():
        assert named in report, f"not reported: {named}\n{report}"
    assert "reconciler.stray" in report
    assert f"Contracts: 0 kept, {len(WRONG_IMPORTS)} broken." in report
