"""Verifying Alguna webhooks in your application: `verify(body, headers, secrets)`.

Alguna delivers webhooks through Svix under the Standard Webhooks spec (`webhook-id`,
`webhook-timestamp`, `webhook-signature`), and its quick start also describes an
`X-Webhook-Signature` header (HMAC-SHA256 of the raw body). `verify` checks either or both,
with constant-time comparisons over the raw bytes, a timestamp tolerance (5 minutes by
default) against replays, and several secrets at once for rotation. `sign` produces the
same headers, for testing your handler. See docs/webhooks.md.

Imports only the standard library and `reconciler.errors` (the exception base, which
brings pydantic), never httpx, Jinja2 or the emulator: a web application can use it
without loading the rest of the tool.
"""

from reconciler.webhooks.errors import (
    InvalidSecretError,
    MalformedPayloadError,
    MissingHeaderError,
    SignatureMismatchError,
    TimestampToleranceError,
    WebhookVerificationError,
)
from reconciler.webhooks.signing import (
    DEFAULT_TOLERANCE,
    SECRET_PREFIX,
    generate_secret,
    sign,
)
from reconciler.webhooks.verify import Scheme, VerifiedWebhook, verify

__all__ = [
    "DEFAULT_TOLERANCE",
    "SECRET_PREFIX",
    "InvalidSecretError",
    "MalformedPayloadError",
    "MissingHeaderError",
    "Scheme",
    "SignatureMismatchError",
    "TimestampToleranceError",
    "VerifiedWebhook",
    "WebhookVerificationError",
    "generate_secret",
    "sign",
    "verify",
]
