"""The `billing` command line: click wiring only.

Each command module here parses its options, calls one function of
`reconciler.commands` (which returns a result object and never prints), renders the
result with `reconciler.report`, and maps it to an exit code: 0 success or nothing to
do, 1 error, 2 changes present (with --detailed-exitcode, and always for drift). A user
error never shows a traceback (`common.guarded`); `--debug` shows one. Nothing here opens
an HTTP client, a server or the emulator: `commands` does.

Commands are loaded lazily (`lazy.LazyGroup`): this module imports click and nothing
heavy, so `billing --help` and `billing --version` start at once, and a command imports
only what it needs (the emulator, FastAPI, httpx, Jinja2 and pydantic come in with the
commands that use them). `tests/test_cli_startup.py` holds this.

To add a command, write `reconciler/cli/<name>.py` with a click command (or group) and
add one line to `COMMANDS` below: the name, `"module:attribute"`, and the first paragraph
of the command's docstring (what `billing --help` shows; the test checks they agree):

    "invoice": LazyCommand("reconciler.cli.invoice:invoice", "Preview an invoice ..."),
"""

# ruff: noqa: E501 (one line per command, see above)
from __future__ import annotations

import gc
from pathlib import Path

import click

from reconciler.cli.common import Context
from reconciler.cli.lazy import LazyCommand, LazyGroup
from reconciler.version import __version__

# name -> where the command lives, and the first paragraph of its help (billing --help)
# fmt: off
COMMANDS: dict[str, LazyCommand] = {
    "apply": LazyCommand("reconciler.cli.workflow:apply", "Make the live account match the catalog: a saved PLANFILE exactly, or a fresh plan."),
    "drift": LazyCommand("reconciler.cli.workflow:drift", "Show what changed in the live account outside the catalog; exit 2 on drift."),
    "events": LazyCommand("reconciler.cli.events:events", "Send usage events (POST /events)."),
    "fmt": LazyCommand("reconciler.cli.fmt:fmt", "Format catalog files canonically, keeping every comment."),
    "import": LazyCommand("reconciler.cli.importing:import_command", "Write catalog files for live objects the catalog does not declare yet."),
    "init": LazyCommand("reconciler.cli.init:init_command", "Start a new project in DIRECTORY (default: here): billing.toml, a catalog that validates, plans/, .gitignore and the CI workflows. Never overwrites a file."),
    "invoice": LazyCommand("reconciler.cli.invoice:invoice", "Invoices the catalog produces (offline)."),
    "listen": LazyCommand("reconciler.cli.listen:listen", "Print (or forward) the emulator's webhooks for an environment, verified."),
    "plan": LazyCommand("reconciler.cli.workflow:plan", "Show what apply would change in the live account, money first."),
    "promote": LazyCommand("reconciler.cli.promote:promote_command", "Plan --to from the catalog, after proving --from matches it (natural keys, not ids)."),
    "quote": LazyCommand("reconciler.cli.pricing:quote", "Price a usage under a declared price, tier by tier (offline)."),
    "sandbox": LazyCommand("reconciler.cli.sandbox:sandbox", "Run the local Alguna API emulator."),
    "schema": LazyCommand("reconciler.cli.schema:schema", "Print the JSON Schema of a catalog file (for editors and CI)."),
    "show": LazyCommand("reconciler.cli.show:show", "Show a saved plan exactly as `billing plan` showed it: offline, no API key."),
    "test": LazyCommand("reconciler.cli.pricing:pricing_tests", "Run the pricing and invoice tests declared in the catalog (offline); exit 1 if any fails."),
    "validate": LazyCommand("reconciler.cli.validate:validate", "Check billing.toml and the catalog; exit 0 if valid, 1 with every problem."),
}
# fmt: on


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: the nearest folder upwards with billing.toml).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and log requests (no secrets).")
@click.option("-v", "--verbose", count=True, help="More log output (repeat for more).")
@click.version_option(__version__, prog_name="billing", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None, debug: bool, verbose: int) -> None:
    """Billing as code for Alguna: declare your catalog in TOML, plan and apply it."""
    import logging  # here: --help and --version never need it

    level = logging.DEBUG if debug or verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Context(project_dir=project_dir, debug=debug)


def run() -> None:
    """The `billing` console script (and `python -m reconciler`): `main` as a whole process.

    Freezes the collector's heap on the way out. Every object dies with the process, and
    the interpreter's final collections would otherwise walk them all: about 30 ms of
    `billing validate`'s start-up (`benchmarks/startup.py`). `main` itself does not: tests
    invoke it in-process, where a frozen heap would never be collected.
    """
    try:
        main()
    finally:
        gc.freeze()
