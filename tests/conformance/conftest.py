"""The emulator served over real HTTP for the official SDK (`alguna`), a test-only oracle.

A uvicorn server on 127.0.0.1 and a free port runs in a thread for the whole module; the SDK
talks to it with a key in the real `<key_id>.<key_secret>` format. Every response the SDK
receives is kept (`Recorder`) so a test can validate the raw JSON strictly against the SDK's
response type: the SDK itself builds its models without validation, which would hide a
missing required field.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from alguna import Alguna

from alguna_emulator import create_app
from tests.conformance.ledger import LEDGER

KEY = "abc123.s3cr3t"


class Recorder:
    """The last HTTP response the SDK received (its body read)."""

    def __init__(self) -> None:
        self.last: httpx.Response | None = None

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        self.last = response


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """A fresh emulator over HTTP for this module."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the emulator did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def sdk(base_url: str, recorder: Recorder) -> Iterator[Alguna]:
    """The official SDK's client, pointed at the emulator."""
    http = httpx.Client(event_hooks={"response": [recorder]}, timeout=30)
    yield Alguna(api_key=KEY, base_url=base_url, httpx_client=http, max_retries=0)
    http.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The closing note: how much of the SDK the emulator was checked against."""
    if LEDGER.outcomes:
        terminalreporter.write_line(LEDGER.summary())
