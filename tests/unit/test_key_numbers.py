"""A team's card numbers end at MAX_CARD_NUMBER: adding or importing a card past it is
refused in one line, and a counter stored past it (2**63-1, which SQLite would turn into a
float) never yields a key that is no key."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sprintboard.vocabulary import MAX_CARD_NUMBER


def _counter_at(db: Path, last: int) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE key_counters SET last = ? WHERE team_code = 'IT'", [last])


@pytest.mark.parametrize("last", [MAX_CARD_NUMBER, 2**63 - 1])
def test_card_add_past_the_last_number_refused(cli: Any, db_path: Path, last: int) -> None:
    assert cli("card", "add", "First", "--team", "IT").code == 0
    _counter_at(db_path, last)
    result = cli("card", "add", "One too many", "--team", "IT")
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert result.err.startswith("error: team: IT has used up its card numbers")
    assert "E+" not in result.err and "Traceback" not in result.err
    assert cli("card", "add", "Elsewhere", "--team", "MKT").code == 0


@pytest.mark.parametrize("last", [MAX_CARD_NUMBER, 2**63 - 1])
def test_an_import_past_the_last_number_refused(
    cli: Any, db_path: Path, tmp_path: Path, last: int
) -> None:
    assert cli("card", "add", "First", "--team", "IT").code == 0
    _counter_at(db_path, last)
    file = tmp_path / "cards.csv"
    file.write_text("title,team\nNew,IT\n")
    result = cli("import", str(file), "--from", "csv")
    assert result.code == 2 and "IT has used up its card numbers" in result.err, result.err
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 1
