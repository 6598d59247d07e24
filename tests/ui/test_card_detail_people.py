"""The card detail's people: comments, the checklist, undo of one chosen change; redo on
the board; the view of comments that mention me.

The app's person is the tests' user ('tester'); someone else's work is written through a
Store of their own (another member, as another laptop or the CLI would).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import TextArea

from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.card_detail_dialogs import CommentScreen, LinePromptScreen
from sprintboard.screens.dialogs import ConfirmScreen
from sprintboard.screens.mentions import MentionsScreen
from sprintboard.store import Store
from sprintboard.store.database import Clock

from .conftest import (
    SIZE,
    SPRINT_42,
    AppFactory,
    Probe,
    current_screen,
    messages,
    press_each,
    settle,
    wait_until,
)
from .inbox_driver import build, feedback, open_inbox, selected, shown

SANNE = "Sanne de Vries"


def as_person(db: Path, clock: Clock, actor: str) -> Store:
    return Store(db, clock=clock, actor=actor)


async def open_detail(app: Any, pilot: Any, *keys: str) -> CardDetailScreen:
    """Open the selected card of the board (ECOM-4 unless `keys` move first)."""
    await settle(app, pilot)
    await press_each(app, pilot, *keys, "enter")
    assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, CardDetailScreen) and screen.detail is not None
    return screen


async def write_in_dialog(app: Any, pilot: Any, text: str) -> None:
    """Write into the open comment dialog (replacing what it holds; the last line typed key
    by key, enter making it a line of its own) and save with ctrl+s."""
    assert isinstance(app.screen, CommentScreen)
    area = app.screen.query_one(TextArea)
    *first, last = text.split("\n")
    area.text = "\n".join(first)
    area.move_cursor(area.document.end)
    if first:
        await pilot.press("enter")
    await pilot.press(*last)
    await pilot.press("ctrl+s")
    await settle(app, pilot)


def bare_card(store: Store, key: str) -> None:
    """Take the demo's checklist and comments off a card (logged, as any change)."""
    card = store.cards._raw(key)
    with store.transaction("test.bare") as tx:
        for table, entity in (("checklist_items", "checklist_item"), ("comments", "comment")):
            for row in store.rows(f"SELECT * FROM {table} WHERE card_id = ?", [card["id"]]):
                tx.delete(entity, row, key=key)


async def test_add_a_comment_and_tick_and_add_checklist_items(
    board_app: AppFactory, probe: Probe, demo_db: Path, clock: Clock
) -> None:
    with as_person(demo_db, clock, SANNE) as sanne:
        bare_card(sanne, "ECOM-4")
        item = sanne.checklists.add("ECOM-4", "Legal: check the Klarna terms")
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_detail(app, pilot)
        text = probe.screen_text(app)
        assert "Checklist  0/1" in text and "[ ] -     Legal: check the Klarna terms" in text
        assert app.focused is detail.part("checklist")

        await press_each(app, pilot, "space")
        with probe.store() as store:
            assert store.checklists.get(item["id"])["done"] is True
        text = probe.screen_text(app)
        assert "Checklist  1/1" in text and "[x] -     Legal: check the Klarna terms" in text

        await press_each(app, pilot, "a")
        assert isinstance(app.screen, LinePromptScreen)
        await pilot.press(*"WH: print [bold] labels 📦", "enter")
        await settle(app, pilot)
        with probe.store() as store:
            items = store.checklists.for_card("ECOM-4")
        assert [(i["team"], i["text"], i["done"]) for i in items][1] == (
            "WH",
            "WH: print [bold] labels 📦",
            False,
        )
        assert "Checklist  1/2" in probe.screen_text(app)
        assert "[ ] WH    WH: print [bold] labels 📦" in probe.screen_text(app)

        await press_each(app, pilot, "c")
        body = "Ship it @sanne [b]now[/b] 🎉\nsecond line, quickly typed"  # q: no quitting
        await write_in_dialog(app, pilot, body)
        assert isinstance(current_screen(app), CardDetailScreen)
        with probe.store() as store:
            comments = store.comments.for_card("ECOM-4")
        assert [(c["author"], c["body"], c["mentions"]) for c in comments] == [
            ("tester", body, [SANNE])
        ]
        text = probe.screen_text(app)
        assert "Comments  1" in text
        assert "tester  2026-03-11 10:30" in text
        assert "Ship it @sanne [b]now[/b] 🎉" in text and "second line" in text
        history = "\n".join(
            line.plain for entry in detail.part("history").entries for line in entry
        )
        assert "comment by tester: Ship it @sanne [b]now[/b] 🎉" in history

        await press_each(app, pilot, "escape")
        assert probe.shown(app) == SPRINT_42  # back on the board, which reloaded


