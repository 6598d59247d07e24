"""Files that are not a healthy sprintboard database: one clear line, never a traceback.

Each bad file is given to the real `sprintboard` script twice, as a user would meet it:
`sprintboard --db FILE card list`, and `sprintboard --db FILE` (the board), which must fail
before the TUI starts. Both print the same single `error:` line and exit non-zero, and the
file is left as it was. `make_app()` raises that line as a UserError. A read-only file is
the exception: it opens, read-only, with READ-ONLY in the board's header, and every write
is refused with one line.

The tests run as root here, and root may write any file whatever its mode; the store
therefore treats a file with no write permission bits (chmod a-w) as read-only for
everyone, root included, so `chmod 0444` is tested for real. A file that is merely not
writable for a non-root user (`os.access` says no) is simulated in-process.
"""

from __future__ import annotations

import os
import random
import sqlite3
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sprintboard.app import make_app
from sprintboard.cli import main
from sprintboard.config import Settings
from sprintboard.errors import UserError
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_form import CardFormScreen
from sprintboard.store import Store
from waiting import wait_until

from .conftest import Ran, copy_db, run_cli
from .invariants import connect, integrity

SIZE = (140, 45)


def random_bytes(tmp: Path, template: Path) -> Path:
    path = tmp / "random.db"
    path.write_bytes(random.Random(8).randbytes(template.stat().st_size))
    return path


def truncated(tmp: Path, template: Path) -> Path:
    path = tmp / "truncated.db"
    data = template.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def text_file(tmp: Path, template: Path) -> Path:
    path = tmp / "notes.db"
    path.write_text("- buy milk\n- plan sprint 43\n" * 200, encoding="utf-8")
    return path


def from_the_future(tmp: Path, template: Path) -> Path:
    path = copy_db(template, tmp / "newer.db")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
            "VALUES ('sprintboard', 'm999_from_a_newer_sprintboard', '2030-01-01')"
        )
    conn.close()
    return path


def foreign(tmp: Path, template: Path) -> Path:
    path = tmp / "shop.db"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
    conn.close()
    return path


def missing_directory(tmp: Path, template: Path) -> Path:
    return tmp / "no such folder" / "plan.db"


def a_directory(tmp: Path, template: Path) -> Path:
    (tmp / "plans").mkdir()
    return tmp / "plans"


# name: (make the file, words the one line must contain)
BAD: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "random bytes": (random_bytes, "not a usable SQLite database"),
    "truncated": (truncated, "not a usable SQLite database"),
    "text file": (text_file, "not a usable SQLite database"),
    "newer sprintboard": (from_the_future, "newer sprintboard"),
    "foreign database": (foreign, "not a sprintboard one"),
    "missing directory": (missing_directory, "does not exist"),
    "a directory": (a_directory, "is a directory"),
}


def snapshot(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def one_error_line(ran: Ran) -> str:
    assert ran.code != 0, ran
    assert "Traceback" not in ran.err, ran.err
    assert ran.err.startswith("error: ") and ran.err.count("\n") == 1, ran.err
    return ran.err.removeprefix("error: ").rstrip("\n")


@pytest.fixture(scope="module")
def bad_runs(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, tuple[Path, bytes | None, Ran]]]:
    """Every bad file through the real script's `card list`, four processes at a time."""
    made: dict[str, tuple[Path, bytes | None]] = {}
    for name, (make, _) in BAD.items():
        tmp = tmp_path_factory.mktemp(name.replace(" ", "-"))
        path = make(tmp, demo_template)
        made[name] = (path, snapshot(path))
    tmp = tmp_path_factory.mktemp("runs")
    with ThreadPoolExecutor(max_workers=4) as pool:
        lists = {
            n: pool.submit(run_cli, tmp, "--db", str(p), "card", "list")
            for n, (p, _) in made.items()
        }
        yield {n: (path, before, lists[n].result()) for n, (path, before) in made.items()}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_file_gives_one_line_everywhere(
    name: str,
    bad_runs: dict[str, tuple[Path, bytes | None, Ran]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, before, listed = bad_runs[name]
    words = BAD[name][1]
    line = one_error_line(listed)
    assert words in line and str(path) in line, line
    # `sprintboard --db FILE` (the board) refuses with the same line before the TUI starts.
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(path)])
    captured = capsys.readouterr()
    assert one_error_line(Ran(int(exited.value.code or 0), captured.out, captured.err)) == line
    assert captured.out == ""
    # The TUI's factory raises it as a UserError.
    with pytest.raises(UserError) as caught:
        make_app(path, settings=Settings())
    assert str(caught.value) == line
    # Refusing changed nothing: the file is as it was, nothing was created.
    assert snapshot(path) == before
    if name == "missing directory":
        assert not path.parent.exists()


