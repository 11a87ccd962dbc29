"""Ctrl-C during `billing apply`, as a real SIGINT to a real process.

First SIGINT: what is in flight finishes, nothing new starts, the apply reports a partial
result and exits 1; a rerun completes. Second SIGINT: exit at once with status 130; a
rerun completes too (requests in flight at the exit may still land: natural keys find
them).
"""

from __future__ import annotations

import signal
import time

from tests.crash.harness import Emulator, Project, billing, inspect_account, running, wait_until

# Signal once this many changes are done: well inside the 320-change apply.
SIGNAL_AFTER = 60


def _rerun_converges(emulator: Emulator, project: Project) -> None:
    rerun = billing(project, ["apply", "--auto-approve"], "rerun")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "Apply complete" in rerun.stdout
    planned = billing(project, ["plan", "--detailed-exitcode", "--no-save"], "plan")
    assert planned.returncode == 0, planned.stdout[-2000:]
    findings = inspect_account(emulator, project.expected)
    assert findings.ok, findings


def test_first_sigint_finishes_in_flight_and_exits_1_partial(
    empty: Emulator, project: Project
) -> None:
    with running(project, ["apply", "--auto-approve"], "sigint-once") as process:
        assert wait_until(lambda: process.applied_lines() >= SIGNAL_AFTER, process)
        process.signal(signal.SIGINT)
        result = process.wait(timeout=60)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Interrupt received" in result.stderr
    assert "Apply incomplete" in result.stdout
    assert "not attempted" in result.stdout
    applied = process.applied_lines()
    assert SIGNAL_AFTER <= applied < project.expected.changes
    assert "failed " not in result.stderr  # in-flight changes finished, none abandoned
    # Every write the emulator answered belongs to a change reported applied (each change
    # here is one write), and none arrives after the exit: nothing was left in flight.
    assert empty.settled_writes() == applied
    _rerun_converges(empty, project)


def test_second_sigint_exits_at_once_with_130(empty: Emulator, project: Project) -> None:
    with running(project, ["apply", "--auto-approve"], "sigint-twice") as process:
        assert wait_until(lambda: process.applied_lines() >= SIGNAL_AFTER, process)
        process.signal(signal.SIGINT)
        time.sleep(0.02)
        process.signal(signal.SIGINT)
        second = time.monotonic()
        result = process.wait(timeout=60)
        took = time.monotonic() - second
    assert result.returncode == 130, result.stderr[-2000:]
    assert took < 2.0
    assert "Apply complete" not in result.stdout
    assert "Apply incomplete" not in result.stdout  # no report: it exited at once
    assert process.applied_lines() < project.expected.changes
    empty.settled_writes()
    _rerun_converges(empty, project)
