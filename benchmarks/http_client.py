"""The API client's CPU per request: our transport (`reconciler.api.network`) against
httpx's own, side by side in one run.

Sends keyed JSON POSTs through `HttpCore` (the client an apply uses: budget, retries,
headers, JSON both ways), `--parallel` at a time, to a keep-alive HTTP/1.1 server in
another process that answers each at once with a fixed JSON body, so the client's CPU is
all that varies. The two transports take turns, `--rounds` rounds of `--requests` each,
and each is given by its least CPU per request over the rounds (the figure least touched
by other work on the machine), with their ratio: the machine's speed cancels out of it.

    python benchmarks/http_client.py                  # 5 rounds of 3,000 requests, 8 at a time
    python benchmarks/http_client.py --rounds 9 --requests 1000 --parallel 16
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reconciler.api import Connection, HttpCore
from reconciler.api.http import LIMITS
from reconciler.settings import RateLimits

# The server: a few lines of asyncio, run with `python -c` so nothing of ours is in it.
SERVER = """
import asyncio
BODY = b'{"id":"prod_0123456789abcdef","name":"Widget","status":"active","metadata":{}}'
HEAD = b"HTTP/1.1 201 Created\\r\\ncontent-type: application/json\\r\\n"
ANSWER = HEAD + b"content-length: %d\\r\\n\\r\\n%s" % (len(BODY), BODY)
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            for line in head.split(b"\\r\\n"):
                if line.lower().startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":")[1]))
            writer.write(ANSWER)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""

BODY = {"name": "Widget", "description": "x" * 40, "metadata": {"team": "billing"}}
UNLIMITED = RateLimits(standard=1e6, bulk=1e6, events=1e6)


def _httpx_transport() -> httpx.AsyncBaseTransport:
    """httpx's own transport with the limits `HttpCore` gives its own."""
    return httpx.AsyncHTTPTransport(limits=LIMITS)


async def _round(port: int, transport: str, requests: int, parallel: int) -> float:
    """CPU seconds per request of one round (after a warm-up of `parallel` requests)."""
    connection = Connection(
        base_url=f"http://127.0.0.1:{port}",
        api_key=SecretStr("sk_test_benchmark"),
        rate_limits=UNLIMITED,
    )
    given = _httpx_transport() if transport == "httpx" else None
    async with HttpCore(connection, transport=given) as core:
        gate = asyncio.Semaphore(parallel)
        sent = 0

        async def post() -> None:
            nonlocal sent
            async with gate:
                sent += 1
                await core.request("POST", "/products", body=BODY, idempotency_key=f"k{sent}")

        await asyncio.gather(*(post() for _ in range(parallel)))
        started = time.process_time()
        await asyncio.gather(*(post() for _ in range(requests)))
        return (time.process_time() - started) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        per_request: dict[str, list[float]] = {"ours": [], "httpx": []}
        for _ in range(args.rounds):
            for transport, seen in per_request.items():
                seen.append(asyncio.run(_round(port, transport, args.requests, args.parallel)))
    finally:
        server.terminate()
        server.wait()
    ours, theirs = min(per_request["ours"]), min(per_request["httpx"])
    print(
        f"{args.rounds} rounds of {args.requests:,} keyed POSTs, {args.parallel} at a time;"
        " client CPU per request, least of the rounds:"
    )
    print(f"  ours (reconciler.api.network): {ours * 1000:.3f} ms")
    print(f"  httpx's own transport:         {theirs * 1000:.3f} ms")
    print(f"  ours / httpx's: {ours / theirs:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
