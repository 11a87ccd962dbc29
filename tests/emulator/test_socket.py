"""The emulator over a real socket: serve() in a subprocess on 127.0.0.1 and a free port."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.emulator.clients import HEADERS

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A `serve` process; stop() sends Ctrl-C (SIGINT) and returns its exit code and log."""

    def __init__(self, db_path: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        code = (
            "from alguna_emulator import serve; "
            f"serve(host='127.0.0.1', port={self.port}, db_path={str(db_path)!r})"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/_emulator/clock", timeout=0.5)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.process.kill()
        raise RuntimeError("emulator did not start")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=15)
        return self.process.returncode, out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("socket") / "emulator.db")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def _fresh(server: Server) -> None:
    httpx.post(f"{server.url}/_emulator/reset")
    httpx.delete(f"{server.url}/_emulator/faults")


async def test_api_over_a_socket(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url, headers=HEADERS) as client:
        made = await client.post(
            "/customers", json={"name": "A", "currency": "USD", "aliases": ["a"]}
        )
        assert made.status_code == 201
        assert (await client.get("/customers/a")).json() == made.json()
        unauthorized = await client.get("/customers", headers={"Authorization": ""})
        assert unauthorized.status_code == 401
        assert unauthorized.json()["status"] == 401


async def test_drop_after_commit_over_a_socket(server: Server) -> None:
    async with (
        httpx.AsyncClient(base_url=server.url, headers=HEADERS) as client,
        httpx.AsyncClient(base_url=f"{server.url}/_emulator") as control,
    ):
        await control.post(
            "/faults",
            json={"kind": "drop_after_commit", "method": "POST", "path": "/customers", "count": 1},
        )
        key = {"Idempotency-Key": "ik_socket"}
        body = {"name": "A", "currency": "USD"}
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/customers", json=body, headers=key)
        listed = (await client.get("/customers")).json()["data"]
        assert len(listed) == 1
        retry = await client.post("/customers", json=body, headers=key)
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json()["id"] == listed[0]["id"]


async def test_hang_over_a_socket_times_out_and_releases_the_key(server: Server) -> None:
    async with (
        httpx.AsyncClient(base_url=server.url, headers=HEADERS) as client,
        httpx.AsyncClient(base_url=f"{server.url}/_emulator") as control,
    ):
        await control.post(
            "/faults", json={"kind": "hang", "method": "POST", "path": "/customers", "count": 1}
        )
        key = {"Idempotency-Key": "ik_hang"}
        body = {"name": "A", "currency": "USD"}
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/customers", json=body, headers=key, timeout=0.5)
        deadline = time.monotonic() + 5
        while True:
            retry = await client.post("/customers", json=body, headers=key)
            if retry.status_code != 409 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert retry.status_code == 201


def test_ctrl_c_is_clean_logs_each_request_and_the_file_survives(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "local.db"
    first = Server(db)
    try:
        made = httpx.post(
            f"{first.url}/customers",
            headers=HEADERS,
            json={"name": "A", "currency": "USD", "aliases": ["keep"]},
        )
        assert made.status_code == 201
        assert httpx.get(f"{first.url}/customers/keep", headers=HEADERS).status_code == 200
    finally:
        code, log = first.stop()
    assert code == 0
    assert "Traceback" not in log
    lines = [line for line in log.splitlines() if "/customers" in line]
    assert len(lines) == 2
    assert '"POST /customers HTTP/1.1" 201' in lines[0]
    second = Server(db)
    try:
        again = httpx.get(f"{second.url}/customers/keep", headers=HEADERS)
        assert again.json() == made.json()
    finally:
        assert second.stop()[0] == 0
