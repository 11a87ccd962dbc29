"""SQLite document storage for the emulator: one JSON document per object, per account.

Owns the schema, the connection, the lock that makes it safe under concurrent requests, and
the natural-key indexes (customer aliases, parent links such as a version's subscription).
It stores whatever documents it is given: validation and API semantics belong to the
resources, and idempotency bookkeeping to the idempotency pipeline stage (which shares the
connection through :meth:`Store.transaction`).
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Doc = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    parent TEXT,
    seq INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account, kind, id)
);
CREATE INDEX IF NOT EXISTS objects_by_seq ON objects (account, kind, seq);
CREATE INDEX IF NOT EXISTS objects_by_parent ON objects (account, kind, parent, seq);
CREATE INDEX IF NOT EXISTS objects_by_created
    ON objects (account, kind, json_extract(doc, '$.created_at'), seq);
CREATE INDEX IF NOT EXISTS objects_by_name
    ON objects (account, kind, json_extract(doc, '$.name'));
CREATE INDEX IF NOT EXISTS objects_by_sku
    ON objects (account, kind, json_extract(doc, '$.sku'));
CREATE TABLE IF NOT EXISTS aliases (
    account TEXT NOT NULL,
    alias TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (account, alias)
);
CREATE TABLE IF NOT EXISTS idempotency (
    account TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    headers TEXT,
    body BLOB,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account, key)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
-- Webhooks (see the webhooks package): endpoints are emulator configuration and survive a
-- reset; messages and their deliveries are account data and do not.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id TEXT PRIMARY KEY,
    account TEXT,
    url TEXT NOT NULL,
    secrets TEXT NOT NULL,
    event_types TEXT,
    source TEXT,
    description TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_messages (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    type TEXT NOT NULL,
    body BLOB NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    message_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts TEXT NOT NULL,
    next_attempt_at TEXT,
    lease_until REAL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due
    ON webhook_deliveries (state, next_attempt_at);
"""


class AliasTaken(Exception):
    """An alias already points at another customer of the same account."""

    def __init__(self, alias: str, customer_id: str) -> None:
        super().__init__(alias)
        self.alias = alias
        self.customer_id = customer_id


