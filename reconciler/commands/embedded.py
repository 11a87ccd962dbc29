"""Embedded environments: the in-process emulator transport, behind the sandbox extra.

`alguna_emulator` ships in this distribution, but FastAPI and uvicorn (what it runs on)
come only with `alguna-billing[sandbox]`. It is imported lazily, only for `billing
sandbox ...` and embedded environments, after `require_sandbox()`, so a missing extra is
one clear line (exit 1), not a traceback. This module and `commands.sandbox` (`billing
sandbox serve|reset`) are the only importers of the emulator (a `protected` import
contract); every other command reaches an embedded environment through `transport_for`.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any, Literal

from reconciler.commands.project import Project
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


def transport_for(
    project: Project,
    name: str,
    *,
    webhook_delivery: Literal["background", "on_demand"] | None = None,
) -> Any:
    """The in-process emulator transport of an embedded environment (data in its `db`,
    default `.billing/<env>.db`), else None (the network). `webhook_delivery` overrides
    the emulator's mode (`billing listen` asks for "background": it delivers what other
    `billing` processes on the same file record)."""
    if not project.settings.environments[name].embedded:
        return None
    require_sandbox(f"embedded environment {name!r}")
    from alguna_emulator import emulator_transport

    db = project.embedded_db(name)
    db.parent.mkdir(parents=True, exist_ok=True)
    if webhook_delivery is None:
        return emulator_transport(db_path=str(db))
    return emulator_transport(db_path=str(db), webhook_delivery=webhook_delivery)
