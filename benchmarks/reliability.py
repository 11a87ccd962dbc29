"""Reliability suite: failures injected into real applies, counted.

Runs every scenario of `tests/reliability/scenarios.py` and prints one table: runs,
failures (a guarantee that did not hold), duplicates (two live objects with one natural
key) and lost changes (a declared resource, or an out-of-band edit, missing at the end),
then what went wrong in each failed run.

Scenarios (names for --only):
  kill        kill -9 of `billing apply` at seeded random points, then a rerun
  ctrl-c      SIGINT once (exit 1, partial) or twice (exit 130), then a rerun
  drop        writes that commit and then lose their connection (with and without retry)
  storm       429 storms (200 in a row, 50%, real limits against a too-high budget)
  chaos       slow, failing, dropped and hung requests at once, reads and writes
  expiry      a crashed apply resumed after the 24 h idempotency window
  stale       saved plans whose objects or catalog changed since they were made
  two-same    two processes applying one saved plan at once
  two-fresh   two processes each applying a fresh plan at once (300 resources, 1 s apart)
  two-example two processes each applying a fresh plan of the example catalog, the second
              0 to 1.5 s after the first (seeded)
  edit-race   an out-of-band edit between the read and the write of a fresh apply
  guard       list responses that are unauthorized, failing, malformed or empty
  diff        no perpetual diff over generated catalogs (all ten pricing models)
  hypothesis  no perpetual diff over hypothesis-drawn catalogs

    python benchmarks/reliability.py                   # everything, about 12 minutes
    python benchmarks/reliability.py --quick           # a few runs of each, about 3 minutes
    python benchmarks/reliability.py --only kill --kill-runs 100
    python benchmarks/reliability.py --only two-example,edit-race   # 30 and 20 runs

Exit code 0 when no scenario had a failure, a duplicate or a lost change.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.crash.harness import Project, serving
from tests.reliability import scenarios
from tests.reliability.scenarios import Row

ALL = (
    "kill",
    "ctrl-c",
    "two-same",
    "two-fresh",
    "two-example",
    "drop",
    "storm",
    "chaos",
    "expiry",
    "stale",
    "edit-race",
    "guard",
    "diff",
    "hypothesis",
)
PROCESSES = frozenset({"kill", "ctrl-c", "two-same", "two-fresh", "two-example"})


def table(rows: list[Row]) -> str:
    headers = ("scenario", "runs", "failures", "duplicates", "lost changes", "notes")
    cells = [
        [
            r.scenario,
            str(r.runs),
            str(r.failures),
            str(r.duplicates),
            str(r.lost),
            "; ".join(r.notes),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]

    def line(values: list[str] | tuple[str, ...]) -> str:
        padded = [
            v.rjust(w) if 0 < i < 5 else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(c) for c in cells)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated scenario names (default: all)")
    parser.add_argument("--quick", action="store_true", help="a few runs of each")
    parser.add_argument("--kill-runs", type=int, help="kill -9 runs (default 50; quick 5)")
    parser.add_argument("--runs", type=int, help="runs per other scenario (default 6; quick 2)")
    parser.add_argument("--race-runs", type=int, help="two-example runs (default 30; quick 4)")
    parser.add_argument("--edit-runs", type=int, help="edit-race runs (default 20; quick 3)")
    parser.add_argument("--examples", type=int, help="hypothesis catalogs (default 1000; quick 50)")
    parser.add_argument("--catalogs", type=int, help="generated catalogs (default 20; quick 3)")
    parser.add_argument("--seed", type=int, default=1, help="kill points and Ctrl-C points")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in (args.only or ",".join(ALL)).split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(ALL))
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    kill_runs = args.kill_runs or (5 if args.quick else 50)
    runs = args.runs or (2 if args.quick else 6)
    examples = args.examples or (50 if args.quick else 1000)
    catalogs = args.catalogs or (3 if args.quick else 20)
    race_runs = args.race_runs or (4 if args.quick else 30)
    edit_runs = args.edit_runs or (3 if args.quick else 20)
    began = time.monotonic()
    rows: list[Row] = []

    def timed(make: Callable[[], Row | list[Row]]) -> None:
        started = time.monotonic()
        made = make()
        new = made if isinstance(made, list) else [made]
        for row in new:
            row.seconds = (time.monotonic() - started) / len(new)
            print(
                f"  {row.scenario}: {row.runs} runs, {row.failures} failed"
                f" ({time.monotonic() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
        rows.extend(new)

    with tempfile.TemporaryDirectory(prefix="billing-reliability-") as tmp:
        root = Path(tmp)
        if PROCESSES & set(chosen):
            with serving(root / "emulator") as emulator:
                project = Project.generated(root / "project", emulator.base_url, 300, args.seed)
                if "kill" in chosen:
                    timed(lambda: scenarios.kill_nine(emulator, project, kill_runs, args.seed))
                if "ctrl-c" in chosen:
                    timed(lambda: scenarios.ctrl_c(emulator, project, runs, args.seed))
                if "two-same" in chosen:
                    timed(lambda: scenarios.two_processes(emulator, project, runs, True))
                if "two-fresh" in chosen:
                    timed(lambda: scenarios.two_processes(emulator, project, min(runs, 3), False))
                if "two-example" in chosen:
                    example = Project.write(
                        root / "example", emulator.base_url, scenarios.example_files()
                    )
                    timed(
                        lambda: scenarios.two_processes(
                            emulator,
                            example,
                            race_runs,
                            False,
                            stagger=(0.0, 1.5),
                            seed=args.seed,
                            label=", example catalog",
                        )
                    )
        library: dict[str, Callable[[], Row | list[Row]]] = {
            "drop": lambda: asyncio.run(scenarios.commit_then_drop(root, runs)),
            "storm": lambda: asyncio.run(scenarios.rate_limit_storm(root, runs)),
            "chaos": lambda: asyncio.run(scenarios.chaos_soak(root, runs)),
            "expiry": lambda: asyncio.run(scenarios.idempotency_window_expiry(root, runs)),
            "stale": lambda: asyncio.run(scenarios.stale_plans(root, runs)),
            "edit-race": lambda: asyncio.run(
                scenarios.edit_between_read_and_write(root, edit_runs)
            ),
            "guard": lambda: asyncio.run(scenarios.list_guard(root)),
            "diff": lambda: scenarios.no_perpetual_diff_generated(root, catalogs),
            "hypothesis": lambda: scenarios.no_perpetual_diff_hypothesis(examples),
        }
        for name in chosen:
            if name in library:
                timed(library[name])
    print(table(rows))
    problems = [(r.scenario, p) for r in rows for p in r.problems]
    if problems:
        print("\nFailed runs")
        for scenario, problem in problems:
            print(f"- {scenario}, {problem}")
    print(
        "\nSeconds per scenario: "
        + ", ".join(f"{r.scenario.split(':')[0]} {r.seconds:.0f}" for r in rows)
    )
    print(f"\n{time.monotonic() - began:.0f} s in all")
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
