"""The release: a wheel and an sdist built by the documented command in a clean virtual
environment, the wheel installed (with the `sandbox` extra) into another clean one, and
a new user's first commands run with the installed `billing`:

    billing init demo && cd demo && billing plan && billing apply --auto-approve

Dependencies come from the package index pip is configured with (PyPI here); nothing of
this checkout's own environment is used but `python3 -m venv`. About 40 s on an idle
machine (so not marked slow)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from reconciler.version import __version__

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(
    ".venv", ".git", "tests", "dist", "build", "*.egg-info", ".billing", "plans",
    "__pycache__", ".*_cache", ".hypothesis", "benchmarks",
)  # fmt: skip


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def venv(path: Path) -> Path:
    run([sys.executable, "-m", "venv", str(path)], path.parent)
    return path / "bin"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m pip install build && python -m build` (the documented command), run in
    a clean environment on a copy of the source tree (so the checkout stays clean)."""
    root = tmp_path_factory.mktemp("release")
    source = root / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    tools = venv(root / "build-env")
    run([str(tools / "python"), "-m", "pip", "install", "--quiet", "build"], root)
    run([str(tools / "python"), "-m", "build", "--outdir", str(root / "dist")], source)
    return root / "dist"


def test_wheel_and_sdist_carry_the_metadata(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    assert wheel.name == f"alguna_billing-{__version__}-py3-none-any.whl"
    assert sdist.name == f"alguna_billing-{__version__}.tar.gz"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"alguna_billing-{__version__}.dist-info"
        meta = Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert meta["Version"] == __version__
    assert meta["Requires-Python"] == ">=3.11"
    assert "License :: OSI Approved :: Apache Software License" in meta.get_all("Classifier")
    assert {url.split(",")[0] for url in meta.get_all("Project-URL")} >= {
        "Homepage", "Repository", "Issues", "Documentation"
    }  # fmt: skip
    assert set(meta.get_all("Provides-Extra")) >= {"sandbox", "test"}
    requires = meta.get_all("Requires-Dist")
    for bounded in ("pydantic<3,>=2.6", "deepdiff<10,>=7", "click<9,>=8.1"):
        assert bounded in requires, requires
    assert "billing = reconciler.cli:run" in entry_points
    assert "reconciler/commands/skeleton/catalog/plans.toml" in names
    assert "reconciler/report/templates/plan.md.j2" in names
    assert not any(name.startswith("tests/") for name in names)


def test_install_the_wheel_then_init_plan_apply(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    user = venv(tmp_path / "user-env")
    run([str(user / "python"), "-m", "pip", "install", "--quiet", f"{wheel}[sandbox]"], tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BILLING_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join([str(user), "/usr/bin", "/bin"])
    env["NO_COLOR"] = "1"
    assert run(["billing", "--version"], tmp_path, env).strip() == f"billing {__version__}"
    out = run(
        [
            "bash",
            "-ec",
            "billing init demo && cd demo && billing plan && billing apply --auto-approve",
        ],
        tmp_path,
        env,
    )
    assert "Plan: 4 to create" in out
    assert "Apply complete: 4 created" in out
    # It ran the installed copy, not this checkout.
    where = run(
        [str(user / "python"), "-c", "import reconciler; print(reconciler.__file__)"], tmp_path
    )
    assert where.startswith(str(tmp_path / "user-env"))