def test_a_damaged_page_in_a_real_database_is_one_line(demo_template: Path, tmp_path: Path) -> None:
    """Damage SQLite finds only when it reads the page: still one line, no traceback."""
    path = copy_db(demo_template, tmp_path / "damaged.db")
    with Store(path) as store:
        cards_root = store.scalar("SELECT rootpage FROM sqlite_master WHERE name = 'cards'")
        page_size = store.scalar("PRAGMA page_size")
    data = bytearray(path.read_bytes())
    start = (cards_root - 1) * page_size
    data[start : start + page_size] = random.Random(3).randbytes(page_size)
    path.write_bytes(bytes(data))
    with connect(path) as conn:
        assert integrity(conn) != []  # really damaged
    ran = run_cli(tmp_path, "--db", str(path), "card", "list")
    line = one_error_line(ran)
    assert "malformed" in line or "not a database" in line, line


# -- read-only ----------------------------------------------------------------------------


@pytest.fixture
def read_only_db(demo_copy: Path) -> Iterator[Path]:
    demo_copy.chmod(0o444)
    yield demo_copy
    demo_copy.chmod(0o644)


def test_read_only_file_opens_read_only_in_the_cli(read_only_db: Path, tmp_path: Path) -> None:
    before = read_only_db.read_bytes()
    listed = run_cli(tmp_path, "--db", str(read_only_db), "card", "list", "--json")
    assert listed.code == 0 and listed.err == "", listed
    assert '"key": "IT-5"' in listed.out
    for args in (["card", "move", "IT-5", "done"], ["undo"], ["card", "add", "X", "--team", "IT"]):
        line = one_error_line(run_cli(tmp_path, "--db", str(read_only_db), *args))
        assert line == f"{read_only_db} is read-only: changes cannot be saved", line
    assert read_only_db.read_bytes() == before
    assert stat.S_IMODE(read_only_db.stat().st_mode) == 0o444


async def _board_refuses_writes(db: Path) -> None:
    before = db.read_bytes()
    app = make_app(db, live_refresh=0, settings=Settings())
    assert app.store.read_only
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.model.cards
        )
        board = app.screen
        assert isinstance(board, BoardScreen)
        header = str(board.query_one("#board-header").render())
        assert "READ-ONLY" in header
        shown = {s: [c["key"] for c in cards] for s, cards in board.model.columns.items()}
        await pilot.press("l", "L")  # move a card: shown at once, then refused
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages == [f"not saved: {db} is read-only: changes cannot be saved"], messages
        # The board shows the database as it is: the refused move is taken back.
        assert {s: [c["key"] for c in cards] for s, cards in board.model.columns.items()} == shown
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app._notifications) == 2
        assert "read-only" in list(app._notifications)[-1].message
        # The card form says so in one line too, and stays open.
        await pilot.press("n")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardFormScreen))
        app.screen.query_one("#title").insert_text_at_cursor("Not saved")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CardFormScreen)
        error = str(app.screen.query_one("#form-error").render())
        assert error == f"⚠ {db} is read-only: changes cannot be saved", error
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
    assert db.read_bytes() == before


async def test_read_only_file_opens_read_only_in_the_board(read_only_db: Path) -> None:
    await _board_refuses_writes(read_only_db)


async def test_a_file_this_user_may_not_write_opens_read_only(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a non-root user would find a file owned by someone else (simulated: we are root)."""
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(str(path)) == demo_copy:
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    await _board_refuses_writes(demo_copy)
