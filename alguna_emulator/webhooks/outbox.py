"""Webhook endpoints, messages and deliveries, kept in the emulator's SQLite store.

Owns the outbox rules:
- an endpoint belongs to one account (the API key it was registered with) or, registered
  without a key, to every account; it receives the event types it lists (exact names or
  ``fnmatch`` patterns such as ``subscription.*``; none listed: every type);
- a message is written in the same transaction as the change that caused it (so a request
  that fails writes no event, and an idempotent replay, which does not run the handler,
  writes none), and fanned out at once into one delivery per matching endpoint; endpoints
  added later do not receive it;
- a delivery is due at ``next_attempt_at`` (emulator time); claiming it takes a lease in
  real time, so two dispatchers (e.g. two processes on one data file) never send the same
  attempt, and a dispatcher that died mid-attempt leaves it to be retried after the lease;
- rotating a secret keeps the previous one valid for 24 hours (emulator time), and
  deliveries are signed with every valid secret, as Svix does;
- removing an endpoint cancels its pending deliveries.
Must not send anything: the dispatcher does.
"""

from __future__ import annotations

import fnmatch
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..clock import format_ts, parse_ts
from ..ids import new_id
from ..store import Store

ROTATION_OVERLAP = timedelta(hours=24)
_ENDPOINT_COLUMNS = "id, account, url, secrets, event_types, source, description, created_at"


@dataclass(frozen=True)
class Claim:
    """One attempt a dispatcher has leased and must now make and record."""

    delivery_id: str
    message_id: str
    endpoint_id: str
    url: str
    body: bytes
    secrets: list[str]  # valid now, newest first
    attempt: int  # 1-based number of this attempt


def type_matches(event_types: list[str] | None, event_type: str) -> bool:
    """Whether an endpoint listing ``event_types`` receives ``event_type``."""
    return not event_types or any(fnmatch.fnmatchcase(event_type, t) for t in event_types)


def _active_secrets(raw: str, now: datetime) -> list[str]:
    return [
        entry["secret"]
        for entry in json.loads(raw)
        if entry.get("expires_at") is None or parse_ts(entry["expires_at"]) > now
    ]


def _endpoint(row: tuple[Any, ...]) -> dict[str, Any]:
    """The public view of an endpoint row: never its secrets."""
    return {
        "id": row[0],
        "all_accounts": row[1] is None,
        "url": row[2],
        "event_types": None if row[4] is None else json.loads(row[4]),
        "source": row[5],
        "description": row[6],
        "created_at": row[7],
        "secrets": len(json.loads(row[3])),
    }


