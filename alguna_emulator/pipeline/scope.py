"""Per-request facts that pipeline stages hand to each other through the ASGI scope.

Owns which requests are API requests (everything but the control API and the OpenAPI/docs
pages) and the flags inner stages raise for outer ones (a non-transient injected error, a
connection to drop after the response committed). Must not act on the flags.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import Scope

CONTROL_PREFIX = "/_emulator"
_DOC_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})

# The in-app stand-in for "no response at all": the in-process transport raises a transport
# error on it, and serve()'s socket wrapper aborts the TCP connection instead of sending it.
DROP_HEADER = "x-emulator-connection"
DROP_VALUE = "drop"
DROP_STATUS = 599


@dataclass
class Flags:
    """What inner stages tell outer ones about this request."""

    non_transient: bool = False
    drop: bool = False
    status: int | None = None


def is_api_request(scope: Scope) -> bool:
    """Whether the pipeline stages apply: an HTTP request to the emulated Alguna API."""
    if scope["type"] != "http":
        return False
    path = str(scope["path"])
    return not (path.startswith(CONTROL_PREFIX) or path in _DOC_PATHS)


def flags(scope: Scope) -> Flags:
    """This request's flags (created on first use)."""
    found = scope.get("emulator.flags")
    if not isinstance(found, Flags):
        found = Flags()
        scope["emulator.flags"] = found
    return found