class Store:
    """A SQLite file (or memory) holding every account's objects.

    All access goes through one connection guarded by a re-entrant lock; callers that read,
    decide and write hold :meth:`transaction` so the sequence is atomic and rolls back on error.
    """

    def __init__(self, db_path: str | None = None) -> None:
        if db_path is None:
            target = ":memory:"
        else:
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
            target = db_path
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        if db_path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        # A process killed mid-request leaves keys "in flight" forever; nothing can still be
        # running them after a restart, so they are released.
        self._conn.execute("DELETE FROM idempotency WHERE state = 'in_flight'")

    def close(self) -> None:
        """Close the connection (the file, if any, keeps its data)."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and a SQLite transaction; nested use joins the outer one."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    def _next_seq(self, conn: sqlite3.Connection) -> int:
        row = conn.execute(
            "INSERT INTO counters (name, value) VALUES ('seq', 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"
        ).fetchone()
        return int(row[0])

    def exists(self, account: str, kind: str, obj_id: str) -> bool:
        """Whether an object of that kind and id exists in the account."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT 1 FROM objects WHERE account=? AND kind=? AND id=?",
                (account, kind, obj_id),
            ).fetchone()
        return row is not None

    def insert(self, account: str, kind: str, doc: Doc, parent: str | None = None) -> Doc:
        """Store a new document; its ``id`` field is its key."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO objects (account, kind, id, parent, seq, doc) VALUES (?,?,?,?,?,?)",
                (account, kind, doc["id"], parent, self._next_seq(conn), json.dumps(doc)),
            )
        return doc

    def get(self, account: str, kind: str, obj_id: str) -> Doc | None:
        """One document, or None."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT doc FROM objects WHERE account=? AND kind=? AND id=?",
                (account, kind, obj_id),
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def replace(self, account: str, kind: str, doc: Doc) -> Doc:
        """Overwrite an existing document in place (its list position is kept)."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE objects SET doc=? WHERE account=? AND kind=? AND id=?",
                (json.dumps(doc), account, kind, doc["id"]),
            )
            if cur.rowcount != 1:
                raise KeyError(f"{kind} {doc['id']} does not exist")
        return doc

    def delete(self, account: str, kind: str, obj_id: str) -> None:
        """Remove one document if present."""
        with self.transaction() as conn:
            conn.execute(
                "DELETE FROM objects WHERE account=? AND kind=? AND id=?",
                (account, kind, obj_id),
            )

    def list(self, account: str, kind: str, parent: str | None = None) -> builtins.list[Doc]:
        """Every document of a kind in creation order, optionally only one parent's."""
        with self.transaction() as conn:
            if parent is None:
                rows = conn.execute(
                    "SELECT doc FROM objects WHERE account=? AND kind=? ORDER BY seq",
                    (account, kind),
                ).fetchall()
            else:
                rows = conn.execute(
                    "SELECT doc FROM objects WHERE account=? AND kind=? AND parent=? ORDER BY seq",
                    (account, kind, parent),
                ).fetchall()
        return [dict(json.loads(row[0])) for row in rows]

    def accounts_with(self, kind: str) -> builtins.list[str]:
        """Every account holding at least one object of ``kind`` (for the period close)."""
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT DISTINCT account FROM objects WHERE kind=? ORDER BY account", (kind,)
            ).fetchall()
        return [str(row[0]) for row in rows]

    def page(
        self, account: str, kind: str, offset: int, limit: int, order: str | None = None
    ) -> tuple[builtins.list[Doc], int]:
        """One page of a kind and how many documents the kind holds, decoding only the
        page (a list route then costs the page, not the kind: docs/performance.md).

        `order` is None (creation order), `created_at:asc` or `created_at:desc`: the order
        `routing.sort_docs` gives (missing values first ascending, ties in creation order
        either way), read through the `objects_by_created` index."""
        by = {
            None: "seq",
            "created_at:asc": "json_extract(doc, '$.created_at'), seq",
            "created_at:desc": "json_extract(doc, '$.created_at') DESC, seq",
        }[order]
        with self.transaction() as conn:
            count = conn.execute(
                "SELECT COUNT(*) FROM objects WHERE account=? AND kind=?", (account, kind)
            ).fetchone()[0]
            rows = conn.execute(
                f"SELECT doc FROM objects WHERE account=? AND kind=? ORDER BY {by}"
                " LIMIT ? OFFSET ?",
                (account, kind, limit, offset),
            ).fetchall()
        return [dict(json.loads(row[0])) for row in rows], int(count)

    def locate(self, kind: str, obj_id: str) -> builtins.list[tuple[str, Doc]]:
        """Every account holding an object of that kind and id (for the control API)."""
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT account, doc FROM objects WHERE kind=? AND id=?", (kind, obj_id)
            ).fetchall()
        return [(str(row[0]), dict(json.loads(row[1]))) for row in rows]

    def set_aliases(self, account: str, customer_id: str, aliases: builtins.list[str]) -> None:
        """Make ``aliases`` exactly the customer's aliases; raises AliasTaken on a clash."""
        with self.transaction() as conn:
            for alias in aliases:
                row = conn.execute(
                    "SELECT customer_id FROM aliases WHERE account=? AND alias=?",
                    (account, alias),
                ).fetchone()
                if row is not None and row[0] != customer_id:
                    raise AliasTaken(alias, str(row[0]))
            conn.execute(
                "DELETE FROM aliases WHERE account=? AND customer_id=?", (account, customer_id)
            )
            conn.executemany(
                "INSERT INTO aliases (account, alias, customer_id) VALUES (?,?,?)",
                [(account, alias, customer_id) for alias in aliases],
            )

    def resolve_alias(self, account: str, alias: str) -> str | None:
        """The id of the customer carrying this alias, if any."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT customer_id FROM aliases WHERE account=? AND alias=?", (account, alias)
            ).fetchone()
        return None if row is None else str(row[0])

    def reset(self, account: str | None = None) -> None:
        """Forget everything, or everything of one account (objects, aliases, idempotency,
        webhook messages and deliveries; webhook endpoints are configuration and stay)."""
        with self.transaction() as conn:
            for table in (
                "objects",
                "aliases",
                "idempotency",
                "webhook_messages",
                "webhook_deliveries",
            ):
                if account is None:
                    conn.execute(f"DELETE FROM {table}")
                else:
                    conn.execute(f"DELETE FROM {table} WHERE account=?", (account,))