def add_endpoint(
    store: Store,
    *,
    account: str | None,
    url: str,
    secret: str,
    event_types: list[str] | None,
    source: str | None,
    description: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Register an endpoint; returns its public view."""
    endpoint_id = new_id("endpoint")
    with store.transaction() as conn:
        conn.execute(
            f"INSERT INTO webhook_endpoints ({_ENDPOINT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
            (
                endpoint_id,
                account,
                url,
                json.dumps([{"secret": secret, "expires_at": None}]),
                None if event_types is None else json.dumps(event_types),
                source,
                description,
                format_ts(now),
            ),
        )
        row = conn.execute(
            f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id=?", (endpoint_id,)
        ).fetchone()
    return _endpoint(row)


def list_endpoints(store: Store, account: str | None = None) -> list[dict[str, Any]]:
    """Every endpoint, or those an account's events go to (its own and all-account ones)."""
    with store.transaction() as conn:
        if account is None:
            rows = conn.execute(
                f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY rowid"
            ).fetchall()
        else:
            rows = conn.execute(
                f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints "
                "WHERE account=? OR account IS NULL ORDER BY rowid",
                (account,),
            ).fetchall()
    return [_endpoint(row) for row in rows]


def get_endpoint(store: Store, endpoint_id: str) -> dict[str, Any] | None:
    with store.transaction() as conn:
        row = conn.execute(
            f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id=?", (endpoint_id,)
        ).fetchone()
    return None if row is None else _endpoint(row)


def remove_endpoint(store: Store, endpoint_id: str) -> bool:
    """Unregister an endpoint and cancel its pending deliveries; False if unknown."""
    with store.transaction() as conn:
        gone = conn.execute("DELETE FROM webhook_endpoints WHERE id=?", (endpoint_id,)).rowcount
        conn.execute(
            "UPDATE webhook_deliveries SET state='canceled', next_attempt_at=NULL, "
            "lease_until=NULL WHERE endpoint_id=? AND state IN ('pending', 'sending')",
            (endpoint_id,),
        )
    return bool(gone)


def rotate_secret(
    store: Store, endpoint_id: str, secret: str, now: datetime
) -> dict[str, Any] | None:
    """Make ``secret`` the endpoint's newest; the previous ones stay valid for 24 h."""
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT secrets FROM webhook_endpoints WHERE id=?", (endpoint_id,)
        ).fetchone()
        if row is None:
            return None
        expiry = format_ts(now + ROTATION_OVERLAP)
        kept = [
            {"secret": entry["secret"], "expires_at": entry.get("expires_at") or expiry}
            for entry in json.loads(row[0])
            if entry.get("expires_at") is None or parse_ts(entry["expires_at"]) > now
        ]
        entries = [{"secret": secret, "expires_at": None}, *kept]
        conn.execute(
            "UPDATE webhook_endpoints SET secrets=? WHERE id=?", (json.dumps(entries), endpoint_id)
        )
    return get_endpoint(store, endpoint_id)


