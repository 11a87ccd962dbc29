"""One run reports every mistake: fixing what `billing validate` reports never reveals more.

A catalog gets several mistakes from `catalog_mistakes.MISTAKES` at once (shape errors and
cross-resource errors, often in the same resource, item or price). The first run must
report exactly the errors each injected mistake makes, nothing hidden and nothing extra;
and after fixing exactly the mistakes it reported, the next run finds none. The default run
tries a few dozen combinations; `-m slow` tries many more.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.catalog import load_desired
from reconciler.source.diagnostics import Severity
from tests.mistakes.catalog_mistakes import (
    MISTAKES,
    Mistake,
    base_catalog,
    with_mistakes,
    write_project,
)

_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.too_slow],
}
_CHOICES = st.lists(st.sampled_from(MISTAKES), min_size=2, max_size=12, unique_by=lambda m: m.name)


Located = set[tuple[str, str]]  # (code, field)


def _errors(root: Path, chosen: list[Mistake]) -> tuple[Located, dict[str, Located]]:
    """The errors reported for the base catalog with `chosen` injected, and those each
    mistake (by name) must produce."""
    catalog, expected = with_mistakes(chosen)
    write_project(root, catalog)
    result = load_desired(root, "catalog", "local", {})
    reported = {(d.code, d.field or "") for d in result.diagnostics if d.severity is Severity.ERROR}
    return reported, expected


def _check(chosen: list[Mistake]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        reported, by_mistake = _errors(root, chosen)
        expected = set().union(*by_mistake.values())
        assert reported == expected, (
            f"mistakes {[m.name for m in chosen]}:\n"
            f"  hidden (a later run would find them): {sorted(expected - reported)}\n"
            f"  unexplained: {sorted(reported - expected)}"
        )
        # Fix exactly the mistakes the run reported; the next run must find nothing.
        fixed = [m for m in chosen if by_mistake[m.name] <= reported]
        remaining = [m for m in chosen if m not in fixed]
        after, _ = _errors(root, remaining)
        assert not after, f"fixing {[m.name for m in fixed]} revealed {sorted(after)}"


def test_the_base_catalog_is_valid(tmp_path: Path) -> None:
    write_project(tmp_path, base_catalog())
    result = load_desired(tmp_path, "catalog", "local", {})
    assert result.state is not None, result.diagnostics


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_each_mistake_alone_is_reported_as_expected(mistake: Mistake) -> None:
    _check([mistake])


def test_every_mistake_at_once() -> None:
    """The whole menu in one catalog: the issue's case, a run that hid three mistakes."""
    _check(list(MISTAKES))


@settings(max_examples=30, **_SETTINGS)  # type: ignore[arg-type]
@given(_CHOICES)
def test_several_mistakes_are_all_reported_in_one_run(chosen: list[Mistake]) -> None:
    _check(chosen)


@pytest.mark.slow
@settings(max_examples=600, **_SETTINGS)  # type: ignore[arg-type]
@given(_CHOICES)
def test_several_mistakes_are_all_reported_in_one_run_many(chosen: list[Mistake]) -> None:
    _check(chosen)
