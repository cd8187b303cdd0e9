"""Python's cyclic garbage collector held off while a workbook is built.

Building the national workbook makes some hundred thousand short-lived objects (rows, cells,
formats) in a third of a second. They hold no reference cycles — reference counting frees each
one — but their number sets off the collector's passes, and a full pass walks every object of the
whole process: a tenth of a second of the third, measured (docs/performance.md, ninth look). The
collector is held off for the build and runs again after it; memory stays what the build itself
allocates. One counter for the process: with several builds at once (a threaded server), the
collector resumes when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_builds = 0
_resume = False


@contextmanager
def held_off() -> Iterator[None]:
    """Hold the cyclic collector off until the block ends (reference counting goes on)."""
    global _builds, _resume
    with _lock:
        if _builds == 0:
            _resume = gc.isenabled()
            gc.disable()
        _builds += 1
    try:
        yield
    finally:
        with _lock:
            _builds -= 1
            if _builds == 0 and _resume:
                gc.enable()
