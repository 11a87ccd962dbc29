"""Typed API errors: status, detail, method and path; never a header, never the key.

`is_retryable` is the single place that decides what a retry may repeat: connection and
read errors, 409 while an idempotent request is in flight, 429 and 500/502/503/504.
Never 400/401/403/404/422/501.
"""

from __future__ import annotations

from reconciler.errors import BillingError

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class ApiError(BillingError):
    """A request failed. `status` is None when no response arrived."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int | None,
        detail: str,
        retry_after: float | None = None,
        transient: bool = False,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
        self.retry_after = retry_after
        self.transient = transient
        where = f"{method} {path}"
        super().__init__(
            f"{where}: {detail}" if status is None else f"{where} -> {status}: {detail}"
        )


class ApiConnectionError(ApiError):
    """No response: connection refused or reset, timeout, dropped after sending."""


class ApiDeadlineError(ApiError):
    """The command's overall deadline (`timeouts.command`) passed: nothing more is sent.
    Never retried (a retry would only run past it further)."""


class ApiAuthError(ApiError):
    """401/403: the key is missing, wrong, or not allowed. Never retried."""


class ApiNotFoundError(ApiError):
    """404."""


class ApiConflictError(ApiError):
    """409: a concurrent request with the same idempotency key, or a stale precondition
    (for example a `source_version_id` that is no longer current)."""

    @property
    def in_flight(self) -> bool:
        """True when the conflict is another attempt of this same request still running:
        waiting and retrying with the same key is then safe. The API marks it with
        `Retry-After` (or `Transient-Error`); other conflicts carry neither."""
        text = self.detail.lower()
        return (
            self.transient
            or self.retry_after is not None
            or "in flight" in text
            or "in progress" in text
        )


class ApiRejectedError(ApiError):
    """400/422: the API refused the request's content. Never retried."""


class ApiRateLimitedError(ApiError):
    """429."""


class ApiServerError(ApiError):
    """5xx."""


class ApiProtocolError(ApiError):
    """A response that does not have the documented shape (for example a list without
    `data`, a create answered without an `id` or with another object), or a list that
    does not end. Treated as an error, never as an empty account or a success."""


def error_for_status(
    *,
    method: str,
    path: str,
    status: int,
    detail: str,
    retry_after: float | None,
    transient: bool,
) -> ApiError:
    cls: type[ApiError]
    if status in (401, 403):
        cls = ApiAuthError
    elif status == 404:
        cls = ApiNotFoundError
    elif status == 409:
        cls = ApiConflictError
    elif status == 429:
        cls = ApiRateLimitedError
    elif status >= 500:
        cls = ApiServerError
    else:
        cls = ApiRejectedError
    return cls(
        method=method,
        path=path,
        status=status,
        detail=detail,
        retry_after=retry_after,
        transient=transient,
    )


def is_retryable(error: BaseException, *, has_idempotency_key: bool, is_read: bool) -> bool:
    """Whether repeating the request is safe and useful. A write without an
    idempotency key is never repeated: a retry could create a duplicate."""
    if not isinstance(error, ApiError) or not (is_read or has_idempotency_key):
        return False
    if isinstance(error, ApiConnectionError):
        return True
    if isinstance(error, ApiConflictError):
        return error.in_flight
    return error.status in RETRYABLE_STATUSES
