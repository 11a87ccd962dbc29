"""`billing init [DIR]`: a new project that plans and applies as it is.

Writes `billing.toml` (the embedded environment, with sandbox and production written out
as comments), a minimal catalog that validates (a metric, two products, a bundle that
prices them; a plan selling the bundle is written out as a comment, since plans are
write-once in Alguna and the reconciler plans them as such only from issue 16 on),
`plans/README.md`, a `.gitignore` for `.billing/` and saved plans, and the CI recipes
(`.github/workflows/billing-{plan,apply,drift}.yml`, the same files as
examples/github/workflows). The templates are package data (`skeleton/`), so an
installed wheel carries them.

Never overwrites: if any file it would write exists, nothing is written and
`InitRefusedError` names them. An existing `.gitignore` is the exception: the lines it
lacks are appended (a project added to an existing repository keeps its own ignores).
Never prints, never opens an API.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from reconciler.errors import BillingError

GITIGNORE = ".gitignore"
# destination in the new project -> template in skeleton/
FILES: dict[str, str] = {
    "billing.toml": "billing.toml",
    "catalog/metrics.toml": "catalog/metrics.toml",
    "catalog/products.toml": "catalog/products.toml",
    "catalog/bundles.toml": "catalog/bundles.toml",
    "catalog/plans.toml": "catalog/plans.toml",
    "plans/README.md": "plans_README.md",
    ".github/workflows/billing-plan.yml": "workflows/billing-plan.yml",
    ".github/workflows/billing-apply.yml": "workflows/billing-apply.yml",
    ".github/workflows/billing-drift.yml": "workflows/billing-drift.yml",
    GITIGNORE: "gitignore",
}


class InitRefusedError(BillingError):
    """`billing init` would overwrite files; nothing was written."""


@dataclass(frozen=True)
class Initialized:
    """What `init_project` wrote: `created` files, and whether an existing .gitignore
    was extended (`gitignore_extended`), all relative to `root`."""

    root: Path
    created: tuple[str, ...]
    gitignore_extended: bool = False


def template(name: str) -> str:
    """The text of skeleton file `name` (package data)."""
    return files("reconciler.commands").joinpath("skeleton", name).read_text(encoding="utf-8")


def init_project(root: Path) -> Initialized:
    """Write a new project into `root` (created if missing). InitRefusedError, with
    nothing written, when one of its files exists already."""
    if root.exists() and not root.is_dir():
        raise InitRefusedError(f"{root} exists and is not a folder")
    existing = sorted(dest for dest in FILES if dest != GITIGNORE and (root / dest).exists())
    if existing:
        raise InitRefusedError(
            f"refusing to overwrite {', '.join(existing)} in {root}; nothing was written"
            " (billing init starts a new project: choose an empty folder)"
        )
    created: list[str] = []
    extended = False
    for dest, source in FILES.items():
        path = root / dest
        text = template(source)
        if dest == GITIGNORE and path.exists():
            extended = _extend_gitignore(path, text)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(dest)
    return Initialized(root=root, created=tuple(created), gitignore_extended=extended)


def _extend_gitignore(path: Path, text: str) -> bool:
    """Append to `path` the ignore lines of `text` it lacks; True if it changed."""
    present = set(path.read_text(encoding="utf-8").splitlines())
    wanted = [line for line in text.splitlines() if line and not line.startswith("#")]
    missing = [line for line in wanted if line not in present]
    if not missing:
        return False
    current = path.read_text(encoding="utf-8")
    separator = "" if current.endswith("\n") or not current else "\n"
    path.write_text(current + separator + "\n".join(missing) + "\n", encoding="utf-8")
    return True
