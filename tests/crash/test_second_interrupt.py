"""The second Ctrl-C exits 130 at any moment after the first, also once the graceful stop
is over and the caller is printing its report (the window `run_interruptible` used to
leave open: the second SIGINT then raised KeyboardInterrupt, which the CLI turns into
"Aborted!" and exit 1, losing the report's exit code).

Deterministic: a small program sends itself the two signals at the exact moments, in a
subprocess (exit 130 is `os._exit`, which must not end the test process).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent(
    """
    import asyncio, os, signal, sys, time
    from reconciler.commands.interrupt import run_interruptible

    async def main(stop):
        os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C, while working
        await asyncio.wait_for(stop.wait(), 10)
        return "stopped"

    try:
        result = run_interruptible(main, lambda: print("graceful stop", flush=True))
        print(result, flush=True)
        if sys.argv[1] == "second":
            os.kill(os.getpid(), signal.SIGINT)  # the second, while the report prints
            time.sleep(5)
        print("report", flush=True)
        sys.exit(1)  # the documented exit of a graceful stop: changes are pending
    except KeyboardInterrupt:
        print("Aborted!", flush=True)  # what click does
        sys.exit(1)
    """
)


def run(which: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, which],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_second_sigint_after_the_graceful_stop_exits_130() -> None:
    result = run("second")
    assert result.returncode == 130, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["graceful stop", "stopped"]


def test_one_sigint_lets_the_report_print_and_exit_1() -> None:
    result = run("once")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["graceful stop", "stopped", "report"]
