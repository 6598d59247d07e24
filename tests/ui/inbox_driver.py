"""Driving the inbox in tests: open it, press keys, read what it shows and what is stored."""

from __future__ import annotations

from typing import Any

from sprintboard.screens.inbox import InboxScreen
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.inbox_list import InboxList

from .conftest import (
    AppFactory,
    Probe,
    open_screen,
    settle,
)

NEW = [1, 2, 13, 4, 5, 15, 7]


def inbox(app: SprintboardApp) -> InboxScreen:
    """The inbox screen, also while a dialog is open on top of it."""
    return next(s for s in reversed(app.screen_stack) if isinstance(s, InboxScreen))


def shown(app: SprintboardApp) -> list[int]:
    return [item.id for item in inbox(app).page.items]


def selected(app: SprintboardApp) -> int | None:
    item = inbox(app).page.selected()
    return None if item is None else item.id


def list_lines(app: SprintboardApp) -> list[str]:
    widget = inbox(app).query_one(InboxList)
    return [widget.render_line(y).text for y in range(widget.size.height)]


def row_of(app: SprintboardApp, feedback_id: int) -> str:
    index = shown(app).index(feedback_id)
    widget = inbox(app).query_one(InboxList)
    return widget.render_line(1 + index - widget.top).text


async def open_inbox(app: SprintboardApp, pilot: Any) -> InboxScreen:
    """Press the inbox's number key and wait for its first read."""
    return await open_screen(app, pilot, "inbox", InboxScreen)


async def press(app: SprintboardApp, pilot: Any, *keys: str) -> None:
    """Press keys (Pilot waits for each to be handled), then let the database work finish."""
    await pilot.press(*keys)
    await settle(app, pilot)


def feedback(probe: Probe, feedback_id: int) -> dict[str, Any]:
    with probe.store() as store:
        return store.feedback.get(feedback_id)


def stored_view(probe: Probe, view: str) -> list[int]:
    with probe.store() as store:
        return [row["id"] for row in store.feedback.inbox(view)]


def build(board_app: AppFactory) -> SprintboardApp:
    return board_app(live_refresh=0)
