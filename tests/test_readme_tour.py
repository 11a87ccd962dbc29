"""The README's first commands and its five-minute tour, run as written: every command
line of the `sh` blocks of "Install and start your own project" and "Five-minute tour",
in order, in one bash session in an empty folder, with this checkout's `billing` on PATH.

The install line is not run (the package under test is installed here); it is checked
to pin this release. Each command's output is kept, so the tour's claims are checked:
what the plan shows, that `show` prints the saved plan as `plan` printed it, and that
drift finds nothing after the apply. The price changed is a bundle's: bundles are updated
in place, while plans are write-once in Alguna (issue 16 changes how a plan's new price is
applied), so the tour holds before and after it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from reconciler.version import __version__

README = Path(__file__).resolve().parents[1] / "README.md"


def section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def commands(title: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", section(title), re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def run_session(lines: list[str], cwd: Path) -> list[tuple[int, str, str]]:
    """Run `lines` in one bash session; (exit code, stdout, stderr) per line. Stops at
    the first failure, as a reader would."""
    out = cwd.parent / f"{cwd.name}-out"
    out.mkdir()
    script = ["set -u"]
    for index, line in enumerate(lines):
        script.append(
            f"{{ {line} ; }} > {out}/{index}.out 2> {out}/{index}.err;"
            f" code=$?; echo $code > {out}/{index}.rc; [ $code -eq 0 ] || exit $code"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILLING_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["NO_COLOR"] = "1"
    subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, env=env, timeout=600)
    results = []
    for index in range(len(lines)):
        rc = out / f"{index}.rc"
        if not rc.exists():
            break
        results.append(
            (
                int(rc.read_text()),
                (out / f"{index}.out").read_text(),
                (out / f"{index}.err").read_text(),
            )
        )
    return results


def test_install_and_start_then_the_tour(tmp_path: Path) -> None:
    install, *start = commands("Install and start your own project")
    assert install == "pip install '.[sandbox]'"  # this checkout, which is the release
    pinned = f"pip install 'alguna-billing[sandbox]=={__version__}'"
    assert pinned in section("Install and start your own project")
    assert start == ["billing init demo && cd demo && billing plan && billing apply --auto-approve"]
    first = tmp_path / "first"
    first.mkdir()
    (result,) = run_session(start, first)
    assert result[0] == 0, result
    assert "Apply complete: 4 created" in result[1]

    tour = commands("Five-minute tour")
    assert [line.split()[:2] for line in tour] == [
        ["billing", "init"],
        ["billing", "plan"],
        ["billing", "apply"],
        ["perl", "-pi"],
        ["billing", "plan"],
        ["billing", "show"],
        ["billing", "apply"],
        ["billing", "drift"],
    ]
    work = tmp_path / "tour"
    work.mkdir()
    results = run_session(tour, work)
    assert len(results) == len(tour), results[-1]
    for line, (code, stdout, stderr) in zip(tour, results, strict=True):
        assert code == 0, f"{line}: exit {code}\n{stdout}{stderr}"
    _init, plan, apply, _edit, review, show, apply_reviewed, drift = results
    assert "Plan: 4 to create" in plan[1]
    assert "Saved the plan to plans/local/" in plan[2]
    assert "Apply complete: 4 created" in apply[1]
    assert "bundle.starter" in review[1] and "35.00" in review[1]
    assert "+20.69%" in review[1] and "above the 10% review threshold" in review[1]
    assert show[1] == review[1], "show prints the saved plan as plan printed it"
    assert "Apply complete" in apply_reviewed[1]
    assert "No drift" in drift[1]
