"""`Progress`: what apply tells its caller while it works (a protocol; apply never prints).

`report` implements it (a progress bar on a TTY, plain lines otherwise); tests record it.
Calls come from the one event loop thread, in this order: `begin` once, then for each
change `change_started` and later exactly one `change_finished`, `interrupted` at most
once (the first Ctrl-C: in-flight changes finish, nothing new starts), `end` once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reconciler.plan import ApplyResult, Change, Plan


class Progress(Protocol):
    def begin(self, plan: Plan, todo: Sequence[Change]) -> None:
        """`todo`: the changes this run will attempt (a resumed plan skips what is done)."""

    def change_started(self, change: Change) -> None: ...

    def change_finished(self, change: Change, error: str | None) -> None:
        """`error` is None on success, else a one-line message without secrets."""

    def interrupted(self) -> None: ...

    def end(self, result: ApplyResult) -> None: ...


class Silent:
    """A `Progress` that reports nothing (library use, tests that do not look)."""

    def begin(self, plan: Plan, todo: Sequence[Change]) -> None:
        pass

    def change_started(self, change: Change) -> None:
        pass

    def change_finished(self, change: Change, error: str | None) -> None:
        pass

    def interrupted(self) -> None:
        pass

    def end(self, result: ApplyResult) -> None:
        pass
