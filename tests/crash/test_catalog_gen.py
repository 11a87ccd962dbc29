"""The generated catalog: deterministic, the size asked for, and valid."""

from __future__ import annotations

from pathlib import Path

from tests.crash.catalog_gen import Mix, generate_catalog
from tests.crash.harness import Expected, Project, billing


def test_same_seed_same_text_other_seed_other_prices() -> None:
    assert generate_catalog(300, 7) == generate_catalog(300, 7)
    assert generate_catalog(300, 7) != generate_catalog(300, 8)


def test_declares_exactly_the_resources_asked_for() -> None:
    for n in (8, 50, 300, 1000):
        expected = Expected.of(generate_catalog(n, 1))
        mix = Mix.of(n)
        assert expected.resources == n
        assert len(expected.keys["subscription"]) == mix.subscriptions
        assert expected.changes == n + 2 * mix.subscriptions


def test_billing_validate_accepts_it(tmp_path: Path) -> None:
    project = Project.generated(tmp_path, "http://127.0.0.1:9", 300, 3)
    result = billing(project, ["validate"], "validate")
    assert result.returncode == 0, result.stderr
    assert "300 resources" in result.stdout
