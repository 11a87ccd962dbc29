"""The reliability scenarios (`scenarios.py`) with a few runs each, as tests: every run
must converge with no duplicate and no lost change. Opt-in: `pytest -m slow
tests/reliability` (about three minutes). `benchmarks/reliability.py` runs the same
scenarios many more times and prints the table published in docs/reliability.md.

Scenarios that currently find a bug are `xfail(strict=True)` with the bug named: they
turn into failures (XPASS) the day the bug is fixed, so the mark is removed then.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crash.harness import Emulator, Project
from tests.reliability import scenarios
from tests.reliability.scenarios import Row

pytestmark = pytest.mark.slow


def assert_ok(row: Row) -> None:
    assert row.runs > 0
    assert row.ok, f"{row.scenario}: {row.problems} {row.notes}"


def test_kill_nine(served: Emulator, processes_project: Project) -> None:
    assert_ok(scenarios.kill_nine(served, processes_project, runs=5, seed=11))


def test_ctrl_c_once(served: Emulator, processes_project: Project) -> None:
    assert_ok(scenarios.ctrl_c(served, processes_project, runs=2, seed=12, twice=False))


def test_ctrl_c_twice(served: Emulator, processes_project: Project) -> None:
    assert_ok(scenarios.ctrl_c(served, processes_project, runs=2, seed=13, twice=True))


def test_two_processes_apply_one_saved_plan(served: Emulator, processes_project: Project) -> None:
    assert_ok(scenarios.two_processes(served, processes_project, runs=2, same_plan=True))


def test_two_processes_apply_fresh_plans(served: Emulator, processes_project: Project) -> None:
    assert_ok(scenarios.two_processes(served, processes_project, runs=1, same_plan=False))


def test_two_processes_apply_the_example_catalog_fresh(
    served: Emulator, example_project: Project
) -> None:
    """The example catalog, the second process 0 to 1.5 s after the first (seeded)."""
    row = scenarios.two_processes(
        served, example_project, runs=4, same_plan=False, stagger=(0.0, 1.5), seed=17
    )
    assert_ok(row)


async def test_commit_then_drop(tmp_path: Path) -> None:
    assert_ok(await scenarios.commit_then_drop(tmp_path, runs=2))


async def test_rate_limit_storm(tmp_path: Path) -> None:
    assert_ok(await scenarios.rate_limit_storm(tmp_path, runs=3))


async def test_chaos_soak(tmp_path: Path) -> None:
    assert_ok(await scenarios.chaos_soak(tmp_path, runs=2))


async def test_idempotency_window_expiry_then_resume(tmp_path: Path) -> None:
    assert_ok(await scenarios.idempotency_window_expiry(tmp_path, runs=2))


async def test_stale_saved_plans(tmp_path: Path) -> None:
    assert_ok(await scenarios.stale_plans(tmp_path, runs=3))


async def test_edit_between_read_and_write(tmp_path: Path) -> None:
    assert_ok(await scenarios.edit_between_read_and_write(tmp_path, runs=3))


@pytest.mark.parametrize(
    "case",
    list(scenarios.GUARD_CASES),
)
async def test_list_guard(tmp_path: Path, case: str) -> None:
    (row,) = await scenarios.list_guard(tmp_path, [case])
    assert_ok(row)


def test_no_perpetual_diff_generated_catalogs(tmp_path: Path) -> None:
    assert_ok(scenarios.no_perpetual_diff_generated(tmp_path, catalogs=5))


def test_no_perpetual_diff_hypothesis_catalogs() -> None:
    assert_ok(scenarios.no_perpetual_diff_hypothesis(examples=100))
