"""`fewer_collections()`: the cyclic garbage collector works less during a bulk step.

Reading and diffing 10,000 resources allocates millions of container objects (pydantic
models, dicts, tuples), nearly all of which live until the step ends, on top of the
loaded catalog. With CPython's default thresholds the collector runs a first-generation
pass every 700 net allocations and, every few of those, scans the older generations
again, so the catalog and the growing heap are walked over and over: about a quarter of
a no-op plan's client CPU at 10,000 resources (issue 19; docs/performance.md).

Inside the context: what existed on entry (the catalog) is frozen (`gc.freeze`: not
scanned, not collected), and the first generation is collected every `FIRST_GENERATION`
allocations instead of 700. Collections still run and cycles made inside are still
freed; on exit of the outermost context everything frozen is unfrozen and the
thresholds are restored, so nothing is kept longer than the step. Uses nest and may
overlap (two fetches in one event loop, or the catalog side of a diff normalized in a
thread while the live account is read: the bookkeeping holds a lock): only the first in
changes the collector, only the last out restores it. A process that froze objects
itself (`gc.freeze` before forking workers, say) is left as it is: the context freezes,
and so unfreezes, only when nothing was frozen on entry (`gc.unfreeze` cannot tell whose
objects it releases).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FIRST_GENERATION = 50_000
"""Net allocations between two first-generation collections inside the context (700 by
default): measured on the no-op plan at 10,000 resources, 10,000 to 100,000 give the
same saving; more only holds garbage longer."""

_depth = 0
_saved: tuple[int, int, int] | None = None
_froze = False
_lock = threading.Lock()


@contextmanager
def fewer_collections(first_generation: int | None = FIRST_GENERATION) -> Iterator[None]:
    """Run the body with what exists on entry frozen and the first generation collected
    every `first_generation` allocations (never less often than it already is; None:
    the thresholds as they are, freezing only). The outermost use decides.

    None suits a long step whose young objects are not garbage soon, such as an apply
    (thousands of lanes and queued requests waiting): at 10,000 writes the collector
    took 3.4 s of CPU unfrozen (2.8 s of it full passes over the states), 1.5 s frozen
    with 50,000 (1.1 s of first-generation passes over the waiting requests) and 1.3 s
    frozen with the default 700 (issue 19; one run each on a shared machine)."""
    global _depth, _saved, _froze
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            first, *older = _saved
            # first == 0: collection disabled; keep it so
            if first_generation is not None and first and first < first_generation:
                gc.set_threshold(first_generation, *older)
            _froze = gc.get_freeze_count() == 0
            if _froze:
                gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                if _froze:
                    gc.unfreeze()
                gc.set_threshold(*_saved)
                _saved = None
