"""Card titles, goal titles and checklist items are stored as given and shown on one line.

A title keeps its tabs, runs of spaces, leading and trailing spaces, NBSP, U+2028, U+2029
and U+0085, wide characters and emoji; line ends become spaces and terminal controls go.
Every renderer (CLI tables, Markdown, HTML, iCalendar) shows it on one line; JSON and
CSV hold it literally; matching and searching fold white space and case.
"""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
from sync_laptops import Laptop, exchange

from conftest import Cli
from sprintboard.errors import UserError
from sprintboard.io.cards_csv import EXPORT_COLUMNS, protect, unprotect
from sprintboard.io.markdown import board_markdown
from sprintboard.models import MAX_TITLE, Card, ChecklistItem, Goal, Team, validate
from sprintboard.store import Store
from sprintboard.views.text import printable
from sprintboard.vocabulary import on_one_line, title_key

SHOES = "\tSize guide  for shoes "
ODD = "\tSize\u00a0guide  for\u2028shoes\u2029 👟 購物車\u0085x "
"""Every white space a title keeps, a wide character and an emoji."""
BREAKS = "\t\u2028\u2029\u0085\n\r"


def _db_title(db: Path, key: str) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT title FROM cards WHERE key = ?", [key]).fetchone()[0])
    finally:
        conn.close()


# -- the type ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        SHOES,
        "  leading spaces",
        "trailing spaces  ",
        "a\tb",
        "double  space",
        "Newsletter\u00a0sign-up form",
        "line\u2028separator",
        "paragraph\u2029separator",
        "next\u0085line",
        "wide 購物車 and 👨‍👩‍👧 emoji",
        ODD,
    ],
)
def test_a_title_keeps_its_white_space(title: str) -> None:
    assert Card(title=title, team="IT").title == title
    assert Goal(title=title).title == title
    assert ChecklistItem(text=title).text == title


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("a\x1b[2Jb", "a[2Jb"),  # ESC removed: the rest is harmless text
        ("bell\x07 and\x00 nul\x7f", "bell and nul"),
        ("c1\x9b31m\x84 gone", "c131m gone"),
        ("vt\x0bff\x0cfs\x1c", "vtfffs"),
        ("one\ntwo", "one two"),
        ("one\r\ntwo", "one two"),
        ("one\rtwo", "one two"),
        ("\ttab kept\n", "\ttab kept "),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
    ],
)
def test_a_title_loses_only_control_characters(given: str, stored: str) -> None:
    assert Card(title=given, team="IT").title == stored
    assert Goal(title=given).title == stored
    assert ChecklistItem(text=given).text == stored


@pytest.mark.parametrize("blank", ["", " ", "\t", "\u00a0", "\u2028 \u0085", "\n\r\n", "\x1b"])
def test_an_empty_or_blank_title_is_refused_in_one_line(blank: str) -> None:
    for model, field in ((Card, "title"), (Goal, "title"), (ChecklistItem, "text")):
        data: dict[str, Any] = {field: blank} | ({"team": "IT"} if model is Card else {})
        with pytest.raises(UserError) as caught:
            validate(model, data)
        assert str(caught.value).startswith(f"{field}: must not be empty (got ")
        assert "\n" not in str(caught.value)


def test_the_length_limit_is_unchanged() -> None:
    assert Card(title="\t" + "x" * (MAX_TITLE - 1), team="IT").title.startswith("\tx")
    with pytest.raises(UserError, match=r"title: is 501 characters long; at most 500"):
        validate(Card, {"title": " " + "x" * MAX_TITLE, "team": "IT"})


def test_names_still_fold_their_white_space() -> None:
    """Team, member and sprint names are names, not titles: folded as before."""
    assert Team(code="IT", name="\tTech  team ").name == "Tech team"


def test_title_key_folds_white_space_and_case() -> None:
    assert title_key(SHOES) == "size guide for shoes"
    assert title_key(ODD) == title_key("size guide for shoes 👟 購物車 x")
    assert title_key("Ä\u00a0b") == title_key("ä b")


def test_printable_never_breaks_a_row() -> None:
    assert printable(ODD) == " Size\u00a0guide  for shoes  👟 購物車 x "
    assert not set(BREAKS) & set(printable(BREAKS + "x"))


# -- command line -----------------------------------------------------------------------------


