"""`live.seen`: the record that tells a wrong empty list from an empty kind (the CLI
cases are in tests/hostile/test_cli.py; these are the rule's edges, on the record)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.api.errors import ApiProtocolError
from reconciler.live import Seen, load_seen, save_seen
from reconciler.model import KINDS, PATH_OF_KIND, Kind

FULL: dict[str, int] = {
    "metric": 6,
    "product": 10,
    "bundle": 2,
    "plan": 8,
    "customer": 30,
    "subscription": 3,
}


def read(**changed: int) -> dict[Kind, int]:
    """One read of every kind: the full account, with `changed` counts."""
    return {kind: changed.get(kind, FULL[kind]) for kind in KINDS}


def seen_full() -> Seen:
    seen = Seen("https://api.example.test")
    seen.observe(FULL, "2026-12-01 10:00:00 UTC")
    return seen


@pytest.mark.parametrize("kind", KINDS)
def test_one_kind_empty_while_the_others_hold_is_refused(kind: Kind) -> None:
    with pytest.raises(ApiProtocolError, match=f"listed no {kind}s, .* saw {FULL[kind]}"):
        seen_full().check(read(**{kind: 0}), PATH_OF_KIND)


def test_every_kind_empty_is_a_reset_account_and_the_record_starts_again() -> None:
    seen = seen_full()
    seen.check(read(**dict.fromkeys(KINDS, 0)), PATH_OF_KIND)
    assert seen.counts == {}
    seen.observe(seen.last_read, "later")
    seen.check(read(**dict.fromkeys(KINDS, 0)), PATH_OF_KIND)  # still a new account


def test_a_reset_account_being_filled_again_is_not_refused() -> None:
    """Every kind that lists anything lists fewer than before: an apply refilling an
    account emptied by a sandbox reset (metrics and some products so far)."""
    seen = seen_full()
    refilling = read(metric=6 - 1, product=3, bundle=0, plan=0, customer=0, subscription=0)
    seen.check(refilling, PATH_OF_KIND)
    assert seen.counts == {}


def test_an_empty_kind_next_to_one_that_did_not_shrink_is_refused() -> None:
    refilling = read(metric=6, product=3, bundle=0, plan=0, customer=0, subscription=0)
    with pytest.raises(ApiProtocolError, match="listed no bundles"):
        seen_full().check(refilling, PATH_OF_KIND)


def test_a_kind_never_seen_may_be_empty() -> None:
    seen = Seen("https://api.example.test")
    seen.observe({kind: n for kind, n in FULL.items() if kind != "bundle"}, "then")
    seen.check(read(bundle=0), PATH_OF_KIND)


def test_the_record_of_another_account_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "seen.json"
    save_seen(path, seen_full())
    assert load_seen(path, "https://api.example.test").counts == FULL
    assert load_seen(path, "https://other.example.test").counts == {}
    path.write_text("{not json", encoding="utf-8")
    assert load_seen(path, "https://api.example.test").counts == {}
