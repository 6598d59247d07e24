"""What the board keeps as its columns narrow: cards, column headers and the status line,
cut by terminal cells, with user text drawn literally."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from rich.cells import cell_len

from sprintboard.planning.findings import Severity
from sprintboard.views.board import card_face
from sprintboard.views.board_layout import (
    MIN_TITLE,
    Badge,
    Piece,
    card_badges,
    column_header,
    compact_line,
    key_line,
    status_line,
    title_line,
)

TODAY = date(2026, 3, 10)

HOSTILE_TITLES = [
    "[bold]Checkout[/bold] copy",
    "[/] closing tag first [@click=app.quit]quit[/]",
    "Promo 🎉🎉 launch 🚀 now",
    "結帳頁面的付款方式與運費設定",
    "mixed 結帳 and 🎉 and text",
    "escape \x1b[31mred\x1b[0m and bell \x07 here",
    "bidi \u202eevil\u202c text",
]


def board_card(**fields: Any) -> dict[str, Any]:
    card = {
        "key": "ECOM-4",
        "title": "Payment methods: add Klarna pay later",
        "team": "ECOM",
        "teams": ["ECOM"],
        "status": "todo",
        "points": 5,
        "assignee": "Noah Peters",
        "due": None,
        "blocked_by": [],
        "cross_team": False,
        "feedback": 0,
        "reports": 0,
        "comment_count": 0,
        "checklist_done": 0,
        "checklist_total": 0,
    }
    return card | fields


def badges_of(card: dict[str, Any], severity: Severity | None = None) -> list[Badge]:
    return card_badges(card, card_face(card), severity, TODAY, words=True)


def text(pieces: list[Piece]) -> str:
    return "".join(t for t, _ in pieces)


def width(pieces: list[Piece]) -> int:
    return sum(cell_len(t) for t, _ in pieces)


LOADED = board_card(
    blocked_by=["IT-6"],
    teams=["ECOM", "IT"],
    cross_team=True,
    feedback=1,
    reports=9,
    due=(TODAY - timedelta(days=2)).isoformat(),
    checklist_total=2,
    comment_count=3,
)


def test_badges_come_most_important_first_with_words() -> None:
    badges = badges_of(LOADED, Severity.ERROR)
    assert [b.glyph for b in badges] == ["✗", "⊘", "⇄", "✉9", "!late", "☑0/2", "✎3"]
    words = [b.words for b in badges]
    assert words == [
        "✗ error (!)",
        "⊘ blocked by IT-6",
        "⇄ with IT",
        "✉9 reports",
        "!late by 2 days",
        "☑ checklist 0/2",
        "✎3 comments",
    ]
    soon = badges_of(board_card(due=(TODAY + timedelta(days=1)).isoformat()))
    assert [(b.glyph, b.words) for b in soon] == [("◷1d", "◷ due tomorrow")]
    assert badges_of(board_card(due=TODAY.isoformat(), status="done")) == []


@pytest.mark.parametrize("cells", [14, 16, 18, 22, 26, 30])
def test_key_line_keeps_the_badges_before_the_points(cells: int) -> None:
    pieces = key_line("ECOM-4", 5, badges_of(LOADED), cells)
    assert width(pieces) == cells
    drawn = text(pieces)
    assert drawn.startswith("ECOM-4 ⊘")
    if "5pt" in drawn:  # points only once every badge fits
        assert all(glyph in drawn for glyph in ("⊘", "⇄", "✉9", "!late", "☑0/2", "✎3"))


def test_key_line_fills_the_room_a_dropped_badge_leaves() -> None:
    """Losing the checklist and comments together left room for the checklist alone: it
    comes back, the comments (less important) stay out."""
    card = board_card(key="MKT-2", checklist_total=4, checklist_done=1, comment_count=4)
    badges = badges_of(card, Severity.ERROR)
    assert [b.glyph for b in badges] == ["✗", "☑1/4", "✎4"]
    assert text(key_line("MKT-2", 3, badges, 12)) == "MKT-2 ✗☑1/4 "
    assert text(key_line("MKT-2", 3, badges, 14)).rstrip() == "MKT-2 ✗☑1/4✎4"
    assert text(key_line("MKT-2", 3, badges, 9)).rstrip() == "MKT-2 ✗✎4"


def test_key_line_narrow_drops_points_and_gaps_on_every_card() -> None:
    badges = badges_of(board_card(key="IT-8", checklist_total=1))
    pieces = key_line("IT-8", 3, badges, 30, narrow=True)
    assert text(pieces).rstrip() == "IT-8 ☑0/1"


@pytest.mark.parametrize("title", HOSTILE_TITLES)
@pytest.mark.parametrize("cells", [6, 9, 14, 18, 30])
def test_compact_line_cuts_user_text_by_cells(title: str, cells: int) -> None:
    card = board_card(title=title, key="IT-7", assignee="")
    pieces = compact_line(card, "", badges_of(card), cells)
    drawn = text(pieces)
    assert width(pieces) == cells
    assert not any(ch in drawn for ch in "\x1b\x07\u202e\u202c")
    assert drawn.startswith("IT-7 ")
    shown = drawn[len("IT-7 ") :].rstrip()
    if shown:  # the title's start, literally (markup and all), cut with an ellipsis
        visible = shown.removesuffix("…").rstrip()  # a wide character that did not fit: a space
        printable_title = title.replace("\x1b", " ").replace("\x07", " ")
        printable_title = printable_title.replace("\u202e", " ").replace("\u202c", " ")
        assert printable_title.startswith(visible)


def test_compact_line_keeps_a_wide_character_whole_or_not_at_all() -> None:
    card = board_card(key="IT-7", title="結帳頁面", assignee="")
    for cells in range(6, 16):
        pieces = compact_line(card, "", [], cells)
        assert width(pieces) == cells
        drawn = text(pieces)
        # Every wide character drawn is whole: the cells add up with no half character.
        assert cell_len(drawn) == cells
        assert "\ufffd" not in drawn


def test_compact_line_keeps_the_signals_and_gives_up_checklist_and_comments() -> None:
    pieces = compact_line(LOADED, "NP", badges_of(LOADED, Severity.WARNING), 14)
    drawn = text(pieces)
    assert width(pieces) == 14
    # The finding, blocked, feedback (no count) and late (as !) stay; cross-team goes.
    assert drawn.startswith("ECOM-4 ⚠⊘✉! ")
    roles = [role for _, role in pieces]
    assert "checklist" not in roles and "comments" not in roles and "assignee" not in roles
    wide = text(compact_line(LOADED, "NP", badges_of(LOADED), 60))
    assert "⊘⇄✉9!late☑0/2✎3 Payment methods" in wide and wide.rstrip().endswith("NP")


def test_compact_line_never_loses_blocked_feedback_late_to_the_title() -> None:
    card = board_card(key="IT-4", blocked_by=["IT-1"], feedback=1, reports=2, due="2026-03-01")
    drawn = text(compact_line(card, "", badges_of(card), 14))
    assert drawn.startswith("IT-4 ⊘✉2!late")


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_title_line_is_literal_and_exact(title: str) -> None:
    pieces = title_line(title, "NP", 20)
    assert width(pieces) == 20
    assert "\x1b" not in text(pieces)


def test_column_header_keeps_count_and_wip_before_points() -> None:
    assert column_header("Doing", 5, 20, 8, 5, 30) == (" Doing 5 · 20pt WIP 5/8".ljust(30), False)
    assert column_header("Doing", 5, 20, 8, 5, 15)[0].rstrip() == " Doing WIP 5/8"
    assert column_header("Doing", 5, 20, 8, 5, 11)[0].rstrip() == " Doing 5/8"
    over, is_over = column_header("Doing", 9, 20, 8, 9, 15)
    assert is_over and over.rstrip() == " Doing ⚠9/8"
    assert column_header("Backlog", 1, 5, 0, 1, 15)[0].rstrip() == " Backlog 1"
    assert column_header("Review", 4, 13, 5, 2, 16)[0].rstrip() == " Review 2 of 4/5"
    # A filter on: the WIP limit, then the word "of", go before the name is cut.
    assert column_header("Review", 4, 13, 5, 2, 15)[0].rstrip() == " Review 2 of 4"
    assert column_header("Review", 4, 13, 5, 2, 12)[0].rstrip() == " Review 2/4"
    assert column_header("Review", 4, 13, 0, 2, 12)[0].rstrip() == " Review 2/4"
    assert column_header("Review", 4, 13, 5, 2, 10)[0].rstrip() == " Revi… 2/4"
    cropped, _ = column_header("Review", 4, 13, 5, 4, 8)
    assert cropped == " Re… 4/5"  # the name gives way, never the numbers
    for cells in range(1, 40):
        assert cell_len(column_header("Doing", 12, 40, 8, 3, cells)[0]) == cells


def test_status_line_shows_the_whole_title_and_then_what_fits() -> None:
    badges = badges_of(LOADED, Severity.ERROR)
    wide = text(status_line(LOADED, badges, "Noah Peters", "NP", 200))
    assert wide.startswith(" ECOM-4  Payment methods: add Klarna pay later ")
    assert "ECOM · 5pt · Noah Peters · ✗ error (!) · ⊘ blocked by IT-6 · ⇄ with IT" in wide
    assert wide.endswith("☑ checklist 0/2 · ✎3 comments ")
    assert cell_len(wide) == 200
    # Narrower: initials, then the last badges as glyphs.
    middle = text(status_line(LOADED, badges, "Noah Peters", "NP", 160))
    assert "ECOM · 5pt · NP · ✗ error (!) · ⊘ blocked by IT-6" in middle
    assert middle.endswith("☑0/2 ✎3 ") and cell_len(middle) == 160
    narrow = text(status_line(LOADED, badges, "Noah Peters", "NP", 80))
    assert cell_len(narrow) == 80
    assert "Payment methods: add Klarna pay later" in narrow
    assert " NP " in narrow and "Noah Peters" not in narrow  # initials when names do not fit
    cropped = text(status_line(LOADED, badges, "Noah Peters", "NP", 30))
    assert cropped == " ECOM-4  Payment methods: add…"
    assert text(status_line(None, [], "", "", 20)).rstrip() == " no card selected"


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_status_line_draws_hostile_titles_literally(title: str) -> None:
    card = board_card(title=title)
    for cells in (10, 40, 80, 160):
        pieces = status_line(card, [], "", "", cells)
        assert width(pieces) == cells
        assert not any(ch in text(pieces) for ch in "\x1b\x07\u202e")
    whole = text(status_line(card, [], "", "", 200))
    if "[" in title and "\x1b" not in title:
        assert title in whole  # markup is text


def test_min_title_is_kept_when_optional_badges_would_crowd_it() -> None:
    card = board_card(key="IT-4", checklist_total=3, checklist_done=1, comment_count=2)
    drawn = text(compact_line(card, "", badges_of(card), 14))
    assert drawn == "IT-4 Payment …"  # ☑1/3 ✎2 would leave the title 2 cells
    assert cell_len(drawn[len("IT-4 ") :]) >= MIN_TITLE
    assert "☑1/3✎2" in text(compact_line(card, "", badges_of(card), 24))
