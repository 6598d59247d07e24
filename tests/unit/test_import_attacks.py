"""Imports used as a hostile or clumsy user would: options that contradict themselves, a
report aimed at the file being read or at a name that cannot be written, odd files.
Each refusal is one line, exit status 2, and leaves the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli
from sprintboard.store import Store

BOARD = "title,team,status\nShip it,IT,Parking lot\nTest it,IT,todo\n"


@pytest.fixture
def board(tmp_path: Path) -> Path:
    path = tmp_path / "board.csv"
    path.write_text(BOARD, encoding="utf-8")
    return path


def _cards(db_path: Path) -> list[str]:
    if not db_path.exists():
        return []
    with Store(db_path) as store:
        return [r["title"] for r in store.rows("SELECT title FROM cards ORDER BY title")]


def _refused(result: object) -> str:
    code, out, err = (getattr(result, n) for n in ("code", "out", "err"))
    assert code == 2, (out, err)
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return str(err)


# -- the report ---------------------------------------------------------------------------


def test_a_report_over_the_imported_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "board.csv"
    source.write_text(BOARD, encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    for target in (source, link):
        err = _refused(cli("import", str(source), "--from", "csv", "--report", str(target)))
        assert "is the file being imported" in err
    assert source.read_text(encoding="utf-8") == BOARD
    assert _cards(tmp_path / "plan.db") == []


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_report_that_cannot_be_written_leaves_the_database_as_it_was(
    cli: Cli, board: Path, db_path: Path, tmp_path: Path, dry_run: bool
) -> None:
    assert cli("card", "list").code == 0  # the database exists, with no cards
    too_long = tmp_path / ("r" * 300 + ".csv")  # over any file system's name limit
    args = ["import", str(board), "--from", "csv", "--report", str(too_long)]
    err = _refused(cli(*args, *(["--dry-run"] if dry_run else [])))
    assert "cannot write" in err
    assert _cards(db_path) == []
    with Store(db_path) as store:
        assert store.scalar("SELECT count(*) FROM meta WHERE key LIKE 'import.mapping %'") == 0


# -- mappings -----------------------------------------------------------------------------


@pytest.mark.parametrize("second", ["Parking lot=todo", "parking  LOT=todo", "PARKING-lot=Todo"])
def test_a_name_mapped_to_two_columns_is_refused(
    cli: Cli, board: Path, db_path: Path, second: str
) -> None:
    args = ["import", str(board), "--from", "csv", "--map-status", "Parking lot=done"]
    err = _refused(cli(*args, "--map-status", second))
    assert "'Parking lot' is mapped to both done and todo" in err
    assert _cards(db_path) == []


def test_a_name_mapped_twice_to_one_column_is_fine(cli: Cli, board: Path, db_path: Path) -> None:
    args = ["import", str(board), "--from", "csv", "--map-status", "Parking lot=done"]
    result = cli(*args, "--map-status", "parking lot=DONE")
    assert result.code == 0, result.err
    assert "'Parking lot' -> done (1)" in result.out


# -- Jira's hierarchy ---------------------------------------------------------------------

JIRA = """Summary,Issue key,Issue id,Issue Type,Status,Parent
Plain,X-5,5,Task,To Do,
Self parent,X-1,1,Sub-task,To Do,X-1
Cycle A,X-2,2,Sub-task,To Do,X-3
Cycle B,X-3,3,Sub-task,Done,X-2
Step of a step,X-9,9,Sub-task,Done,X-10
Step with steps,X-10,10,Sub-task,To Do,X-5
"""


def test_every_jira_issue_arrives_whatever_its_parents(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    """A parent that is the issue itself or a cycle of parents is dropped and named; a
    sub-task with sub-tasks of its own stays a card, so its steps have somewhere to go."""
    source = tmp_path / "jira.csv"
    source.write_text(JIRA, encoding="utf-8")
    result = cli("import", str(source), "--from", "jira", "--team", "IT")
    assert result.code == 0, result.err
    assert "the parent is the issue itself (first: X-1 at line 3)" in result.out
    assert "the parents make a cycle (X-2 > X-3 > X-2)" in result.out
    with Store(db_path) as store:
        cards = {r["external_id"]: r["id"] for r in store.rows("SELECT * FROM cards")}
        items = {
            r["external_id"]: r["card_id"] for r in store.rows("SELECT * FROM checklist_items")
        }
    assert set(cards) == {f"jira:X-{n}" for n in (1, 2, 3, 5, 10)}
    assert items == {"jira:checkitem:X-9": cards["jira:X-10"]}


# -- odd files ----------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["jira", "csv"])
@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_csv_separated_by_semicolons_or_tabs_is_read(
    cli: Cli, tmp_path: Path, db_path: Path, source: str, sep: str
) -> None:
    """As a spreadsheet with a European locale saves it (BOM included)."""
    header = ["Summary", "Issue key", "Status"] if source == "jira" else ["title", "id", "status"]
    rows = [header, ["Café, au lait", "Y-1", "Done"], ["Two", "Y-2", "To Do"]]
    path = tmp_path / "saved.csv"
    path.write_text("\ufeff" + "".join(sep.join(r) + "\r\n" for r in rows), encoding="utf-8")
    result = cli("import", str(path), "--from", source, "--team", "IT")
    assert result.code == 0, result.err
    assert _cards(db_path) == ["Café, au lait", "Two"]
