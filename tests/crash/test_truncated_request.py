"""A write cut off mid-body by a dying client must not bind its Idempotency-Key.

Found by the saved-plan kill runs (`test_kill.py`): `billing apply PLANFILE` killed while
a request's headers had gone out but not all of its body. The emulator (its own process)
saw the connection close before the body was complete, yet handled the request with the
truncated body: the key was reserved with that body's fingerprint and its 400 stored, so
the resumed apply of the same plan (same keys: they derive from the plan and the change)
got 422 "already used with a different body" and that change could never be made. The
emulator now drops a request whose body never fully arrived, as a real server does.

The reproduction here is minimal and deterministic: half a request over a raw socket,
then the whole request with the same key.
"""

from __future__ import annotations

import json
import socket
import time
import uuid

import httpx

from tests.crash.harness import FAKE_KEY, Emulator

HEADERS = {"Alguna-Version": "2026-04-01", "Content-Type": "application/json"}
PRODUCT = {
    "name": "Seats",
    "sku": "seats-truncated",
    "fee_type": "fixed",
    "payment_terms": "advance",
    "billing_frequency": "recurring",
}


def _send_half(emulator: Emulator, key: str, body: bytes) -> None:
    """POST /products with every header and half the body, then close the socket (a
    client killed mid-request)."""
    head = "".join(
        [
            "POST /products HTTP/1.1\r\n",
            f"Host: 127.0.0.1:{emulator.port}\r\n",
            f"Authorization: Bearer {FAKE_KEY}\r\n",
            *(f"{name}: {value}\r\n" for name, value in HEADERS.items()),
            f"Idempotency-Key: {key}\r\n",
            f"Content-Length: {len(body)}\r\n\r\n",
        ]
    )
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body[: len(body) // 2])


def _answered(emulator: Emulator, key: str, timeout: float = 3.0) -> list[int]:
    """The statuses the emulator logged for requests with `key`, once there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = emulator.control.get("/_emulator/requests", params={"limit": 10_000}).json()
        statuses = [int(e["status"]) for e in log if e["idempotency_key"] == key]
        if statuses:
            return statuses
        time.sleep(0.05)
    return []


def test_request_cut_off_mid_body_does_not_bind_its_key(empty: Emulator) -> None:
    key = f"crash-truncated-{uuid.uuid4().hex}"
    body = json.dumps(PRODUCT).encode()
    _send_half(empty, key, body)
    _answered(empty, key)  # the emulator has dealt with the cut-off request
    with httpx.Client(base_url=empty.base_url, timeout=30.0) as api:
        whole = api.post(
            "/products",
            content=body,
            headers={**HEADERS, "Authorization": f"Bearer {FAKE_KEY}", "Idempotency-Key": key},
        )
    assert whole.status_code == 201, whole.json().get("detail")
    assert [p["sku"] for p in empty.objects("product")] == ["seats-truncated"]
