"""Crash-safety soak: kill -9 `billing apply` at random points, rerun, count the damage.

Starts `billing sandbox serve` on a free port (its own process, so requests in flight at a
kill still complete), writes a project with a generated catalog pointing at it, times one
uninterrupted apply, then for each run: empties the emulator, starts `billing apply
--auto-approve`, kills it with SIGKILL at a seeded random point drawn over that apply's
writing time (counted from the run's first write), reruns it to completion, runs
`billing plan --detailed-exitcode` (must be 0: nothing lost) and lists every object from
the emulator (duplicates by natural key, declared resources missing). Prints one line per
run and a summary table: runs, kills, converged, duplicates, lost changes, mean kill point.

    python benchmarks/crash_safety.py                       # 20 runs, 300 resources
    python benchmarks/crash_safety.py --runs 5 --resources 150 --seed 7
    python benchmarks/crash_safety.py --saved-plan          # kill `billing apply PLANFILE`

Exit code 0 when every run converged with zero duplicates and zero lost changes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.crash.harness import Project, calibrate, kill_runs, serving, summary_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="kill runs (default 20)")
    parser.add_argument(
        "--resources", type=int, default=300, help="catalog size (default 300: 320 changes)"
    )
    parser.add_argument("--seed", type=int, default=1, help="catalog and kill-point seed")
    parser.add_argument(
        "--saved-plan",
        action="store_true",
        help="save a plan before each run and kill `billing apply PLANFILE` instead",
    )
    args = parser.parse_args(argv)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="billing-crash-") as tmp:
        root = Path(tmp)
        with serving(root / "emulator") as emulator:
            project = Project.generated(
                root / "project", emulator.base_url, args.resources, args.seed
            )
            calibration = calibrate(emulator, project)
            print(
                f"{args.runs} runs, {args.resources} resources ({project.expected.changes}"
                f" changes), seed {args.seed}{', saved plan' if args.saved_plan else ''}",
                flush=True,
            )
            runs = kill_runs(
                emulator, project, args.runs, args.seed, calibration, saved_plan=args.saved_plan
            )
    print(summary_table(runs, calibration))
    print(f"\n{time.monotonic() - began:.0f} s in all")
    return 0 if all(r.converged for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
