"""FastAPI and uvicorn come with the `sandbox` extra: without them the CLI still loads,
and the commands that need the emulator say which extra to install, in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from tests.builders import copy_example

HINT = "pip install 'alguna-billing[sandbox]'"


@pytest.fixture
def without_fastapi(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the extra were not installed: `find_spec("fastapi")` answers None."""
    monkeypatch.setitem(sys.modules, "fastapi", None)


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


@pytest.mark.usefixtures("without_fastapi")
def test_sandbox_serve_names_the_extra() -> None:
    result = CliRunner().invoke(main, ["sandbox", "serve"], env={"BILLING_ENV": None})
    assert result.exit_code == 1
    assert _lines(result.output) == [
        f"Error: the local emulator needs the sandbox extra (fastapi not installed): {HINT}"
    ]


@pytest.mark.usefixtures("without_fastapi")
def test_an_embedded_environment_names_the_extra(tmp_path: Path) -> None:
    copy_example(tmp_path)
    result = CliRunner().invoke(
        main, ["--project", str(tmp_path), "plan", "--no-save"], env={"BILLING_ENV": None}
    )
    assert result.exit_code == 1, result.output
    assert _lines(result.output) == [
        "Error: embedded environment 'local' needs the sandbox extra (fastapi not installed):"
        f" {HINT}"
    ]
    assert not (tmp_path / ".billing").exists()


def test_the_cli_loads_without_the_emulator() -> None:
    code = (
        "import sys, reconciler.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('alguna_emulator', 'fastapi', 'uvicorn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
