"""How long an attempt may last, on a virtual clock (tests/virtual_clock.py): a server
that never answers is cut at exactly `timeouts.request` per attempt, or at the command's
deadline when that comes first. The CLI's end-to-end versions (tests/hostile/test_cli.py)
show the same against a real socket; the durations, to the millisecond, are checked here,
where no load can stretch them."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from reconciler.api import Connection, HttpCore
from reconciler.api.connection import Timeouts
from reconciler.api.errors import ApiConnectionError, ApiDeadlineError, ApiError
from tests.api.stub import StubApi
from tests.virtual_clock import run_virtual


def _read_from_a_silent_server(timeouts: Timeouts) -> tuple[ApiError, StubApi]:
    async def read() -> tuple[ApiError, StubApi]:
        api = StubApi(hang=True)
        connection = Connection(
            base_url="http://stub.invalid", api_key=SecretStr("sk_test_x"), timeouts=timeouts
        )
        async with HttpCore(connection, transport=api) as core:
            with pytest.raises(ApiError) as raised:
                await core.request("GET", "/metrics")
        return raised.value, api

    return run_virtual(read())


def test_each_attempt_ends_at_the_request_deadline() -> None:
    """The default policy's six attempts, each cut at 1.5 s, none sooner or later."""
    error, api = _read_from_a_silent_server(Timeouts(request=1.5, command=600))
    assert isinstance(error, ApiConnectionError), error
    assert "within 1.5 s" in str(error)
    assert len(api.arrivals) == 6
    for arrival in api.arrivals:
        assert arrival.ended is not None
        assert arrival.ended - arrival.at == pytest.approx(1.5, abs=1e-6)


def test_the_command_deadline_cuts_a_longer_request_deadline() -> None:
    """Request deadline 30 s, command 3 s: one attempt, cut by the command's deadline
    (what is left of its 3 s, which count from the client's creation in real time), and
    nothing sent after it."""
    error, api = _read_from_a_silent_server(Timeouts(request=30, command=3))
    assert isinstance(error, ApiDeadlineError), error
    assert "the command's deadline passed (3 s" in str(error)
    [attempt] = api.arrivals
    assert attempt.ended is not None
    assert 0 < attempt.ended - attempt.at <= 3.0


def test_every_attempt_carries_the_socket_timeouts() -> None:
    """httpx's per-operation timeouts (connect, read, write, pool) reach the transport with
    every request, as httpcore reads them: a connect that hangs ends at `connect` seconds,
    not at the request's whole deadline."""
    seen: list[object] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions.get("timeout"))
        return httpx.Response(503 if len(seen) == 1 else 200, json={})

    async def two_attempts() -> None:
        connection = Connection(
            base_url="http://stub.invalid",
            api_key=SecretStr("sk_test_x"),
            timeouts=Timeouts(connect=2, read=3, write=4, pool=5),
        )
        async with HttpCore(connection, transport=httpx.MockTransport(answer)) as core:
            await core.request("GET", "/metrics")

    run_virtual(two_attempts())
    assert seen == [{"connect": 2, "read": 3, "write": 4, "pool": 5}] * 2
