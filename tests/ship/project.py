"""A project made by `billing init`, driven through the real CLI (`CliRunner`, in process)
on its embedded environment, and the emulator behind it reached directly.

`tests.running.billing` runs one command in the project; `Emulator` opens the project's
data file in an app of its own, for the control API (objects, request counters) and for a
library call whose requests that app counts (`transport`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from click.testing import Result

from alguna_emulator import create_app, emulator_transport
from reconciler.commands.init import init_project

EMBEDDED_KEY = "sk_test_embedded_local"
BUNDLES = "catalog/bundles.toml"


def new_project(root: Path) -> Path:
    init_project(root)
    return root


def add_settings(project: Path, text: str) -> None:
    """Append `text` (TOML) to the project's billing.toml."""
    settings = project / "billing.toml"
    settings.write_text(settings.read_text() + "\n" + text)


def set_starter_fee(project: Path, amount: str) -> None:
    """The platform fee of bundle.starter (29 as `billing init` writes it) becomes
    `amount`."""
    bundles = project / BUNDLES
    text, count = re.subn(
        r"(product = \"platform_fee\"\n\[bundles\.starter\.items\.price\]\ntype = \"fixed\"\n"
        r"billing_interval = \"monthly\"\nprice_per_unit = )\S+",
        rf"\g<1>{amount}",
        bundles.read_text(),
    )
    assert count == 1, "the starter bundle's platform fee is where billing init writes it"
    bundles.write_text(text)


def saved_plan(result: Result) -> Path:
    """The plan file a `billing plan` run says it saved."""
    match = re.search(r"Saved the plan to (\S+);", result.stderr)
    assert match, result.output
    return Path(match[1])


@dataclass
class Emulator:
    """The project's embedded emulator, opened in this process."""

    app: Any
    control: httpx.AsyncClient

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        return emulator_transport(self.app)

    async def writes(self) -> int:
        """API requests other than reads this app has counted."""
        response = await self.control.get("/counters")
        assert response.status_code == 200, response.text
        return sum(row["count"] for row in response.json() if row["method"] != "GET")

    async def objects(self, kind: str) -> list[dict[str, Any]]:
        response = await self.control.get(f"/objects/{kind}", params={"api_key": EMBEDDED_KEY})
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data


@asynccontextmanager
async def emulator(project: Path) -> AsyncIterator[Emulator]:
    app = create_app(db_path=str(project / ".billing" / "local.db"))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://emu/_emulator"
        ) as control:
            yield Emulator(app=app, control=control)
    finally:
        app.state.emulator.store.close()
