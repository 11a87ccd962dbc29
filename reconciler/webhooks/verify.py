"""`verify`: is this request an authentic, fresh Alguna webhook? Raise if not.

Contract:
- `body` is the raw request body, as bytes, exactly as received: the signature covers
  those bytes, so a body parsed and re-serialized by a framework would not verify (a
  `str` is refused with a TypeError that says so).
- Every comparison is `hmac.compare_digest` over the decoded signature bytes, so timing
  reveals nothing about a correct signature.
- Standard Webhooks: the timestamp must be within `tolerance` of `now`, in either
  direction (default 5 minutes), so a captured delivery cannot be replayed later.
- `secrets` may list several secrets (the new one and the old one, while rotating); a
  signature made with any of them is accepted.
- Header names are matched case-insensitively; `svix-id`/`svix-timestamp`/
  `svix-signature` are accepted when the `webhook-*` ones are absent.
- Which scheme is required is the caller's choice, never the request's: `"standard"`
  (the default), `"x-webhook-signature"`, or `"both"`. There is no "either": accepting
  whichever header is present would let an attacker strip the timestamped signature and
  replay an old body under the one without a timestamp.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from reconciler.webhooks.errors import (
    InvalidSecretError,
    MalformedPayloadError,
    MissingHeaderError,
    SignatureMismatchError,
    TimestampToleranceError,
)
from reconciler.webhooks.signing import (
    BODY_SIGNATURE_HEADER,
    DEFAULT_TOLERANCE,
    ID_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_VERSION,
    TIMESTAMP_HEADER,
    body_digest,
    body_key,
    standard_digest,
    standard_key,
)

Scheme = Literal["standard", "x-webhook-signature", "both"]
HeaderSource = Mapping[str, str] | Iterable[tuple[str, str]]
_SVIX = {
    ID_HEADER: "svix-id",
    TIMESTAMP_HEADER: "svix-timestamp",
    SIGNATURE_HEADER: "svix-signature",
}


@dataclass(frozen=True)
class VerifiedWebhook:
    """A webhook that passed verification, and its parsed envelope.

    `id` is the message id (the same on every retry of one event: deduplicate on it);
    `sent_at` is the attempt's `webhook-timestamp`; `type`, `timestamp` and `data` are the
    envelope's fields. Both ids and times are None under `x-webhook-signature` alone.
    """

    type: str
    data: dict[str, Any]
    timestamp: str | None
    id: str | None
    sent_at: datetime | None
    scheme: Scheme
    payload: dict[str, Any] = field(repr=False)


def _lower(headers: HeaderSource) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {str(name).lower(): str(value) for name, value in items}


def _header(headers: dict[str, str], name: str) -> str:
    value = headers.get(name) or headers.get(_SVIX.get(name, ""), "")
    if not value.strip():
        raise MissingHeaderError(f"the {name} header is missing")
    return value.strip()


def _seconds(value: timedelta | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _now(now: float | datetime | None) -> float:
    if now is None:
        return time.time()
    return now.timestamp() if isinstance(now, datetime) else float(now)


def _secrets(secrets: str | Sequence[str]) -> list[str]:
    found = [secrets] if isinstance(secrets, str) else list(secrets)
    if not found:
        raise InvalidSecretError("no webhook secret given to verify with")
    return found


def _check_standard(
    body: bytes, headers: dict[str, str], secrets: list[str], tolerance: float, now: float
) -> tuple[str, datetime]:
    msg_id = _header(headers, ID_HEADER)
    stamp = _header(headers, TIMESTAMP_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    if not stamp.isascii() or not stamp.isdigit():
        raise TimestampToleranceError("the webhook-timestamp header is not Unix seconds")
    sent = int(stamp)
    if sent < now - tolerance:
        raise TimestampToleranceError(
            f"the webhook is too old: sent {int(now - sent)} s ago, tolerance {tolerance:g} s"
        )
    if sent > now + tolerance:
        raise TimestampToleranceError(
            f"the webhook timestamp is {int(sent - now)} s in the future, tolerance {tolerance:g} s"
        )
    given: list[bytes] = []
    for entry in signature.split():
        version, _, encoded = entry.partition(",")
        if version != SIGNATURE_VERSION:
            continue
        try:
            given.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    if not given:
        raise SignatureMismatchError("the webhook-signature header has no v1 signature")
    keys = [standard_key(secret) for secret in secrets]
    for key in keys:
        expected = standard_digest(key, msg_id, stamp, body)
        for candidate in given:
            if hmac.compare_digest(expected, candidate):
                return msg_id, datetime.fromtimestamp(sent, UTC)
    raise SignatureMismatchError("no webhook-signature matches the body, id and timestamp")


def _check_body(body: bytes, headers: dict[str, str], secrets: list[str]) -> None:
    value = _header(headers, BODY_SIGNATURE_HEADER).removeprefix("sha256=")
    try:
        candidate = bytes.fromhex(value)
    except ValueError:
        raise SignatureMismatchError("the X-Webhook-Signature header is not hex") from None
    for secret in secrets:
        if hmac.compare_digest(body_digest(body_key(secret), body), candidate):
            return
    raise SignatureMismatchError("the X-Webhook-Signature does not match the body")


def _envelope(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise MalformedPayloadError("the webhook body is not JSON") from None
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("type"), str)
        or not isinstance(payload.get("data"), dict)
    ):
        raise MalformedPayloadError("the webhook body is not an object with type and data")
    return payload


def verify(
    body: bytes | bytearray | memoryview,
    headers: HeaderSource,
    secrets: str | Sequence[str],
    *,
    scheme: Scheme = "standard",
    tolerance: timedelta | float = DEFAULT_TOLERANCE,
    now: float | datetime | None = None,
) -> VerifiedWebhook:
    """Verify a webhook request and return its parsed envelope.

    body: the raw request body bytes. headers: the request headers (any mapping or
    (name, value) pairs). secrets: one `whsec_...` secret or several (rotation).
    scheme: which signature(s) must be valid (see the module docstring). tolerance:
    how far `webhook-timestamp` may be from `now` (a timedelta or seconds). now: for
    tests (Unix seconds or an aware datetime; default the current time).

    Raises a `WebhookVerificationError` subclass (answer 400) when the request is not
    authentic or not fresh, `InvalidSecretError` when a secret is misconfigured.
    """
    if isinstance(body, str):
        raise TypeError(
            "verify() needs the raw request body as bytes (e.g. await request.body()), not str"
        )
    if scheme not in ("standard", "x-webhook-signature", "both"):
        raise ValueError(f"unknown scheme {scheme!r}")
    raw = bytes(body)
    lowered = _lower(headers)
    keys = _secrets(secrets)
    msg_id: str | None = None
    sent_at: datetime | None = None
    if scheme in ("standard", "both"):
        msg_id, sent_at = _check_standard(raw, lowered, keys, _seconds(tolerance), _now(now))
    if scheme in ("x-webhook-signature", "both"):
        _check_body(raw, lowered, keys)
    payload = _envelope(raw)
    stamp = payload.get("timestamp")
    return VerifiedWebhook(
        type=payload["type"],
        data=payload["data"],
        timestamp=stamp if isinstance(stamp, str) else None,
        id=msg_id,
        sent_at=sent_at,
        scheme=scheme,
        payload=payload,
    )
