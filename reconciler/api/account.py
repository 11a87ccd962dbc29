"""The account guard: an environment pinned to its Alguna account refuses any other key.

Real API keys look like `<key_id>.<key_secret>` and say nothing about which account (which
organization) they belong to, so the prefix rules of `guard` cannot catch a production key in
a sandbox environment or a key of a client's other account. An environment may therefore name
its account in billing.toml (`account`: the id of a merchant of that account). Before any
other request, the merchant is read with the environment's key (`GET /merchants/{id}`, the
official SDK's `merchants.get`): a key of another account cannot see it (404), and the command
stops before it has written anything. The check costs one read per command.
"""

from __future__ import annotations

from reconciler.api.errors import ApiNotFoundError
from reconciler.api.http import HttpCore
from reconciler.errors import EnvironmentSelectionError


async def check_account(core: HttpCore, environment: str, account: str) -> None:
    """Raise EnvironmentSelectionError unless the key of `core` can see merchant `account`.
    Other API errors (401, a network failure) propagate as they are."""
    try:
        found = await core.request("GET", f"/merchants/{account}")
    except ApiNotFoundError:
        raise EnvironmentSelectionError(
            f"environment {environment!r} is pinned to the Alguna account of merchant "
            f"{account!r} (billing.toml `account`), but its API key cannot see that merchant: "
            "the key belongs to another account. Nothing else was read and nothing was written; "
            "check the key variable (api_key_env) or the account setting"
        ) from None
    if not isinstance(found, dict) or found.get("id") != account:
        raise EnvironmentSelectionError(
            f"environment {environment!r}: GET /merchants/{account} did not return merchant "
            f"{account!r}; refusing to use this key"
        )
