"""`ConsoleProgress`: apply's `Progress` on a console (a bar on a TTY, lines otherwise).

On a TTY a transient rich bar counts the changes; failures and the interrupt notice are
printed above it and stay after it is gone, so nothing that needs attention disappears
with the bar. Anywhere else (CI logs, pipes) there is no cursor to move: one plain line
per finished change (`applied product.api (create)`, `failed plan.pro (update): <error>`),
flushed at once, so a log shows how far a killed run got. The final report is
`apply_text`'s business, not this class's. rich honours `NO_COLOR` on the TTY path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from reconciler.plan import ApplyResult, Change, Plan


def finished_line(change: Change, error: str | None) -> str:
    what = f"{change.address} ({change.action.value})"
    return f"applied {what}" if error is None else f"failed {what}: {error}"


def interrupt_line(in_flight: int) -> str:
    changes = "change" if in_flight == 1 else "changes"
    return (
        f"Interrupt received: finishing the {in_flight} {changes} in flight;"
        " press Ctrl-C again to exit now"
    )


class ConsoleProgress:
    """A `reconciler.apply.progress.Progress` writing to `stream`. `tty` chooses the bar
    (the caller knows whether `stream` is a terminal; tests pass a StringIO either way)."""

    def __init__(self, stream: TextIO, *, tty: bool) -> None:
        self._stream = stream
        self._tty = tty
        self._in_flight: set[str] = set()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def begin(self, plan: Plan, todo: Sequence[Change]) -> None:
        if not self._tty:
            return
        console = Console(file=self._stream, force_terminal=True, highlight=False)
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task(f"Applying to {plan.environment}", total=len(todo))
        self._bar.start()

    def change_started(self, change: Change) -> None:
        self._in_flight.add(change.change_id)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=change.address)

    def change_finished(self, change: Change, error: str | None) -> None:
        self._in_flight.discard(change.change_id)
        line = finished_line(change, error)
        if self._bar is None or self._task is None:
            self._write(line)
            return
        self._bar.advance(self._task)
        if error is not None:
            self._bar.console.print(Text(line, style="red"))

    def interrupted(self) -> None:
        line = interrupt_line(len(self._in_flight))
        if self._bar is None:
            self._write(line)
        else:
            self._bar.console.print(Text(line, style="yellow"))

    def end(self, result: ApplyResult) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()
