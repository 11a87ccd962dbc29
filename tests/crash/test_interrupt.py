"""Ctrl-C during `billing apply`, as a real SIGINT to a real process.

First SIGINT: what is in flight finishes, nothing new starts, the apply reports a partial
result and exits 1; a rerun completes. Second SIGINT: exit at once with status 130; a
rerun completes too (requests in flight at the exit may still land: natural keys find
them).
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable

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
    """Once the apply is under way, every request the emulator receives is held for
    HOLD seconds: the changes in flight at the signals cannot finish sooner. Some of them
    land after the exit (their writes are counted but never reported applied), and the
    exit comes less than HOLD after the hold began: a process that waited for them could
    not, however fast or loaded the machine."""
    with running(project, ["apply", "--auto-approve"], "sigint-twice") as process:
        assert wait_until(lambda: process.applied_lines() >= SIGNAL_AFTER, process)
        held = time.monotonic()
        hold(empty, HOLD)
        try:
            # Requests the emulator was already handling finish; then nothing completes.
            still(process.applied_lines, STILL)
            process.signal(signal.SIGINT)
            time.sleep(0.02)
            process.signal(signal.SIGINT)
            result = process.wait(timeout=60)
            exited = time.monotonic()
            landed = empty.settled_writes(quiet=HOLD + 1, timeout=3 * HOLD)
        finally:
            hold(empty, 0)
    assert result.returncode == 130, result.stderr[-2000:]
    assert exited - held < HOLD
    assert "Apply complete" not in result.stdout
    assert "Apply incomplete" not in result.stdout  # no report: it exited at once
    assert re.search(r"finishing the [1-9]\d* changes? in flight", result.stderr)
    applied = process.applied_lines()
    assert applied < project.expected.changes
    assert landed > applied  # held changes were in flight at the exit, and left behind
    _rerun_converges(empty, project)


# Seconds every request is held once set: far above a process's exit, loaded or not.
HOLD = 10.0
# Seconds without a change reported applied that show every request in flight is held.
STILL = 1.0


def still(count: Callable[[], int], seconds: float, timeout: float = 5.0) -> None:
    """Return once `count()` has not moved for `seconds` (at most `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    last, since = count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return
    raise AssertionError(f"changes kept being applied for {timeout:g} s while held")


def hold(emulator: Emulator, seconds: float) -> None:
    """Every request the emulator receives from now waits `seconds` before it is handled."""
    answer = emulator.control.patch("/_emulator/settings", json={"latency_ms": seconds * 1000})
    answer.raise_for_status()
