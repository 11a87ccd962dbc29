"""`desired_side` is the catalog half of `diff`, computed apart so that `plan_target` can
overlap it with the read (issue 19: plan wall): a diff given it is exactly the diff that
computes it, and the diff does not change it."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import reconciler
from reconciler.diff import desired_side, diff
from reconciler.model import LiveState
from reconciler.model.collection import fewer_collections
from tests.diff.catalog import DESIRED, edit, live_of

REPO = Path(__file__).resolve().parents[2]


def test_a_diff_given_the_side_is_the_diff_that_computes_it() -> None:
    example = reconciler.load_catalog(reconciler.open_project(REPO), "sandbox").desired
    cases = [
        (example, LiveState(environment="test")),  # everything created
        (DESIRED, live_of(DESIRED)),  # nothing to do
        (DESIRED, edit(live_of(DESIRED), "product", "api", name="Old name")),  # one change
    ]
    changes = []
    for desired, live in cases:
        side = desired_side(desired)
        want, diagnostics = dict(side[0]), list(side[1])
        result = diff(desired, live, side)
        assert result == diff(desired, live)
        assert side == (want, diagnostics)  # the diff extended a copy, not the side
        changes.append(len(result.changes))
    assert changes[0] > 20 and changes[1:] == [0, 1]


def test_thresholds_restored_when_threads_overlap() -> None:
    """`plan_target` normalizes in a thread while the read holds its own context: the
    bookkeeping must survive threads switching in the middle of it."""
    before = gc.get_threshold()
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch as often as the interpreter can
    try:

        def enter_and_leave() -> None:
            for _ in range(2_000):
                with fewer_collections():
                    pass

        threads = [threading.Thread(target=enter_and_leave) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
