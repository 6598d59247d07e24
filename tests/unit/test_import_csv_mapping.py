"""`import --from csv --map-column HEADER=FIELD`: a CSV with other headers, read as the
documented columns; mappings beat the built-in names and are remembered per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import Cli
from sprintboard.io.cards_csv import IMPORT_COLUMNS
from sprintboard.store import Store

DUTCH = (
    "Onderwerp,Omschrijving,Team,Status,Naam\r\n"
    "Voorraad tellen,Alle schappen,WH,Bezig,Pieter\r\n"
    "Nieuwsbrief maart,,MKT,Te doen,Sanne\r\n"
)


def _file(tmp_path: Path, text: str, name: str = "taken.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _cards(db_path: Path) -> dict[str, dict[str, Any]]:
    with Store(db_path) as store:
        return {c["title"]: c for c in store.cards.query()}


def test_headers_read_as_the_fields_they_are_mapped_to(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    path = _file(tmp_path, DUTCH)
    result = cli(
        "import",
        str(path),
        "--from",
        "csv",
        "--map-column",
        "Onderwerp=title",
        "--map-column",
        "omschrijving=Description",  # headers and fields: case does not matter
        "--map-column",
        "NAAM=assignee",
    )
    assert result.code == 0, result.err
    cards = _cards(db_path)
    assert set(cards) == {"Voorraad tellen", "Nieuwsbrief maart"}
    stock = cards["Voorraad tellen"]
    assert (stock["description"], stock["team"], stock["status"], stock["assignee"]) == (
        "Alle schappen",
        "WH",
        "doing",
        "Pieter",
    )
    mail = cards["Nieuwsbrief maart"]
    assert (mail["description"], mail["team"], mail["status"], mail["assignee"]) == (
        "",
        "MKT",
        "todo",
        "Sanne",
    )
    assert "columns not imported" not in result.out


def test_without_the_mapping_the_file_has_no_title(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", str(_file(tmp_path, DUTCH)), "--from", "csv")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "no 'title' column" in result.err and "--map-column HEADER=title" in result.err


def test_a_field_that_is_no_import_column_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = _file(tmp_path, DUTCH)
    result = cli("import", str(path), "--from", "csv", "--map-column", "Onderwerp=titel")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "--map-column Onderwerp=titel: 'titel' is not a column of the import" in result.err
    assert f"(one of: {', '.join(IMPORT_COLUMNS)})" in result.err


def test_a_mapped_header_the_file_lacks_is_a_note(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, "Title,Team\r\nCount the stock,WH\r\n")
    result = cli("import", str(path), "--from", "csv", "--map-column", "Onderwerp=title")
    assert result.code == 0, result.err
    assert "  note: --map-column Onderwerp=title: the file has no 'Onderwerp'" in result.out
    assert set(_cards(db_path)) == {"Count the stock"}


def test_a_mapping_beats_the_built_in_names(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    # 'Name' and 'Title' would be the title; the mapping says which column is.
    path = _file(tmp_path, "Name,Title,Onderwerp,Team\r\nsanne,Old title,Nieuwsbrief maart,MKT\r\n")
    result = cli(
        "import",
        str(path),
        "--from",
        "csv",
        "--map-column",
        "Onderwerp=title",
        "--map-column",
        "Name=assignee",
    )
    assert result.code == 0, result.err
    card = _cards(db_path)["Nieuwsbrief maart"]
    assert card["assignee"] == "sanne"
    assert "Old title" not in result.out
    assert (
        "  note: column 'Title' not imported: --map-column reads 'Onderwerp' as title"
    ) in result.out.splitlines()


def test_two_columns_mapped_onto_one_field_are_refused(cli: Cli, tmp_path: Path) -> None:
    path = _file(tmp_path, DUTCH)
    result = cli(
        "import",
        str(path),
        "--from",
        "csv",
        "--map-column",
        "Onderwerp=title",
        "--map-column",
        "Omschrijving=title",
    )
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "--map-column reads both 'Onderwerp' and 'Omschrijving' as title" in result.err


def test_the_mapping_is_remembered_for_the_file(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    # 'Title' is a column of the export the file was made from; 'Onderwerp' is the one
    # the team keeps up to date.
    text = "Title,Onderwerp,Team,Status\r\nold,Voorraad tellen,WH,Bezig\r\n"
    path = _file(tmp_path, text)
    first = cli("import", str(path), "--from", "csv", "--map-column", "Onderwerp=title")
    assert first.code == 0, first.err
    path.write_text(text.replace("Bezig", "Klaar"), encoding="utf-8")
    again = cli("import", str(path), "--from", "csv")
    assert again.code == 0, again.err
    assert "mappings remembered for this source: column 'Onderwerp' -> title" in again.out
    assert "  cards: 0 to create, 1 to update, 0 unchanged, 0 skipped" in again.out.splitlines()
    cards = _cards(db_path)
    assert set(cards) == {"Voorraad tellen"}
    assert cards["Voorraad tellen"]["status"] == "done"
