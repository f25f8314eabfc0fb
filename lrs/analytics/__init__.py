"""Analytics over the LRS: roster, report, export, demo cohort (see docs/analytics.md).

Everything here computes from an iterator of statement dicts in one pass, keeping aggregates
only; the CLI (``lrs.analytics.cli``) and the dashboard (``lrs.dashboard``) only format.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_cycle_collector() -> Iterator[None]:
    """Pause the cyclic garbage collector while streaming statements.

    A stream allocates millions of acyclic dicts, which reference counting frees; meanwhile the
    collector's full passes walk every live aggregate again and again (a quarter of the CPU time
    of a 1M-statement report) and collect nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
