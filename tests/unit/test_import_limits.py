"""Imports read bounded: a regular file's size is checked before reading, and endless input
(a FIFO that keeps writing) stops at the limit with one line; nothing is stored."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from sprintboard.errors import UserError
from sprintboard.io.items import MAX_IMPORT_BYTES, open_text, read_text

IMPORTS = [
    ("import", "{file}", "--from", "trello"),
    ("import", "{file}", "--from", "json"),
    ("import", "{file}", "--from", "jira"),
    ("import", "{file}", "--from", "github"),
    ("import", "{file}", "--from", "csv"),
    ("feedback", "import", "{file}"),
    ("stock", "import", "{file}"),
]


def _args(template: tuple[str, ...], file: Path) -> list[str]:
    return [a.format(file=file) for a in template]


def test_default_limit_is_200_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPRINTBOARD_MAX_IMPORT_MB", raising=False)
    assert MAX_IMPORT_BYTES == 200 * 1024 * 1024


@pytest.mark.parametrize("template", IMPORTS, ids=lambda t: " ".join(t[:1] + t[2:]))
def test_a_file_over_the_limit_is_refused_before_reading(
    cli: Any, tmp_path: Path, template: tuple[str, ...]
) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: no disk used, no byte read
        handle.truncate(MAX_IMPORT_BYTES + 1)
    result = cli(*_args(template, big))
    assert result.code == 2, result.err
    assert result.err.count("\n") == 1 and "import limit of 200 MB" in result.err
    assert cli("card", "list", "--json").out.strip() == "[]"


def test_the_limit_can_be_lowered(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRINTBOARD_MAX_IMPORT_MB", "1")
    file = tmp_path / "feedback.csv"
    file.write_text("text\n" + "Cart broken\n" * 100_000, encoding="utf-8")
    result = cli("feedback", "import", str(file))
    assert result.code == 2 and "import limit of 1 MB" in result.err
    assert cli("feedback", "list", "--json").out.strip() == "[]"


def test_a_bad_limit_setting_is_one_line(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRINTBOARD_MAX_IMPORT_MB", "lots")
    file = tmp_path / "f.csv"
    file.write_text("text\nx\n", encoding="utf-8")
    result = cli("feedback", "import", str(file))
    assert result.code == 2 and "SPRINTBOARD_MAX_IMPORT_MB" in result.err


def _endless_fifo(tmp_path: Path, chunk: bytes, total: int) -> tuple[Path, threading.Thread]:
    """A FIFO a writer keeps filling (up to `total` bytes, so the test always ends)."""
    fifo = tmp_path / "endless"
    os.mkfifo(fifo)

    def write() -> None:
        try:
            with fifo.open("wb") as handle:
                written = 0
                while written < total:
                    handle.write(chunk)
                    written += len(chunk)
        except BrokenPipeError:
            pass  # the reader stopped at its limit, as it should

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return fifo, thread


def test_endless_input_stops_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPRINTBOARD_MAX_IMPORT_MB", "1")
    fifo, writer = _endless_fifo(tmp_path, b"\0" * 65536, 8 * 1024 * 1024)
    with pytest.raises(UserError, match="import limit of 1 MB"):
        read_text(fifo)
    writer.join(timeout=10)
    assert not writer.is_alive()


def test_endless_csv_stops_at_the_limit(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRINTBOARD_MAX_IMPORT_MB", "1")
    fifo, writer = _endless_fifo(tmp_path, b"text\n" + b"Cart broken\n" * 5000, 8 * 1024 * 1024)
    result = cli("feedback", "import", str(fifo))
    writer.join(timeout=10)
    assert result.code == 2 and "import limit of 1 MB" in result.err
    assert cli("feedback", "list", "--json").out.strip() == "[]"


def test_a_file_under_the_limit_reads_whole(tmp_path: Path) -> None:
    file = tmp_path / "a.txt"
    file.write_bytes(b"\xef\xbb\xbfline one\r\nline two\n")
    assert read_text(file) == "line one\nline two\n"
    with open_text(file, newline="") as handle:
        assert handle.read() == "line one\r\nline two\n"


def test_a_number_too_long_to_read_is_one_line(cli: Any, tmp_path: Path) -> None:
    file = tmp_path / "big.json"
    file.write_text('{"format": "sprintboard", "x": ' + "9" * 5000 + "}", encoding="utf-8")
    for source in ("json", "trello", "github"):
        result = cli("import", str(file), "--from", source)
        assert result.code == 2 and result.err.count("\n") == 1, result.err
        assert "more than 4,300 digits" in result.err
