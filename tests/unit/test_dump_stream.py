"""The streamed JSON export: the same text as the in-memory dump, restorable, all or nothing."""

from __future__ import annotations

import errno
import io
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sprintboard.cli import main
from sprintboard.io import dump
from sprintboard.io.dump import export_dump, write_dump
from sprintboard.models import Card
from sprintboard.store import Store
from sprintboard.store.schema import SCHEMA_LEVEL

LINKED = ("cards", "card_teams", "dependencies", "feedback")
"""The tables a round trip must carry over: cards, their links, feedback."""


def run(db: Path, *args: str) -> int:
    try:
        main(["--db", str(db), *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def streamed(store: Store) -> str:
    out = io.StringIO()
    write_dump(store, out.write)
    return out.getvalue()


def old_text(store: Store) -> str:
    """What `export --format json` wrote before it streamed."""
    return json.dumps(export_dump(store), ensure_ascii=False, indent=1) + "\n"


def _odd(store: Store) -> None:
    """Text json must escape, non-ASCII, an override row, a deleted card's counter."""
    store.sprints.set_capacity("Sprint 42", "IT", 33)
    card = store.cards.query(team="IT")[0]
    store.cards.edit(
        card["key"], {"title": 'Fix "quotes" \\ back\tslash\n✓ 😀 \u2028 <b>$5</b>\x1b[2J'}
    )
    store.cards.delete(store.cards.query(team="DATA")[-1]["key"])


def _rows(db: Path, table: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT * FROM [{table}] ORDER BY rowid").fetchall()
    finally:
        conn.close()


def test_stream_is_byte_identical_to_the_dict_dump(demo_store: Store) -> None:
    # The demo leaves sprint_capacity empty: an empty table's "[]" is laid out too.
    assert demo_store.scalar("SELECT COUNT(*) FROM sprint_capacity") == 0
    assert streamed(demo_store) == old_text(demo_store)
    _odd(demo_store)
    text = streamed(demo_store)
    assert text == old_text(demo_store)
    assert "😀" in text  # kept as UTF-8, like ensure_ascii=False did
    assert isinstance(json.loads(text)["tables"]["goals"][0]["baseline"], float)


def test_stream_of_a_new_database_is_byte_identical(store: Store) -> None:
    assert streamed(store) == old_text(store)


def test_stream_reads_one_snapshot(demo_store: Store) -> None:
    """A card added while the export is being written is not half in it."""
    before = demo_store.scalar("SELECT COUNT(*) FROM cards")
    writer = Store(demo_store.path)
    chunks: list[str] = []

    def write(text: str) -> None:
        if '"key_counters": [' in text:  # teams were read: the snapshot has begun
            writer.cards.add(Card(title="Sneaked in", team="IT"))
        chunks.append(text)

    try:
        write_dump(demo_store, write)
    finally:
        writer.close()
    assert demo_store.scalar("SELECT COUNT(*) FROM cards") == before + 1
    assert len(json.loads("".join(chunks))["tables"]["cards"]) == before


def test_cli_file_and_stdout_hold_the_same_document(
    demo_store: Store, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    _odd(demo_store)
    out = tmp_path / "plan.json"
    assert run(demo_store.path, "export", "--format", "json", "-o", str(out)) == 0
    said = capsysbinary.readouterr().out.decode("utf-8")
    written = out.read_bytes()
    assert said == f"exported json to {out} ({len(written)} bytes)\n"
    assert run(demo_store.path, "export", "--format", "json") == 0
    piped = capsysbinary.readouterr().out
    # The CLI's clock is the real one: all but exported_at is the old text, byte for byte.
    expected = old_text(demo_store).split("\n")
    for raw in (written, piped):
        lines = raw.decode("utf-8").split("\n")
        assert lines[5].startswith(' "exported_at": "') and expected[5] != lines[5]
        assert lines[:5] + lines[6:] == expected[:5] + expected[6:]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


@pytest.mark.parametrize("via", ["file", "stdout"])
def test_round_trip_restores_cards_links_and_feedback(
    demo_store: Store,
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    via: str,
) -> None:
    _odd(demo_store)
    out = tmp_path / "plan.json"
    if via == "file":
        assert run(demo_store.path, "export", "--format", "json", "-o", str(out)) == 0
    else:
        assert run(demo_store.path, "export", "--format", "json") == 0
        out.write_bytes(capsysbinary.readouterr().out)
    copy = tmp_path / "copy.db"
    assert run(copy, "import", str(out), "--from", "json") == 0, capsysbinary.readouterr().err
    for table in LINKED:
        rows = _rows(demo_store.path, table)
        assert rows, table
        assert _rows(copy, table) == rows, table
    with Store(copy) as restored:
        assert restored.cards.query(team="IT")[0]["title"].startswith('Fix "quotes"')


def test_restore_still_checks_the_schema_of_a_streamed_file(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.json"
    text = streamed(demo_store)
    current = f'\n "schema": {SCHEMA_LEVEL},'
    assert current in text
    out.write_text(text.replace(current, '\n "schema": 999,', 1), encoding="utf-8")
    assert run(tmp_path / "new.db", "import", str(out), "--from", "json") == 2
    assert "$.schema: exported by a newer sprintboard" in capsys.readouterr().err


def _fail_after(rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the export fail as a full disk does, once `rows` rows are on their way out."""
    real = dump._table_rows
    sent = 0

    def failing(store: Store, table: str) -> Iterator[dict[str, Any]]:
        nonlocal sent
        for row in real(store, table):
            sent += 1
            if sent > rows:
                raise OSError(errno.ENOSPC, "No space left on device")
            yield row

    monkeypatch.setattr(dump, "_table_rows", failing)


def test_a_write_failing_midway_leaves_no_file(
    demo_store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fail_after(50, monkeypatch)
    target = tmp_path / "plan.json"
    assert run(demo_store.path, "export", "--format", "json", "-o", str(target)) == 2
    err = capsys.readouterr().err
    assert err == f"error: {target}: cannot write (No space left on device)\n"
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan")] == []
    # An earlier export at the target stays whole.
    target.write_text("earlier export\n", encoding="utf-8")
    assert run(demo_store.path, "export", "--format", "json", "-o", str(target)) == 2
    assert target.read_text(encoding="utf-8") == "earlier export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan")] == []


def test_a_bad_path_is_one_line(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "plan.json"
    assert run(demo_store.path, "export", "--format", "json", "-o", str(target)) == 2
    err = capsys.readouterr().err
    assert err == f"error: {target}: cannot write (no such directory: {target.parent})\n"
    assert not target.parent.exists()


def test_a_full_disk_midway_leaves_no_file(demo_store: Store, tmp_path: Path) -> None:
    """A real short write: the file size limit (as a full disk would) stops the export after
    the first few kilobytes, in a child process so nothing else here is limited."""
    target = tmp_path / "plan.json"
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))\n"
        "from sprintboard.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "--db",
            str(demo_store.path),
            "export",
            "--format",
            "json",
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert len(streamed(demo_store).encode("utf-8")) > 40_000  # the limit is met midway
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"error: {target}: cannot write (File too large)\n"
    assert not target.exists()
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
