"""The columns of a Jira export: the names real exports use (localised, custom fields,
repeated), --map-column over the built-in names, and the columns not imported."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from sprintboard.io.jira import comment_time, jira_day, parse_jira
from sprintboard.io.jira_columns import builtin_field
from sprintboard.store import Store


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Sprint", "sprint"),
        ("Custom field (Sprint)", "sprint"),
        ("Story Points", "points"),
        ("Custom field (Story Points)", "points"),
        ("Custom field (Story point estimate)", "points"),
        ("Story point estimate", "points"),
        ("Résumé", "title"),
        ("Clé de ticket", "key"),
        ("Type de ticket", "type"),
        ("État", "status"),
        ("Statut", "status"),
        ("Priorité", "priority"),
        ("Responsable", "assignee"),
        ("Rapporteur", "reporter"),
        ("Échéance", "due"),
        ("Étiquettes", "labels"),
        ("Commentaire", "comment"),
        ("Champ personnalisé (Sprint)", "sprint"),
        ("Benutzerdefiniertes Feld (Story Points)", "points"),
        ("Campo personalizado (Sprint)", "sprint"),
        ("Zusammenfassung", "title"),
        ("Schlüssel", "key"),
        ("Vorgangstyp", "type"),
        ("Priorität", "priority"),
        ("Bearbeiter", "assignee"),
        ("Fällig", "due"),
        ("  issue   KEY ", "key"),
        ("Custom field (Rank)", None),
        ("Σ Time Spent", None),
    ],
)
def test_header_names(header: str, field: str | None) -> None:
    assert builtin_field(header) == field


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("12/févr./26 10:15 AM", date(2026, 2, 12)),
        ("12.02.26 10:15", date(2026, 2, 12)),
        ("12/Feb/26 10:15 AM", date(2026, 2, 12)),
        ("12/Feb/26", date(2026, 2, 12)),
        ("12.02.2026", date(2026, 2, 12)),
        ("02/Dez/25", date(2025, 12, 2)),
    ],
)
def test_due_dates_in_the_formats_exports_use(text: str, day: date) -> None:
    assert jira_day(text) == day


def test_comment_times_in_french_and_german_forms() -> None:
    assert comment_time("12/févr./26 10:15 AM") == "2026-02-12T10:15:00Z"
    assert comment_time("12.02.26 22:15") == "2026-02-12T22:15:00Z"
    with pytest.raises(ValueError, match="not a date"):
        jira_day("31/Feb/26")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _cards(db_path: Path) -> dict[str, dict[str, Any]]:
    with Store(db_path) as store:
        return {c["title"]: c for c in store.cards.query()}


GERMAN = (
    "Zusammenfassung,Schlüssel,Vorgangstyp,Status,Priorität,Bearbeiter,Fällig,"
    "Benutzerdefiniertes Feld (Sprint),Benutzerdefiniertes Feld (Sprint),"
    "Benutzerdefiniertes Feld (Story Points),Kommentar\n"
    "Retouren zählen,LAGER-1,Aufgabe,In Arbeit,Hoch,Pieter,12.02.26,Sprint 4,Sprint 5,3,"
    "12.02.26 10:15;pieter;Fast fertig\n"
    "Etiketten drucken,LAGER-2,Fehler,Erledigt,Niedrig,,,Sprint 5,,,\n"
)


def test_a_german_export(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    result = cli("import", str(_write(tmp_path, GERMAN)), "--from", "jira", "--team", "WH")
    assert result.code == 0, result.err
    cards = _cards(db_path)
    count = cards["Retouren zählen"]
    assert (count["status"], count["priority"], count["assignee"]) == ("doing", "high", "Pieter")
    assert (count["due"], count["sprint"], count["points"]) == ("2026-02-12", "Sprint 5", 3)
    assert count["labels"] == ["task"]
    labels = cards["Etiketten drucken"]
    assert (labels["status"], labels["priority"], labels["labels"]) == ("done", "low", ["bug"])
    with Store(db_path) as store:
        comment = store.rows("SELECT author, created_at, body FROM comments")
    assert [(c["author"], c["created_at"], c["body"]) for c in comment] == [
        ("pieter", "2026-02-12T10:15:00Z", "Fast fertig")
    ]
    assert "columns not imported" not in result.out
    assert parse_jira(_write(tmp_path, GERMAN)).origin == "LAGER"


def test_the_last_sprint_named_is_the_current_one(tmp_path: Path) -> None:
    text = (
        "Summary,Issue key,Sprint,Custom field (Sprint),Sprint\n"
        "One,A-1,S1,S2,\n"
        "Two,A-2,,S7,S8\n"
        "Three,B-3,,,\n"
    )
    parsed = parse_jira(_write(tmp_path, text))
    assert [i.sprint for i in parsed.items] == ["S2", "S8", None]
    assert parsed.origin == "A,B"


MAPPED = "Summary,Issue key,Story Points,Punkte,Iteration,Rank,Rank\nOne,A-1,1,5,Sprint 9,x,y\n"


def test_map_column_beats_the_built_in_names(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    result = cli(
        "import",
        str(_write(tmp_path, MAPPED)),
        "--from",
        "jira",
        "--team",
        "IT",
        "--map-column",
        "Punkte=Story Points",
        "--map-column",
        "iteration=sprint",
        "--map-column",
        "Estimate=points",
    )
    assert result.code == 0, result.err
    one = _cards(db_path)["One"]
    assert (one["points"], one["sprint"]) == (5, "Sprint 9")
    assert "column 'Story Points' not imported: --map-column reads 'Punkte' as points" in result.out
    assert "--map-column Estimate=points: the file has no 'Estimate'" in result.out
    assert "columns not imported: Rank (2 columns)" in result.out


def test_map_column_to_no_field_is_one_line(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path, MAPPED)
    result = cli("import", str(path), "--from", "jira", "--map-column", "Punkte=Punkte")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "'Punkte' is not a field of the Jira import (one of: key, id, title" in result.err


def test_a_file_without_a_key_column_names_the_mapping(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path, "Summary,Ticket\nOne,A-1\n")
    result = cli("import", str(path), "--from", "jira", "--team", "IT")
    assert result.code == 2 and "--map-column HEADER=key" in result.err
    result = cli(
        "import", str(path), "--from", "jira", "--team", "IT", "--map-column", "Ticket=key"
    )
    assert result.code == 0, result.err
    assert "cards: 1 to create" in result.out


def test_many_columns_not_imported_are_counted(tmp_path: Path) -> None:
    names = [f"Extra {n}" for n in range(15)]
    text = "Summary,Issue key," + ",".join(names) + "\nOne,A-1" + "," * 15 + "\n"
    notes = parse_jira(_write(tmp_path, text)).notes
    assert notes == ["columns not imported: " + ", ".join(names[:12]) + ", … 3 more (15 columns)"]
