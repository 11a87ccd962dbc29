"""`HttpCore`: one request to the Alguna API, done right. The only httpx user (with the
emulator).

Every request carries the base URL, `Authorization: Bearer`, `Alguna-Version` and our
user agent; writes carry their `Idempotency-Key`, the same on every attempt. Failures are
retried per `errors.is_retryable` with tenacity: `Retry-After` honoured (seconds or an
HTTP date, capped), else exponential backoff with full jitter, bounded in attempts and
in total time counted from the first send (time queued in our own rate budget before it
does not count). Each attempt has an overall deadline (`Timeouts.request`: httpx's
timeouts are per socket read, so a server trickling bytes would never trip them), and all
requests of one `HttpCore` share the command's deadline (`Timeouts.command`). Errors name
the host; server text is shown only through `redact.shown` (never the key). Log lines
name method, path, status, attempt and duration: never a header.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from reconciler.api.budget import Budget, request_class
from reconciler.api.connection import API_VERSION, USER_AGENT, Connection, RetryPolicy
from reconciler.api.errors import (
    ApiConnectionError,
    ApiDeadlineError,
    ApiError,
    ApiProtocolError,
    error_for_status,
    is_retryable,
)
from reconciler.api.redact import shown

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


class _Clock:
    """When one request was first sent (None until then) and when the command must end:
    the retry loop's total-time bound counts from the first send, so waiting for our own
    rate budget or for a place in flight does not eat into it."""

    def __init__(self, command_ends: float, *, started: bool = False) -> None:
        self.first_sent: float | None = time.monotonic() if started else None
        self.command_ends = command_ends

    def sent(self) -> None:
        if self.first_sent is None:
            self.first_sent = time.monotonic()

    def since_first_send(self) -> float:
        return 0.0 if self.first_sent is None else time.monotonic() - self.first_sent

    def command_left(self) -> float:
        return self.command_ends - time.monotonic()


class _OutOfTime(stop_base):
    """Stop once `policy.max_total` has passed since the first send, or the command's
    deadline. A class of the module, not one per request: creating a class (an ABC) for
    every request was 4% of an apply's CPU at 10,000 writes (issue 19)."""

    def __init__(self, policy: RetryPolicy, timer: _Clock) -> None:
        self.policy = policy
        self.timer = timer

    def __call__(self, retry_state: RetryCallState) -> bool:
        timer = self.timer
        return timer.since_first_send() >= self.policy.max_total or timer.command_left() <= 0


def retrying_for(
    policy: RetryPolicy,
    retryable: Callable[[BaseException], bool],
    clock: _Clock | None = None,
) -> AsyncRetrying:
    """The retry loop every request uses: `retryable` decides, `Retry-After` from the
    server wins over the jittered exponential backoff (capped), bounded in attempts and
    in total time since the first send (without `clock`: since now); no wait runs past
    the command's deadline; the last error is re-raised."""
    timer = clock or _Clock(float("inf"), started=True)
    backoff = wait_random_exponential(multiplier=policy.base_delay, max=policy.max_delay)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            delay = min(exc.retry_after, policy.max_retry_after)
        else:
            delay = float(backoff(state))
        return max(0.0, min(delay, timer.command_left()))

    return AsyncRetrying(
        retry=retry_if_exception(retryable),
        stop=stop_after_attempt(policy.max_attempts) | _OutOfTime(policy, timer),
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
        self.host = urlsplit(connection.base_url).netloc or connection.base_url
        self._command_ends = time.monotonic() + timeouts.command

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

        clock = _Clock(self._command_ends)
        retrying = retrying_for(policy, retryable, clock)
        async for attempt in retrying:
            with attempt:
                return await self._once(
                    method,
                    path,
                    params,
                    body,
                    idempotency_key,
                    attempt.retry_state.attempt_number,
                    clock,
                    outcome,
                )
        raise AssertionError("unreachable: tenacity reraises the last error")

    def _deadline_passed(self, method: str, path: str) -> ApiDeadlineError:
        return ApiDeadlineError(
            method=method,
            path=path,
            status=None,
            detail=f"the command's deadline passed ({self.connection.timeouts.command:g} s,"
            f" billing.toml timeouts.command); nothing more is sent to {self.host}",
        )

    async def _once(
        self,
        method: str,
        path: str,
        params: dict[str, str | int] | None,
        body: Json,
        idempotency_key: str | None,
        attempt: int,
        clock: _Clock,
        outcome: Outcome | None = None,
    ) -> Json:
        headers = {"Authorization": f"Bearer {self.connection.api_key.get_secret_value()}"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":")).encode()
        if clock.command_left() <= 0:
            raise self._deadline_passed(method, path)
        async with self.budget.slot(request_class(method, path)):
            left = clock.command_left()
            if left <= 0:
                raise self._deadline_passed(method, path)
            limit = min(self.connection.timeouts.request, left)
            self.requests_sent += 1
            clock.sent()
            started = time.monotonic()
            try:
                async with asyncio.timeout(limit):
                    response = await self._client.request(
                        method, path, params=params, content=content, headers=headers
                    )
            except TimeoutError:
                log.info("%s %s attempt %d: deadline of %g s", method, path, attempt, limit)
                if limit < self.connection.timeouts.request:
                    raise self._deadline_passed(method, path) from None
                raise ApiConnectionError(
                    method=method,
                    path=path,
                    status=None,
                    detail=f"no complete response from {self.host} within {limit:g} s"
                    " (billing.toml timeouts.request)",
                ) from None
            except httpx.TransportError as exc:
                log.info("%s %s attempt %d: %s", method, path, attempt, type(exc).__name__)
                raise ApiConnectionError(
                    method=method,
                    path=path,
                    status=None,
                    detail=f"no response from {self.host} ({_transport_problem(exc)})",
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
            raise ApiProtocolError(
                method=method,
                path=path,
                status=response.status_code,
                detail=f"the response from {self.host} is not JSON",
            ) from None

    def _error(self, method: str, path: str, response: httpx.Response) -> ApiError:
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
            detail=shown(detail, self.connection.api_key.get_secret_value()) or "error",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            transient=response.headers.get("Transient-Error") == "true",
        )


def _transport_problem(exc: httpx.TransportError) -> str:
    """What went wrong, without httpx's message (which may quote a request header)."""
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"{name}: could not connect"
    return name
