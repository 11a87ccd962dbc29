"""In-process clients of an emulator: its API as one account (an API key), its control API."""

from __future__ import annotations

import httpx

API_KEY = "sk_test_emulator"
HEADERS = {"Authorization": f"Bearer {API_KEY}", "Alguna-Version": "2026-04-01"}


def api_client(transport: httpx.AsyncBaseTransport, api_key: str = API_KEY) -> httpx.AsyncClient:
    """A client of the emulated API, authenticated as the account of ``api_key``."""
    headers = {**HEADERS, "Authorization": f"Bearer {api_key}"}
    return httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=headers)


def control_client(transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    """A client of the same emulator's control API (no auth)."""
    return httpx.AsyncClient(transport=transport, base_url="http://emulator/_emulator")
