"""`sprintboard backup`: a consistent copy with SQLite's backup API, never over a file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import Cli
from sprintboard.store import Store

# A second process adding cards as fast as it can, one transaction each, until killed.
WRITER = """
import sys
from sprintboard.models import Card
from sprintboard.store import Store
store = Store(sys.argv[1])
n = 0
while True:
    store.cards.add(Card(title=f"Card {n}", team="IT", points=n % 8))
    n += 1
    if n == 20:
        print("writing", flush=True)
"""


def _check(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    return conn


def test_backup_equals_the_source(cli: Cli, demo_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    result = cli("backup", str(target))
    assert result.code == 0, result.err
    assert f"to {target}" in result.out
    copy = _check(target)
    source = sqlite3.connect(demo_store.path)
    assert list(copy.iterdump()) == list(source.iterdump())
    # The copy is a sprintboard database like any other.
    with Store(target) as restored:
        assert len(restored.cards.query()) == len(demo_store.cards.query())


def test_never_overwrites_without_force(cli: Cli, demo_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    target.write_text("my notes", encoding="utf-8")
    result = cli("backup", str(target))
    assert result.code == 2
    assert "already exists; use --force" in result.err and result.err.count("\n") == 1
    assert target.read_text(encoding="utf-8") == "my notes"

    assert cli("backup", str(target), "--force").code == 0
    _check(target)
    assert not list(tmp_path.glob(".copy.db.*"))  # no partial file left behind


def test_refusals(cli: Cli, demo_store: Store, tmp_path: Path) -> None:
    assert "is the database itself" in cli("backup", str(demo_store.path), "--force").err
    assert "no such directory" in cli("backup", str(tmp_path / "nope" / "copy.db")).err
    assert "is a directory" in cli("backup", str(tmp_path)).err


def test_no_database_to_back_up(cli: Cli, tmp_path: Path) -> None:
    result = cli("backup", str(tmp_path / "copy.db"))
    assert result.code == 2 and "no database at" in result.err


def test_consistent_while_another_process_writes(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    assert cli("team", "list").code == 0
    env = {**os.environ, "SPRINTBOARD_USER": "writer"}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "writing"
        counts = []
        for n in range(4):
            target = tmp_path / f"copy{n}.db"
            assert cli("backup", str(target)).code == 0
            copy = _check(target)
            cards = copy.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
            created = copy.execute(
                "SELECT COUNT(*) FROM activity WHERE entity = 'card' AND op = 'create'"
            ).fetchone()[0]
            # Each card and its log entry were committed together: a copy holds both or neither.
            assert cards == created
            counts.append(cards)
            time.sleep(0.1)
        assert counts == sorted(counts) and counts[-1] > counts[0]  # the writer kept going
    finally:
        writer.kill()
        writer.wait(timeout=10)
