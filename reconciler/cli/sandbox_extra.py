"""The local emulator is an optional extra: check for it before the lazy import.

`alguna_emulator` ships in this distribution, but FastAPI and uvicorn (what it runs on)
come only with `alguna-billing[sandbox]`. The CLI imports the emulator lazily, only for
`billing sandbox ...` and embedded environments, and calls `require_sandbox()` first so
a missing extra is one clear line (exit 1), not a traceback.
"""

from __future__ import annotations

from importlib.util import find_spec

from reconciler.errors import BillingError

SANDBOX_MODULES = ("fastapi", "uvicorn")


def require_sandbox(purpose: str = "the local emulator") -> None:
    """Raise `BillingError` naming the extra to install if FastAPI or uvicorn is missing."""
    missing = [name for name in SANDBOX_MODULES if find_spec(name) is None]
    if missing:
        raise BillingError(
            f"{purpose} needs the sandbox extra ({', '.join(missing)} not installed):"
            " pip install 'alguna-billing[sandbox]'"
        )
