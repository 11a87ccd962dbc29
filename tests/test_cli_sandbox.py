"""`billing sandbox serve` and `billing sandbox reset` through the CLI.

`serve` runs as `python -m reconciler sandbox serve` in a subprocess, on 127.0.0.1 and a
free port, and is spoken to over a real socket; it is stopped with Ctrl-C (SIGINT).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from alguna_emulator import emulator_transport
from reconciler.cli import main

ROOT = Path(__file__).resolve().parent.parent
HEADERS = {"Alguna-Version": "2026-04-01", "Authorization": "Bearer sk_test_x"}
PRODUCT = {
    "name": "Seats",
    "fee_type": "fixed",
    "payment_terms": "advance",
    "billing_frequency": "recurring",
}
PROJECT = """default_environment = "local"

[environments.local]
api = "embedded"

[environments.dev]
api = "embedded"
db = "data/dev.db"

[environments.sandbox]
base_url = "https://api.sandbox.alguna.io"
api_key_env = "ALGUNA_SANDBOX_API_KEY"
"""


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "BILLING_ENV"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A `python -m reconciler sandbox serve` process."""

    def __init__(self, port: int, db: Path | None, *options: str) -> None:
        self.url = f"http://127.0.0.1:{port}"
        args = ["sandbox", "serve", "--host", "127.0.0.1", "--port", str(port), *options]
        if db is not None:
            args += ["--db", str(db)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reconciler", *args],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out = self.process.communicate()[0]
                raise RuntimeError(f"serve exited {self.process.returncode}:\n{out}")
            try:
                httpx.get(f"{self.url}/_emulator/clock", timeout=0.5)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.process.kill()
        raise RuntimeError("the emulator did not start")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=HEADERS, timeout=5)

    def product_names(self) -> list[str]:
        with self.client() as client:
            listed = client.get("/products")
        assert listed.status_code == 200, listed.text
        return [p["name"] for p in listed.json()["data"]]

    def stop(self) -> tuple[int, str]:
        """Ctrl-C; the exit code and the output."""
        self.process.send_signal(signal.SIGINT)
        try:
            out, _ = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return self.process.returncode, out


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_keeps_data_across_restarts_and_reset_empties_it(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    port = _free_port()

    server = Server(port, db)
    try:
        with server.client() as client:
            made = client.post("/products", json=PRODUCT)
            assert made.status_code == 201, made.text
            assert made.json()["name"] == "Seats"
        assert server.product_names() == ["Seats"]
    finally:
        code, out = server.stop()
    assert code == 0, out
    assert "Traceback" not in out
    assert f"Emulator data: {db}" in out  # which file is used, on one line
    assert db.is_file()

    # The same port again: a port left in TIME_WAIT must not count as busy.
    server = Server(port, db)
    try:
        assert server.product_names() == ["Seats"]
    finally:
        code, out = server.stop()
    assert code == 0, out

    done = _run("sandbox", "reset", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert f"Reset {db}." in done.stdout

    server = Server(port, db)
    try:
        assert server.product_names() == []
    finally:
        code, out = server.stop()
    assert code == 0, out


def test_serve_without_db_says_in_memory() -> None:
    server = Server(_free_port(), None)
    try:
        assert server.product_names() == []
    finally:
        code, out = server.stop()
    assert code == 0, out
    data_lines = [line for line in out.splitlines() if line.startswith("Emulator data:")]
    assert data_lines == ["Emulator data: in memory (gone when the server stops)"]


def test_serve_with_rate_limits_answers_429_above_100_per_second() -> None:
    # Back-to-back reads from one key over keep-alive run at several hundred per second; the
    # standard bucket holds 100 (one second's worth), so a 429 comes within a few hundred.
    server = Server(_free_port(), None, "--rate-limits")
    try:
        statuses: list[int] = []
        limited = None
        with server.client() as client:
            for _ in range(1000):
                response = client.get("/products")
                statuses.append(response.status_code)
                if response.status_code == 429:
                    limited = response
                    break
    finally:
        code, out = server.stop()
    assert code == 0, out
    assert limited is not None, f"no 429 in {len(statuses)} requests"
    assert set(statuses) == {200, 429}
    assert len(statuses) > 100  # the first second's worth passes
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["status"] == 429


# --- reset of a project's embedded environment ------------------------------------------


def _products(db: Path) -> list[str]:
    async def names() -> list[str]:
        transport = emulator_transport(db_path=str(db))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://emulator", headers=HEADERS
        ) as client:
            listed = await client.get("/products")
            assert listed.status_code == 200, listed.text
            return [p["name"] for p in listed.json()["data"]]

    return asyncio.run(names())


def _add_product(db: Path) -> None:
    async def add() -> None:
        transport = emulator_transport(db_path=str(db))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://emulator", headers=HEADERS
        ) as client:
            made = await client.post("/products", json=PRODUCT)
            assert made.status_code == 201, made.text

    asyncio.run(add())


def _invoke(*args: str, **env: Any) -> Result:
    return CliRunner().invoke(main, list(args), env={"BILLING_ENV": None, **env})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "billing.toml").write_text(PROJECT, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "file"),
    [
        ((), ".billing/local.db"),  # default_environment, default file
        (("--env", "dev"), "data/dev.db"),  # the environment's `db`
    ],
)
def test_reset_without_db_resets_the_embedded_environment(
    project: Path, args: tuple[str, ...], file: str
) -> None:
    db = project / file
    _add_product(db)
    assert _products(db) == ["Seats"]
    other = project / ".billing/other.db"  # a file of no selected environment: untouched
    _add_product(other)

    result = _invoke("--project", str(project), "sandbox", "reset", *args)
    assert result.exit_code == 0, result.output
    assert f"Reset {db}." in result.stdout
    assert _products(db) == []
    assert _products(other) == ["Seats"]


def test_reset_follows_billing_env(project: Path) -> None:
    db = project / "data/dev.db"
    _add_product(db)
    result = _invoke("--project", str(project), "sandbox", "reset", BILLING_ENV="dev")
    assert result.exit_code == 0, result.output
    assert _products(db) == []


def test_reset_of_an_environment_never_run_creates_nothing(project: Path) -> None:
    result = _invoke("--project", str(project), "sandbox", "reset")
    assert result.exit_code == 0, result.output
    assert "Nothing to reset" in result.stdout
    assert not (project / ".billing").exists()


def test_reset_of_a_remote_environment_is_an_error(project: Path) -> None:
    result = _invoke("--project", str(project), "sandbox", "reset", "--env", "sandbox")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "environment 'sandbox' is not embedded" in result.stderr
    assert "--db FILE" in result.stderr


def test_reset_of_an_unknown_environment_is_an_error(project: Path) -> None:
    result = _invoke("--project", str(project), "sandbox", "reset", "--env", "nope")
    assert result.exit_code == 1
    assert "unknown environment 'nope'" in result.stderr
