"""People on the board: initials, checklist progress and comments on the card faces, `m`
for the cards of the person at the keyboard, and the card form's assignee completion."""

from __future__ import annotations

import re

from textual.widgets import Input, Static

from sprintboard.screens.card_form import CardFormScreen
from sprintboard.screens.help import HelpScreen
from sprintboard.tui import SprintboardApp

from .conftest import SIZE, SPRINT_42, AppFactory, Probe, current_screen, settle, type_into


def face_lines(probe: Probe, app: SprintboardApp, status: str, key: str) -> tuple[str, str]:
    """The key line and the title line a card shows in its column."""
    lines = probe.column_text(app, status).splitlines()
    at = next(i for i, line in enumerate(lines) if line[1:].startswith(key + " "))
    return lines[at], lines[at + 1]


async def test_faces_show_initials_checklist_and_comments(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        card = probe.existing_card("IT-4")
        assert card["assignee"] == "Priya Raman"
        progress = f"☑{card['checklist_done']}/{card['checklist_total']}"
        assert card["checklist_total"] and card["comment_count"]
        key_line, title_line = face_lines(probe, app, "doing", "IT-4")
        assert progress in key_line
        assert f"✎{card['comment_count']}" in key_line
        assert title_line.rstrip().endswith(" PR")
        assert "One-page checkout" in title_line

        # A card nobody has, with no checklist and no comments, shows none of them.
        bare = probe.existing_card("DATA-3")
        assert (bare["checklist_total"], bare["comment_count"]) == (0, 0)
        key_line, _ = face_lines(probe, app, "done", "DATA-3")
        assert "☑" not in key_line and "✎" not in key_line


async def test_m_shows_my_cards_and_escape_shows_all(board_app: AppFactory, probe: Probe) -> None:
    # "priya" at the keyboard is the member Priya Raman.
    app = board_app(actor="priya")
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert probe.shown(app) == SPRINT_42
        await pilot.press("m")
        await settle(app, pilot)

        with probe.store() as store:
            mine = {
                s: [
                    c["key"]
                    for c in store.cards.query(sprint=sprint, status=s)
                    if c["assignee"] == "Priya Raman"
                ]
                for s in SPRINT_42
            }
        assert sum(map(len, mine.values())) >= 1
        assert probe.shown(app) == mine
        assert "filtered: mine (Priya Raman)" in probe.header(app)
        text = probe.grid_text(app)
        assert "IT-4" in text and "IT-5" not in text

        await pilot.press("escape")
        await settle(app, pilot)
        assert probe.shown(app) == SPRINT_42
        assert "filtered" not in probe.header(app)

        # m again after m turns it off, as f does.
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert probe.shown(app) == SPRINT_42
        assert probe.stored(sprint) == SPRINT_42  # filtering writes nothing


async def test_m_for_someone_with_no_cards_shows_an_empty_board(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(actor="tester")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert all(keys == [] for keys in probe.shown(app).values())
        assert "filtered: mine (tester)" in probe.header(app)
        assert "· 0 cards" in probe.header(app)


async def test_help_lists_m(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(current_screen(app), HelpScreen)
        text = probe.screen_text(app)
        assert re.search(r"\bm +Mine", text)
        assert "✎n comments" in text


async def test_the_assignee_completes_from_the_members(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        form = current_screen(app)
        assert isinstance(form, CardFormScreen)
        await pilot.press(*"Gift wrap option")
        await type_into(app, pilot, "#assignee", "tom")
        await settle(app, pilot)
        box = form.query_one("#assignee", Input)
        assert box._suggestion == "Tomasz Nowak"  # shown greyed after what was typed
        assert "tomasz Nowak" in probe.screen_text(app)
        hint = str(form.query_one("#assignee-who", Static).render())
        assert hint == "→ Tomasz Nowak · IT · front-end developer"
        await pilot.press("right")  # takes the suggestion, in the member's spelling
        await settle(app, pilot)
        assert box.value == "Tomasz Nowak"
        hint = str(form.query_one("#assignee-who", Static).render())
        assert hint == "Tomasz Nowak · IT · front-end developer"
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert not isinstance(current_screen(app), CardFormScreen)
        with probe.store() as store:
            (card,) = store.cards.query(text="Gift wrap option")
        assert card["assignee"] == "Tomasz Nowak"
        _, title_line = face_lines(probe, app, "todo", card["key"])
        assert title_line.rstrip().endswith(" TN")


async def test_an_assignee_typed_in_part_is_stored_as_the_member(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("e")  # ECOM-4, selected when the board opens
        await settle(app, pilot)
        form = current_screen(app)
        assert isinstance(form, CardFormScreen)
        assert form.query_one("#assignee", Input).value == "Noah Peters"
        await type_into(app, pilot, "#assignee", "AISHA")
        hint = str(form.query_one("#assignee-who", Static).render())
        assert hint == "Aisha Okafor · ECOM · platform SME"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert probe.existing_card("ECOM-4")["assignee"] == "Aisha Okafor"

        await pilot.press("e")
        await settle(app, pilot)
        form = current_screen(app)
        assert isinstance(form, CardFormScreen)
        await type_into(app, pilot, "#assignee", "Bold agency")
        hint = str(form.query_one("#assignee-who", Static).render())
        assert hint == "not a team member: kept as typed"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert probe.existing_card("ECOM-4")["assignee"] == "Bold agency"
