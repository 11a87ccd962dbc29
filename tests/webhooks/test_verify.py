"""`reconciler.webhooks.verify`: authentic, fresh deliveries pass; anything else is refused.

Deliveries are signed by `sign` here and by the emulator in test_emulator_webhooks.py, two
independent implementations of the same schemes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from reconciler.webhooks import (
    InvalidSecretError,
    MalformedPayloadError,
    MissingHeaderError,
    SignatureMismatchError,
    TimestampToleranceError,
    WebhookVerificationError,
    generate_secret,
    sign,
    verify,
)

NOW = 1_775_037_600  # 2026-04-01T10:00:00Z
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BODY = json.dumps(
    {
        "type": "subscription.activated",
        "timestamp": "2026-04-01T10:00:00Z",
        "data": {"id": "CQCncgVu", "status": "active"},
    },
    separators=(",", ":"),
).encode()


def _headers(body: bytes = BODY, secret: str | list[str] = SECRET, at: int = NOW) -> dict[str, str]:
    return sign(body, secret, msg_id="msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", timestamp=at)


def _flip(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


@pytest.mark.parametrize("scheme", ["standard", "x-webhook-signature", "both"])
def test_a_valid_delivery_is_accepted(scheme: str) -> None:
    hook = verify(BODY, _headers(), SECRET, scheme=scheme, now=NOW)  # type: ignore[arg-type]
    assert hook.type == "subscription.activated"
    assert hook.data == {"id": "CQCncgVu", "status": "active"}
    assert hook.timestamp == "2026-04-01T10:00:00Z"
    if scheme != "x-webhook-signature":
        assert hook.id == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
        assert hook.sent_at == datetime.fromtimestamp(NOW, UTC)


def test_the_standard_signature_is_the_documented_hmac() -> None:
    """Recomputed from the Standard Webhooks definition, not from our own helper."""
    headers = _headers()
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    signed = f"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.{NOW}.".encode() + BODY
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    body_sig = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Signature"] == body_sig


@pytest.mark.parametrize("index", [0, len(BODY) // 2, len(BODY) - 1])
@pytest.mark.parametrize("scheme", ["standard", "x-webhook-signature", "both"])
def test_a_one_byte_change_to_the_body_is_rejected(index: int, scheme: str) -> None:
    with pytest.raises(SignatureMismatchError):
        verify(_flip(BODY, index), _headers(), SECRET, scheme=scheme, now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize("index", [0, 4, 29])
def test_a_one_byte_change_to_the_id_is_rejected(index: int) -> None:
    headers = _headers()
    headers["webhook-id"] = _flip(headers["webhook-id"].encode(), index).decode()
    with pytest.raises(SignatureMismatchError):
        verify(BODY, headers, SECRET, now=NOW)


def test_a_one_byte_change_to_the_timestamp_is_rejected() -> None:
    headers = _headers()
    headers["webhook-timestamp"] = str(NOW + 1)  # last digit changed, still within tolerance
    with pytest.raises(SignatureMismatchError):
        verify(BODY, headers, SECRET, now=NOW)


def test_a_one_byte_change_to_the_signature_is_rejected() -> None:
    headers = _headers()
    raw = bytearray(base64.b64decode(headers["webhook-signature"].removeprefix("v1,")))
    raw[0] ^= 0x01
    headers["webhook-signature"] = "v1," + base64.b64encode(bytes(raw)).decode()
    with pytest.raises(SignatureMismatchError):
        verify(BODY, headers, SECRET, now=NOW)


def test_another_secret_is_rejected() -> None:
    with pytest.raises(SignatureMismatchError):
        verify(BODY, _headers(), generate_secret(), scheme="both", now=NOW)


@pytest.mark.parametrize(
    "age", [301, 3600, -301, -86_400], ids=["stale", "hour old", "future", "day ahead"]
)
def test_a_timestamp_outside_the_tolerance_is_rejected(age: int) -> None:
    with pytest.raises(TimestampToleranceError):
        verify(BODY, _headers(at=NOW - age), SECRET, now=NOW)


def test_the_tolerance_is_five_minutes_by_default_and_configurable() -> None:
    verify(BODY, _headers(at=NOW - 300), SECRET, now=NOW)
    verify(BODY, _headers(at=NOW - 3000), SECRET, now=NOW, tolerance=timedelta(hours=1))
    with pytest.raises(TimestampToleranceError):
        verify(BODY, _headers(at=NOW - 61), SECRET, now=NOW, tolerance=60)


def test_a_timestamp_that_is_not_a_number_is_rejected() -> None:
    headers = _headers()
    headers["webhook-timestamp"] = "2026-04-01T10:00:00Z"
    with pytest.raises(TimestampToleranceError):
        verify(BODY, headers, SECRET, now=NOW)


def test_rotation_old_and_new_secrets_are_both_accepted() -> None:
    old, new = SECRET, generate_secret()
    signed_with_old = _headers(secret=old)
    signed_with_both = _headers(secret=[new, old])  # the sender during the overlap
    assert len(signed_with_both["webhook-signature"].split()) == 2
    verify(BODY, signed_with_old, [new, old], now=NOW)  # receiver already rotated
    verify(BODY, signed_with_both, new, now=NOW)  # receiver on the new secret only
    verify(BODY, signed_with_both, old, now=NOW)  # receiver not yet rotated
    with pytest.raises(SignatureMismatchError):
        verify(BODY, signed_with_old, new, now=NOW)


def test_rotation_applies_to_x_webhook_signature_too() -> None:
    headers = _headers(secret=SECRET)
    verify(BODY, headers, [generate_secret(), SECRET], scheme="x-webhook-signature", now=NOW)


def test_header_names_are_case_insensitive_and_svix_names_work() -> None:
    headers = {name.upper(): value for name, value in _headers().items()}
    verify(BODY, headers, SECRET, scheme="both", now=NOW)
    svix = {name.replace("webhook-", "svix-"): v for name, v in _headers().items()}
    verify(BODY, list(svix.items()), SECRET, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_standard_header_is_named(missing: str) -> None:
    headers = _headers()
    del headers[missing]
    with pytest.raises(MissingHeaderError, match=missing):
        verify(BODY, headers, SECRET, now=NOW)


def test_the_scheme_is_the_callers_choice_not_the_requests() -> None:
    """Stripping the timestamped signature must not downgrade to the body-only one."""
    headers = {"X-Webhook-Signature": _headers()["X-Webhook-Signature"]}
    with pytest.raises(MissingHeaderError):
        verify(BODY, headers, SECRET, now=NOW)
    with pytest.raises(MissingHeaderError):
        verify(
            BODY,
            {k: v for k, v in _headers().items() if k.startswith("webhook")},
            SECRET,
            scheme="both",
            now=NOW,
        )


def test_unknown_signature_versions_are_ignored() -> None:
    headers = _headers()
    headers["webhook-signature"] = "v1a,abcd " + headers["webhook-signature"]
    verify(BODY, headers, SECRET, now=NOW)
    headers["webhook-signature"] = "v2,abcd"
    with pytest.raises(SignatureMismatchError, match="no v1"):
        verify(BODY, headers, SECRET, now=NOW)


def test_a_str_body_is_refused_because_the_raw_bytes_are_what_is_signed() -> None:
    with pytest.raises(TypeError, match="raw request body"):
        verify(BODY.decode(), _headers(), SECRET, now=NOW)  # type: ignore[arg-type]


def test_a_validly_signed_body_that_is_not_an_event_is_malformed() -> None:
    body = b"[1, 2, 3]"
    with pytest.raises(MalformedPayloadError):
        verify(body, _headers(body=body), SECRET, now=NOW)


def test_a_bad_secret_is_a_configuration_error_not_a_verification_failure() -> None:
    for bad in ("", "whsec_not base64!", []):
        with pytest.raises(InvalidSecretError) as caught:
            verify(BODY, _headers(), bad, now=NOW)  # type: ignore[arg-type]
        assert not isinstance(caught.value, WebhookVerificationError)


def test_messages_never_contain_the_secret_or_the_signature() -> None:
    headers = _headers()
    failures = []
    for attempt in (
        lambda: verify(_flip(BODY, 3), headers, SECRET, now=NOW),
        lambda: verify(BODY, headers, SECRET, now=NOW + 10_000),
        lambda: verify(BODY, headers, "whsec_" + "A" * 7, now=NOW),
    ):
        with pytest.raises(Exception) as caught:
            attempt()
        failures.append(str(caught.value))
    for message in failures:
        assert SECRET not in message and SECRET.removeprefix("whsec_") not in message
        assert headers["webhook-signature"].removeprefix("v1,") not in message


def test_generated_secrets_are_whsec_base64_of_24_bytes() -> None:
    secret = generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert generate_secret() != secret


def test_importing_it_loads_no_http_client_template_engine_or_emulator() -> None:
    code = (
        "import sys, reconciler.webhooks; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'jinja2') "
        "or m.startswith('alguna_emulator')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
