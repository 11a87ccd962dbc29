"""`Connection`: where an environment's API is and how to talk to it.

Built from an environment's settings and the process environment. The API key is read
from the variable the settings name, held as a `SecretStr` (so it never shows in a repr,
a log line or an error), and checked against the base URL by `guard`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from reconciler.api.guard import check_target
from reconciler.errors import EnvironmentSelectionError
from reconciler.settings import (
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
    EnvironmentSettings,
    RateLimits,
)
from reconciler.version import __version__

API_VERSION = "2026-04-01"
USER_AGENT = f"alguna-billing/{__version__}"
EMBEDDED_BASE_URL = "http://emulator.invalid"
EMBEDDED_API_KEY_PREFIX = "sk_test_embedded_"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and total time.
    `Retry-After` from the server wins over the backoff, capped at `max_retry_after`."""

    max_attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_total: float = 60.0
    max_retry_after: float = 30.0


@dataclass(frozen=True)
class Timeouts:
    """httpx's timeouts (`connect`, `read`, `write`, `pool`) bound each socket operation:
    a server trickling one byte every few seconds never trips them. `request` bounds one
    attempt as a whole (sending, waiting, every byte of the answer) and `command` all of
    one command's API work (every request, retry and wait); both in seconds, from
    billing.toml `[environments.<name>.timeouts]` (docs/settings.md)."""

    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 30.0
    request: float = DEFAULT_REQUEST_TIMEOUT
    command: float = DEFAULT_COMMAND_TIMEOUT


@dataclass(frozen=True)
class Connection:
    base_url: str
    api_key: SecretStr = field(repr=False)
    rate_limits: RateLimits = field(default_factory=RateLimits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeouts: Timeouts = field(default_factory=Timeouts)
    embedded: bool = False


def connection_for(
    name: str,
    env: EnvironmentSettings,
    environ: Mapping[str, str] | None = None,
    retry: RetryPolicy | None = None,
) -> Connection:
    """The connection for environment `name`. Raises EnvironmentSelectionError when its
    key variable is unset or the key does not suit the URL (see `guard`)."""
    retry = retry or RetryPolicy()
    timeouts = Timeouts(request=env.timeouts.request, command=env.timeouts.command)
    if env.embedded:
        return Connection(
            base_url=EMBEDDED_BASE_URL,
            api_key=SecretStr(EMBEDDED_API_KEY_PREFIX + name),
            rate_limits=env.rate_limits,
            retry=retry,
            timeouts=timeouts,
            embedded=True,
        )
    assert env.base_url is not None and env.api_key_env is not None
    variables = os.environ if environ is None else environ
    key = checked_key(name, env.api_key_env, variables.get(env.api_key_env, ""))
    check_target(env.base_url, key, variables)
    return Connection(
        base_url=env.base_url.rstrip("/"),
        api_key=SecretStr(key),
        rate_limits=env.rate_limits,
        retry=retry,
        timeouts=timeouts,
    )


def checked_key(name: str, variable: str, value: str) -> str:
    """The key in `value` with surrounding whitespace removed (a trailing newline from a
    secrets file is common), or EnvironmentSelectionError naming the variable when it is
    unset or not a key: a key is printable ASCII without whitespace. A line break inside
    one would otherwise reach an HTTP header, where httpx refuses it in an error message
    that quotes the header, key included. The key itself is never part of the message."""
    key = value.strip()
    if not key:
        raise EnvironmentSelectionError(
            f"environment {name!r} reads its API key from ${variable}, which is not set"
        )
    flaw = next((_flaw(char) for char in key if not "!" <= char <= "~"), None)
    if flaw is not None:
        raise EnvironmentSelectionError(
            f"${variable} (the API key of environment {name!r}) is not a usable key: it"
            f" contains {flaw}; a key is printable ASCII without spaces or line breaks"
            " (the value is not shown)"
        )
    return key


def _flaw(char: str) -> str:
    if char in "\r\n":
        return "a line break (CR or LF)"
    if char.isspace():
        return "whitespace"
    if char.isascii():
        return "a control character"
    return "a non-ASCII character"
