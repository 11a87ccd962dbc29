from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.api.emulated import Emulated, emulated


@pytest.fixture
async def emu() -> AsyncIterator[Emulated]:
    async with emulated() as env:
        yield env
