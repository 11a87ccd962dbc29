"""All-mistakes-at-once tests. The large fuzz run is opt-in (``-m slow``)."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests here are opt-in (``-m slow``): deselect them unless a -m asks for them."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    here = str(Path(__file__).parent)
    slow = [i for i in items if i.get_closest_marker("slow") and str(i.path).startswith(here)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [i for i in items if i not in slow]
