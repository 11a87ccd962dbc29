"""`HttpCore`: one request to the Alguna API, done right. The only httpx user (with the
emulator).

Every request carries the base URL, `Authorization: Bearer`, `Alguna-Version` and our
user agent; writes carry their `Idempotency-Key`, the same on every attempt. Failures are
retried per `errors.is_retryable` (`retried`): `Retry-After` honoured (seconds or an
HTTP date, capped), else exponential backoff with full jitter, bounded in attempts and
in total time counted from the first send (time queued in our own rate budget before it
does not count). Each attempt has an overall deadline (`Timeouts.request`: httpx's
timeouts are per socket read, so a server trickling bytes would never trip them), and all
requests of one `HttpCore` share the command's deadline (`Timeouts.command`). Errors name
the host; server text is shown only through `redact.shown` (never the key). Log lines
name method, path, status, attempt and duration: never a header.

The request path is written for CPU (issue 19: at 10,000 writes the HTTP stack was about
half of an apply's CPU): the retry loop is our own (`retried`; tenacity built a retry
object, a stop and a wait per request), a request is built once with prebuilt headers and
sent with `AsyncClient.send` (no per-request merge of the client's settings), and the
client keeps no cookies (`_Client`).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit
from urllib.request import getproxies

import httpx

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
from reconciler.api.network import ApiTransport
from reconciler.api.redact import shown

log = logging.getLogger("reconciler.api")

Json = Any
T = TypeVar("T")

KEEPALIVE_EXPIRY = 1.0
"""Seconds a connection may sit idle before the pool closes it (httpx's default: 5).
Every request that starts or ends makes httpcore's pool look at every connection it
holds, and an idle one costs a socket check (two system calls, and an attribute dict
from anyio) plus a count of all the others: with a burst's connections kept 5 s, an
apply at 100 requests a second held 13 to 14 connections, 9 of them idle, at every
look. Reused within a second, a connection stays; one that is not costs more in those
checks than opening it again when a burst needs it (issue 19; docs/performance.md).
Apply at 10,000 writes: 7.0 connections on average, 2.3 idle, 75 opened in all."""


LIMITS = httpx.Limits(
    max_connections=None, max_keepalive_connections=64, keepalive_expiry=KEEPALIVE_EXPIRY
)
"""The client's connection pool: no bound on connections (the budget bounds requests in
flight), idle ones closed after `KEEPALIVE_EXPIRY`."""


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


def backoff(policy: RetryPolicy, attempt: int) -> float:
    """Full jitter: uniform between 0 and `base_delay` doubled per attempt made so far,
    capped at `max_delay` (tenacity's `wait_random_exponential`, which this replaced)."""
    # The exponent is bounded so that a policy with very many attempts cannot overflow.
    ceiling = policy.base_delay * 2.0 ** min(attempt - 1, 64)
    return random.uniform(0.0, max(0.0, min(ceiling, policy.max_delay)))


def retry_delay(policy: RetryPolicy, attempt: int, error: BaseException, clock: _Clock) -> float:
    """Seconds to wait after failed attempt number `attempt`: the server's `Retry-After`
    (capped at `max_retry_after`) wins over `backoff`; never past the command's
    deadline."""
    if isinstance(error, ApiError) and error.retry_after is not None:
        delay = min(error.retry_after, policy.max_retry_after)
    else:
        delay = backoff(policy, attempt)
    return max(0.0, min(delay, clock.command_left()))


async def retried(
    policy: RetryPolicy,
    retryable: Callable[[BaseException], bool],
    attempt: Callable[[int], Awaitable[T]],
    clock: _Clock | None = None,
) -> T:
    """`attempt(n)` for n = 1, 2, ... until it returns. An error ends the loop (raised as
    it is) unless `retryable` says otherwise and there is room for another attempt: fewer
    than `policy.max_attempts` made, less than `policy.max_total` since the first send
    (without `clock`: since now), the command's deadline not passed. Between attempts it
    waits `retry_delay`.

    A loop of our own rather than tenacity's: tenacity built a retry object, its stop
    and wait conditions and a statistics dict for every request, and wrapped every
    attempt in a context manager, a measurable part of an apply's CPU per write; the
    semantics are the ones we had configured it with (tests/api/test_retries.py,
    tests/hostile/)."""
    timer = clock or _Clock(float("inf"), started=True)
    number = 1
    while True:
        try:
            return await attempt(number)
        except Exception as exc:
            if (
                not retryable(exc)
                or number >= policy.max_attempts
                or timer.since_first_send() >= policy.max_total
                or timer.command_left() <= 0
            ):
                raise
            delay = retry_delay(policy, number, exc, timer)
        await asyncio.sleep(delay)
        number += 1


class _NoCookies(httpx.Cookies):
    """A cookie store that stores nothing and sends nothing."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class _Client(httpx.AsyncClient):
    """httpx's client without cookies. The Alguna API authenticates every request by its
    key and has no use for cookies, and a cookie a server (or a proxy) sets must not
    ride along on later requests of ours anyway. httpx's own jar ran every response
    through `http.cookiejar` (building urllib request and response wrappers around it):
    about 8% of the client's instructions per request, measured (issue 19)."""

    _none = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._none

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        """httpx's constructor sets the client's cookies: nothing is kept."""


def _proxied() -> bool:
    """Whether the environment sets a proxy (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, as
    httpx reads them). httpx honours those, and `NO_PROXY`, only on a client it builds the
    transport of, so `HttpCore` then leaves the transport to httpx."""
    found = getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


class HttpCore:
    """Sends requests for one connection. Use as an async context manager.

    Without a `transport` (tests pass one), requests go through `network.ApiTransport`,
    or through httpx's own transport when a proxy is set (`_proxied`)."""

    def __init__(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.connection = connection
        self.budget = Budget(connection.rate_limits)
        timeouts = connection.timeouts
        if transport is None and not _proxied():
            transport = ApiTransport(connection.base_url, LIMITS)
        self._client = _Client(
            base_url=connection.base_url,
            transport=transport,
            timeout=httpx.Timeout(
                connect=timeouts.connect,
                read=timeouts.read,
                write=timeouts.write,
                pool=timeouts.pool,
            ),
            limits=LIMITS,
            headers={
                "Alguna-Version": API_VERSION,
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
        )
        # What `AsyncClient.build_request` would merge into every request, merged once:
        # the client's headers (httpx's defaults with ours over them, names as written)
        # and the key, in the order it sent them; the URL is the base URL's text and the
        # path.
        self._headers = {name.decode(): value.decode() for name, value in self._client.headers.raw}
        self._headers["Authorization"] = f"Bearer {connection.api_key.get_secret_value()}"
        self._url_prefix = str(self._client.base_url).rstrip("/")
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
        keyed = idempotency_key is not None
        headers = self._headers
        content = None
        if keyed or body is not None:
            headers = dict(headers)
            if idempotency_key is not None:
                headers["Idempotency-Key"] = idempotency_key
            if body is not None:
                headers["Content-Type"] = "application/json"
                # Encoded once: every attempt sends the same bytes.
                content = json.dumps(body, separators=(",", ":")).encode()
        # As httpx's build_request made it: `params`, when given (even empty), are the
        # whole query.
        text = self._url_prefix + path
        url = httpx.URL(text) if params is None else httpx.URL(text, params=params)
        clock = _Clock(self._command_ends)

        def retryable(exc: BaseException) -> bool:
            return is_retryable(exc, has_idempotency_key=keyed, is_read=is_read)

        async def attempt(number: int) -> Json:
            return await self._once(method, path, url, headers, content, number, clock, outcome)

        return await retried(self.connection.retry, retryable, attempt, clock)

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
        url: httpx.URL,
        headers: dict[str, str],
        content: bytes | None,
        attempt: int,
        clock: _Clock,
        outcome: Outcome | None,
    ) -> Json:
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
                # A new `Request` per attempt: httpx's request carries its stream.
                request = httpx.Request(method, url, headers=headers, content=content)
                async with asyncio.timeout(limit):
                    response = await self._client.send(request)
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
