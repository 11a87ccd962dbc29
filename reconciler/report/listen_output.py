"""`billing listen` output: one line per verified webhook, one per rejected delivery.

- `webhook_line`: text is `<timestamp>  <type>  <id>  verified  id=.. status=..` (with
  `-> <status>` when forwarded); JSON is one compact object per line (`id`, `type`,
  `timestamp`, `verified`, `data`, and `forwarded_status` when forwarded).
- `rejected_line`: why a delivery was rejected (stderr). Never shows a secret.
- `ready_line`, `stopped_line`: the session's start (where it listens, the endpoint id)
  and end (stderr).
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.webhooks import VerifiedWebhook


def webhook_line(hook: VerifiedWebhook, forwarded: int | None, fmt: str) -> str:
    if fmt == "json":
        record: dict[str, Any] = {
            "id": hook.id,
            "type": hook.type,
            "timestamp": hook.timestamp,
            "verified": True,
            "data": hook.data,
        }
        if forwarded is not None:
            record["forwarded_status"] = forwarded
        return json.dumps(record, separators=(",", ":"))
    shown = " ".join(f"{key}={hook.data[key]}" for key in ("id", "status") if hook.data.get(key))
    line = f"{hook.timestamp or '-'}  {hook.type:<36} {hook.id}  verified  {shown}"
    if forwarded is not None:
        line += f"  -> {forwarded}"
    return line


def rejected_line(message: str) -> str:
    return f"rejected a delivery: {message}"


def ready_line(
    environment: str, receiver_url: str, forward_to: str | None, endpoint_id: str
) -> str:
    target = f", forwarding to {forward_to}" if forward_to else ""
    return (
        f"Ready: listening for {environment!r} webhooks on {receiver_url}{target}"
        f" (endpoint {endpoint_id}). Ctrl-C to stop."
    )


def stopped_line() -> str:
    return "Stopped: the endpoint is unregistered."