async def test_edit_own_comment_and_others_refused(
    board_app: AppFactory, probe: Probe, demo_db: Path, clock: Clock
) -> None:
    with as_person(demo_db, clock, SANNE) as sanne:
        theirs = sanne.comments.add("ECOM-4", "Who checks the terms?")
    with as_person(demo_db, clock, "tester") as me:
        mine = me.comments.add("ECOM-4", "I will.")
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_detail(app, pilot)
        await press_each(app, pilot, "tab")
        assert app.focused is detail.part("comments")
        await press_each(app, pilot, "k")  # Sanne's, the first
        assert detail.part("comments").selected == 0
        for key in ("E", "D"):
            await press_each(app, pilot, key)
            assert isinstance(current_screen(app), CardDetailScreen), key  # no dialog
        verbs = [m for m in messages(app) if m.startswith("comment by")]
        assert verbs == [
            f"comment by {SANNE}: you (tester) can edit only your own comments",
            f"comment by {SANNE}: you (tester) can delete only your own comments",
        ]
        with probe.store() as store:
            assert store.comments.get(theirs["id"])["body"] == "Who checks the terms?"

        await press_each(app, pilot, "j", "E")
        await write_in_dialog(app, pilot, "I will, today.")
        with probe.store() as store:
            edited = store.comments.get(mine["id"])
        assert edited["body"] == "I will, today." and edited["edited_at"]
        text = probe.screen_text(app)
        assert "I will, today." in text and "edited 2026-03-11 10:30" in text

        await press_each(app, pilot, "D")
        assert isinstance(app.screen, ConfirmScreen)
        await press_each(app, pilot, "y")
        with probe.store() as store:
            left = store.comments.for_card("ECOM-4")
        assert [c["id"] for c in left] == [theirs["id"]]
        assert "Comments  1" in probe.screen_text(app)


async def test_undo_one_chosen_history_entry(
    board_app: AppFactory, probe: Probe, demo_db: Path, clock: Clock
) -> None:
    with as_person(demo_db, clock, SANNE) as sanne:
        sanne.cards.edit("ECOM-4", {"points": 8})
    with as_person(demo_db, clock, "tester") as me:
        me.cards.edit("ECOM-4", {"title": "Klarna pay later"})
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_detail(app, pilot)
        history = detail.part("history")
        await press_each(app, pilot, "tab", "tab")
        assert app.focused is history
        assert detail.detail is not None
        entries = detail.detail.history
        assert history.selected == len(entries) - 1  # the newest, mine
        text = probe.screen_text(app)
        assert f"{SANNE} (MKT)  points: 5 → 8" in text
        await press_each(app, pilot, "k")
        assert entries[history.selected]["actor"] == SANNE

        await press_each(app, pilot, "u")
        question = current_screen(app)
        assert isinstance(question, ConfirmScreen)
        assert f"Undo {SANNE} (MKT)'s edit of ECOM-4 of 2026-03-11 10:30?" in str(question.question)
        await press_each(app, pilot, "y")
        assert probe.existing_card("ECOM-4")["points"] == 5
        assert probe.existing_card("ECOM-4")["title"] == "Klarna pay later"  # mine stays
        assert f"undone: {SANNE}' edit of ECOM-4" in messages(app)
        assert "points: 5 → 8  [undone by tester]" in probe.screen_text(app)

        # Undone already: the store's one line, nothing asked, nothing changed.
        assert detail.detail is not None
        index = next(
            i
            for i, e in enumerate(detail.detail.history)
            if e["field"] == "points" and e["undone_by"]
        )
        history.select(index)
        await press_each(app, pilot, "u")
        assert isinstance(current_screen(app), CardDetailScreen)
        assert "was already undone by tester" in messages(app)[-1]


async def test_undo_of_a_chosen_entry_refused_when_later_work_would_be_lost(
    board_app: AppFactory, probe: Probe, demo_db: Path, clock: Clock
) -> None:
    with as_person(demo_db, clock, "tester") as me:
        me.cards.edit("ECOM-4", {"title": "Klarna pay later"})
    with as_person(demo_db, clock, SANNE) as sanne:
        sanne.cards.edit("ECOM-4", {"title": "Klarna and PayPal"})
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_detail(app, pilot)
        await press_each(app, pilot, "tab", "tab", "k")  # my title edit, before Sanne's
        assert detail.detail is not None
        entry = detail.detail.history[detail.part("history").selected]
        assert (entry["actor"], entry["after"]) == ("tester", "Klarna pay later")
        await press_each(app, pilot, "u")
        assert "Undo your edit of ECOM-4" in str(current_screen(app).question)  # type: ignore[attr-defined]
        await press_each(app, pilot, "y")
        assert probe.existing_card("ECOM-4")["title"] == "Klarna and PayPal"
        last = messages(app)[-1]
        assert last.startswith("undo: not undone: ECOM-4's title was changed since by " + SANNE)
        assert "\n" not in last


