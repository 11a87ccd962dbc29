"""The environment guard: refuse a key that obviously belongs to another environment.

Rules (docs/api-client.md):
- `https://` only; plain `http://` only to a loopback host (127.0.0.0/8, ::1, localhost),
  where a local `billing sandbox serve` runs.
- A key is sent only to Alguna (`alguna.io` and its subdomains), to a loopback host, or
  to a host named in the process environment's `BILLING_TRUSTED_API_HOSTS` (comma
  separated). billing.toml cannot widen this: in CI a pull request may edit billing.toml,
  and `billing plan` runs before anyone has reviewed it, so a `base_url` pointing at
  another host must not receive the key (docs/ci.md, the trust model).
- Alguna keys show their mode in the prefix: `sk_test_` for sandbox, `sk_live_` for
  production. The production host with a `sk_test_` key, or the sandbox host with a
  `sk_live_` key, is refused. Keys with other prefixes, and other hosts, are not judged.
The key itself never appears in a message.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from reconciler.errors import EnvironmentSelectionError

PRODUCTION_HOST = "api.alguna.io"
SANDBOX_HOST = "api.sandbox.alguna.io"
TEST_PREFIX = "sk_test_"
LIVE_PREFIX = "sk_live_"
ALGUNA_DOMAIN = "alguna.io"
TRUSTED_HOSTS_VARIABLE = "BILLING_TRUSTED_API_HOSTS"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _trusted(host: str, environ: Mapping[str, str]) -> bool:
    if host == ALGUNA_DOMAIN or host.endswith("." + ALGUNA_DOMAIN) or is_loopback(host):
        return True
    named = environ.get(TRUSTED_HOSTS_VARIABLE, "")
    return host in {name.strip().lower() for name in named.split(",") if name.strip()}


def check_target(base_url: str, api_key: str, environ: Mapping[str, str] | None = None) -> None:
    """Raises EnvironmentSelectionError unless `api_key` may be sent to `base_url`;
    `environ` is the process environment (read for the trusted hosts)."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise EnvironmentSelectionError(f"base_url {base_url!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(host):
        raise EnvironmentSelectionError(
            f"base_url {base_url!r} uses plain http; only loopback hosts may (use https)"
        )
    if not _trusted(host, {} if environ is None else environ):
        raise EnvironmentSelectionError(
            f"base_url {base_url!r} is not an Alguna host: the API key is only sent to"
            f" {ALGUNA_DOMAIN} and loopback hosts; to use a proxy, name its host in the"
            f" environment variable {TRUSTED_HOSTS_VARIABLE} (never in billing.toml)"
        )
    if host == PRODUCTION_HOST and api_key.startswith(TEST_PREFIX):
        raise EnvironmentSelectionError(
            "a test key (sk_test_...) is configured for the production API; check api_key_env"
        )
    if host == SANDBOX_HOST and api_key.startswith(LIVE_PREFIX):
        raise EnvironmentSelectionError(
            "a live key (sk_live_...) is configured for the sandbox API; check api_key_env"
        )