def test_card_add_and_edit_keep_the_title(cli: Cli, db_path: Path) -> None:
    added = cli("card", "add", "--team", "IT", "--", SHOES)
    assert added.code == 0, added.err
    key = added.out.strip()
    assert _db_title(db_path, key) == SHOES
    assert json.loads(cli("card", "show", key, "--json").out)["title"] == SHOES

    edited = cli("card", "edit", key, "--title", ODD)
    assert edited.code == 0, edited.err
    assert _db_title(db_path, key) == ODD

    refused = cli("card", "edit", key, "--title", "\t \u00a0")
    assert refused.code == 2
    assert refused.err.startswith("error: title: must not be empty (got ")
    assert refused.err.count("\n") == 1
    assert _db_title(db_path, key) == ODD


def test_goal_and_checklist_keep_the_text(cli: Cli, db_path: Path) -> None:
    goal = cli("goal", "add", "--json", "--", SHOES)
    assert goal.code == 0, goal.err
    assert json.loads(goal.out)["title"] == SHOES
    key = cli("card", "add", "--team", "IT", "Shoes").out.strip()
    item = cli("checklist", "add", "--json", key, "--", ODD)
    assert item.code == 0, item.err
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT title FROM goals").fetchone()[0] == SHOES
        assert conn.execute("SELECT text FROM checklist_items").fetchone()[0] == ODD
    finally:
        conn.close()


def test_cli_tables_show_a_title_on_one_line(cli: Cli) -> None:
    key = cli("card", "add", "--team", "IT", "--", ODD).out.strip()
    listed = cli("card", "list", "--team", "IT")
    assert listed.code == 0
    rows = [line for line in listed.out.splitlines() if line.startswith(key)]
    assert len(rows) == 1
    assert not set(BREAKS) & set(rows[0])
    assert "Size\u00a0guide  for shoes" in rows[0]
    shown = cli("card", "show", key).out
    assert "title:" in shown and not set("\u2028\u2029\u0085") & set(shown)


def test_searching_folds_white_space(cli: Cli) -> None:
    key = cli("card", "add", "--team", "IT", "--", ODD).out.strip()
    for needle in ("size guide for shoes", "GUIDE FOR", "guide\tfor", "guide", "購物車 x"):
        found = cli("card", "list", "--text", needle, "--json")
        assert [c["key"] for c in json.loads(found.out)] == [key], needle


def test_board_filter_folds_white_space() -> None:
    from sprintboard.views.board import Filters

    card = {"key": "IT-1", "title": ODD, "teams": ["IT"], "goal": None, "feedback": []}
    assert Filters(text="size guide for shoes").keep(card)
    assert not Filters(text="size guide for boots").keep(card)


# -- exports ----------------------------------------------------------------------------------


def _odd_card(store: Store, sprint: bool = True) -> dict[str, Any]:
    """A card of the active sprint, with a due date, retitled ODD; a checklist item too."""
    active = store.sprints.active()
    assert active is not None
    card = next(c for c in store.cards.query(sprint=active["id"]) if c["due"]) if sprint else None
    assert card is not None
    store.cards.edit(card["key"], {"title": ODD})
    store.checklists.add(card["key"], "pack | the\u2028boxes\t*now*")
    return store.cards.get(card["key"])


def test_markdown_keeps_rows_and_items_on_one_line(demo_store: Store) -> None:
    from markdown_it import MarkdownIt

    card = _odd_card(demo_store)
    text = board_markdown(demo_store, demo_store.sprints.active())
    # Markdown folds white space itself: the export writes each run as one space.
    assert not set(BREAKS.replace("\n", "")) & set(text)
    shown = "Size guide for shoes 👟 購物車 x"
    rows = [line for line in text.split("\n") if f"| {card['key']} | {shown} |" in line]
    assert len(rows) == 1 and rows[0].count(" | ") == 5
    assert f"### {card['key']} {shown}\n" in text
    assert "- [ ] pack \\| the boxes \\*now\\*\n" in text
    page = MarkdownIt("commonmark").enable("table").render(text)
    assert f"<td>{card['key']}</td>\n<td>{shown}</td>" in page
    assert "<li>[ ] pack | the boxes *now*</li>" in page


