"""The gate: bearer API key (401) and ``Alguna-Version`` (400), and which account a key is.

Owns authentication and API versioning for every API request, and the mapping of an API key
to an isolated account (a digest, so key material is never written to the database). Any
non-empty key is accepted: each distinct key is its own account, as sandbox and production
are. Must not look at bodies.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from ..errors import error_response
from ..routing import API_VERSION
from .stage import Stage


def account_of(api_key: str) -> str:
    """The account an API key selects (stable across restarts)."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:24]


def bearer_key(headers: Headers) -> str | None:
    """The API key of an ``Authorization: Bearer <key>`` header, if well-formed."""
    scheme, _, key = headers.get("authorization", "").partition(" ")
    key = key.strip()
    return key if scheme.lower() == "bearer" and key else None


class Gate(Stage):
    """Refuse unauthenticated or unversioned API requests; tag the rest with their account."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        key = bearer_key(headers)
        if key is None:
            response = error_response(
                401,
                "Missing or invalid API key: send Authorization: Bearer <key>",
                {"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        version = headers.get("alguna-version")
        if version != API_VERSION:
            shown = "missing" if version is None else f"{version!r} is not supported"
            response = error_response(
                400, f"Alguna-Version header {shown}: send Alguna-Version: {API_VERSION}"
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["account"] = account_of(key)
        await self.app(scope, receive, send)
