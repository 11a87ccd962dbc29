"""Start-up of the `billing` CLI against the start-up of `python -c pass` (issue 19).

Each measurement is the median wall time of N fresh processes; the runs of the commands
are interleaved (pass, --version, --help, validate, pass, ...) so that a busy machine
slows them alike, and each is reported as a ratio to `python -c pass` measured in the
same run (wall time on a shared machine varies by 20-40% from one run to the next;
`--instructions` counts the instructions each command executes instead, which load does
not change, to judge a change to start-up). Targets: `billing --help` and
`billing --version` at most 4x, `billing validate` on the example catalog (the
repository's own billing.toml and catalog/) at most 8x.

    python benchmarks/startup.py                 # 20 runs each
    python benchmarks/startup.py --runs 50 --json
    python benchmarks/startup.py --floor         # and the floors under --help and validate
    python benchmarks/startup.py --instructions  # instructions executed (valgrind), not time
    python benchmarks/startup.py --python /tmp/installed/bin/python  # another install

Measure a regular install, as users have it (`pip install .`, not `pip install -e .`):
an editable install adds a finder that every process of its environment imports at
start-up, `python -c pass` included (about 9 ms here, mostly modules `billing` imports
anyway), which makes every ratio look better than a user's. The script says so when the
interpreter it runs has one. A regular install beside a checkout:

    python3 -m venv /tmp/installed && /tmp/installed/bin/pip install .

`measure(runs)` returns the figures (for `benchmarks/scale.py`). The commands run through
the same interpreter as this script, or `--python`'s (`python -c "from reconciler.cli
import run; ..."`, what the `billing` console script does), so the `reconciler` measured
is the one that interpreter imports (PYTHONPATH can point at another checkout). Exit
code 0 when every target is met.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the `billing` console script runs (pip's generated script, without the file); a
# checkout from before `run` existed (a "before" figure, via PYTHONPATH) runs its `main`.
_BILLING = (
    "import sys; sys.argv[0] = 'billing'; import reconciler.cli as cli;"
    " sys.exit(getattr(cli, 'run', cli.main)())"
)

# name -> (argv after the interpreter, target ratio to `python -c pass`; None: the baseline)
COMMANDS: dict[str, tuple[list[str], float | None]] = {
    "python -c pass": (["-c", "pass"], None),
    "billing --version": (["-c", _BILLING, "--version"], 4.0),
    "billing --help": (["-c", _BILLING, "--help"], 4.0),
    "billing validate": (["-c", _BILLING, "--project", str(ROOT), "validate"], 8.0),
}

# `--floor`, without targets: click alone with the help of a one-command group (what
# `billing --help` cannot go under), then what `billing validate`'s start-up is made of:
# the libraries it needs (one pydantic model built: pydantic imports its schema builder
# and its plugin loader, with importlib.metadata, on the first), then every module it
# imports (the model classes built), exiting as `run` does; the rest of `billing
# validate` is its run.
_EXIT = "import gc; gc.freeze()"
FLOOR: dict[str, tuple[list[str], float | None]] = {
    # What `billing --help` cannot go under: click, and its help of a one-command group.
    "click --help only": (
        [
            "-c",
            "import click\n@click.group()\ndef g(): pass\n@g.command()\ndef a(): 'A.'\ng()",
            "--help",
        ],
        None,
    ),
    "libraries only": (
        [
            "-c",
            "import click, jinja2, jinja2.sandbox, pydantic, tomllib\n"
            f"class M(pydantic.BaseModel):\n    x: int\n{_EXIT}",
        ],
        None,
    ),
    "validate's imports": (
        ["-c", f"import reconciler.cli.validate, reconciler.catalog.render; {_EXIT}"],
        None,
    ),
}


@dataclass(frozen=True)
class Startup:
    """One command: the median seconds, its ratio to `python -c pass`, and the target."""

    command: str
    median_s: float
    ratio: float
    target: float | None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.ratio <= self.target


def editable_finders(python: str = sys.executable) -> list[str]:
    """The editable installs whose finders `python` imports at every start-up."""
    listed = subprocess.run(
        [python, "-c", _LIST_EDITABLE], capture_output=True, text=True, check=True
    )
    return listed.stdout.split()


_LIST_EDITABLE = (
    "import pathlib, site\n"
    "for folder in site.getsitepackages():\n"
    "    for pth in sorted(pathlib.Path(folder).glob('__editable__*.pth')):\n"
    "        if 'import' in pth.read_text():\n"
    "            print(pth.name)"
)


def editable_note(python: str = sys.executable) -> str | None:
    """A warning to print beside the figures when `python` has an editable install."""
    finders = editable_finders(python)
    if not finders:
        return None
    return (
        f"note: {python} imports an editable install's finder at every start-up"
        f" ({', '.join(finders)}), `python -c pass` included: the ratios are lower than"
        " a regular install's. Measure one with --python (see this script's docstring)."
    )


def _once(argv: list[str], python: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [python, *argv],
        cwd=tempfile.gettempdir(),  # not a checkout: `python -c` puts the folder first on sys.path
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_ENV,
        check=False,
    )
    return time.perf_counter() - started


# The default environment of billing.toml, whatever the caller's shell selects.
_ENV = {k: v for k, v in os.environ.items() if k != "BILLING_ENV"}


def measure(runs: int = 20, floor: bool = False, python: str = sys.executable) -> list[Startup]:
    """Median start-up of each command (and, with `floor`, of the `FLOOR` rows) over `runs`
    interleaved runs of `python`, as ratios to `python -c pass` (the first row). One
    warm-up run of each is not counted."""
    commands = {**COMMANDS, **FLOOR} if floor else COMMANDS
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv, _target in commands.values():
        _once(argv, python)
    for _ in range(runs):
        for name, (argv, _target) in commands.items():
            times[name].append(_once(argv, python))
    base = statistics.median(times["python -c pass"])
    return [
        Startup(
            command=name,
            median_s=statistics.median(times[name]),
            ratio=statistics.median(times[name]) / base,
            target=target,
        )
        for name, (_argv, target) in commands.items()
    ]


VALGRIND = ("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null")


def counted(
    command: list[str], env: dict[str, str], cwd: str | None = None
) -> tuple[int | None, subprocess.CompletedProcess[str]]:
    """`command` run under callgrind with string hashing fixed (so dictionaries are laid
    out alike from run to run): the instructions it executed (None when valgrind gave no
    count) and the finished process, its output captured."""
    done = subprocess.run(
        [*VALGRIND, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env | {"PYTHONHASHSEED": "0"},
        check=False,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    return (None if found is None else int(found.group(1))), done


def instructions(
    floor: bool = False, runs: int = 3, python: str = sys.executable
) -> dict[str, int]:
    """Instructions each command executes (valgrind's callgrind; the least of `runs`, with
    string hashing fixed so dictionaries are laid out alike). Not a target: a figure that
    does not depend on the machine's load, to compare two versions of the start-up."""
    commands = {**COMMANDS, **FLOOR} if floor else COMMANDS
    counts: dict[str, int] = {}
    for name, (argv, _target) in commands.items():
        seen = []
        for _ in range(runs):
            count, done = counted([python, *argv], _ENV, cwd=tempfile.gettempdir())
            if count is None:
                raise SystemExit(f"valgrind gave no count for {name}: {done.stderr[-500:]}")
            seen.append(count)
        counts[name] = min(seen)
    return counts


