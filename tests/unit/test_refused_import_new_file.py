"""An import refused into a database that did not exist leaves no file behind: neither a
file refused while reading (size limit, parse error) nor one refused later (bad values,
cards without a team)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FILES: dict[str, tuple[str, str]] = {
    "csv-unclosed-quote": ("csv", 'title,"\n'),
    "csv-no-title": ("csv", "summary_text\n"),
    "csv-no-team": ("csv", "title\nA card\n"),
    "json-not-an-export": ("json", json.dumps({"format": "nope"})),
    "json-cut-off": ("json", "{"),
    "json-bad-value": (
        "json",
        json.dumps(
            {
                "format": "sprintboard",
                "version": 1,
                "schema": 1,
                "tables": {"teams": [{"code": "zz", "name": "Z"}]},
            }
        ),
    ),
    "trello-not-json": ("trello", "nope"),
}


@pytest.mark.parametrize("kind", list(FILES))
def test_a_refused_import_creates_no_database(
    kind: str, cli: Any, db_path: Path, tmp_path: Path
) -> None:
    source, text = FILES[kind]
    file = tmp_path / f"input.{source}"
    file.write_text(text)
    result = cli("import", str(file), "--from", source)
    assert result.code == 2 and result.err.startswith("error: "), result
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(db_path.name)]


@pytest.mark.parametrize("source", ["csv", "json"])
def test_a_file_over_the_size_limit_creates_no_database(
    source: str, cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRINTBOARD_MAX_IMPORT_MB", "1")
    file = tmp_path / f"big.{source}"
    file.write_text("title\n" + "x" * (2 * 1024 * 1024) + "\n")
    result = cli("import", str(file), "--from", source)
    assert result.code == 2 and "import limit" in result.err
    assert not db_path.exists()


def test_feedback_with_no_good_row_creates_no_database(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    file = tmp_path / "feedback.csv"
    file.write_text("text,category\n,shoes\n")
    assert cli("feedback", "import", str(file)).code == 2
    assert not db_path.exists()


def test_a_refused_import_into_an_existing_database_keeps_it(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    assert cli("card", "add", "Kept", "--team", "IT").code == 0
    file = tmp_path / "input.csv"
    file.write_text("title\nA card\n")
    assert cli("import", str(file), "--from", "csv").code == 2
    assert cli("card", "show", "IT-1").code == 0
