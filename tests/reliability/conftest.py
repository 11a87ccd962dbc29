"""The reliability suite is opt-in (`-m slow`): every test here is marked slow and
deselected unless a -m expression asks for slow tests. One `billing sandbox serve` and one
300-resource project serve the tests that need real processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.crash.harness import Emulator, Project, serving

N_RESOURCES = 300
SEED = 20260402


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with serving(tmp_path_factory.mktemp("emulator")) as running:
        yield running


@pytest.fixture(scope="session")
def processes_project(tmp_path_factory: pytest.TempPathFactory, served: Emulator) -> Project:
    return Project.generated(tmp_path_factory.mktemp("project"), served.base_url, N_RESOURCES, SEED)


@pytest.fixture(scope="session")
def example_project(tmp_path_factory: pytest.TempPathFactory, served: Emulator) -> Project:
    """The example catalog (`catalog/`, rendered for `local`) against the served emulator."""
    from tests.reliability.scenarios import example_files

    return Project.write(tmp_path_factory.mktemp("example"), served.base_url, example_files())
