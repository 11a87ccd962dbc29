"""Fixtures for the emulator's tests: an in-process app, an API client, a control client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from alguna_emulator import create_app, emulator_transport
from tests.emulator.clients import api_client, control_client

START = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def app() -> FastAPI:
    """A fresh in-memory emulator whose clock stands still at START."""
    return create_app(clock_start=START)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated client of the emulated API."""
    async with api_client(emulator_transport(app)) as api:
        yield api


@pytest.fixture
async def control(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the same emulator's control API (no auth)."""
    async with control_client(emulator_transport(app)) as ctl:
        yield ctl
