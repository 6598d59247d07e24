"""plotext, made to draw the same picture in every process (the screens and the reports)."""

from __future__ import annotations

import functools


@functools.cache
def stable_plotext() -> None:
    """Patch plotext once so its output doesn't depend on the string hash seed.

    plotext 5.3 drops duplicate points (and tick labels) with `list(set(...))`; the points
    are tuples holding strings, whose set order follows the per-process string hash seed.
    Where two points share a cell (bar edges, stacked bars, a fill under a line) which one
    is drawn last, and so which colour, marker or tick label shows, changed from run to
    run. The order-keeping variant is plotext's own, left commented out beside it.
    """
    from plotext import _utility

    if hasattr(_utility, "no_duplicates"):
        _utility.no_duplicates = lambda data: list(dict.fromkeys(data))