def sync_endpoints(
    store: Store,
    *,
    account: str | None,
    source: str,
    wanted: list[dict[str, Any]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Make the account's endpoints of ``source`` exactly ``wanted`` (each ``url``,
    ``secret``, ``event_types``, ``description``), matched by URL: new ones are added,
    changed ones updated in place (a changed secret replaces the old one at once: the
    configuration is the truth), missing ones removed."""
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT id, url FROM webhook_endpoints WHERE source=? AND account IS ?",
            (source, account),
        ).fetchall()
        existing = {str(url): str(endpoint_id) for endpoint_id, url in rows}
        ids: list[str] = []
        for entry in wanted:
            event_types = entry.get("event_types")
            types = None if event_types is None else json.dumps(event_types)
            secrets = json.dumps([{"secret": entry["secret"], "expires_at": None}])
            found = existing.pop(entry["url"], None)
            if found is None:
                ids.append(
                    add_endpoint(
                        store,
                        account=account,
                        url=entry["url"],
                        secret=entry["secret"],
                        event_types=event_types,
                        source=source,
                        description=entry.get("description"),
                        now=now,
                    )["id"]
                )
            else:
                conn.execute(
                    "UPDATE webhook_endpoints SET secrets=?, event_types=?, description=? "
                    "WHERE id=?",
                    (secrets, types, entry.get("description"), found),
                )
                ids.append(found)
        for endpoint_id in existing.values():
            remove_endpoint(store, endpoint_id)
    return [view for endpoint_id in ids if (view := get_endpoint(store, endpoint_id))]


def record_message(store: Store, account: str, event_type: str, body: bytes, at: str) -> str:
    """Store an event and a delivery, due at ``at``, for every endpoint that wants it."""
    message_id = new_id("message")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO webhook_messages (id, account, type, body, at) VALUES (?,?,?,?,?)",
            (message_id, account, event_type, body, at),
        )
        endpoints = conn.execute(
            "SELECT id, event_types FROM webhook_endpoints "
            "WHERE account=? OR account IS NULL ORDER BY rowid",
            (account,),
        ).fetchall()
        for endpoint_id, raw_types in endpoints:
            types = None if raw_types is None else json.loads(raw_types)
            if type_matches(types, event_type):
                conn.execute(
                    "INSERT INTO webhook_deliveries (id, account, message_id, endpoint_id, "
                    "state, attempts, next_attempt_at) VALUES (?,?,?,?, 'pending', '[]', ?)",
                    (new_id("delivery"), account, message_id, endpoint_id, at),
                )
    return message_id


def claim_due(store: Store, now: datetime, limit: int, lease_seconds: float) -> list[Claim]:
    """Lease up to ``limit`` attempts due at emulator time ``now``, oldest first."""
    real_now = time.time()
    claims: list[Claim] = []
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT d.id, d.message_id, d.endpoint_id, e.url, m.body, e.secrets, d.attempts "
            "FROM webhook_deliveries d "
            "JOIN webhook_endpoints e ON e.id = d.endpoint_id "
            "JOIN webhook_messages m ON m.id = d.message_id "
            "WHERE (d.state='pending' AND d.next_attempt_at <= ?) "
            "OR (d.state='sending' AND d.lease_until < ?) "
            "ORDER BY d.next_attempt_at, d.rowid LIMIT ?",
            (format_ts(now), real_now, limit),
        ).fetchall()
        for delivery_id, message_id, endpoint_id, url, body, secrets, attempts in rows:
            active = _active_secrets(secrets, now)
            conn.execute(
                "UPDATE webhook_deliveries SET state='sending', lease_until=? WHERE id=?",
                (real_now + lease_seconds, delivery_id),
            )
            claims.append(
                Claim(
                    delivery_id=delivery_id,
                    message_id=message_id,
                    endpoint_id=endpoint_id,
                    url=url,
                    body=bytes(body),
                    secrets=active,
                    attempt=len(json.loads(attempts)) + 1,
                )
            )
    return claims


def finish_attempt(
    store: Store,
    delivery_id: str,
    record: dict[str, Any],
    *,
    state: str,
    next_attempt_at: str | None,
) -> None:
    """Append an attempt to the delivery's log and set what happens next (unless the
    endpoint was removed meanwhile, which canceled the delivery)."""
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT attempts, state FROM webhook_deliveries WHERE id=?", (delivery_id,)
        ).fetchone()
        if row is None:
            return
        attempts = [*json.loads(row[0]), record]
        final_state = "canceled" if row[1] == "canceled" else state
        conn.execute(
            "UPDATE webhook_deliveries SET attempts=?, state=?, next_attempt_at=?, "
            "lease_until=NULL WHERE id=?",
            (
                json.dumps(attempts),
                final_state,
                None if final_state == "canceled" else next_attempt_at,
                delivery_id,
            ),
        )


def list_messages(
    store: Store, account: str | None, event_type: str | None, limit: int
) -> list[dict[str, Any]]:
    """The latest messages (newest last), optionally of one account or type."""
    clauses, params = [], []
    if account is not None:
        clauses.append("account=?")
        params.append(account)
    if event_type is not None:
        clauses.append("type=?")
        params.append(event_type)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    with store.transaction() as conn:
        rows = conn.execute(
            f"SELECT id, type, at, body FROM webhook_messages {where} ORDER BY rowid DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
    return [
        {"id": r[0], "type": r[1], "at": r[2], "payload": json.loads(bytes(r[3]))}
        for r in reversed(rows)
    ]


def list_deliveries(
    store: Store,
    *,
    account: str | None = None,
    endpoint_id: str | None = None,
    message_id: str | None = None,
    state: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """The delivery log (newest last): each delivery with its attempts."""
    clauses, params = [], []
    for column, value in (
        ("d.account", account),
        ("d.endpoint_id", endpoint_id),
        ("d.message_id", message_id),
        ("d.state", state),
    ):
        if value is not None:
            clauses.append(f"{column}=?")
            params.append(value)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT d.id, d.message_id, d.endpoint_id, m.type, d.state, d.attempts, "
            "d.next_attempt_at FROM webhook_deliveries d "
            f"JOIN webhook_messages m ON m.id = d.message_id {where} "
            "ORDER BY d.rowid DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
    return [
        {
            "id": r[0],
            "message_id": r[1],
            "endpoint_id": r[2],
            "type": r[3],
            "state": r[4],
            "attempts": json.loads(r[5]),
            "next_attempt_at": r[6],
        }
        for r in reversed(rows)
    ]
