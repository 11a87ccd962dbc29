"""Every module of the package has a place in the import-linter contracts.

import-linter checks the contracts it is given; this test makes sure a new module cannot
slip past them by not being named.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "reconciler"


def _top_level_modules() -> set[str]:
    names = set()
    for entry in PACKAGE.iterdir():
        if entry.name.startswith(("_", ".")) and entry.name != "__main__.py":
            continue
        if entry.suffix == ".py":
            names.add(entry.stem)
        elif entry.is_dir() and (entry / "__init__.py").exists():
            names.add(entry.name)
    return names


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_every_module_is_in_a_layer() -> None:
    layers = next(c for c in _contracts() if c["type"] == "layers")
    listed = {
        name.strip("() ")
        for layer in layers["layers"]  # type: ignore[attr-defined]
        for name in re.split(r"[:|]", layer)
    }
    missing = _top_level_modules() - listed - {"emulator"}
    assert not missing, f"add these modules to a layer in pyproject.toml: {sorted(missing)}"


def test_the_emulator_is_forbidden_everything_else() -> None:
    contract = next(c for c in _contracts() if c.get("source_modules") == ["reconciler.emulator"])
    forbidden = {m.removeprefix("reconciler.") for m in contract["forbidden_modules"]}  # type: ignore[attr-defined]
    expected = _top_level_modules() - {"emulator", "__main__"}
    assert expected <= forbidden, f"not forbidden to the emulator: {expected - forbidden}"


def test_nothing_but_the_cli_may_import_the_emulator() -> None:
    contract = next(
        c for c in _contracts() if c.get("forbidden_modules") == ["reconciler.emulator"]
    )
    sources = {m.removeprefix("reconciler.") for m in contract["source_modules"]}  # type: ignore[attr-defined]
    expected = _top_level_modules() - {"emulator", "cli", "__main__"}
    assert expected <= sources, f"may still import the emulator: {expected - sources}"


ALLOWED_USERS = {
    "jinja2": {"render", "report"},
    "httpx": {"api"},
    "deepdiff": {"diff"},
    "reconciler.emulator": {"cli", "__main__"},
    "alguna": set(),  # the official SDK: a test-only oracle (tests/conformance)
}


def test_every_forbidden_contract_names_every_other_module() -> None:
    modules = _top_level_modules() - {"emulator"}
    for contract in _contracts():
        forbidden = contract.get("forbidden_modules")
        if not isinstance(forbidden, list) or len(forbidden) != 1:
            continue
        allowed = ALLOWED_USERS[forbidden[0]] | {"__main__"}
        sources = {m.removeprefix("reconciler.") for m in contract["source_modules"]}  # type: ignore[attr-defined]
        if "reconciler" in sources:  # the whole package, every module included
            sources |= modules
        missing = modules - allowed - sources
        assert not missing, f"{contract['name']}: add {sorted(missing)} to source_modules"
