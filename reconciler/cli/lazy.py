"""A click group whose commands are imported only when one is run (click's "LazyGroup"
pattern, https://click.palletsprojects.com/en/stable/complex/#lazily-loading-subcommands).

Each command is registered as `name -> LazyCommand("module:attribute", "summary")`.
The summary is the first paragraph of the command's help (its docstring), so that
`billing --help` and the shell completion of command names can show it without importing
the command: both go through click's own shortening (`Command.get_short_help_str`), so
the output is what a group with every command loaded prints. `tests/test_cli_startup.py`
checks that every entry resolves to a command of that name whose help starts with that
summary.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (`"package.module:attribute"`) and its help's first paragraph."""

    target: str
    summary: str

    def short_help(self, limit: int) -> str:
        """What the loaded command's `get_short_help_str(limit)` gives, without loading
        it: click shortens the summary the same way (a stand-in command with that help)."""
        return click.Command(None, help=self.summary).get_short_help_str(limit)

    def load(self) -> click.Command:
        module_name, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command


class LazyGroup(click.Group):
    """A `click.Group` that imports `lazy` commands on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(self.lazy[cmd_name].load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _visible(self, ctx: click.Context) -> list[str]:
        """The names to show: every lazy command not imported yet (none is hidden), and
        the imported ones that are not hidden."""
        shown = []
        for name in self.list_commands(ctx):
            if name in self.lazy and name not in self.commands:
                shown.append(name)
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                shown.append(name)
        return shown

    def _summary(self, ctx: click.Context, name: str, limit: int) -> str:
        """The short help of a visible command, without importing it."""
        if name in self.lazy and name not in self.commands:
            return self.lazy[name].short_help(limit)
        command = self.get_command(ctx, name)
        assert command is not None
        return command.get_short_help_str(limit)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """`click.Group.format_commands`, with the summaries of commands not imported."""
        names = self._visible(ctx)
        if names:
            limit = formatter.width - 6 - max(len(name) for name in names)
            with formatter.section("Commands"):
                formatter.write_dl([(name, self._summary(ctx, name, limit)) for name in names])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """`click.Group.shell_complete` (command names with their short help, then the
        group's options), without importing the commands."""
        from click.shell_completion import CompletionItem

        results = [
            CompletionItem(name, help=self._summary(ctx, name, 45))
            for name in self._visible(ctx)
            if name.startswith(incomplete)
        ]
        results.extend(click.Command.shell_complete(self, ctx, incomplete))
        return results
