"""The two signatures an Alguna webhook carries, computed the way the sender computes them.

- Standard Webhooks (what Svix, and so Alguna, sends): `webhook-signature` is a
  space-separated list of `v1,<base64 HMAC-SHA256>` entries over the bytes
  `"{webhook-id}.{webhook-timestamp}." + body`, keyed with the base64-decoded part of a
  `whsec_...` secret. Several entries appear while a secret is being rotated.
- The quick start's `X-Webhook-Signature`: the lowercase hex HMAC-SHA256 of the raw body,
  keyed with the signing secret exactly as shown to you (the whole `whsec_...` string, as
  UTF-8), which is what "compute HMAC-SHA256 of the raw body using your signing secret"
  means when followed literally. It covers neither an id nor a time, so it cannot stop a
  replay on its own: prefer the Standard Webhooks scheme (docs/webhooks.md).

Pure functions over bytes; nothing here is logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as random_secrets
import time
from datetime import timedelta

from reconciler.webhooks.errors import InvalidSecretError

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = timedelta(minutes=5)
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
BODY_SIGNATURE_HEADER = "x-webhook-signature"
SIGNATURE_VERSION = "v1"


def generate_secret() -> str:
    """A new signing secret: `whsec_` + base64 of 24 random bytes (Svix's shape)."""
    return SECRET_PREFIX + base64.b64encode(random_secrets.token_bytes(24)).decode()


def standard_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: the base64 after `whsec_` (a secret
    without the prefix is taken as base64 too, as the Standard Webhooks libraries do)."""
    if not isinstance(secret, str) or not secret.strip():
        raise InvalidSecretError("a webhook secret is empty")
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSecretError(
            "a webhook secret is not valid: expected whsec_ followed by base64"
        ) from None
    if not key:
        raise InvalidSecretError("a webhook secret is empty after whsec_")
    return key


def body_key(secret: str) -> bytes:
    """The HMAC key of `X-Webhook-Signature`: the secret string itself, as UTF-8."""
    if not isinstance(secret, str) or not secret.strip():
        raise InvalidSecretError("a webhook secret is empty")
    return secret.strip().encode()


def standard_digest(key: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    """HMAC-SHA256 of `"{id}.{timestamp}." + body`."""
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return hmac.new(key, signed, hashlib.sha256).digest()


def body_digest(key: bytes, body: bytes) -> bytes:
    """HMAC-SHA256 of the raw body."""
    return hmac.new(key, body, hashlib.sha256).digest()


def sign(
    body: bytes,
    secret: str | list[str],
    *,
    msg_id: str,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The headers a sender attaches to `body`: `webhook-id`, `webhook-timestamp`,
    `webhook-signature` (one `v1,` entry per secret, for rotation) and
    `X-Webhook-Signature` (with the first secret). For testing a handler with
    `verify`; `timestamp` defaults to now (Unix seconds)."""
    keys = [secret] if isinstance(secret, str) else list(secret)
    if not keys:
        raise InvalidSecretError("no webhook secret given")
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    entries = [
        f"{SIGNATURE_VERSION},"
        + base64.b64encode(standard_digest(standard_key(key), msg_id, stamp, body)).decode()
        for key in keys
    ]
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: " ".join(entries),
        "X-Webhook-Signature": body_digest(body_key(keys[0]), body).hex(),
    }
