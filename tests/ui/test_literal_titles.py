"""A title with a tab, NBSP and U+2028 typed into the board: stored as typed, drawn on one
line on the board, in the card's detail and in the form, and kept by an edit of another
field."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.card_form import CardFormScreen
from sprintboard.tui import SprintboardApp
from sprintboard.views.text import printable

from .conftest import SIZE, AppFactory, Probe, current_screen, settle

TITLE = "\tSize\u00a0guide  for\u2028shoes "
SHOWN = " Size\u00a0guide  for shoes "
SEPARATORS = set("\t\u2028\u2029\u0085")


def _one_line_each(probe: Probe, app: SprintboardApp) -> list[str]:
    lines = probe.screen_lines(app)
    # export_text().splitlines() would split a drawn U+2028 into a row of its own.
    assert len(lines) == SIZE[1]
    assert not any(SEPARATORS & set(line) for line in lines)
    return lines


@pytest.mark.long
async def test_a_title_with_a_tab_nbsp_and_line_separator(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, CardFormScreen)
        form.query_one("#title", Input).insert_text_at_cursor(TITLE)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, CardFormScreen)

        with probe.store() as store:
            found = store.cards.query(text="size guide for shoes")
        assert [c["title"] for c in found] == [TITLE]
        key = found[0]["key"]
        assert probe.selected(app) == key

        # The board: the card's title line right under its key line, on one row.
        lines = probe.lines(app)
        assert not any(SEPARATORS & set(line) for line in lines)
        at = next(y for y, line in enumerate(lines) if f"▶{key} " in line)
        assert SHOWN.rstrip() in lines[at + 1]
        column = probe.column_text(app, "todo").split("\n")
        assert column[at + 1] == "▶" + printable(TITLE).ljust(len(column[at + 1]) - 1)
        _one_line_each(probe, app)

        # The detail: the title on the heading line.
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CardDetailScreen)
        heading = f"{key}  {SHOWN.rstrip()}"  # the key, two spaces, the title (tab: a space)
        assert any(heading in line for line in _one_line_each(probe, app))

        # The form shows it on one line; saving another field keeps the title as typed.
        await pilot.press("e")
        await settle(app, pilot)
        edit_form = current_screen(app)
        assert isinstance(edit_form, CardFormScreen)
        # The box draws its value raw: it holds the title as shown, the store the literal.
        assert edit_form.query_one("#title", Input).value == SHOWN
        _one_line_each(probe, app)
        edit_form.query_one("#points", Input).value = "3"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        edited = probe.existing_card(key)
        assert (edited["title"], edited["points"]) == (TITLE, 3)

        # Editing the title itself stores what the box then holds.
        await pilot.press("e")
        await settle(app, pilot)
        box = app.screen.query_one("#title", Input)
        box.value = box.value + " too "
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert probe.existing_card(key)["title"] == SHOWN + " too "
