"""The environment guard: refuse a key that obviously belongs to another environment.

Rules (docs/api-client.md):
- `https://` only; plain `http://` only to a loopback host (127.0.0.0/8, ::1, localhost),
  where a local `billing sandbox serve` runs.
- Alguna keys show their mode in the prefix: `sk_test_` for sandbox, `sk_live_` for
  production. The production host with a `sk_test_` key, or the sandbox host with a
  `sk_live_` key, is refused. Keys with other prefixes, and other hosts, are not judged.
The key itself never appears in a message.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from reconciler.errors import EnvironmentSelectionError

PRODUCTION_HOST = "api.alguna.io"
SANDBOX_HOST = "api.sandbox.alguna.io"
TEST_PREFIX = "sk_test_"
LIVE_PREFIX = "sk_live_"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_target(base_url: str, api_key: str) -> None:
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise EnvironmentSelectionError(f"base_url {base_url!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(host):
        raise EnvironmentSelectionError(
            f"base_url {base_url!r} uses plain http; only loopback hosts may (use https)"
        )
    if host == PRODUCTION_HOST and api_key.startswith(TEST_PREFIX):
        raise EnvironmentSelectionError(
            "a test key (sk_test_...) is configured for the production API; check api_key_env"
        )
    if host == SANDBOX_HOST and api_key.startswith(LIVE_PREFIX):
        raise EnvironmentSelectionError(
            "a live key (sk_live_...) is configured for the sandbox API; check api_key_env"
        )
