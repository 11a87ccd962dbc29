"""`billing fmt [--check] [--diff] [--sort-keys] [FILES...]`: catalog files in canonical form.

Thin: `reconciler.commands.fmt` decides; this prints one line per file that changes (or would),
a warning per file left alone, an error line per file that is not TOML, and a count.
Exit 0 when nothing is wrong (and, with --check, nothing would change); 1 when a file is
not TOML or cannot be read, or, with --check, when a file would be reformatted.
Without FILES it formats every catalog file of the project (`catalog/**/*.toml`); with
FILES (files or folders) it needs no project, so a pre-commit hook can pass the staged
files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.common import Context, guarded
from reconciler.commands.fmt import format_catalog, format_failed
from reconciler.report.fmt_output import changed_lines, fmt_summary, problem_lines


@click.command("fmt")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Show the changes as a unified diff.")
@click.option(
    "--sort-keys",
    is_flag=True,
    help="Also put keys in the catalog's canonical order (name first, items last).",
)
@click.pass_obj
@guarded
def fmt(
    obj: Context, files: tuple[Path, ...], check: bool, show_diff: bool, sort_keys: bool
) -> None:
    """Format catalog files canonically, keeping every comment."""
    project = None if files else obj.project()
    outcomes = format_catalog(project, files, check=check, sort_keys=sort_keys)
    click.echo(changed_lines(outcomes, check=check, show_diff=show_diff), nl=False)
    for line in problem_lines(outcomes):
        click.echo(line, err=True)
    click.echo(fmt_summary(outcomes, check=check), err=True)
    sys.exit(1 if format_failed(outcomes, check=check) else 0)
