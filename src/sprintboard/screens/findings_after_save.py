"""Counting the findings after a screen's own saves (the planning screen's), so the badges
follow and a save that made a finding says so in one toast.

The board counts for its header (screens/board.py); a screen without that count asks
here once its writes pause: one run at a time, asked again while it runs, once more when
it is done. The result goes to the app's `FindingsIndex`, which every screen's badges
read.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer

from sprintboard.screens.host import host
from sprintboard.screens.live import LiveScreen
from sprintboard.views.card_findings import announce

RECOUNT_AFTER_S = 0.3
"""Quiet after a save before the checks run (a burst of keys asks once)."""


class FindingsAfterSave:
    """Counts the findings for `screen` after its saves pause; `counted` runs after each
    count (the screen redraws its badges)."""

    def __init__(self, screen: LiveScreen, counted: Callable[[], None]) -> None:
        self.screen = screen
        self.counted = counted
        self._timer: Timer | None = None
        self._checking = False
        self._again = False

    @property
    def pending(self) -> bool:
        """A count is waiting for the saves to pause, or running."""
        return self._timer is not None or self._checking

    def saved(self, *keys: str) -> None:
        """A change to these cards is being saved: count once the saves pause."""
        findings = host(self.screen).findings
        for key in keys:
            findings.watch(key)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.screen.set_timer(RECOUNT_AFTER_S, self._quiet)

    def _quiet(self) -> None:
        self._timer = None
        if self._checking:
            self._again = True
            return
        self._checking = True
        self.screen.run_later(self._count, group="findings")

    async def _count(self) -> None:
        from sprintboard.screens.findings import check_seams

        screen = self.screen
        backend = screen.backend
        settles = not backend.pending_writes  # every save is written before the count reads
        try:
            version = await backend.run(backend.store.version)
            found = await check_seams(backend, screen.settings)
        except Exception:  # a badge must never take the screen down; ! on the board says why
            found = None
        finally:
            self._checking = False
        if found is not None and screen.is_attached:
            news = host(screen).findings.update(found, version, settle=settles)
            self.counted()
            toast = announce(news)
            if toast is not None:
                screen.notify(toast, severity="warning", markup=False, timeout=8)
        if self._again or not settles:
            self._again = False
            self._quiet()
