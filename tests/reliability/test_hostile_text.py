"""Hostile text in every text field, through the CLI and through the board's card form.

Hypothesis draws strings made of arbitrary unicode, markup-like pieces (`[`, `[/`, `[bold`,
`[link=...]`, `[@click=app.quit]`), terminal escape sequences, control characters and very
long runs. Whatever is typed:
- nothing crashes: a command succeeds, or refuses with one `error:` line naming the field
  (an empty title, a title over 10,000 characters), exit status 2;
- the database holds exactly what was typed minus control characters
  (`sprintboard.vocabulary.strip_control`; one-line fields fold white space too, but card
  and goal titles keep theirs: `literal_line`, line ends become spaces);
- what is printed or drawn is the text itself: no escape byte reaches the terminal, markup
  is not applied (the board draws `[bold]` as those six characters), and no action runs
  (the app is still running after `[@click=app.quit]`, even when that text is clicked).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import subprocess
from concurrent.futures import Future
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events
from textual.widgets import Input, Static

from sprintboard.app import make_app
from sprintboard.cli import main
from sprintboard.config import Settings
from sprintboard.models import MAX_LINE, MAX_TITLE
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.card_form import CardFormScreen
from sprintboard.tui import SprintboardApp
from sprintboard.views.text import fit, printable
from sprintboard.vocabulary import literal_line, show_control, strip_control, without_separators
from sprintboard.widgets.board_grid import BoardGrid
from waiting import wait_until

from .conftest import SPRINTBOARD, child_env, run_cli

MARKUP = [
    "[",
    "[/",
    "[/]",
    "[bold",
    "[bold]",
    "[/bold]",
    "[red on blue]x[/]",
    "[link=https://example.com]link[/link]",
    "[link=file:///etc/passwd]",
    "[@click=app.quit]quit[/]",
    "[@click=app.bell]",
    "\\[escaped]",
    ":smile:",
    "$accent",
    "{0} %s",
]
ESCAPES = [
    "\x1b[2J",
    "\x1b[31m",
    "\x1b[?1049h",
    "\x1b]0;window title\x07",
    "\x1b]8;;https://example.com\x1b\\",
    "\x9b31m",
    "\x07",
    "\x08",
    "\x00",
    "\x7f",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\u202e",  # right-to-left override: not a control character, kept
    "\u200b",
    "\ufeff",
]
piece = st.one_of(
    st.text(max_size=12),
    st.sampled_from(MARKUP),
    st.sampled_from(ESCAPES),
    st.sampled_from(["🛒", "👨‍👩‍👧", "購物車", "ｆｕｌｌ", "שלום", "مرحبا", "e\u0301"]),
)
hostile = st.lists(piece, max_size=10).map("".join)
long_run = st.builds(
    lambda head, char, n: head + char * n,
    hostile,
    st.sampled_from(["x", "é", "購", "🎉", "[", "\x1b"]),
    st.integers(min_value=1_000, max_value=12_000),
)
any_text = st.one_of(hostile, hostile, hostile, long_run)

CLI_SETTINGS = settings(
    max_examples=30,
    deadline=timedelta(seconds=10),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# -- what the store must keep --------------------------------------------------------------


def line(text: str) -> str:
    """A one-line field as stored."""
    return strip_control(text, one_line=True)


def block(text: str) -> str:
    """A free-text field (description, feedback, sprint goal) as stored."""
    return strip_control(text)


def literal(text: str) -> str:
    """A card or goal title as stored: as given, minus control characters."""
    return literal_line(text)


def title_problem(text: str, limit: int = MAX_TITLE, *, kept: bool = False) -> str | None:
    """Why a required one-line field (`kept`: a title stored as given) is refused (None:
    it is stored)."""
    value = literal(text) if kept else line(text)
    if not value.strip():
        return "must not be empty"
    if len(value) > limit:
        return "at most"
    return None


def no_terminal_controls(text: str) -> bool:
    """Printed text a terminal shows literally: no C0/C1 control but newline and tab."""
    return not any((ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in text)


# -- the command line ----------------------------------------------------------------------


class Cli:
    """`sprintboard --db DB ...` in-process, as the installed script runs it."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self.capsys = capsys
        self.counter = itertools.count(1)

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            main(["--db", str(self.db), *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def row(self, sql: str, params: list[Any]) -> dict[str, Any]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            found = conn.execute(sql, params).fetchone()
        finally:
            conn.close()
        assert found is not None, (sql, params)
        return dict(found)


def expect(cli: Cli, args: list[str], problem: str | None, field: str) -> tuple[int, str]:
    """Run a command; refused with one line naming `field` if `problem`, else it succeeds."""
    code, out, err = cli(*args)
    assert "Traceback" not in err
    assert no_terminal_controls(out) and no_terminal_controls(err), (out, err)
    if problem is not None:
        assert code == 2, (args[:3], out, err)
        assert err.startswith(f"error: {field}: ") and err.count("\n") == 1, err
        assert problem in err, err
    else:
        # A success may warn, in one line (sprints whose dates overlap, say).
        warned = err.startswith("warning: ") and err.count("\n") == 1
        assert code == 0 and (err == "" or warned), (args[:3], err)
    return code, out


@pytest.fixture
def cli(store: Any, capsys: pytest.CaptureFixture[str]) -> Cli:
    path = store.path
    store.close()
    runner = Cli(path, capsys)
    code, _, err = runner("sprint", "add", "Now", "--start", "2026-03-02", "--end", "2026-03-15")
    assert code == 0, err
    return runner


@CLI_SETTINGS
@given(text=any_text)
def test_every_cli_text_field_keeps_what_was_typed(cli: Cli, text: str) -> None:
    n = next(cli.counter)

    # card: title (one line, required) and description (free text)
    code, out = expect(
        cli,
        ["card", "add", "--team", "IT", "--description", text, "--json", "--", text],
        title_problem(text, kept=True),
        "title",
    )
    if code == 0:
        key = json.loads(out)["key"]
        row = cli.row("SELECT title, description FROM cards WHERE key = ?", [key])
        assert row == {"title": literal(text), "description": block(text)}
        code, shown, _ = cli("card", "show", key)
        assert code == 0 and no_terminal_controls(shown), shown
        # The CLI shows control and bidi characters as escapes (`\u202e`), never raw.
        assert show_control(without_separators(literal(text)))[:20].strip() in shown

    # feedback: text (free text, required) and customer (one line, at most MAX_LINE)
    problem, field = None, "text"
    if not block(text).strip():
        problem = "must not be empty"
    elif len(line(text)) > MAX_LINE:
        problem, field = "at most", "customer"
    code, out = expect(
        cli, ["feedback", "add", "--customer", text, "--json", "--", text], problem, field
    )
    if code == 0:
        row = cli.row("SELECT text, customer FROM feedback WHERE id = ?", [json.loads(out)["id"]])
        assert row == {"text": block(text), "customer": line(text)}

    # goal: title (required) and sponsor
    code, out = expect(
        cli,
        ["goal", "add", "--sponsor", text, "--json", "--", text],
        title_problem(text, kept=True),
        "title",
    )
    if code == 0:
        row = cli.row("SELECT title, sponsor FROM goals WHERE id = ?", [json.loads(out)["id"]])
        assert row == {"title": literal(text), "sponsor": line(text)}

    # team: name (required); the code is ours, teams need a unique one
    code_name = "H" + "".join(chr(ord("A") + int(d)) for d in str(n))
    code, out = expect(
        cli, ["team", "add", "--json", "--", code_name, text], title_problem(text), "name"
    )
    if code == 0:
        row = cli.row("SELECT name FROM teams WHERE code = ?", [code_name])
        assert row == {"name": line(text)}

    # member: name (required) and role
    code, out = expect(
        cli,
        ["member", "add", "--role", text, "--json", "--", "IT", text],
        title_problem(text),
        "name",
    )
    if code == 0:
        row = cli.row("SELECT name, role FROM members WHERE id = ?", [json.loads(out)["id"]])
        assert row == {"name": line(text), "role": line(text)}

    # sprint: name (required, unique: numbered) and goal (free text)
    name = f"{n} {text}"
    dates = ["--start", "2026-04-01", "--end", "2026-04-14"]
    code, out = expect(
        cli,
        ["sprint", "add", *dates, "--goal", text, "--json", "--", name],
        title_problem(name),
        "name",
    )
    if code == 0:
        row = cli.row("SELECT name, goal FROM sprints WHERE name = ?", [line(name)])
        assert row == {"name": line(name), "goal": block(text)}


def test_bytes_that_are_not_utf8_are_refused_in_one_line(tmp_path: Path) -> None:
    """A terminal can pass any bytes; Python hands the invalid ones over as lone surrogates,
    which SQLite cannot store (this was a traceback)."""
    db = tmp_path / "plan.db"
    assert run_cli(tmp_path, "--db", str(db), "card", "list").code == 0
    done = subprocess.run(
        [*SPRINTBOARD, "--db", str(db), "card", "add", "--team", "IT", "--", b"caf\xe9 \xff"],
        capture_output=True,
        env=child_env(tmp_path),
        timeout=60,
    )
    assert done.returncode == 2, done
    err = done.stderr.decode("utf-8", "replace")
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "not valid UTF-8" in err and "Traceback" not in err


# -- the board's card form -----------------------------------------------------------------


def board_of(app: SprintboardApp) -> BoardScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, BoardScreen))


