"""docs/python-api.md runs: its `billing.toml` block and this repository's catalog make a
temporary project, and its Python blocks run in order, in one namespace, against the
embedded emulator. An example that raises (or whose assert fails) fails the test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import reconciler
from tests.builders import EXAMPLE_CATALOG, write_project

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "python-api.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(language: str) -> list[str]:
    return [code for lang, code in BLOCK.findall(DOC.read_text()) if lang == language]


def test_the_doc_lists_every_public_entry_point() -> None:
    text = DOC.read_text()
    functions = [name for name in reconciler.__all__ if name[0].islower() and name[0] != "_"]
    missing = [name for name in functions if f"{name.removesuffix('_async')}(" not in text]
    assert not missing, f"document these in docs/python-api.md: {missing}"


def test_every_public_name_resolves() -> None:
    for name in reconciler.__all__:
        assert getattr(reconciler, name) is not None, name


def test_the_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (settings,) = _blocks("toml")
    write_project(tmp_path, EXAMPLE_CATALOG, settings=settings)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BILLING_ENV", raising=False)
    examples = _blocks("python")
    assert len(examples) >= 8

    namespace: dict[str, object] = {"__name__": "python_api_doc"}
    for number, code in enumerate(examples, start=1):
        exec(compile(code, f"{DOC.name}, example {number}", "exec"), namespace)

    shown = capsys.readouterr().out
    assert "75.00 USD" in shown
    assert "refused: " in shown
    assert "drift: none" in shown
    assert (tmp_path / ".billing" / "staging.db").exists()
