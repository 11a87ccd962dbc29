"""How the emulator signs a webhook delivery (the sender's side of ``reconciler.webhooks``).

Owns the header set of one attempt: ``webhook-id`` (the message id, the same on every
retry), ``webhook-timestamp`` (real Unix seconds at the attempt: receivers compare it with
their own clock, so it cannot be the emulator's, which tests freeze in the past),
``webhook-signature`` (``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` for every
active secret of the endpoint, keyed with the base64 part of ``whsec_...``), and
``X-Webhook-Signature`` (hex HMAC-SHA256 of the raw body keyed with the newest secret string
as UTF-8, the quick start's scheme). Must not know where deliveries go.

Kept separate from ``reconciler.webhooks`` on purpose: the emulator imports nothing from
the rest of the package, and two independent implementations checking each other in the
tests is worth the few duplicated lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"
USER_AGENT = "Alguna-Emulator-Webhooks/1.0"


def new_secret() -> str:
    """``whsec_`` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def check_secret(secret: str) -> str:
    """The secret, if it is ``whsec_`` + non-empty base64; ValueError otherwise (never
    quoting it)."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("secret must start with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("secret must be whsec_ followed by base64") from None
    if len(key) < 16:
        raise ValueError("secret must hold at least 16 bytes of key material")
    return secret


def signature_headers(
    body: bytes, msg_id: str, timestamp: int, active_secrets: Sequence[str]
) -> dict[str, str]:
    """The signature headers of one attempt; ``active_secrets`` newest first."""
    stamp = str(timestamp)
    signed = msg_id.encode() + b"." + stamp.encode() + b"." + body
    entries = []
    for secret in active_secrets:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :])
        digest = hmac.new(key, signed, hashlib.sha256).digest()
        entries.append("v1," + base64.b64encode(digest).decode())
    body_signature = hmac.new(active_secrets[0].encode(), body, hashlib.sha256).hexdigest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": " ".join(entries),
        "X-Webhook-Signature": body_signature,
    }