def screen_text(app: SprintboardApp) -> str:
    """The whole terminal as an exported screenshot holds it."""
    return app.export_screenshot()


async def type_a_card(app: SprintboardApp, pilot: Any, text: str, paste: bool = False) -> str:
    """Enter `text` as the title of a new card (typed, or pasted: the terminal sends a
    bracketed paste); returns the card's key once saved, or 'refused: <the form's error>'."""
    await pilot.press("n")
    assert await wait_until(pilot, lambda: isinstance(app.screen, CardFormScreen))
    form = app.screen
    box = form.query_one("#title", Input)
    if paste:
        box.post_message(events.Paste(text))
        await pilot.pause()
    else:
        box.insert_text_at_cursor(text)
    await pilot.press("ctrl+s")
    assert await wait_until(
        pilot,
        lambda: (
            not isinstance(app.screen, CardFormScreen)
            or bool(str(form.query_one("#form-error", Static).render()))
        ),
    )
    if isinstance(app.screen, CardFormScreen):
        error = str(form.query_one("#form-error", Static).render())
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: not isinstance(app.screen, CardFormScreen))
        return "refused: " + error
    await app.workers.wait_for_complete()
    await pilot.pause()
    key = board_of(app).model.selected
    assert key is not None
    return key


def drawn_title(app: SprintboardApp, key: str) -> str:
    """The line the board draws under the selected card's key line (its title line)."""
    grid = board_of(app).query_one(BoardGrid)
    lines = [grid.render_line(y).text for y in range(grid.size.height)]
    for y, text in enumerate(lines):
        if f"▶{key} " in text:
            return lines[y + 1]
    raise AssertionError(f"{key} is not drawn")


