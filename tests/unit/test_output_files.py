"""Where export, report and backup may write: never over the plan, into pipes and devices
directly, write-then-rename for regular files, and the permissions a file gets."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, Result
from sprintboard.io.output import check_target, open_output
from sprintboard.store import Store
from sprintboard.store import backups as backups_module

WRITERS = [
    ("export", "--format", "json"),
    ("export", "--format", "csv"),
    ("export", "--format", "md"),
    ("export", "--format", "ics"),
    ("report",),
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(result: Result) -> bool:
    return result.code == 2 and result.err.startswith("error: ") and result.err.count("\n") == 1


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: "-".join(c))
def test_never_writes_over_the_database(
    cli: Cli, demo_store: Store, command: tuple[str, ...]
) -> None:
    path = demo_store.path
    before = digest(path)
    result = cli(*command, "-o", str(path))
    assert one_error_line(result), result
    assert "is the database itself" in result.err
    assert digest(path) == before
    assert demo_store.scalar("PRAGMA integrity_check") == "ok"


@pytest.mark.parametrize("end", ["-wal", "-shm", "-journal"])
def test_never_writes_over_the_database_companions(cli: Cli, demo_store: Store, end: str) -> None:
    target = Path(f"{demo_store.path}{end}")
    existed = target.exists()
    before = digest(target) if existed else None
    result = cli("export", "--format", "csv", "-o", str(target))
    assert one_error_line(result) and f"the database's {end} file" in result.err
    assert target.exists() == existed and (digest(target) if existed else None) == before


def test_never_writes_over_the_database_through_links(
    cli: Cli,
    demo_store: Store,
    tmp_path: Path,
) -> None:
    before = digest(demo_store.path)
    soft = tmp_path / "plan-link.csv"
    soft.symlink_to(demo_store.path)
    hard = tmp_path / "plan-hard.csv"
    os.link(demo_store.path, hard)
    for target in (soft, hard):
        result = cli("export", "--format", "csv", "-o", str(target))
        assert one_error_line(result) and "is the database itself" in result.err, target
    assert digest(demo_store.path) == before and soft.is_symlink()


def test_never_writes_over_another_sqlite_file(cli: Cli, demo_store: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    assert cli("backup", str(other)).code == 0
    before = digest(other)
    for command in WRITERS:
        result = cli(*command, "-o", str(other))
        assert one_error_line(result) and "is a SQLite database" in result.err, command
    assert digest(other) == before
    # A backup may replace an older backup (that is what --force is for).
    assert cli("backup", str(other), "--force").code == 0


def test_a_fifo_is_written_into_not_replaced(cli: Cli, demo_store: Store, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as reader:
            received.append(reader.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = cli("export", "--format", "csv", "-o", str(fifo))
    reader.join(timeout=10)
    assert result.code == 0, result.err
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not a regular file
    assert received and b"IT-1" in received[0]
    assert not list(tmp_path.glob(".pipe.*"))


def test_a_link_to_a_fifo_is_written_through(cli: Cli, demo_store: Store, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.csv"
    link.symlink_to(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert cli("export", "--format", "md", "-o", str(link)).code == 0
    reader.join(timeout=10)
    assert link.is_symlink() and stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(b"#")


def test_a_special_file_is_opened_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any target that is not a regular file (a device, a FIFO) is opened directly; the
    write-then-rename path is never taken for it. Simulated: no device is written."""
    target = tmp_path / "device"
    target.write_bytes(b"")
    database = tmp_path / "plan.db"
    monkeypatch.setattr("sprintboard.io.output.is_special", lambda path: True)

    def no_partial(path: Path) -> Path:
        raise AssertionError("a special file must not be replaced")

    monkeypatch.setattr("sprintboard.io.output.partial_beside", no_partial)
    with open_output(target, database) as file:
        file.write(b"data")
    assert target.read_bytes() == b"data"


def test_a_symlink_stays_a_symlink(cli: Cli, demo_store: Store, tmp_path: Path) -> None:
    real = tmp_path / "exports" / "cards.csv"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "cards.csv"
    link.symlink_to(real)
    assert cli("export", "--format", "csv", "-o", str(link)).code == 0
    assert link.is_symlink() and b"IT-1" in real.read_bytes()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    from sprintboard.errors import UserError

    with pytest.raises(UserError, match="is a directory"):
        check_target(tmp_path, tmp_path / "plan.db")


def test_new_files_get_the_database_permissions(
    cli: Cli, demo_store: Store, tmp_path: Path
) -> None:
    demo_store.path.chmod(0o600)
    for command, name in (
        (("export", "--format", "json"), "plan.json"),
        (("export", "--format", "csv"), "cards.csv"),
        (("report",), "report.md"),
        (("backup",), "copy.db"),
    ):
        target = tmp_path / name
        args = (*command, "-o", str(target)) if command[0] != "backup" else (*command, str(target))
        assert cli(*args).code == 0, command
        assert stat.S_IMODE(target.stat().st_mode) == 0o600, command


def test_replaced_files_keep_their_mode(cli: Cli, demo_store: Store, tmp_path: Path) -> None:
    demo_store.path.chmod(0o644)
    export = tmp_path / "plan.json"
    export.write_text("old", encoding="utf-8")
    export.chmod(0o600)
    assert cli("export", "--format", "json", "-o", str(export)).code == 0
    assert stat.S_IMODE(export.stat().st_mode) == 0o600 and export.read_text().startswith("{")
    copy = tmp_path / "copy.db"
    assert cli("backup", str(copy)).code == 0
    copy.chmod(0o600)
    assert cli("backup", str(copy), "--force").code == 0
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_a_failed_backup_leaves_nothing(
    cli: Cli,
    demo_store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_connect = sqlite3.connect

    def failing(target: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if "copy.db" in str(target):
            real_connect(target).execute("CREATE TABLE half (x)")  # something written first
            raise sqlite3.OperationalError("disk I/O error")
        # Forwarded as given: the arguments pick one of `connect`'s overloads.
        connection: sqlite3.Connection = real_connect(target, *args, **kwargs)
        return connection

    monkeypatch.setattr(sqlite3, "connect", failing)
    result = cli("backup", str(tmp_path / "copy.db"))
    assert one_error_line(result) and "cannot write the backup" in result.err
    assert not [p for p in tmp_path.iterdir() if "copy.db" in p.name]


def test_a_failed_copy_keeps_the_file_it_would_replace(tmp_path: Path) -> None:
    class Broken:
        def backup(self, dest: sqlite3.Connection) -> None:
            dest.execute("CREATE TABLE half (x)")
            raise sqlite3.OperationalError("database or disk is full")

    target = tmp_path / "old.bak"
    target.write_bytes(b"the older backup")
    with pytest.raises(sqlite3.OperationalError):
        backups_module.copy_database(Broken(), target, database=tmp_path / "plan.db")  # type: ignore[arg-type]
    assert target.read_bytes() == b"the older backup"
    assert [p.name for p in tmp_path.iterdir()] == ["old.bak"]
