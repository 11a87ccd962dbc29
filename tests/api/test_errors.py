"""Which failures a retry may repeat, and how `Retry-After` is read."""

from __future__ import annotations

import email.utils

import pytest

from reconciler.api.errors import ApiConnectionError, error_for_status, is_retryable
from reconciler.api.http import parse_retry_after


def _error(status: int, detail: str = "x", transient: bool = False) -> Exception:
    return error_for_status(
        method="POST",
        path="/products",
        status=status,
        detail=detail,
        retry_after=None,
        transient=transient,
    )


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_for_keyed_writes_and_reads(status: int) -> None:
    assert is_retryable(_error(status), has_idempotency_key=True, is_read=False)
    assert is_retryable(_error(status), has_idempotency_key=False, is_read=True)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 501])
def test_client_errors_are_never_retried(status: int) -> None:
    assert not is_retryable(_error(status), has_idempotency_key=True, is_read=True)


def test_a_write_without_a_key_is_never_retried() -> None:
    assert not is_retryable(_error(503), has_idempotency_key=False, is_read=False)
    dropped = ApiConnectionError(method="POST", path="/x", status=None, detail="reset")
    assert not is_retryable(dropped, has_idempotency_key=False, is_read=False)
    assert is_retryable(dropped, has_idempotency_key=True, is_read=False)


def test_only_an_in_flight_conflict_is_retried() -> None:
    in_flight = _error(409, "a request with this Idempotency-Key is in flight")
    stale = _error(409, "source_version_id is no longer the current version")
    assert is_retryable(in_flight, has_idempotency_key=True, is_read=False)
    assert not is_retryable(stale, has_idempotency_key=True, is_read=False)


def test_retry_after_seconds_and_http_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 7, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(7, abs=1)
    past = email.utils.formatdate(now - 100, usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0
