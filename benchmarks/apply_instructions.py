"""The apply's instructions per write at several sizes (valgrind's callgrind): how its cost
grows with the catalog, without the machine's speed in the figure.

`scale.py` gives the apply's CPU growth from 1,000 to 10,000 resources as an exponent of
CPU seconds, and the two sizes run minutes apart on a machine whose speed moves by a
quarter within minutes (docs/performance.md): the exponent came out between +0.98 and
+1.12 for the same code. Instructions do not depend on the machine's speed or load.

For each size: an empty emulator (rate limits and latency off), the generated catalog of
`scale.py` (`benchmarks/catalog_gen.py`, seed 1), and `scale.py`'s apply worker (a whole
apply from an empty account, in a fresh process) under callgrind. The process's count
includes a constant part (imports, connecting), so growth is judged on the marginal
instructions per write between one size and the next: for a linear apply they are the
same at every size, and `b` (the growth exponent, as `scale.py` defines it) is
1 + log(marginal ratio) / log(size ratio).

    python benchmarks/apply_instructions.py                     # 1,000, 3,000, 10,000 (~15 min)
    python benchmarks/apply_instructions.py --sizes 1000,2000,4000

Sizes under about 1,000 mislead (30, 100, 300 gave +1.43): what is done once per kind or
model then counts as marginal cost.

Needs valgrind on PATH. Unset PYTHONDONTWRITEBYTECODE first (or every process compiles
every module, under valgrind).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.catalog_gen import generate_catalog
from benchmarks.scale import ENV, write_project
from benchmarks.startup import counted
from tests.crash.harness import child_environment, serving

SCALE = Path(__file__).resolve().parent / "scale.py"


@dataclass(frozen=True)
class Counted:
    size: int
    writes: int  # changes applied
    instructions: int


def count_apply(workdir: Path, base_url: str, size: int, seed: int) -> Counted:
    """One apply of the catalog of `size` from an empty account, under callgrind."""
    root = workdir / f"project-{size}"
    write_project(root, base_url, generate_catalog(size, seed))
    spec = workdir / f"apply-{size}.json"
    spec.write_text(json.dumps({"op": "apply", "project": str(root), "env": ENV}), "utf-8")
    count, done = counted([sys.executable, str(SCALE), "--worker", str(spec)], child_environment())
    if done.returncode != 0 or count is None:
        raise SystemExit(f"the apply at {size} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != "success":
        raise SystemExit(f"the apply at {size} did not succeed: {result}")
    return Counted(size, int(result["applied"]), count)


def table(counted: list[Counted]) -> str:
    lines = [
        "| N | writes | instructions | per write | marginal per write | growth b |",
        "|---|---|---|---|---|---|",
    ]
    previous: Counted | None = None
    marginal_before: float | None = None
    for row in counted:
        per_write = row.instructions / row.writes
        marginal = growth = ""
        if previous is not None:
            extra = (row.instructions - previous.instructions) / (row.writes - previous.writes)
            marginal = f"{extra / 1e6:.3f} M"
            if marginal_before is not None:
                b = 1 + math.log(extra / marginal_before) / math.log(row.size / previous.size)
                growth = f"{b:+.3f}"
            marginal_before = extra
        lines.append(
            f"| {row.size:,} | {row.writes:,} | {row.instructions / 1e9:.2f} G"
            f" | {per_write / 1e6:.3f} M | {marginal} | {growth} |"
        )
        previous = row
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3000,10000", help="catalog sizes, ascending")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("needs valgrind on PATH")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    counted: list[Counted] = []
    with tempfile.TemporaryDirectory(prefix="billing-instructions-") as tmp:
        workdir = Path(tmp)
        with serving(workdir / "emulator") as emulator:
            quiet = {"rate_limits": {"enabled": False}, "latency_ms": 0}
            emulator.control.patch("/_emulator/settings", json=quiet).raise_for_status()
            for size in sizes:
                emulator.reset()
                counted.append(count_apply(workdir, emulator.base_url, size, args.seed))
                print(f"  {size:>6}: {counted[-1].instructions / 1e9:.2f} G", file=sys.stderr)
    print(table(counted))
    return 0


if __name__ == "__main__":
    sys.exit(main())
