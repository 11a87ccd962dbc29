"""Sending webhook attempts: when they are due, how they are signed, what a failure means.

Owns the retry schedule (the quick start's: immediately, then 5 minutes, 30 minutes,
2 hours and 24 hours after the previous failure; five attempts in all), measured on the
emulator clock, so tests move the clock through the control API instead of waiting; what
counts as success (a 2xx answer within ``timeout_seconds``, 15 by default, as Alguna asks
receivers to answer); and the two delivery modes:

- ``background`` (``billing sandbox serve``, ``billing listen`` on an embedded
  environment): a daemon thread with its own event loop sends due attempts as soon as
  they exist (woken when an event is emitted or the clock moves) and polls the store a few
  times a second for attempts that came due as time flowed or that another process on the
  same data file wrote. API requests never wait for a delivery.
- ``on_demand`` (the default of ``create_app``, for tests and the embedded environment of
  short-lived commands): nothing is sent until the control API asks, with
  ``POST /_emulator/webhooks/deliver`` or by setting or advancing the clock, which delivers
  what is due before answering. Deterministic.

Must not decide which events exist (``events``) or who receives them (``outbox``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from datetime import timedelta
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from ..clock import Clock, format_ts
from ..store import Store
from . import outbox
from .signing import USER_AGENT, signature_headers

_log = logging.getLogger("alguna_emulator.webhooks")

# Delay before attempt n+1, after attempt n failed; the first attempt is immediate.
SCHEDULE = (
    timedelta(0),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(SCHEDULE)
BATCH = 100
CONCURRENCY = 16
POLL_SECONDS = 0.25
LEASE_MARGIN = 30.0
RESPONSE_EXCERPT = 200

DeliveryMode = Literal["background", "on_demand"]


class WebhookSettings(BaseModel):
    """How this emulator delivers webhooks (``PATCH /_emulator/webhooks/settings``)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    delivery: DeliveryMode = "on_demand"
    timeout_seconds: float = Field(default=15.0, gt=0, le=120)


class Attempt(BaseModel):
    """One attempt as the delivery log shows it."""

    delivery_id: str
    message_id: str
    endpoint_id: str
    attempt: int
    at: str
    status: int | None
    error: str | None
    duration_ms: float
    outcome: Literal["succeeded", "retrying", "failed"]
    next_attempt_at: str | None


class Dispatcher:
    """Delivers due attempts of one emulator's store."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.settings = WebhookSettings()
        # Tests may swap in an httpx transport (e.g. httpx.MockTransport) to deliver in
        # process; None is the network.
        self.transport: httpx.AsyncBaseTransport | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- modes ---------------------------------------------------------------------------

    def configure(self, delivery: DeliveryMode | None = None, timeout: float | None = None) -> None:
        """Change the mode (starting or stopping the background thread) or the timeout."""
        if timeout is not None:
            self.settings.timeout_seconds = timeout
        if delivery is not None and delivery != self.settings.delivery:
            self.settings.delivery = delivery
            if delivery == "background":
                self._start()
            else:
                self.stop()

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="emulator-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread (if any) and wait briefly for it."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.settings.timeout_seconds + 1)

    def wake(self) -> None:
        """Something may have become due (an event was emitted, the clock moved)."""
        self._wake.set()

    async def clock_moved(self) -> list[Attempt]:
        """After the control API set or advanced the clock: deliver what is now due (on
        demand, before answering), or wake the background thread."""
        if self.settings.delivery == "on_demand":
            return await self.deliver_due()
        self.wake()
        return []

    # -- delivering ----------------------------------------------------------------------

    async def deliver_due(self) -> list[Attempt]:
        """Make every attempt due now (emulator clock) and return what happened, in the
        order the attempts were claimed."""
        async with httpx.AsyncClient(transport=self.transport) as client:
            return await self._deliver_due(client)

    async def _deliver_due(self, client: httpx.AsyncClient) -> list[Attempt]:
        made: list[Attempt] = []
        limiter = asyncio.Semaphore(CONCURRENCY)

        async def one(claim: outbox.Claim) -> Attempt:
            async with limiter:
                return await self._attempt(client, claim)

        while True:
            lease = self.settings.timeout_seconds + LEASE_MARGIN
            claims = outbox.claim_due(self.store, self.clock.now(), BATCH, lease)
            if not claims:
                return made
            made.extend(await asyncio.gather(*(one(claim) for claim in claims)))
            if len(claims) < BATCH:
                return made

    async def _attempt(self, client: httpx.AsyncClient, claim: outbox.Claim) -> Attempt:
        status: int | None = None
        error: str | None = None
        excerpt = ""
        started = time.perf_counter()
        if not claim.secrets:  # every secret expired: nothing to sign with
            error = "the endpoint has no valid secret"
        else:
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                **signature_headers(claim.body, claim.message_id, int(time.time()), claim.secrets),
            }
            try:
                response = await client.post(
                    claim.url,
                    content=claim.body,
                    headers=headers,
                    timeout=self.settings.timeout_seconds,
                )
                status = response.status_code
                excerpt = response.text[:RESPONSE_EXCERPT]
            except httpx.TimeoutException:
                error = f"timed out after {self.settings.timeout_seconds:g} s"
            except httpx.HTTPError as exc:
                error = f"no response ({type(exc).__name__})"
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        now = self.clock.now()
        succeeded = status is not None and 200 <= status < 300
        if succeeded:
            outcome: Literal["succeeded", "retrying", "failed"] = "succeeded"
            next_at = None
        elif claim.attempt >= MAX_ATTEMPTS:
            outcome, next_at = "failed", None
        else:
            outcome, next_at = "retrying", format_ts(now + SCHEDULE[claim.attempt])
        record: dict[str, Any] = {
            "attempt": claim.attempt,
            "at": format_ts(now),
            "status": status,
            "error": error,
            "duration_ms": duration_ms,
            "response": excerpt,
        }
        state = {"succeeded": "succeeded", "failed": "failed", "retrying": "pending"}[outcome]
        outbox.finish_attempt(
            self.store, claim.delivery_id, record, state=state, next_attempt_at=next_at
        )
        return Attempt(
            delivery_id=claim.delivery_id,
            message_id=claim.message_id,
            endpoint_id=claim.endpoint_id,
            attempt=claim.attempt,
            at=record["at"],
            status=status,
            error=error,
            duration_ms=duration_ms,
            outcome=outcome,
            next_attempt_at=next_at,
        )

    # -- the background thread -----------------------------------------------------------

    def _run(self) -> None:
        asyncio.run(self._background())

    async def _background(self) -> None:
        loop = asyncio.get_running_loop()
        async with httpx.AsyncClient(transport=self.transport) as client:
            while not self._stopping.is_set():
                try:
                    await self._deliver_due(client)
                except sqlite3.ProgrammingError:  # the store was closed under us
                    return
                except Exception:
                    _log.exception("webhook delivery round failed")
                await loop.run_in_executor(None, self._wake.wait, POLL_SECONDS)
                self._wake.clear()
