"""`Project`: a project folder with its settings, and what commands do with it.

What every command starts from (`reconciler.open_project` is its public name): the folder,
its validated `billing.toml`, and the catalog checked for one environment. Never prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.catalog import LoadResult, load_desired
from reconciler.settings import Settings, find_project, load_settings


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings

    @classmethod
    def open(cls, explicit: Path | None = None, start: Path | None = None) -> Project:
        """The project at `explicit`, or the nearest one above `start` (default: cwd)."""
        root = find_project(explicit, start)
        return cls(root=root, settings=load_settings(root))

    def environment(self, name: str | None) -> str:
        """The selected environment's name (`--env`, BILLING_ENV, or the default)."""
        return self.settings.select(name)

    def load_desired(self, env: str) -> LoadResult:
        """The catalog rendered and checked for `env` with every diagnostic (what `billing
        validate` shows); never raises for catalog problems. `reconciler.load_catalog` is
        the raising form every other command uses."""
        return load_desired(
            self.root, self.settings.catalog_dir, env, self.settings.variables_for(env)
        )

    def embedded_db(self, env: str) -> Path:
        """Data file of an embedded environment: its `db`, or .billing/<env>.db."""
        configured = self.settings.environments[env].db
        return self.root / (configured or f".billing/{env}.db")
