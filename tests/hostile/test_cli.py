"""`billing` against a hostile server: each case ends with exit 1 and one clear error
line, no traceback, no wrong write, no key printed (issue 17, items 4 and 5)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from reconciler.api.connection import API_VERSION
from tests.hostile.harness import KEY, KEY_VARIABLE, Finished, Project
from tests.hostile.server import Forward, HostileServer, as_response, trickle

API_HEADERS = {"Authorization": f"Bearer {KEY}", "Alguna-Version": API_VERSION}


def assert_refused(result: Finished, *fragments: str, key: str = KEY) -> str:
    """Exit 1, no traceback or internal error, the key nowhere, and exactly one
    `Error:` line holding every fragment; returns that line."""
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert key not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


def assert_apply_stopped(result: Finished, *fragments: str) -> list[str]:
    """An apply that stopped on a bad answer: exit 1, no traceback or internal error, no
    key, each failed change reported on one line holding every fragment, the rest not
    attempted."""
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert KEY not in result.output
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed ")]
    assert failed, result.stderr
    for line in failed:
        for fragment in fragments:
            assert fragment in line, line
    summary = [line for line in result.stdout.splitlines() if line.startswith("Apply ")]
    assert summary and "failed" in summary[-1] and "not attempted" in summary[-1], summary
    return failed


def page(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


# --- item 4: bounded everything -------------------------------------------------------


def slow_loris(path: str) -> Any:
    """`GET path` answers 200 and a JSON prefix at once, then one byte a second."""

    async def behaviour(request: Request, body: bytes, forward: Forward) -> Response | None:
        if request.method == "GET" and request.url.path == path:
            return StreamingResponse(trickle(b'{"data": [', 1.0), media_type="application/json")
        return None

    return behaviour


def test_slow_loris_is_cut_off_at_the_request_deadline(
    tmp_path: Path, server: HostileServer
) -> None:
    """Each attempt ends at `timeouts.request` (1.5 s) although bytes keep coming; the
    retries are bounded too. Before: `billing plan` still ran after 150 s.

    Had no attempt been cut, the first would have lasted until the command's deadline
    (600 s): the run's timeout, a fifth of that, tells the two apart at any machine's
    speed. How long each attempt lasts, to the millisecond, is the client's arithmetic
    (tests/api/test_deadlines.py, on a virtual clock)."""
    project = Project.write(tmp_path / "p", server.base_url, request=1.5, command=600)
    server.behaviour = slow_loris("/metrics")
    result = project.run("plan", timeout=120)
    assert_refused(result, "GET /metrics", f"no complete response from {server.host} within 1.5 s")
    attempts = len(server.requests("GET", "/metrics"))
    assert 1 < attempts <= 6  # retried (a read may be repeated), within max_attempts
    assert server.writes() == []


def test_slow_loris_is_cut_off_at_the_command_deadline(
    tmp_path: Path, server: HostileServer
) -> None:
    """A request deadline longer than the command's: the command's wins, and nothing is
    retried past it. Had the request deadline (30 s) ended the attempt instead, the time
    from its arrival to the exit would be at least 30 s: a bound no load can cross the
    wrong way (start-up and the catalog's load come before the arrival)."""
    project = Project.write(tmp_path / "p", server.base_url, request=30, command=3)
    server.behaviour = slow_loris("/products")
    result = project.run("plan", timeout=120)
    assert_refused(result, "GET /products", "the command's deadline passed (3 s")
    [attempt] = server.requests("GET", "/products")
    assert result.ended - attempt.at < 30


def endless(path: str, total: Any) -> tuple[Any, list[int]]:
    """`GET path` answers full pages of fresh objects; `total(page)` is the page count
    each page announces. Returns the behaviour and a list counting the pages served."""
    served: list[int] = []

    async def behaviour(request: Request, body: bytes, forward: Forward) -> Response | None:
        if request.method != "GET" or request.url.path != path:
            return None
        offset = int(request.query_params.get("offset", "0"))
        served.append(offset)
        data = [
            {"id": f"x{offset + i:09d}{len(served)}", "name": f"Endless {offset + i}"}
            for i in range(100)
        ]
        number = offset // 100 + 1
        pagination = {"page": number, "per_page": 100, "total_pages": total(number)}
        return page({"data": data, "pagination": pagination})

    return behaviour, served


def test_a_growing_page_count_is_not_followed(project: Project, server: HostileServer) -> None:
    """`total_pages` one more than the page just read, for ever. Before: 1,715 pages
    read, and no end."""
    server.behaviour, served = endless("/customers", lambda number: number + 1)
    result = project.run("plan")
    assert_refused(result, "GET /customers", "the page count changed during each of 4 reads")
    assert len(served) == 8  # 4 reads, each stopped at its second page
    assert server.writes() == []


def test_a_huge_page_count_is_refused_at_once(project: Project, server: HostileServer) -> None:
    server.behaviour, served = endless("/customers", lambda number: 10**9)
    result = project.run("plan")
    assert_refused(result, "GET /customers", "announces 1000000000 pages")
    assert len(served) == 1


def empty_list(path: str) -> Any:
    """`GET path` answers a well-formed empty list: no data, `total_pages: 0`."""

    async def behaviour(request: Request, body: bytes, forward: Forward) -> Response | None:
        if request.method == "GET" and request.url.path == path:
            return page({"data": [], "pagination": {"page": 1, "per_page": 100, "total_pages": 0}})
        return None

    return behaviour


@pytest.mark.parametrize("kind", ["bundle", "subscription"])
def test_an_empty_list_of_a_kind_seen_before_plans_nothing(
    project: Project, server: HostileServer, kind: str
) -> None:
    """Nothing refers to bundles or subscriptions, so only the environment's record of
    what it saw (.billing/seen) tells a lie from an empty kind. Before: the plan created
    every bundle (or subscription) again, and apply made the duplicates."""
    assert project.run("apply", "--auto-approve").returncode == 0
    written = len(server.writes())
    server.behaviour = empty_list(f"/{kind}s")
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = project.run(*command)
        assert_refused(result, f"GET /{kind}s", f"the API listed no {kind}s", "saw 1")
    assert len(server.writes()) == written
    server.behaviour = None  # the server mends: plans are empty again, no duplicates
    again = project.run("plan", "--detailed-exitcode")
    assert again.returncode == 0, again.output


# --- item 5: verify what the API answers ---------------------------------------------


def create_answer(path: str, rewrite: Any) -> Any:
    """`POST path` (a create) is made by the emulator, then answered `rewrite(answer)`."""

    async def behaviour(request: Request, body: bytes, forward: Forward) -> Response | None:
        if request.method != "POST" or request.url.path != path:
            return None
        answer = await forward()
        return as_response(answer, json.dumps(rewrite(answer.json())).encode())

    return behaviour


def intruder(server: HostileServer) -> dict[str, Any]:
    """A product made out of band: unmanaged, listed, not in the catalog."""
    made = httpx.post(
        f"{server.base_url}/products",
        headers={**API_HEADERS, "Idempotency-Key": "intruder"},
        json={
            "name": "Intruder",
            "sku": "intruder",
            "fee_type": "fixed",
            "billing_frequency": "recurring",
            "payment_terms": "advance",
        },
    )
    assert made.status_code in (200, 201), made.text
    return dict(made.json())


def assert_no_write_names(server: HostileServer, remote: str) -> None:
    bodies = [r for r in server.writes() if remote in r.body or remote in r.path]
    assert bodies == [], f"a write refers to {remote}: {bodies[:1]}"


@pytest.mark.parametrize("variant", ["another object", "another object's id"])
def test_a_create_answered_with_another_object_stops_the_apply(
    project: Project, server: HostileServer, variant: str
) -> None:
    """Before: apply exited 0 and later changes referred to the wrong id."""
    other = intruder(server)
    if variant == "another object":
        server.behaviour = create_answer("/products", lambda answer: other)
        expected = "answered with another object (it does not carry the sku"
    else:
        server.behaviour = create_answer("/products", lambda answer: {**answer, "id": other["id"]})
        expected = f"answered with the id of product.intruder ({other['id']})"
    result = project.run("apply", "--auto-approve")
    assert_apply_stopped(result, "ApiProtocolError: POST /products", expected)
    assert_no_write_names(server, other["id"])
    assert not any(r.path in ("/plans", "/subscriptions") for r in server.writes())
    server.behaviour = None  # a re-run finds what the creates really made
    assert project.run("apply", "--auto-approve").returncode == 0
    assert project.run("plan", "--detailed-exitcode").returncode == 0
    listed = httpx.get(
        f"{server.base_url}/products",
        params={"limit": 100},
        headers=API_HEADERS,
    ).json()["data"]
    skus = [p["sku"] for p in listed]
    assert len(skus) == len(set(skus))  # no duplicate product


def test_a_create_answered_with_an_empty_object_is_a_protocol_error(
    project: Project, server: HostileServer
) -> None:
    """`200 {}` to a create. Before: "internal error: KeyError"."""
    server.behaviour = create_answer("/metrics", lambda answer: {})
    result = project.run("apply", "--auto-approve")
    assert_apply_stopped(result, "ApiProtocolError: POST /metrics", "answered without an `id`")
    assert not any(r.path != "/metrics" for r in server.writes())


# --- the key: echoed by the server, or malformed -------------------------------------


def echo_key_401() -> Any:
    async def behaviour(request: Request, body: bytes, forward: Forward) -> Response | None:
        auth = request.headers.get("authorization", "")
        key = auth.removeprefix("Bearer ")
        detail = f"invalid API key {key!r} ({auth}; {key.replace('_', '%5F')})\nlogin again"
        return page({"detail": detail}, status=401)

    return behaviour


def test_a_401_that_echoes_the_key_does_not_print_it(
    project: Project, server: HostileServer
) -> None:
    server.behaviour = echo_key_401()
    result = project.run("plan")
    line = assert_refused(result, "-> 401", "invalid API key '[redacted]'")
    assert line.count("[redacted]") == 3  # quoted, in the header, percent-encoded
    assert "HostileServerKey" not in result.output
    assert "login again" in line  # the server's line break became a space: one line
    debug = project.run("--debug", "plan")
    assert debug.returncode == 1
    assert "HostileServerKey" not in debug.output


@pytest.mark.parametrize("flaw", ["\r\nX-Injected: yes", "\n", "\r", " tail", "\t", "\x7f", "é"])
def test_a_key_with_a_line_break_or_whitespace_is_refused_unprinted(
    project: Project, server: HostileServer, flaw: str
) -> None:
    """Before: a CR/LF key reached the Authorization header, and `--debug` printed it
    about 30 times in httpx's error. Now it is refused when read: nothing is sent."""
    key = "sk_test_" + "LineBreak" + flaw + "Key0123"
    for args in (["plan"], ["--debug", "plan"]):
        result = project.run(*args, key=key)
        assert result.returncode == 1
        assert "LineBreak" not in result.output and "Key0123" not in result.output
        assert f"${KEY_VARIABLE}" in result.output
    assert_refused(project.run("plan", key=key), f"${KEY_VARIABLE}", "not a usable key")
    assert server.log == []


def test_a_connection_error_names_the_host(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the run: nothing listens
    project = Project.write(tmp_path / "p", f"http://127.0.0.1:{port}", request=5, command=20)
    result = project.run("plan")
    assert_refused(result, f"no response from 127.0.0.1:{port} (ConnectError")
