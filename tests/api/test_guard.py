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
        ("https://billing-proxy.example.com", "opaque-key"),
        ("https://api.alguna.io.evil.example", "k1.s3cret"),
        ("https://evilalguna.io", "k1.s3cret"),
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
        ("https://eu.api.alguna.io", "k1.s3cret"),
    ],
)
def test_accepted_targets(url: str, key: str) -> None:
    check_target(url, key)


def test_another_host_gets_the_key_only_when_the_process_environment_names_it() -> None:
    """A pull request can edit billing.toml's base_url, not the CI job's environment."""
    proxy = "https://billing-proxy.example.com"
    with pytest.raises(EnvironmentSelectionError, match="BILLING_TRUSTED_API_HOSTS"):
        check_target(proxy, "k1.s3cret", {"BILLING_TRUSTED_API_HOSTS": "other.example.com"})
    check_target(
        proxy, "k1.s3cret", {"BILLING_TRUSTED_API_HOSTS": "x.test, billing-proxy.example.com"}
    )
    env = EnvironmentSettings(base_url=proxy, api_key_env="MY_KEY")
    with pytest.raises(EnvironmentSelectionError, match="not an Alguna host"):
        connection_for("prod", env, environ={"MY_KEY": "k1.s3cret"})
    trusted = {"MY_KEY": "k1.s3cret", "BILLING_TRUSTED_API_HOSTS": "billing-proxy.example.com"}
    assert connection_for("prod", env, environ=trusted).base_url == proxy


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
