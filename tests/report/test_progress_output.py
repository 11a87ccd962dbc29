"""`ConsoleProgress`: plain lines off a TTY, a transient bar on one."""

from __future__ import annotations

import io
import threading

from reconciler.apply.progress import Progress
from reconciler.plan import ApplyResult
from reconciler.report.progress_output import ConsoleProgress
from tests.report.plans import mixed_plan


def run(tty: bool) -> str:
    """A run of `mixed_plan`: three started, one applied, an interrupt, one failed, one
    applied after the interrupt; the other two never start."""
    plan = mixed_plan()
    stream = io.StringIO()
    progress: Progress = ConsoleProgress(stream, tty=tty)
    first, second, third, *_ = plan.changes
    progress.begin(plan, plan.changes)
    for change in (first, second, third):
        progress.change_started(change)
    progress.change_finished(first, None)
    progress.interrupted()
    progress.change_finished(second, "HTTP 500: upstream timeout")
    progress.change_finished(third, None)
    result = ApplyResult(
        plan_id=plan.plan_id,
        applied=(first.change_id, third.change_id),
        failed=(second.change_id,),
        pending=tuple(c.change_id for c in plan.changes[3:]),
        errors={second.change_id: "HTTP 500: upstream timeout"},
    )
    progress.end(result)
    return stream.getvalue()


def test_plain_lines_one_per_finished_change() -> None:
    assert run(tty=False).split("\n") == [
        "applied product.platform (replace)",
        "Interrupt received: finishing the 2 changes in flight; press Ctrl-C again to exit now",
        "failed bundle.addons (update): HTTP 500: upstream timeout",
        "applied plan.starter (new_revision)",
        "",
    ]


def test_on_a_tty_a_bar_that_stops_and_keeps_only_what_needs_attention() -> None:
    before = set(threading.enumerate())
    out = run(tty=True)
    assert "\x1b[" in out  # a live display, with cursor control
    assert "failed bundle.addons (update): HTTP 500: upstream timeout" in out
    assert "Interrupt received: finishing the 2 changes in flight" in out
    assert "applied product.platform" not in out  # successes only move the bar
    for thread in set(threading.enumerate()) - before:  # rich's refresh thread winds down
        thread.join(timeout=2)
        assert not thread.is_alive()
    assert out.endswith("\x1b[?25h\r\x1b[1A\x1b[2K")  # cursor back, bar erased (transient)


def test_a_single_change_in_flight_reads_naturally() -> None:
    plan = mixed_plan()
    stream = io.StringIO()
    progress = ConsoleProgress(stream, tty=False)
    progress.begin(plan, plan.changes[:1])
    progress.change_started(plan.changes[0])
    progress.interrupted()
    assert "finishing the 1 change in flight;" in stream.getvalue()
