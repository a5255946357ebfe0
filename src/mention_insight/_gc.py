"""Keeping Python's cyclic garbage collector out of the hot path.

Two measures: :func:`gc_paused` around allocation-heavy, cycle-free loops, and
:func:`freeze_loaded_objects` once the libraries a model needs are loaded.

Scoring a batch creates tens of thousands of small lists, tuples and dicts, none of
them part of a reference cycle. Each batch of allocations triggers a collection, and the
older generations hold the model's caches (hundreds of thousands of cached tokens), so
collections can cost more than the work itself (measured in ``benchmarks/``).
Reference counting still frees everything.
"""

from __future__ import annotations

import contextlib
import gc
import os


@contextlib.contextmanager
def gc_paused():
    """Disable the cyclic collector inside the block (re-enabled after, if it was on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: Set to ``0`` to keep :func:`freeze_loaded_objects` from touching the collector.
FREEZE_ENV = "MENTION_INSIGHT_GC_FREEZE"
_frozen = False


def freeze_loaded_objects() -> bool:
    """Once per process, after the first cached model load: ``gc.freeze()``.

    Loading a model imports spaCy and thinc (and torch, where it is installed): about
    300,000 objects that live as long as the process. Every full collection re-scans them
    all (about 0.2 s), and classifying a large batch allocates enough to trigger one
    every batch or two. Frozen, they are left out of collections; they are never garbage,
    so nothing is lost. Returns whether it froze now; ``MENTION_INSIGHT_GC_FREEZE=0``
    turns it off.
    """
    global _frozen
    if _frozen or os.environ.get(FREEZE_ENV, "1") == "0":
        return False
    _frozen = True
    gc.freeze()
    return True
