"""Running the CLI on a test project, in process, and looking at its embedded emulator.

- `billing(project, *args)`: `billing --project <project> ...` through click's runner
  (no colour, `BILLING_ENV` unset), so a test reads exit code, stdout and stderr;
- `control(project, method, path)`: a call on the emulator's control API over the data
  file of the project's `local` embedded environment (`.billing/local.db`), as a person
  editing in the dashboard would (out of band);
- `billing_script()`: the installed `billing` console script, for the tests that run it
  as a user does, in a process of its own (tests/hostile, tests/crash, the sandbox doc).

Projects themselves are built by `tests.builders`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result

from alguna_emulator import create_app
from reconciler.cli import main

EMBEDDED_KEY = "sk_test_embedded_local"  # the `local` embedded environment's account


def billing_script() -> str:
    """The `billing` console script installed beside this interpreter (`pip install -e .`
    in the environment running the tests): the entry point of the code under test, never
    another `billing` found on PATH."""
    script = Path(sys.executable).with_name("billing")
    if not script.exists():
        raise RuntimeError(f"no billing console script beside {sys.executable}: pip install -e .")
    return str(script)


def billing(project: Path, *args: str, stdin: str | None = None) -> Result:
    env = {"BILLING_ENV": None, "NO_COLOR": "1"}
    return CliRunner().invoke(main, ["--project", str(project), *args], env=env, input=stdin)


def control(project: Path, method: str, path: str, body: Any = None) -> Any:
    """A control-API call on the project's embedded emulator data file."""

    async def call() -> Any:
        app = create_app(db_path=str(project / ".billing" / "local.db"))
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://emu") as client:
                response = await client.request(
                    method, f"/_emulator{path}", params={"api_key": EMBEDDED_KEY}, json=body
                )
                assert response.status_code < 300, response.text
                return response.json()
        finally:
            app.state.emulator.store.close()

    return asyncio.run(call())
