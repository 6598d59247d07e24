"""The card page when its card is deleted by someone else while it is open (a dialog on
top, or not), the board's delete of a card already gone, and a card with a very long
comment thread.

Someone else's delete goes through a Store of its own, as another laptop or the CLI would.
The app polls the store's version every 50 ms here, so the page sees the delete while the
dialog is still open (the case that used to close the page twice and stop the app).
"""

from __future__ import annotations

from typing import Any

from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_detail_dialogs import CommentScreen, LinePromptScreen
from sprintboard.screens.dialogs import ConfirmScreen

from .conftest import (
    SIZE,
    AppFactory,
    Probe,
    current_screen,
    messages,
    press_each,
    settle,
    wait_until,
)
from .test_card_detail_people import open_detail

GONE = "ECOM-4 was deleted meanwhile by someone else"


async def delete_elsewhere(app: Any, pilot: Any, probe: Probe) -> None:
    """Delete ECOM-4 through another connection; give the app's poll time to run."""
    with probe.store() as store:
        store.cards.delete("ECOM-4")
    await pilot.pause(0.3)


async def back_on_the_board(app: Any, pilot: Any) -> None:
    assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
    await settle(app, pilot)
    assert isinstance(current_screen(app), BoardScreen)
    assert app.is_running and app.return_code is None


async def test_a_comment_saved_after_the_card_went_is_kept_and_said_once(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0.05)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_detail(app, pilot)
        await press_each(app, pilot, "c")
        assert isinstance(app.screen, CommentScreen)
        await pilot.press(*"A long careful comment")
        await delete_elsewhere(app, pilot, probe)
        assert isinstance(current_screen(app), CommentScreen)  # the dialog stays open

        await pilot.press("ctrl+s")
        await back_on_the_board(app, pilot)
        assert messages(app) == [
            f"{GONE}: your comment was not saved. Your text, also copied to the clipboard:"
            "\nA long careful comment"
        ]
        assert app.clipboard == "A long careful comment"
        assert probe.card("ECOM-4") is None
        with probe.store() as store:
            assert store.rows("SELECT * FROM comments WHERE body LIKE 'A long%'") == []
        assert "ECOM-4" not in probe.grid_text(app)


async def test_a_comment_cancelled_after_the_card_went_closes_the_page_once(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0.05)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_detail(app, pilot)
        await press_each(app, pilot, "c")
        await pilot.press(*"never mind")
        await delete_elsewhere(app, pilot, probe)
        await pilot.press("escape")
        await back_on_the_board(app, pilot)
        await pilot.pause(0.2)  # more polls: nothing closes twice
        assert isinstance(current_screen(app), BoardScreen) and app.return_code is None
        assert messages(app) == [GONE]


async def test_a_checklist_item_added_after_the_card_went_is_refused_once(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0.05)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_detail(app, pilot)
        await press_each(app, pilot, "a")
        assert isinstance(app.screen, LinePromptScreen)
        await pilot.press(*"WH: print labels")
        await delete_elsewhere(app, pilot, probe)
        await pilot.press("enter")
        await back_on_the_board(app, pilot)
        assert messages(app) == [f"{GONE}: the checklist item “WH: print labels” was not added"]
        with probe.store() as store:
            assert store.rows("SELECT * FROM checklist_items WHERE text LIKE 'WH: print%'") == []


async def test_the_page_closes_by_itself_when_no_dialog_is_open(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0.05)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_detail(app, pilot)
        await delete_elsewhere(app, pilot, probe)
        await back_on_the_board(app, pilot)
        assert messages(app) == [GONE]


async def test_the_board_says_deleted_only_once_the_delete_is_saved(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press_each(app, pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        with probe.store() as store:
            store.cards.delete("ECOM-4")
        await press_each(app, pilot, "y")
        assert messages(app) == ["not saved: card: no card ECOM-4"]

        # A delete that is saved says so, with the key that takes it back.
        await press_each(app, pilot, "d")
        selected = probe.selected(app)
        assert isinstance(app.screen, ConfirmScreen) and selected is not None
        await press_each(app, pilot, "y")
        assert probe.card(selected) is None
        assert messages(app)[-1] == f"{selected} deleted; u undoes"
        assert len(messages(app)) == 2


async def test_a_long_thread_shows_its_newest_comments_and_says_how_to_read_the_rest(
    board_app: AppFactory, probe: Probe
) -> None:
    with probe.store() as store, store.transaction("test.thread") as tx:
        card = store.cards._raw("ECOM-4")
        for i in range(10_000):
            store.comments.insert(tx, card, f"comment number {i}")
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_detail(app, pilot)
        assert detail.detail is not None and len(detail.detail.comments) == 100
        await press_each(app, pilot, "tab")  # the comments, the newest selected
        text = probe.screen_text(app)
        assert (
            "Comments  10000  (the newest 100 shown; 9900 earlier:"
            " sprintboard comment list ECOM-4)" in text
        )
        assert "comment number 9999" in text
        assert "comment number 9899" not in "\n".join(
            line.plain for entry in detail.part("comments").entries for line in entry
        )


async def test_the_card_form_open_when_the_card_went(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0.05)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_detail(app, pilot)
        await press_each(app, pilot, "e")
        assert current_screen(app) is not detail  # the card form
        await delete_elsewhere(app, pilot, probe)
        await pilot.press("escape")
        await back_on_the_board(app, pilot)
        assert messages(app) == [GONE]


async def test_a_question_answered_after_the_card_went(board_app: AppFactory, probe: Probe) -> None:
    with probe.store() as store:
        store.comments.add("ECOM-4", "mine to delete")  # by the tests' user, 'tester'
    app = board_app(live_refresh=0.05)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_detail(app, pilot)
        await press_each(app, pilot, "tab", "D")
        assert isinstance(app.screen, ConfirmScreen)
        await delete_elsewhere(app, pilot, probe)
        await pilot.press("y")
        await back_on_the_board(app, pilot)
        assert messages(app) == [f"{GONE}: the comment went with it"]
