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
from reconciler.settings import EnvironmentSettings, RateLimits
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
    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 30.0


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
    if env.embedded:
        return Connection(
            base_url=EMBEDDED_BASE_URL,
            api_key=SecretStr(EMBEDDED_API_KEY_PREFIX + name),
            rate_limits=env.rate_limits,
            retry=retry,
            embedded=True,
        )
    assert env.base_url is not None and env.api_key_env is not None
    variables = os.environ if environ is None else environ
    key = variables.get(env.api_key_env, "").strip()
    if not key:
        raise EnvironmentSelectionError(
            f"environment {name!r} reads its API key from ${env.api_key_env}, which is not set"
        )
    check_target(env.base_url, key, variables)
    return Connection(
        base_url=env.base_url.rstrip("/"),
        api_key=SecretStr(key),
        rate_limits=env.rate_limits,
        retry=retry,
    )
