"""A yes/no question answers once, in the order keys were typed, Cancel focused first."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Button

from sprintboard.screens.dialogs import ConfirmScreen

from .conftest import SIZE, SPRINT_42, AppFactory, Probe, settle


async def test_enter_then_y_cancels_and_nothing_closes_twice(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        assert isinstance(app.screen.focused, Button) and app.screen.focused.id == "no"
        await pilot.press("enter", "y")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "BoardScreen"  # the board is still there
        assert probe.stored(sprint) == SPRINT_42  # nothing deleted
        assert app.is_running


async def test_a_second_answer_is_too_late(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    answers: list[bool | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        question = ConfirmScreen(Content("Delete it?"))
        app.push_screen(question, answers.append)
        await pilot.pause()
        question.action_answer(True)
        question.action_answer(False)  # e.g. a button press still on its way
        question.query_one("#no", Button).press()
        await settle(app, pilot)
        assert answers == [True]
        assert type(app.screen).__name__ == "BoardScreen"