def instructions_table(counts: dict[str, int]) -> str:
    base = counts["python -c pass"]
    lines = [f"{'command':<20} {'instructions':>14} {'ratio':>7}"]
    for name, count in counts.items():
        lines.append(f"{name:<20} {count / 1e6:>12.1f} M {count / base:>6.2f}x")
    return "\n".join(lines)


def table(rows: list[Startup]) -> str:
    lines = [f"{'command':<20} {'median':>9} {'ratio':>7}  target"]
    for row in rows:
        verdict = "" if row.met is None else ("met" if row.met else "MISSED")
        target = "" if row.target is None else f"<= {row.target:g}x  {verdict}"
        lines.append(
            f"{row.command:<20} {row.median_s * 1000:>7.1f}ms {row.ratio:>6.2f}x  {target}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each command (default 20)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--floor", action="store_true", help="also the floors under --help and validate"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions under valgrind instead of timing (needs valgrind)",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter to run the commands with (default: this one)",
    )
    args = parser.parse_args()
    note = editable_note(args.python)
    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("--instructions needs valgrind on PATH")
        print(instructions_table(instructions(args.floor, python=args.python)))
        if note:
            print(note)
        return 0
    rows = measure(args.runs, args.floor, args.python)
    if args.json:
        print(json.dumps([asdict(r) | {"met": r.met} for r in rows], indent=2))
    else:
        print(table(rows))
        if note:
            print(note)
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
