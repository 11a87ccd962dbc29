"""The environment guard and connection settings: wrong key for the host, plain http."""

from __future__ import annotations

import pytest

from reconciler.api.connection import connection_for
from reconciler.api.guard import check_target
from reconciler.errors import EnvironmentSelectionError
from reconciler.settings import EnvironmentSettings


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://api.alguna.io", "sk_test_abc"),
        ("https://api.sandbox.alguna.io", "sk_live_abc"),
        ("http://api.alguna.io", "sk_live_abc"),
        ("http://10.0.0.5:8787", "anything"),
        ("ftp://api.alguna.io", "sk_live_abc"),
    ],
)
def test_refused_targets(url: str, key: str) -> None:
    with pytest.raises(EnvironmentSelectionError) as info:
        check_target(url, key)
    assert key not in str(info.value)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://api.alguna.io", "sk_live_abc"),
        ("https://api.sandbox.alguna.io", "sk_test_abc"),
        ("http://127.0.0.1:8787", "sk_live_abc"),
        ("http://localhost:8787", "sk_test_abc"),
        ("http://[::1]:8787", "k"),
        ("https://billing-proxy.example.com", "opaque-key"),
    ],
)
def test_accepted_targets(url: str, key: str) -> None:
    check_target(url, key)


def test_connection_reads_the_key_from_the_named_variable_only() -> None:
    env = EnvironmentSettings(base_url="https://api.sandbox.alguna.io", api_key_env="MY_KEY")
    connection = connection_for("sandbox", env, environ={"MY_KEY": "sk_test_secret123"})
    assert connection.api_key.get_secret_value() == "sk_test_secret123"
    assert "sk_test_secret123" not in repr(connection)
    with pytest.raises(EnvironmentSelectionError, match=r"\$MY_KEY"):
        connection_for("sandbox", env, environ={})


def test_embedded_environment_needs_no_key() -> None:
    connection = connection_for("local", EnvironmentSettings(api="embedded"), environ={})
    assert connection.embedded
    assert connection.api_key.get_secret_value().startswith("sk_test_")
