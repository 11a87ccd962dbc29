"""kill -9 during `billing apply`, at seeded random points, then a rerun: it must converge
with zero duplicates (by natural key) and zero lost changes.

Each run starts from an empty account: `billing apply --auto-approve` of the generated
~300-resource catalog (320 changes) is killed with SIGKILL at a point drawn uniformly over
the writing time of one uninterrupted apply (counted from the run's first write, see
`Calibration.kill_range`); the emulator (its own process) finishes what was in flight;
`billing apply --auto-approve` runs again to exit 0; `billing plan --detailed-exitcode`
exits 0 (nothing lost); and every object of every kind is listed from the emulator to
check that natural keys are unique and every declared resource exists.

The normal suite runs a few kills (about 30 s); the 20-run soak is `-m slow`, and
`benchmarks/crash_safety.py` prints the same table for any number of runs.
"""

from __future__ import annotations

import pytest

from tests.crash.harness import (
    Calibration,
    Emulator,
    KillRun,
    Project,
    kill_run,
    kill_runs,
    save_plan,
    summary_table,
)

FAST_RUNS = 3
SLOW_RUNS = 20
SLOW_SAVED_RUNS = 10
SEED = 1234


def _assert_all_converged(runs: list[KillRun], calibration: Calibration) -> None:
    """Every run converged: no duplicate, nothing lost, and no resumed saved plan refused
    a key that a request cut off by the kill had bound (see test_truncated_request)."""
    table = summary_table(runs, calibration)
    assert all(r.converged for r in runs), table
    assert not any(r.hit_truncated_body_bug for r in runs), table
    assert sum(len(r.duplicates) for r in runs) == 0, table
    assert sum(len(r.missing) for r in runs) == 0, table
    mid_apply = [r for r in runs if r.killed and 0 < r.writes_before_kill < calibration.writes]
    assert mid_apply, f"no kill landed while the apply was writing:\n{table}"


def test_calibration_apply_alone_writes_each_change_once(
    calibration: Calibration, project: Project
) -> None:
    assert calibration.writes == project.expected.changes
    assert calibration.first_write < calibration.last_write


def test_kill_nine_at_random_points_then_rerun_converges(
    emulator: Emulator, project: Project, calibration: Calibration
) -> None:
    runs = kill_runs(emulator, project, FAST_RUNS, SEED, calibration)
    _assert_all_converged(runs, calibration)


@pytest.mark.slow
def test_kill_nine_twenty_runs(
    emulator: Emulator, project: Project, calibration: Calibration
) -> None:
    runs = kill_runs(emulator, project, SLOW_RUNS, SEED + 1, calibration)
    _assert_all_converged(runs, calibration)


def test_kill_nine_during_saved_plan_apply_resumes_it(
    empty: Emulator, project: Project, calibration: Calibration
) -> None:
    """Killed a third of the way through `billing apply PLAN`: the rerun of the same plan
    makes only what is left (its own `already applied` count says the rest was done), and
    a third apply of the plan is refused (exit 1) as already applied."""
    planfile = save_plan(project, project.root / "plans" / "saved.json")
    run = kill_run(empty, project, 1, 0.0, planfile, after_writes=project.expected.changes // 3)
    table = summary_table([run], calibration)
    assert run.killed, table
    assert run.remaining is not None and 0 < run.remaining < project.expected.changes, table
    _assert_all_converged([run], calibration)


@pytest.mark.slow
def test_kill_nine_saved_plan_at_random_points(
    emulator: Emulator, project: Project, calibration: Calibration
) -> None:
    runs = kill_runs(emulator, project, SLOW_SAVED_RUNS, SEED + 2, calibration, saved_plan=True)
    _assert_all_converged(runs, calibration)
