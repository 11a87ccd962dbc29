"""The root of every test run, so plain `pytest` and `python -m pytest` behave the same.

- The repository root is on `sys.path` (`pythonpath = ["."]` in pyproject.toml, and this
  file's folder under pytest's default import mode), so tests import their helpers one
  way only: `from tests.<folder>.<module> import ...`.
- Tests marked `slow` (soaks, fuzzing, full-size runs) are opt-in: they are deselected
  unless a `-m` expression mentions `slow` (`pytest -m slow`, `pytest -m "slow or not
  slow"`). This is the only place that decides it.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect slow tests unless the -m expression asks for them."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
