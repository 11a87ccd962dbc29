"""Slow event tests (the full-size ingestion run) are opt-in with ``-m slow``."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("markexpr") or ""):
        return
    here = str(Path(__file__).parent)
    slow = [i for i in items if i.get_closest_marker("slow") and str(i.path).startswith(here)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [i for i in items if i not in slow]
