"""Re-importing a Trello board after cards were archived there: the cards an earlier import
made are closed here (done, out of a sprint still to run), counted in the summary and the
report; a card archived before the first import is never created; importing the same
file again changes nothing; the dry run says what the real run does."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from sprintboard.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
JA = FIXTURES / "trello_board_ja.json"
OLD_LIST = "旧アイデア"  # the board's archived list
CLOSED = "closed here (done), as the source no longer shows them: "


def _id(n: int) -> str:
    return f"trello:65f1a0e3e4b0a1b2c3d4ec{n:02x}"


def _board() -> dict[str, Any]:
    board: dict[str, Any] = json.loads(JA.read_text(encoding="utf-8"))
    return board


def _after(tmp_path: Path) -> Path:
    """The board exported again after card 3 was archived and card 2 moved to the
    archived list."""
    board = copy.deepcopy(_board())
    by_short = {card["idShort"]: card for card in board["cards"]}
    by_short[3]["closed"] = True
    by_short[2]["idList"] = next(lst["id"] for lst in board["lists"] if lst["name"] == OLD_LIST)
    # A last word written on card 3 before it was archived.
    comment = copy.deepcopy(next(a for a in board["actions"] if a["type"] == "commentCard"))
    comment["id"] = "65f1a100e4b0a1b2c3d4ffff"
    comment["date"] = "2026-03-11T00:00:00.000Z"
    comment["data"]["text"] = "リリース済みのためアーカイブします"
    comment["data"]["card"]["id"] = by_short[3]["id"]
    board["actions"].insert(0, comment)
    path = tmp_path / "board-after.json"
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    return path


def _cards(db_path: Path) -> dict[str, dict[str, Any]]:
    with Store(db_path) as store:
        ids = {
            str(r["key"]): r["external_id"]
            for r in store.rows("SELECT key, external_id FROM cards")
        }
        return {ids[c["key"]]: c for c in store.cards.query()}


def _snapshot(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def _summary(out: str) -> list[str]:
    """The summary of an import's output: what it plans, without the closing lines that
    tell a dry run from a real one."""
    return [
        line
        for line in out.splitlines()
        if not line.startswith(("report:", "dry run:", "imported in one transaction:"))
    ]


@pytest.fixture
def imported(cli: Cli, db_path: Path) -> dict[str, dict[str, Any]]:
    """The board imported once, card 2 planned into a sprint here."""
    first = cli("import", str(JA), "--from", "trello", "--team", "IT")
    assert first.code == 0, first.err
    assert "cards: 9 to create, 0 to update, 0 unchanged, 2 skipped" in first.out
    assert (
        cli("sprint", "add", "Sprint 9", "--start", "2026-03-02", "--end", "2026-03-15").code == 0
    )
    cards = _cards(db_path)
    assert cli("card", "edit", cards[_id(2)]["key"], "--sprint", "Sprint 9").code == 0
    return _cards(db_path)


def test_a_reimport_closes_the_cards_archived_since(
    cli: Cli, db_path: Path, tmp_path: Path, imported: dict[str, dict[str, Any]]
) -> None:
    before = imported
    assert (before[_id(2)]["status"], before[_id(2)]["sprint"]) == ("doing", "Sprint 9")
    assert before[_id(3)]["status"] == "review"
    report = tmp_path / "report.json"
    result = cli(
        "import", str(_after(tmp_path)), "--from", "trello", "--team", "IT", "--report", str(report)
    )
    assert result.code == 0, result.err
    assert "cards: 0 to create, 0 to update, 7 unchanged, 2 skipped" in result.out
    assert f"{CLOSED}archived on Trello (1), in archived list '{OLD_LIST}' (1)" in result.out
    assert result.out.rstrip().endswith("; 2 closed")

    after = _cards(db_path)
    # Closed: done, and out of the sprint that is still to run; the rest as it was.
    assert (after[_id(2)]["status"], after[_id(2)]["sprint"]) == ("done", None)
    assert after[_id(2)]["done_at"] is not None
    assert after[_id(3)]["status"] == "done" and after[_id(3)]["done_at"] is not None
    assert after[_id(2)]["title"] == "決済エラーの調査 ⚠️"  # otherwise untouched
    # The closed card still takes the comment written before it was archived.
    with Store(db_path) as store:
        thread = [(c["author"], c["body"]) for c in store.comments.for_card(after[_id(3)]["key"])]
    assert thread == [("鈴木 一郎", "リリース済みのためアーカイブします")]
    assert "comments: 1 to add, 0 to update, 3 unchanged, 1 skipped" in result.out
    for n in (1, 4, 5, 6, 7, 10, 11):
        assert after[_id(n)] == before[_id(n)]
    # Archived before the first import: still not created.
    assert _id(8) not in after and _id(9) not in after
    assert len(after) == 9

    rows = json.loads(report.read_text(encoding="utf-8"))["items"]
    closed = [
        (r["outcome"], r["source_id"], r["key"], r["reason"])
        for r in rows
        if "closed" in r["outcome"]
    ]
    assert closed == [
        ("closed", _id(3), before[_id(3)]["key"], "archived on Trello"),
        ("closed", _id(2), before[_id(2)]["key"], f"in archived list '{OLD_LIST}'"),
    ]
    skipped = [(r["source_id"], r["reason"]) for r in rows if r["outcome"] == "skipped"]
    assert skipped == [
        (_id(8), "archived on Trello"),
        (_id(9), f"in archived list '{OLD_LIST}'"),
    ]


def test_the_dry_run_says_what_the_real_run_does(
    cli: Cli, db_path: Path, tmp_path: Path, imported: dict[str, dict[str, Any]]
) -> None:
    after = _after(tmp_path)
    untouched = _snapshot(db_path)
    dry_report = tmp_path / "dry.json"
    dry = cli(
        "import",
        str(after),
        "--from",
        "trello",
        "--team",
        "IT",
        "--dry-run",
        "--report",
        str(dry_report),
    )
    assert dry.code == 0, dry.err
    assert _snapshot(db_path) == untouched
    real_report = tmp_path / "real.json"
    real = cli(
        "import", str(after), "--from", "trello", "--team", "IT", "--report", str(real_report)
    )
    assert real.code == 0, real.err
    assert f"{CLOSED}archived on Trello (1)" in dry.out
    assert _summary(dry.out) == _summary(real.out)

    dry_rows = json.loads(dry_report.read_text(encoding="utf-8"))["items"]
    real_rows = json.loads(real_report.read_text(encoding="utf-8"))["items"]
    assert [r["outcome"] for r in dry_rows if "closed" in r["outcome"]] == ["would be closed"] * 2
    assert [{**r, "outcome": r["outcome"].removeprefix("would be ")} for r in dry_rows] == real_rows


def test_importing_the_same_board_again_changes_nothing(
    cli: Cli, db_path: Path, tmp_path: Path, imported: dict[str, dict[str, Any]]
) -> None:
    after = _after(tmp_path)
    assert cli("import", str(after), "--from", "trello", "--team", "IT").code == 0
    settled = _snapshot(db_path)
    for _ in range(2):
        again = cli("import", str(after), "--from", "trello", "--team", "IT")
        assert again.code == 0, again.err
        assert "cards: 0 to create, 0 to update, 9 unchanged, 2 skipped" in again.out
        assert "closed here" not in again.out and "closed" not in again.out.splitlines()[-1]
        assert _snapshot(db_path) == settled  # not one row, not one activity entry more


def test_a_first_import_skips_every_archived_card(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    result = cli("import", str(_after(tmp_path)), "--from", "trello", "--team", "IT")
    assert result.code == 0, result.err
    assert "cards: 7 to create, 0 to update, 0 unchanged, 4 skipped" in result.out
    assert "closed here" not in result.out
    assert "skipped 2: archived on Trello (first: $.cards[7])" in result.out
    assert f"skipped 2: in archived list '{OLD_LIST}' (first: $.cards[1])" in result.out
    assert set(_cards(db_path)) == {_id(n) for n in (1, 4, 5, 6, 7, 10, 11)}


def test_a_card_taken_out_of_the_archive_comes_back_open(
    cli: Cli, db_path: Path, tmp_path: Path, imported: dict[str, dict[str, Any]]
) -> None:
    assert cli("import", str(_after(tmp_path)), "--from", "trello", "--team", "IT").code == 0
    # Restored on Trello: the original export again. The card is open in its list.
    again = cli("import", str(JA), "--from", "trello", "--team", "IT")
    assert again.code == 0, again.err
    assert "0 to create, 2 to update" in again.out
    cards = _cards(db_path)
    assert (cards[_id(2)]["status"], cards[_id(3)]["status"]) == ("doing", "review")