def test_icalendar_summary_is_one_line(demo_store: Store, cli: Cli, tmp_path: Path) -> None:
    card = _odd_card(demo_store)
    out = tmp_path / "plan.ics"
    assert cli("export", "--format", "ics", "-o", str(out)).code == 0
    raw = out.read_bytes().decode("utf-8")
    assert not set("\u2028\u2029\u0085\t") & set(raw)
    todos = {str(t["uid"]): t for t in icalendar.Calendar.from_ical(raw).walk("VTODO")}
    summary = str(todos[f"{card['uuid']}@sprintboard"]["summary"])
    assert summary == f"{card['key']} {on_one_line(ODD)}"


def test_html_report_escapes_and_keeps_one_line(
    demo_store: Store, cli: Cli, tmp_path: Path
) -> None:
    demo_store.cards.edit(_odd_card(demo_store)["key"], {"title": ODD + "<b>&"})
    out = tmp_path / "report.html"
    result = cli("report", "-o", str(out))
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    assert not set("\u2028\u2029\u0085") & set(page)
    assert html.escape("Size\u00a0guide  for shoes  👟 購物車 x <b>&") in page


def test_csv_holds_the_title_literally_and_reads_back(
    demo_store: Store, cli: Cli, tmp_path: Path
) -> None:
    card = _odd_card(demo_store)
    out = tmp_path / "cards.csv"
    assert cli("export", "--format", "csv", "-o", str(out)).code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    by_key = {row[0]: dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows[1:]}
    cell = by_key[card["key"]]["title"]
    assert cell == protect(ODD) == "'" + ODD  # a leading tab is a formula start: guarded
    assert unprotect(cell) == ODD

    copy = tmp_path / "copy.db"
    imported = cli("--db", str(copy), "import", str(out), "--from", "csv")
    assert imported.code == 0, imported.err
    with Store(copy) as store:
        assert ODD in {c["title"] for c in store.cards.query()}


def test_json_dump_restores_the_title_exactly(demo_store: Store, cli: Cli, tmp_path: Path) -> None:
    card = _odd_card(demo_store)
    dump = tmp_path / "plan.json"
    assert cli("export", "--format", "json", "-o", str(dump)).code == 0
    document = json.loads(dump.read_text(encoding="utf-8"))
    assert ODD in {c["title"] for c in document["tables"]["cards"]}
    copy = tmp_path / "copy.db"
    restored = cli("--db", str(copy), "import", str(dump), "--from", "json")
    assert restored.code == 0, restored.err
    assert "cleaned" not in restored.out
    assert _db_title(copy, card["key"]) == ODD


# -- sync -------------------------------------------------------------------------------------


def test_a_literal_title_syncs_unchanged(tmp_path: Path) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ann = Laptop(tmp_path / "ann.db", "Ann", start)
    bob = Laptop(tmp_path / "bob.db", "Bob", start)
    exchange(ann, bob)
    key = ann.store.cards.add(Card(title=SHOES, team="IT"))["key"]
    ann.store.checklists.add(key, ODD)
    ann.later()
    exchange(ann, bob)
    assert bob.store.cards.get(key)["title"] == SHOES
    assert [i["text"] for i in bob.store.checklists.for_card(key)] == [ODD]
    bob.later()
    bob.store.cards.edit(key, {"title": ODD})
    exchange(ann, bob)
    assert ann.store.cards.get(key)["title"] == ODD
    assert not ann.store.rows("SELECT * FROM sync_conflicts")


# -- import matching --------------------------------------------------------------------------


def test_an_imported_goal_finds_a_goal_of_the_same_title_folded(store: Store) -> None:
    from sprintboard.io.import_plan import ImportOptions
    from sprintboard.io.importing import plan_import
    from sprintboard.io.items import Item, Parsed, SourceGoal

    here = store.goals.add(Goal(title="Grow\u00a0repeat  orders "))
    goals = {"jira:S-1": SourceGoal("jira:S-1", "line 2", "\tgrow repeat ORDERS")}
    parsed = Parsed("jira", "jira:", "test", items=[], goals=goals)
    parsed.items.append(Item("jira:S-2", "line 3", "  Banner\t", goal="jira:S-1"))
    plan = plan_import(store, parsed, ImportOptions(team="IT"))
    assert plan.new_goals == [] and plan.goals_found == 1
    assert plan.goal_of["jira:S-1"] == here["id"]
    assert [(n.card.title, n.goal) for n in plan.creates] == [("  Banner\t", here["id"])]
