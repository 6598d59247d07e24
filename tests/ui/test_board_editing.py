"""The board's card keys driven from the keyboard: create, edit, open and delete, each
checked in the database and on screen."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.card_form import CardFormScreen
from sprintboard.screens.dialogs import (
    ConfirmScreen,
)
from sprintboard.tui import SprintboardApp

from .conftest import SIZE, SPRINT_42, AppFactory, Probe, current_screen, settle

# -- creating, editing, deleting ------------------------------------------------------------


async def test_create_a_card(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, CardFormScreen)
        assert "New card" in probe.screen_text(app)
        assert app.focused is form.query_one("#title", Input)
        await pilot.press(*"Gift wrap option")
        await pilot.press("tab", "tab")
        assert app.focused is form.query_one("#points", Input)
        await pilot.press("5")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert not isinstance(app.screen, CardFormScreen)
        with probe.store() as store:
            found = store.cards.query(text="Gift wrap option")
        assert len(found) == 1
        card = found[0]
        key = card["key"]
        assert (card["title"], card["points"], card["status"], card["sprint_id"]) == (
            "Gift wrap option",
            5,
            "todo",
            sprint,
        )
        # A new card in a sprint lands at the end of To do, selected.
        shown = probe.shown(app)
        assert shown["todo"] == [*SPRINT_42["todo"], key]
        assert probe.stored(sprint) == shown
        assert probe.selected(app) == key
        column = probe.column_text(app, "todo")
        assert key in column
        assert "Gift wrap option" in column
        assert "21 cards" in probe.header(app)


async def test_create_refuses_an_empty_title(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CardFormScreen)  # still open, saying why
        assert "⚠" in probe.screen_text(app)
        assert "title" in probe.screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert probe.stored(sprint) == probe.shown(app) == SPRINT_42


async def _replace_title(app: SprintboardApp, pilot: Pilot[None], title: str) -> None:
    box = app.screen.query_one("#title", Input)
    assert app.focused is box
    await pilot.press("end", "ctrl+u")
    assert box.value == ""
    await pilot.press(*title)
    assert box.value == title


async def test_edit_a_card_with_e(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l", "l", "l")  # Review, IT-6
        assert probe.selected(app) == "IT-6"
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, CardFormScreen)
        assert "Edit IT-6" in probe.screen_text(app)
        assert (
            app.screen.query_one("#title", Input).value == "Guest checkout without account creation"
        )
        await _replace_title(app, pilot, "Guest checkout, reviewed")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert probe.existing_card("IT-6")["title"] == "Guest checkout, reviewed"
        assert probe.stored(sprint) == probe.shown(app) == SPRINT_42
        assert probe.selected(app) == "IT-6"
        assert "Guest checkout, review… TN" in probe.column_text(app, "review")


async def test_open_a_card_then_edit_it(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter")  # ECOM-4
        await settle(app, pilot)
        assert isinstance(app.screen, CardDetailScreen)
        text = probe.screen_text(app)
        assert "ECOM-4  Payment methods: add Klarna pay later" in text
        assert "⊘ IT-6 (IT, Review)" in text  # what it waits on
        assert "team ECOM with IT, FIN" in text

        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(current_screen(app), CardFormScreen)
        await _replace_title(app, pilot, "Klarna and PayPal pay later")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        # Back on the detail, which shows the change and its history line.
        assert isinstance(app.screen, CardDetailScreen)
        text = probe.screen_text(app)
        assert "ECOM-4  Klarna and PayPal pay later" in text
        assert "title: Payment methods: add Klarna pay later → Klarna and PayPal pay later" in text
        edited = probe.card("ECOM-4")
        assert edited is not None and edited["title"] == "Klarna and PayPal pay later"

        await pilot.press("escape")
        await settle(app, pilot)
        assert probe.board(app) is current_screen(app)
        assert "Klarna and PayPal pay … NP" in probe.column_text(app, "backlog")  # cropped
        assert probe.stored(sprint) == probe.shown(app) == SPRINT_42
        assert probe.selected(app) == "ECOM-4"


async def test_delete_then_undo_brings_back_the_dependencies(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    with probe.store() as store:
        deps_before = [(d["blocker"], d["dependent"]) for d in store.deps.list(card="ECOM-4")]
        teams_before = store.cards.get("ECOM-4")["teams"]
    assert deps_before == [("IT-6", "ECOM-4")]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete ECOM-4 “Payment methods: add Klarna pay later”?" in probe.screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)

        assert probe.card("ECOM-4") is None
        with probe.store() as store:
            assert store.deps.list(card="IT-6") == []
        assert probe.shown(app) == probe.stored(sprint) == {**SPRINT_42, "backlog": []}
        assert "ECOM-4" not in probe.grid_text(app)
        assert "(empty)" in probe.column_text(app, "backlog")
        assert "19 cards" in probe.header(app)

        await pilot.press("u")
        await settle(app, pilot)
        restored = probe.card("ECOM-4")
        assert restored is not None
        assert restored["teams"] == teams_before
        with probe.store() as store:
            deps = [(d["blocker"], d["dependent"]) for d in store.deps.list(card="ECOM-4")]
        assert deps == deps_before
        assert probe.shown(app) == probe.stored(sprint) == SPRINT_42
        backlog = probe.column_text(app, "backlog")
        assert "ECOM-4" in backlog
        assert "⊘" in backlog  # blocked again: its dependency is back
        assert "20 cards" in probe.header(app)


async def test_delete_can_be_cancelled(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert probe.board(app) is app.screen
        assert probe.card("ECOM-4") is not None
        assert probe.shown(app) == probe.stored(sprint) == SPRINT_42


async def test_moving_a_blocked_card_into_done_asks_first(
    board_app: AppFactory, probe: Probe
) -> None:
    # ECOM-4 (Backlog) waits on IT-6, still in Review.
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert probe.selected(app) == "ECOM-4"
        await pilot.press("L", "L", "L")  # To do, Doing, Review: ordinary moves never ask
        await settle(app, pilot)
        assert probe.board(app) is current_screen(app)
        assert probe.existing_card("ECOM-4")["status"] == "review"

        await pilot.press("L")  # into Done: asks, naming the open blocker
        await settle(app, pilot)
        assert isinstance(current_screen(app), ConfirmScreen)
        assert "ECOM-4 waits on IT-6, still open. Move ECOM-4 to Done before it is done?" in (
            probe.screen_text(app)
        )
        await pilot.press("n")
        await settle(app, pilot)
        assert probe.board(app) is current_screen(app)
        assert probe.existing_card("ECOM-4")["status"] == "review"
        assert "ECOM-4" in probe.column_text(app, "review")

        await pilot.press("L")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert probe.existing_card("ECOM-4")["status"] == "done"
        assert "ECOM-4" in probe.column_text(app, "done")
        assert probe.selected(app) == "ECOM-4"

        # Once its blocker is done (moved on this board), the card goes to Done unasked.
        await pilot.press("H")
        await settle(app, pilot)
        assert probe.board(app).model.select("IT-6")
        await pilot.press("L")  # IT-6: Review -> Done (it waits on nothing)
        await settle(app, pilot)
        assert probe.board(app).model.select("ECOM-4")
        await pilot.press("L")
        await settle(app, pilot)
        assert probe.board(app) is current_screen(app)
        assert probe.existing_card("ECOM-4")["status"] == "done"
