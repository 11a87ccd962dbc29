from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.apply.harness import Workspace, workspace


@pytest.fixture
async def ws(tmp_path: Path) -> AsyncIterator[Workspace]:
    """The example catalog in a fresh project whose `local` environment is a fresh
    in-process emulator (clock frozen at START)."""
    async with workspace(tmp_path / "project") as space:
        yield space
