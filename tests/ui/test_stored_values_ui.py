"""The app opens a database holding values stored before they were checked (a card due in
year 999, a sprint to 9999, feedback from year 999): every screen still shows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sprintboard.screens.board import BoardScreen
from sprintboard.screens.inbox import InboxScreen
from sprintboard.screens.planning import PlanningScreen

from .conftest import SCREEN_KEYS, SIZE, AppFactory, Probe, open_screen


def _taint(db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE cards SET due = '999-12-31' WHERE key = 'IT-8'")
        conn.execute("UPDATE sprints SET end = '9999-12-31' WHERE state = 'active'")
        conn.execute("UPDATE feedback SET received_at = '999-12-31T00:00:00Z'")
    conn.close()


async def test_screens_open_on_values_stored_out_of_range(
    board_app: AppFactory, demo_db: Path, probe: Probe
) -> None:
    _taint(demo_db)
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        await open_screen(app, pilot, "inbox", InboxScreen)
        await open_screen(app, pilot, "planning", PlanningScreen)
        await pilot.press(SCREEN_KEYS["board"])
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert "IT-8" in probe.grid_text(app)
