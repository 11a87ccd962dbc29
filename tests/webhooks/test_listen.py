"""`billing listen` end to end, over real sockets: `billing sandbox serve` and
`billing listen` in subprocesses, an activation through the API, the event printed,
verified, forwarded to an app that verifies it too; Ctrl-C unregisters and exits 0.
Then the embedded variant: listen delivers what another process records in the data file.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from alguna_emulator import create_app, emulator_transport
from reconciler.webhooks import generate_secret, verify
from tests.emulator.clients import api_client
from tests.emulator.factory import active_subscription, catalog
from tests.webhooks.receivers import socket_receiver

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "sk_test_listen"
HEADERS = {"Authorization": f"Bearer {API_KEY}", "Alguna-Version": "2026-04-01"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Process:
    """A `python -m reconciler ...` subprocess whose output lines are collected."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[tuple[str, str]] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reconciler", *args],
            cwd=cwd,
            env={**env, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, stream in (("out", self.process.stdout), ("err", self.process.stderr)):
            threading.Thread(target=self._pump, args=(name, stream), daemon=True).start()

    def _pump(self, name: str, stream: object) -> None:
        for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
            self.lines.put((name, line.rstrip("\n")))

    def expect(self, text: str, stream: str = "out", timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        for name, line in self.seen:
            if name == stream and text in line:
                return line
        while time.monotonic() < deadline:
            try:
                name, line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append((name, line))
            if name == stream and text in line:
                return line
        raise AssertionError(f"{text!r} not seen on std{stream}; got {self.seen}")

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=20)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    serve = Process(["sandbox", "serve", "--port", str(port)], tmp_path, dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/_emulator/clock", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        serve.interrupt()
        serve.kill()


def test_listen_prints_verifies_and_forwards_over_real_sockets(tmp_path: Path, server: str) -> None:
    app_secret, direct_secret = generate_secret(), generate_secret()
    with socket_receiver() as app, socket_receiver() as direct:
        (tmp_path / "billing.toml").write_text(
            'default_environment = "dev"\n'
            "[environments.dev]\n"
            f'base_url = "{server}"\n'
            'api_key_env = "DEV_KEY"\n'
            "[[environments.dev.webhooks]]\n"
            f'url = "{direct.url}"\n'
            'secret_env = "DIRECT_SECRET"\n'
            'events = ["subscription.activated"]\n'
        )
        env = {
            **os.environ,
            "DEV_KEY": API_KEY,
            "APP_SECRET": app_secret,
            "DIRECT_SECRET": direct_secret,
        }
        env.pop("BILLING_ENV", None)
        listen = Process(
            ["listen", "--forward-to", app.url, "--secret-env", "APP_SECRET"], tmp_path, env
        )
        try:
            ready = listen.expect("Ready: listening for 'dev' webhooks", stream="err")
            endpoint_id = ready.rsplit("(endpoint ", 1)[1].split(")")[0]
            with httpx.Client(base_url=server, headers=HEADERS) as api:
                customer = api.post(
                    "/customers", json={"name": "A", "currency": "USD", "aliases": ["acme"]}
                )
                product = api.post(
                    "/products",
                    json={
                        "name": "Seats",
                        "fee_type": "fixed",
                        "payment_terms": "advance",
                        "billing_frequency": "recurring",
                    },
                )
                price = {
                    "type": "fixed",
                    "fee_type": "fixed",
                    "billing_direction": "advance",
                    "billing_frequency": "recurring",
                    "billing_interval": "monthly",
                    "fixed_pricing_model": {"price_per_unit": "10"},
                }
                sub = api.post(
                    "/subscriptions",
                    json={
                        "customer_id": "acme",
                        "currency": "USD",
                        "auto_activate": True,
                        "items": [{"product_id": product.json()["id"], "price": price}],
                    },
                )
                assert customer.status_code == sub.status_code == 201, sub.text
            line = listen.expect("subscription.activated")
            assert "verified" in line and f"id={sub.json()['id']}" in line
            assert "status=active" in line and line.endswith("-> 200")
            [forwarded] = app.wait(1)
            assert verify(forwarded.body, forwarded.headers, app_secret, scheme="both").type == (
                "subscription.activated"
            )
            [delivered] = direct.wait(1)
            hook = verify(delivered.body, delivered.headers, direct_secret, scheme="both")
            assert hook.data["id"] == sub.json()["id"]
            assert listen.interrupt() == 0
            listen.expect("Stopped: the endpoint is unregistered.", stream="err")
            endpoints = httpx.get(f"{server}/_emulator/webhooks/endpoints").json()
            assert endpoint_id not in {e["id"] for e in endpoints}
            assert [e["source"] for e in endpoints] == ["billing.toml"]
            output = "\n".join(line for _, line in listen.seen)
            for secret in (app_secret, direct_secret):
                assert secret not in output
        finally:
            listen.kill()


async def test_listen_on_an_embedded_environment(tmp_path: Path) -> None:
    (tmp_path / "billing.toml").write_text(
        'default_environment = "local"\n[environments.local]\napi = "embedded"\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "BILLING_ENV"}
    listen = Process(["listen", "--format", "json"], tmp_path, env)
    try:
        listen.expect("Ready: listening for 'local' webhooks", stream="err")
        # Another process (here: this one) applies to the same data file, as billing apply
        # would: it only records the event; the listen process delivers it.
        writer = create_app(db_path=str(tmp_path / ".billing" / "local.db"))
        try:
            async with api_client(emulator_transport(writer), "sk_test_embedded_local") as api:
                sub = await active_subscription(api, await catalog(api))
        finally:
            writer.state.emulator.store.close()
        record = json.loads(listen.expect('"subscription.activated"'))
        assert record["verified"] is True and record["data"]["id"] == sub["id"]
        assert listen.interrupt() == 0
    finally:
        listen.kill()


def test_listen_refuses_a_real_alguna_environment(tmp_path: Path) -> None:
    (tmp_path / "billing.toml").write_text(
        'default_environment = "sandbox"\n[environments.sandbox]\n'
        'base_url = "https://api.sandbox.alguna.io"\napi_key_env = "K"\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "listen"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "not the emulator" in result.stderr
