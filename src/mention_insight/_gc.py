"""Pausing Python's cyclic garbage collector around allocation-heavy, cycle-free loops.

Scoring a batch creates tens of thousands of small lists, tuples and dicts, none of
them part of a reference cycle. Each batch of allocations triggers a collection, and the
older generations hold the model's caches (hundreds of thousands of cached tokens), so
collections cost more than the work itself: with the collector paused, building 20,000
``Prediction`` objects is about 6x faster. Reference counting still frees everything.
"""

from __future__ import annotations

import contextlib
import gc


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
