"""The feedback inbox's look, pinned: the new view, the shipped view, the informed view, the
accept dialog and the new-feedback form.

Stable across runs: the demo's dates come from the frozen clock (ages are counted to it),
inputs do not blink (the app is `frozen` when built with a clock), the terminal size is
fixed, and every screenshot is taken only after the database work it shows has finished.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sprintboard.screens.feedback_form import NewFeedbackScreen
from sprintboard.screens.inbox import InboxScreen
from sprintboard.screens.triage_dialogs import AcceptScreen

from .conftest import BIG, SCREEN_KEYS, AppFactory, Snap, Step, press_quietly, quiet, until


def steps(*keys: str, screen: type | None = None) -> Step:
    """A run_before: open the inbox, press keys, wait until `screen` shows and settles."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await pilot.pause()
        await pilot.press(SCREEN_KEYS["inbox"])
        await until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.loaded)
        await quiet(pilot)
        await press_quietly(pilot, *keys)
        if screen is not None:
            await until(pilot, lambda: isinstance(app.screen, screen))
        await quiet(pilot)

    return run


def test_inbox_new_view(snap_compare: Snap, demo_app: AppFactory) -> None:
    # Urgent first with the ⚑ flag; ages past 2 and 5 days marked ! and !! (amber, red).
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps("j", "j"))


def test_inbox_shipped_view(snap_compare: Snap, demo_app: AppFactory) -> None:
    # new → snoozed → accepted → shipped: linked cards done, ready to tell the customer.
    keys = ("tab", "tab", "tab")
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps(*keys))


def test_inbox_accept_dialog(snap_compare: Snap, demo_app: AppFactory) -> None:
    # FB-13 (cart): the dialog suggests Ecommerce; the title comes from the feedback.
    keys = ("j", "j", "a")
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps(*keys, screen=AcceptScreen))


def test_inbox_informed_view(snap_compare: Snap, demo_app: AppFactory) -> None:
    # Two shipped items marked informed (i): the informed view names who told them, and when.
    keys = ("tab", "tab", "tab", "i", "i", "tab")
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps(*keys))


def test_inbox_new_feedback_dialog(snap_compare: Snap, demo_app: AppFactory) -> None:
    # n: today's date and one report filled in; a mistake shows in one line under the fields.
    async def run(pilot: Pilot[Any]) -> None:
        await steps("n", screen=NewFeedbackScreen)(pilot)
        await press_quietly(pilot, *"Gift card refused at the till", "enter", *"second line")
        await press_quietly(pilot, "tab", "tab", "tab", "tab", "tab", "backspace", "0", "ctrl+s")

    assert snap_compare(demo_app(), terminal_size=BIG, run_before=run)