async def test_capital_u_redoes_on_the_board(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press_each(app, pilot, "l", "l", "j")  # Doing, MKT-3
        assert probe.selected(app) == "MKT-3"
        await press_each(app, pilot, "L", "u")
        assert probe.stored(sprint) == SPRINT_42
        assert messages(app)[-1] == "undone: move of MKT-3"
        await press_each(app, pilot, "U")
        assert messages(app)[-1] == "redone: move of MKT-3"
        assert probe.stored(sprint)["review"][-1] == "MKT-3"
        assert "MKT-3" in probe.column_text(app, "review")
        await press_each(app, pilot, "U")  # nothing left to redo: a warning, nothing changes
        assert messages(app)[-1] == "redo: nothing of yours to redo (tester)"
        assert app._notifications  # the warning is shown
        assert list(app._notifications)[-1].severity == "warning"
        assert probe.stored(sprint)["review"][-1] == "MKT-3"


async def test_mentions_list_a_mention_and_open_its_card(
    board_app: AppFactory, probe: Probe, demo_db: Path, clock: Clock
) -> None:
    with as_person(demo_db, clock, SANNE) as sanne:
        sanne.comments.add("IT-5", "@tester please review the guest checkout [red]now[/]")
        sanne.comments.add("IT-4", "@Priya not you, tester")
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Mentions" in titles  # the palette reaches it from any screen
        await press_each(app, pilot, "at")
        screen = current_screen(app)
        assert isinstance(screen, MentionsScreen)
        text = probe.screen_text(app)
        assert "Comments that mention you (tester): 1" in text
        title = probe.existing_card("IT-5")["title"]
        assert f"IT-5  {title}  ·  {SANNE} (MKT)  2026-03-11 10:30" in text
        assert "@tester please review the guest checkout [red]now[/]" in text
        assert "not you" not in text
        await press_each(app, pilot, "enter")
        detail = current_screen(app)
        assert isinstance(detail, CardDetailScreen) and detail.key == "IT-5"
        await press_each(app, pilot, "escape")
        assert isinstance(current_screen(app), MentionsScreen)
        await press_each(app, pilot, "escape")
        assert probe.shown(app) == SPRINT_42


async def test_capital_u_redoes_in_the_inbox(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press_each(app, pilot, "j")
        assert selected(app) == 2
        await press_each(app, pilot, "x", *"no", "enter")
        assert feedback(probe, 2)["state"] == "declined" and 2 not in shown(app)
        await press_each(app, pilot, "u")
        assert feedback(probe, 2)["state"] == "new" and 2 in shown(app)
        await press_each(app, pilot, "U")
        assert (feedback(probe, 2)["state"], messages(app)[-1]) == (
            "declined",
            "redone: decline of FB-2",
        )
        assert 2 not in shown(app)


async def test_palette_reaches_a_parts_action_from_another_part(
    board_app: AppFactory, probe: Probe, demo_db: Path, clock: Clock
) -> None:
    with as_person(demo_db, clock, "tester") as me:
        me.comments.add("ECOM-4", "Mine to delete")
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_detail(app, pilot)
        titles = {c.title for c in detail.palette_commands()}
        for binding in CardDetailScreen.BINDINGS:
            assert binding.description  # type: ignore[union-attr]
            if not binding.action.startswith(("cursor", "part", "page")):  # type: ignore[union-attr]
                assert binding.description in titles  # type: ignore[union-attr]
        assert app.focused is detail.part("checklist")
        await press_each(app, pilot, "ctrl+p", *"Delete comment")
        assert await wait_until(
            pilot, lambda: "Card: delete comment (key D)" in probe.screen_text(app)
        )
        await press_each(app, pilot, "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.query_one("Label").render()  # the question is shown
        await press_each(app, pilot, "y")
        with probe.store() as store:
            assert store.comments.for_card("ECOM-4") == []


async def test_mentions_take_the_new_themes_colour(
    board_app: AppFactory, demo_db: Path, clock: Clock
) -> None:
    with as_person(demo_db, clock, SANNE) as sanne:
        sanne.comments.add("ECOM-4", "@Priya the terms, please; @nobody else")
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_detail(app, pilot)
        comments = detail.part("comments")

        def style_of(text: str) -> Any:
            for y in range(comments.size.height):
                for segment in comments.render_line(y):
                    if segment.text.startswith(text):
                        return segment.style
            raise AssertionError(f"{text!r} is not drawn")

        before = style_of("@Priya")
        assert before.bold and before.color != style_of(" the terms").color
        assert not style_of(" the terms, please; @nobody else").bold  # no member: plain
        app.theme = "sprintboard-light"
        await settle(app, pilot)
        after = style_of("@Priya")
        assert after.bold and after.color != before.color
        assert after.color == comments.get_style("entries--mention").color


async def test_others_comments_show_while_the_card_is_open(
    board_app: AppFactory, probe: Probe, demo_db: Path, clock: Clock
) -> None:
    app = board_app(live_refresh=0.2)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_detail(app, pilot)
        await press_each(app, pilot, "tab")
        assert app.focused is detail.part("comments")
        assert "no comments yet" in probe.screen_text(app)
        with as_person(demo_db, clock, SANNE) as sanne:
            sanne.comments.add("ECOM-4", "Written on another laptop")
        assert await wait_until(
            pilot, lambda: "Written on another laptop" in probe.screen_text(app), interval=0.05
        )
        assert "Comments  1" in probe.screen_text(app)
        assert app.focused is detail.part("comments")  # the focus stays where it was
