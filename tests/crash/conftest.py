"""One `billing sandbox serve` for the whole crash suite (reset between runs), a project
of a generated ~300-resource catalog pointing at it, and the timing of one uninterrupted
apply of it. Slow tests (the 20-run soak) are opt-in with `-m slow`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.crash.harness import Calibration, Emulator, Project, calibrate, serving

N_RESOURCES = 300
SEED = 20260401


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with serving(tmp_path_factory.mktemp("emulator")) as running:
        yield running


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory, emulator: Emulator) -> Project:
    return Project.generated(
        tmp_path_factory.mktemp("project"), emulator.base_url, N_RESOURCES, SEED
    )


@pytest.fixture(scope="session")
def calibration(emulator: Emulator, project: Project) -> Calibration:
    """One uninterrupted apply, timed; the kill points are drawn over its writing time."""
    return calibrate(emulator, project)


@pytest.fixture
def empty(emulator: Emulator) -> Emulator:
    """The emulator with every account emptied and its request counters cleared."""
    emulator.reset()
    return emulator
