"""`billing init [DIR]`: start a new project (see `reconciler.commands.init`)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from reconciler.cli.common import guarded
from reconciler.commands.init import init_project


@click.command("init")
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@guarded
def init_command(directory: Path) -> None:
    """Start a new project in DIRECTORY (default: here): billing.toml, a catalog that
    validates, plans/, .gitignore and the CI workflows. Never overwrites a file."""
    done = init_project(directory)
    for name in done.created:
        click.echo(f"created {(directory / name).as_posix()}")
    if done.gitignore_extended:
        click.echo(f"extended {(directory / '.gitignore').as_posix()}")
    enter = "" if directory == Path(".") else f"cd {shlex.quote(str(directory))} && "
    click.echo(
        f"\nNext: {enter}billing plan && billing apply --auto-approve"
        " (the embedded environment: a local Alguna emulator, no account needed)."
    )
