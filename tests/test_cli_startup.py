"""`billing` loads its commands lazily (issue 19): `--help` and `--version` import click and
the top-level group only, and each command imports what it needs when it runs.

Not timed (benchmarks/startup.py measures): these check what is imported, in a fresh
process, and that the lazy registry (`reconciler.cli.COMMANDS`) is complete and true, so
the help and the shell completion are what a group with every command loaded shows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reconciler.cli import COMMANDS, main
from reconciler.version import __version__

ROOT = Path(__file__).resolve().parent.parent

# Third-party packages and our own layers that no start-up of the group may import.
HEAVY = (
    "pydantic",
    "httpx",
    "jinja2",
    "fastapi",
    "uvicorn",
    "starlette",
    "alguna_emulator",
    "deepdiff",
    "rich",
    "tomlkit",
    "reconciler.commands",
    "reconciler.catalog",
    "reconciler.model",
    "reconciler.api",
    "reconciler.report",
    "reconciler.settings",
    "reconciler.errors",
)

# Runs `billing ARGS` as the console script does, then prints what was imported.
_PROBE = """
import json, sys
sys.argv = ["billing", *json.loads(sys.argv[1])]
from reconciler.cli import run
try:
    run()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _run(args: list[str], cwd: Path = ROOT) -> tuple[str, int, set[str]]:
    """stdout, the exit code and the modules imported by `billing ARGS` in a fresh process."""
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return done.stdout, report["code"], set(report["modules"])


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def _command_modules(modules: set[str]) -> list[str]:
    light = {"reconciler.cli", "reconciler.cli.common", "reconciler.cli.lazy"}
    return sorted(m for m in modules if m.startswith("reconciler.cli.") and m not in light)


@pytest.mark.parametrize("flag", ["--version", "--help", "-h"])
def test_help_and_version_import_no_command(flag: str) -> None:
    out, code, modules = _run([flag])
    assert code == 0
    if flag == "--version":
        assert out == f"billing {__version__}\n"
    else:
        assert all(f"  {name}" in out for name in COMMANDS), out
    assert _heavy(modules) == []
    assert _command_modules(modules) == []


def test_a_command_imports_its_module_and_what_it_needs() -> None:
    """The probe sees imports: the command run is loaded (and its help needs no project)."""
    out, code, modules = _run(["validate", "--help"])
    assert code == 0 and "Usage: billing validate" in out
    assert "reconciler.cli.validate" in modules
    assert "reconciler.cli.workflow" not in modules


def test_validate_does_not_load_the_emulator_or_the_http_client() -> None:
    out, code, modules = _run(["validate"])
    assert code == 0, out
    assert "The catalog is valid" in out
    assert "reconciler.catalog" in modules
    unneeded = ("httpx", "fastapi", "uvicorn", "alguna_emulator", "reconciler.api")
    assert [m for m in modules if m.split(".")[0] in unneeded or m in unneeded] == []
    # Nor the layers that speak to an account: the wire mapping, the reader, the diff.
    online = ("reconciler.wire", "reconciler.live", "reconciler.diff", "reconciler.apply")
    assert [m for m in modules if m.startswith(online)] == []
    # Nor the live state's models (`reconciler.model` imports them on first use).
    assert "reconciler.model.live_state" not in modules


def test_completion_of_command_names_imports_no_command() -> None:
    env = {"PATH": "/usr/bin:/bin", "_BILLING_COMPLETE": "bash_complete"}
    code = (
        "import os, sys\n"
        "os.environ.update(COMP_WORDS='billing p', COMP_CWORD='1')\n"
        "from reconciler.cli import main\n"
        "try:\n    main(prog_name='billing')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('reconciler.cli.')), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["plain,plan", "plain,promote"]
    assert done.stderr.strip() == "['reconciler.cli.common', 'reconciler.cli.lazy']"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registered_command_resolves(name: str) -> None:
    """The entry loads a command of that name whose help starts with the registered
    summary (so `billing --help` shows what the command's own docstring says)."""
    command = COMMANDS[name].load()
    assert isinstance(command, click.Command)
    assert command.name == name
    assert command.help is not None
    first_paragraph = command.help.split("\n\n")[0]
    assert " ".join(first_paragraph.split()) == COMMANDS[name].summary
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: main {name} ")


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
def test_lazy_help_is_what_a_loaded_group_shows(width: int) -> None:
    """The top-level help and completion, rendered from the registry, are byte for byte
    what click renders with every command imported."""
    loaded = click.Group(name="main", help=main.help, params=main.params)
    for name, entry in COMMANDS.items():
        loaded.add_command(entry.load(), name)
    lazy = type(main)(
        name="main",
        help=main.help,
        params=main.params,
        lazy=COMMANDS,
        context_settings=main.context_settings,
    )
    loaded.context_settings = main.context_settings

    def help_of(group: click.Group) -> str:
        return CliRunner().invoke(group, ["--help"], terminal_width=width).output

    assert help_of(lazy) == help_of(loaded)
    ctx = click.Context(lazy)
    assert [(c.value, c.help) for c in lazy.shell_complete(ctx, "")] == [
        (c.value, c.help) for c in loaded.shell_complete(click.Context(loaded), "")
    ]
