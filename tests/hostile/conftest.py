"""A fresh hostile server per test, and a project pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.harness import Project
from tests.hostile.server import HostileServer


@pytest.fixture
def server() -> Iterator[HostileServer]:
    running = HostileServer().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def project(tmp_path: Path, server: HostileServer) -> Project:
    return Project.write(tmp_path / "project", server.base_url)
