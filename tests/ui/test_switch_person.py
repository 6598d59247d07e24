"""Someone else takes the keyboard: the palette's "Switch person" hands the app over, and
changes, undo and 'mine' follow the new person."""

from __future__ import annotations

from textual.widgets import Input, Static

from sprintboard.screens.person_dialog import PersonScreen

from .conftest import SIZE, AppFactory, Probe, settle, type_into


async def test_switching_person_moves_changes_undo_and_mine(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(actor="priya")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert "filtered: mine (Priya Raman)" in probe.header(app)

        await app.run_action("switch_person")
        await settle(app, pilot)
        assert isinstance(app.screen, PersonScreen)
        box = app.screen.query_one("#person", Input)
        box.value = "\x1b[31mx"  # no control characters in a name
        box.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen)  # refused: still asking
        said = str(app.screen.query_one("#person-who", Static).render())
        assert "no control characters" in said
        await type_into(app, pilot, "#person", "tomasz")
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "BoardScreen"
        assert list(app._notifications)[-1].message == "now working as Tomasz Nowak"
        assert "filtered: mine (Tomasz Nowak)" in probe.header(app)

        # A change now is Tomasz's; u undoes his, not Priya's earlier one.
        with probe.store() as store:
            store.act_as("Priya Raman")
            store.cards.edit("ECOM-4", {"points": 21})
        await app.run_action("screen.move(1)")
        await settle(app, pilot)
        with probe.store() as store:
            last = store.activity.recent(1)[0]
            assert (last["actor"], last["action"]) == ("Tomasz Nowak", "card.move")
        await pilot.press("u")
        await settle(app, pilot)
        assert list(app._notifications)[-1].message.startswith("undone: move of ")
        with probe.store() as store:
            assert store.cards.get("ECOM-4")["points"] == 21  # Priya's edit stands