def stored_title(db: Path, key: str) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT title FROM cards WHERE key = ?", [key]).fetchone()[0])
    finally:
        conn.close()


@pytest.mark.long
async def test_hostile_titles_typed_into_the_board(demo_copy: Path) -> None:
    app = make_app(demo_copy, live_refresh=0, settings=Settings())
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        assert await wait_until(pilot, lambda: bool(board_of(app).model.cards))
        await pilot.press("l")  # To do of the active sprint: new cards land there
        loop = asyncio.get_running_loop()

        def on_the_app(coro: Any) -> Any:
            future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, loop)
            return future.result(timeout=60)

        seen: list[str] = []

        async def one(text: str, paste: bool) -> None:
            outcome = await type_a_card(app, pilot, text, paste)
            assert app.is_running
            # A paste brings its first line only (Textual's Input); the title is kept as typed.
            typed = (text.splitlines() or [""])[0] if paste else text
            if title_problem(typed, kept=True) is not None:
                assert outcome.startswith("refused: ⚠ title: "), outcome
                return
            assert not outcome.startswith("refused"), outcome
            assert stored_title(demo_copy, outcome) == literal(typed)
            grid = board_of(app).query_one(BoardGrid)
            # Drawn as the text itself, cropped to the column: no markup applied.
            drawn = fit(printable(literal(typed)), grid.column_width - 1)
            assert drawn in drawn_title(app, outcome)
            assert "\x1b" not in screen_text(app)
            seen.append(outcome)

        @settings(
            max_examples=8,
            deadline=timedelta(seconds=30),
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(text=any_text, paste=st.booleans())
        def typed(text: str, paste: bool) -> None:
            on_the_app(one(text, paste))

        await asyncio.to_thread(typed)
        assert seen, "no example made a card"
        assert app.is_running
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_markup_in_a_title_is_text_and_clicking_it_runs_nothing(demo_copy: Path) -> None:
    app = make_app(demo_copy, live_refresh=0, settings=Settings())
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        assert await wait_until(pilot, lambda: bool(board_of(app).model.cards))
        await pilot.press("l")
        title = "[@click=app.quit]quit[/] [bold]bold[/bold] [link=https://x.y]l[/link]"
        key = await type_a_card(app, pilot, title)
        assert not key.startswith("refused"), key
        assert stored_title(demo_copy, key) == title
        grid = board_of(app).query_one(BoardGrid)
        assert fit(title, grid.column_width - 1) in drawn_title(app, key)
        # The title line is drawn as plain text: no segment carries a link, an action
        # or bold that the title asked for.
        lines = [grid.render_line(y) for y in range(grid.size.height)]
        for strip in lines:
            for segment in strip:
                style = segment.style
                if style is not None and "[@click" in segment.text:
                    assert not style.link and not style.meta.get("@click"), segment
        # Click right on the text: selects the card, runs no action.
        col = board_of(app).model.col
        y = next(
            y for y, s in enumerate(lines) if "[@click" in s.text[col * (grid.column_width + 1) :]
        )
        await pilot.click(BoardGrid, offset=(col * (grid.column_width + 1) + 3, y))
        await pilot.pause()
        assert app.is_running
        await pilot.click(BoardGrid, offset=(col * (grid.column_width + 1) + 3, y), times=2)
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
        detail = screen_text(app)
        assert "\x1b" not in detail
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        assert app.is_running
        # The full title is shown literally in the card's detail.
        board_of(app).model.select(key)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
        await pilot.pause()
        body = str(app.screen.query_one("#detail-body", Static).render())
        assert title in body
        assert "quit" in screen_text(app) and app.is_running
