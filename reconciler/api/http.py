"""`HttpCore`: one request to the Alguna API, done right. The only httpx user (with the
emulator).

Every request carries the base URL, `Authorization: Bearer`, `Alguna-Version` and our
user agent; writes carry their `Idempotency-Key`, the same on every attempt. Failures are
retried per `errors.is_retryable` with tenacity: `Retry-After` honoured (seconds or an
HTTP date, capped), else exponential backoff with full jitter, bounded in attempts and
total time. Log lines name method, path, status, attempt and duration: never a header.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from reconciler.api.budget import Budget, request_class
from reconciler.api.connection import API_VERSION, USER_AGENT, Connection, RetryPolicy
from reconciler.api.errors import (
    ApiConnectionError,
    ApiError,
    error_for_status,
    is_retryable,
)

log = logging.getLogger("reconciler.api")

Json = Any


class Outcome:
    """What a caller may want to know about a write beyond its body: whether the API
    answered it from its idempotency store (`Idempotent-Replayed: true`) rather than
    executing it; for a request that raised, whether the error was such a replay.
    Filled in by `HttpCore.request` when passed one."""

    def __init__(self) -> None:
        self.replayed = False


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retrying_for(policy: RetryPolicy, retryable: Callable[[BaseException], bool]) -> AsyncRetrying:
    """The retry loop every request uses: `retryable` decides, `Retry-After` from the
    server wins over the jittered exponential backoff (capped), bounded in attempts and
    total time; the last error is re-raised."""
    backoff = wait_random_exponential(multiplier=policy.base_delay, max=policy.max_delay)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            return min(exc.retry_after, policy.max_retry_after)
        return float(backoff(state))

    return AsyncRetrying(
        retry=retry_if_exception(retryable),
        stop=stop_after_attempt(policy.max_attempts) | stop_after_delay(policy.max_total),
        wait=wait,
        reraise=True,
    )


class HttpCore:
    """Sends requests for one connection. Use as an async context manager."""

    def __init__(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.connection = connection
        self.budget = Budget(connection.rate_limits)
        timeouts = connection.timeouts
        self._client = httpx.AsyncClient(
            base_url=connection.base_url,
            transport=transport,
            timeout=httpx.Timeout(
                connect=timeouts.connect,
                read=timeouts.read,
                write=timeouts.write,
                pool=timeouts.pool,
            ),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
            headers={
                "Alguna-Version": API_VERSION,
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
        )
        self.requests_sent = 0

    async def __aenter__(self) -> HttpCore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        body: Json = None,
        idempotency_key: str | None = None,
        outcome: Outcome | None = None,
    ) -> Json:
        """Send with retries; return the parsed JSON body, or raise an `ApiError`.
        `outcome`, when given, learns whether the answer that is returned was replayed."""
        is_read = method == "GET"
        policy = self.connection.retry

        def retryable(exc: BaseException) -> bool:
            return is_retryable(
                exc, has_idempotency_key=idempotency_key is not None, is_read=is_read
            )

        retrying = retrying_for(policy, retryable)
        async for attempt in retrying:
            with attempt:
                return await self._once(
                    method,
                    path,
                    params,
                    body,
                    idempotency_key,
                    attempt.retry_state.attempt_number,
                    outcome,
                )
        raise AssertionError("unreachable: tenacity reraises the last error")

    async def _once(
        self,
        method: str,
        path: str,
        params: dict[str, str | int] | None,
        body: Json,
        idempotency_key: str | None,
        attempt: int,
        outcome: Outcome | None = None,
    ) -> Json:
        headers = {"Authorization": f"Bearer {self.connection.api_key.get_secret_value()}"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":")).encode()
        started = time.monotonic()
        async with self.budget.slot(request_class(method, path)):
            self.requests_sent += 1
            try:
                response = await self._client.request(
                    method, path, params=params, content=content, headers=headers
                )
            except httpx.TransportError as exc:
                log.info("%s %s attempt %d: %s", method, path, attempt, type(exc).__name__)
                raise ApiConnectionError(
                    method=method,
                    path=path,
                    status=None,
                    detail=f"no response ({type(exc).__name__})",
                ) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        replayed = response.headers.get("Idempotent-Replayed") == "true"
        log.info(
            "%s %s -> %d in %.0f ms (attempt %d%s)",
            method,
            path,
            response.status_code,
            elapsed_ms,
            attempt,
            ", replayed" if replayed else "",
        )
        if outcome is not None:
            outcome.replayed = replayed  # of the answer returned or raised last
        if response.status_code >= 400:
            raise self._error(method, path, response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                method=method,
                path=path,
                status=response.status_code,
                detail="the response is not JSON",
            ) from None

    @staticmethod
    def _error(method: str, path: str, response: httpx.Response) -> ApiError:
        detail = response.reason_phrase or "error"
        try:
            payload = response.json()
            if isinstance(payload, dict) and isinstance(payload.get("detail"), str):
                detail = payload["detail"]
        except ValueError:
            pass
        return error_for_status(
            method=method,
            path=path,
            status=response.status_code,
            detail=detail,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            transient=response.headers.get("Transient-Error") == "true",
        )
