"""Idempotency-Key handling for every mutating API request (POST, PUT, PATCH, DELETE).

Owns the documented rules (alguna-api.md §1.2a) and the assumed details:
- a key belongs to one API key (account); its first request fixes method, path (with query)
  and body (compared as canonical JSON, so key order and whitespace do not matter);
- same key and same request within 24 h on the emulator clock: the stored response is
  replayed with ``Idempotent-Replayed: true``; after 24 h the key is forgotten;
- same key with another method, path or body: 422 (checked before the in-flight test);
- same key while the first request is still running: 409 with ``Retry-After: 1``;
- 5xx and 429 (unless an injected fault said non-transient) release the key and are not
  stored; every other response, including 4xx, is stored and replayed;
- responses echo ``Idempotency-Key`` and carry ``Idempotent-Replayed``;
- ``POST /events`` ignores the header (events dedupe on ``unique_id``).
Reservation is one SQLite transaction under the store lock, so concurrent duplicates cannot
both run. Must not interpret request bodies beyond fingerprinting them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..clock import Clock, format_ts, parse_ts
from ..errors import error_response, is_transient
from ..store import Store
from .scope import flags
from .stage import Stage

WINDOW = timedelta(hours=24)
MAX_KEY_LENGTH = 255
_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_OWN_HEADERS = frozenset({b"idempotency-key", b"idempotent-replayed"})


@dataclass(frozen=True)
class Stored:
    """A completed response kept for replay."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(frozen=True)
class Refusal:
    status: int
    detail: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What must match for a key to be reused: method, path and canonical body."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


class KeyBook:
    """The idempotency table: reserve, complete, release."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def reserve(
        self, account: str, key: str, method: str, path: str, print_: str
    ) -> Stored | Refusal | None:
        """None: the caller now owns the key and must complete or release it."""
        now = self.clock.now()
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT fingerprint, method, path, state, status, headers, body, created_at "
                "FROM idempotency WHERE account=? AND key=?",
                (account, key),
            ).fetchone()
            if row is not None and now - parse_ts(row[7]) < WINDOW:
                if row[0] != print_:
                    what = "path" if (row[1], row[2]) != (method, path) else "body"
                    return Refusal(
                        422,
                        f"Idempotency-Key {key!r} was already used with a different {what} "
                        f"({row[1]} {row[2]}); use a new key for a different request",
                    )
                if row[3] == "in_flight":
                    return Refusal(
                        409, f"A request with Idempotency-Key {key!r} is still in progress"
                    )
                pairs = json.loads(row[5])
                headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in pairs]
                return Stored(int(row[4]), headers, bytes(row[6]))
            conn.execute(
                "INSERT OR REPLACE INTO idempotency "
                "(account, key, fingerprint, method, path, state, created_at) "
                "VALUES (?,?,?,?,?, 'in_flight', ?)",
                (account, key, print_, method, path, format_ts(now)),
            )
        return None

    def complete(self, account: str, key: str, response: Stored) -> None:
        """Keep the response for replay."""
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers]
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE idempotency SET state='done', status=?, headers=?, body=? "
                "WHERE account=? AND key=?",
                (response.status, json.dumps(headers), response.body, account, key),
            )

    def release(self, account: str, key: str) -> None:
        """Forget the key so the same request may run again."""
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM idempotency WHERE account=? AND key=?", (account, key))


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client went away before sending all of
    it: such a request is not handled at all (as a real server drops it), so its key
    stays free for the complete request a client sends again after a crash."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class Idempotency(Stage):
    """Apply the Idempotency-Key rules around the inner app."""

    def __init__(self, app: ASGIApp, book: KeyBook) -> None:
        super().__init__(app)
        self.book = book

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = str(scope.get("method", ""))
        key = Headers(scope=scope).get("idempotency-key")
        if key is None or method not in _METHODS or str(scope["path"]).rstrip("/") == "/events":
            await self.app(scope, receive, send)
            return
        echo = [(b"idempotency-key", key.encode("latin-1"))]
        if not key or len(key) > MAX_KEY_LENGTH:
            detail = f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters"
            await error_response(400, detail)(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return
        path = str(scope["path"]) + (
            "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""
        )
        account = scope["state"]["account"]
        outcome = self.book.reserve(account, key, method, path, fingerprint(method, path, body))
        if isinstance(outcome, Refusal):
            headers = {"Idempotency-Key": key, "Idempotent-Replayed": "false"}
            if outcome.status == 409:
                # Tells a client this 409 is worth retrying with the same key, unlike a 409
                # about the state of an object.
                headers["Retry-After"] = "1"
            await error_response(outcome.status, outcome.detail, headers)(scope, receive, send)
            return
        if isinstance(outcome, Stored):
            await _send(send, outcome, [*echo, (b"idempotent-replayed", b"true")])
            return
        await self._first(scope, _replaying(body, receive), send, account, key, echo)

    async def _first(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        account: str,
        key: str,
        echo: list[tuple[bytes, bytes]],
    ) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            self.book.release(account, key)
            raise
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None:
            self.book.release(account, key)  # no response at all (client went away)
            return
        status = int(start["status"])
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _OWN_HEADERS]
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        response = Stored(status, headers, body)
        if is_transient(status) and not flags(scope).non_transient:
            self.book.release(account, key)
        else:
            self.book.complete(account, key, response)
        await _send(send, response, [*echo, (b"idempotent-replayed", b"false")])


async def _send(send: Send, response: Stored, extra: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": response.headers + extra,
        }
    )
    await send({"type": "http.response.body", "body": response.body, "more_body": False})
