"""Why a webhook was refused. Messages name the header or the rule, never a secret or a
signature, so they are safe to log and to return in a 400 body.

`InvalidSecretError` is deliberately *not* a `WebhookVerificationError`: a handler that
answers 400 to every verification failure must not also hide its own misconfiguration
(a secret that is not `whsec_` + base64) behind 400s that the sender retries forever.
"""

from __future__ import annotations

from reconciler.errors import BillingError


class WebhookVerificationError(BillingError, ValueError):
    """The request is not an authentic, fresh webhook: answer 400 and ignore it."""


class MissingHeaderError(WebhookVerificationError):
    """A header the chosen scheme needs is absent or empty."""


class SignatureMismatchError(WebhookVerificationError):
    """No signature matches the body (and id and timestamp) under any of the secrets."""


class TimestampToleranceError(WebhookVerificationError):
    """`webhook-timestamp` is too old (a possible replay) or too far in the future."""


class MalformedPayloadError(WebhookVerificationError):
    """The signature is valid but the body is not a JSON webhook envelope
    (`{"type": ..., "timestamp": ..., "data": {...}}`)."""


class InvalidSecretError(BillingError, ValueError):
    """A configured secret is unusable (empty, or `whsec_` followed by something that is
    not base64). A configuration error of the receiving application, not of the request."""
