"""`fewer_collections` changes the collector only while the outermost use lasts, and
garbage cycles made inside are still freed (issue 19: plan CPU)."""

from __future__ import annotations

import gc
import weakref

from reconciler.model.collection import FIRST_GENERATION, fewer_collections


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_thresholds_and_freeze_restored_after_nested_and_overlapping_uses() -> None:
    before = gc.get_threshold()
    outer, inner = fewer_collections(), fewer_collections()
    outer.__enter__()
    assert gc.get_threshold()[0] == max(before[0], FIRST_GENERATION)
    assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_freeze_count() > 0  # what existed on entry is frozen
    inner.__enter__()
    outer.__exit__(None, None, None)  # overlapping: the first out is not the last out
    assert gc.get_threshold()[0] == max(before[0], FIRST_GENERATION)
    inner.__exit__(None, None, None)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_inside_are_freed() -> None:
    with fewer_collections():
        inside = _cycle()
        gc.collect()
        assert inside() is None  # an explicit collection still frees them inside
        kept = _cycle()
    gc.collect()
    assert kept() is None  # and nothing stays frozen after the context


def test_restored_when_the_body_raises() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_freeze_made_by_the_caller_is_left_alone() -> None:
    gc.freeze()  # a process that froze its own objects (before forking workers, say)
    frozen = gc.get_freeze_count()
    try:
        with fewer_collections():
            assert gc.get_freeze_count() == frozen  # nothing more frozen
        assert gc.get_freeze_count() == frozen  # and the caller's objects stay frozen
    finally:
        gc.unfreeze()


def test_freezing_only_keeps_the_thresholds() -> None:
    before = gc.get_threshold()
    with fewer_collections(first_generation=None):
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() > 0
        inside = _cycle()
        gc.collect()
        assert inside() is None  # what is made inside is still collected
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
