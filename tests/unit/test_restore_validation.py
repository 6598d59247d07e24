"""`import --from json` checks every value as the records do: bad values are refused in one
line naming the JSON path, and the database is left as it was."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from cli_fixtures import all_rows, run_in_process
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW
from sprintboard.demo import load_demo
from sprintboard.io.dump import export_dump
from sprintboard.store import Store, frozen_clock


def _demo_document() -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory() as folder,
        Store(Path(folder) / "demo.db", clock=frozen_clock(NOW)) as store,
    ):
        load_demo(store)
        document: dict[str, Any] = json.loads(json.dumps(export_dump(store)))
        return document


DOCUMENT = _demo_document()


def refused(document: dict[str, Any], needle: str = "") -> str:
    """Restore `document` into a new database: must fail in one line, nothing written."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "plan.db"
        Store(db).close()
        before = all_rows(db)
        dump = Path(folder) / "dump.json"
        # surrogatepass: a lone surrogate must reach the reader as the JSON escape it was.
        dump.write_text(json.dumps(document), encoding="utf-8")
        code, _out, err = run_in_process("--db", str(db), "import", str(dump), "--from", "json")
        assert code == 2, err
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
        assert needle in err
        assert all_rows(db) == before
        return err


def with_value(table: str, column: str, value: Any, index: int = 0) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    document["tables"][table][index][column] = value
    return document


def test_the_demo_export_restores() -> None:
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "dump.json"
        dump.write_text(json.dumps(DOCUMENT), encoding="utf-8")
        code, out, err = run_in_process(
            "--db", str(Path(folder) / "p.db"), "import", str(dump), "--from", "json"
        )
        assert (code, err) == (0, "")
        assert "cleaned" not in out


@pytest.mark.parametrize(
    ("table", "column", "value", "needle"),
    [
        ("cards", "points", "5", "$.tables.cards[0].points"),
        ("cards", "points", 2**63, "64-bit"),
        ("cards", "points", 10**30, "64-bit"),
        ("cards", "points", 1001, "points"),
        ("cards", "labels", '["promo"', "$.tables.cards[0].labels: not valid JSON"),
        ("cards", "labels", "{}", "expected a JSON list"),
        ("cards", "skus", "[1, 2]", "skus"),
        ("cards", "due", "0999-12-31", "out of range"),
        ("cards", "due", "0", "must be a date"),
        ("cards", "key", "IT-x", "card key"),
        ("feedback", "received_at", "0999-12-31T00:00:00Z", "received_at"),
        ("feedback", "received_at", "yesterday", "received_at"),
        ("feedback", "reports", 0, "reports"),
        ("feedback", "reports", 2_000_000, "reports"),
        ("sprints", "end", "9999-12-31", "sprints[0].end"),
        ("sprints", "start", "0001-01-01", "sprints[0].start"),
        ("teams", "colour", "red;}body{background:url(x)}", "teams[0].colour"),
        ("teams", "capacity", -1, "capacity"),
        ("stock", "on_hand", 2**62, "on_hand"),
        ("goals", "created_at", "9", "created_at"),
    ],
)
def test_bad_values_refused_in_one_line(table: str, column: str, value: Any, needle: str) -> None:
    if not DOCUMENT["tables"].get(table):
        pytest.skip(f"the demo has no {table}")
    refused(with_value(table, column, value), needle)


def test_a_sprint_capacity_override_past_its_range_refused() -> None:
    document = copy.deepcopy(DOCUMENT)
    tables = document["tables"]
    tables["sprint_capacity"] = [
        {
            "uuid": "0190a0a0-0000-7000-8000-000000000001",
            "sprint_id": tables["sprints"][0]["id"],
            "team_id": tables["teams"][0]["id"],
            "capacity": 10**6,
        }
    ]
    refused(document, "$.tables.sprint_capacity[0].capacity")


def test_a_sprint_spanning_centuries_refused() -> None:
    document = with_value("sprints", "start", "1900-01-01")
    document["tables"]["sprints"][0]["end"] = "2200-12-31"
    refused(document, "at most 366")


def test_a_key_counter_below_its_cards_refused() -> None:
    document = copy.deepcopy(DOCUMENT)
    for counter in document["tables"]["key_counters"]:
        counter["last"] = 0
    refused(document, "key_counters")


def test_control_characters_and_surrogates_are_cleaned_and_counted(tmp_path: Path) -> None:
    document = with_value("cards", "title", "Pay\x1b]0;owned\x07 now\ud800")
    document["tables"]["cards"][1]["description"] = "line\n\x1b[2Jtwo"
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(document), encoding="utf-8")
    db = str(tmp_path / "p.db")
    code, out, err = run_in_process("--db", db, "import", str(dump), "--from", "json")
    assert (code, err) == (0, "")
    assert "2 text values cleaned" in out
    key = document["tables"]["cards"][0]["key"]
    shown = json.loads(run_in_process("--db", db, "card", "show", key, "--json")[1])
    assert shown["title"] == "Pay]0;owned now\ufffd"
    listed = run_in_process("--db", db, "card", "list")[1]
    assert "\x1b" not in listed and "\x07" not in listed


# Values no column of its kind accepts.
BAD_BY_KIND: dict[str, list[Any]] = {
    "int": [2**63, -(2**63) - 1, 10**40, "12", 1.5, -1],
    "day": ["0999-12-31", "9999-12-31", "0", 0, "2026-02-30", "12/03/2026", ""],
    "json_list": ["[", "nope", "{}", "[1]", "null"],
    "text": ["", "   "],
}
COLUMNS: list[tuple[str, str, str]] = [
    ("cards", "points", "int"),
    ("cards", "expected_orders", "int"),
    ("teams", "capacity", "int"),
    ("feedback", "reports", "int"),
    ("stock", "on_hand", "int"),
    ("stock", "threshold", "int"),
    ("key_counters", "last", "int"),
    ("sprint_capacity", "capacity", "int"),
    ("cards", "due", "day"),
    ("sprints", "start", "day"),
    ("sprints", "end", "day"),
    ("stock", "restock_date", "day"),
    ("feedback", "received_at", "day"),
    ("cards", "labels", "json_list"),
    ("cards", "skus", "json_list"),
    ("cards", "title", "text"),
    ("teams", "name", "text"),
    ("feedback", "text", "text"),
    ("stock", "sku", "text"),
]


@st.composite
def bad_documents(draw: st.DrawFn) -> dict[str, Any]:
    table, column, kind = draw(
        st.sampled_from([c for c in COLUMNS if DOCUMENT["tables"].get(c[0])])
    )
    index = draw(st.integers(0, len(DOCUMENT["tables"][table]) - 1))
    value = draw(st.sampled_from(BAD_BY_KIND[kind]))
    if kind == "int" and column == "last" and isinstance(value, int) and value >= 0:
        value = -1  # a counter may be any non-negative number above its cards
    return with_value(table, column, value, index)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(bad_documents())
def test_any_bad_value_anywhere_is_refused_and_nothing_written(document: dict[str, Any]) -> None:
    refused(document)


@settings(max_examples=20, derandomize=True, deadline=None)
@given(st.integers(min_value=2**63, max_value=2**70) | st.integers(max_value=-(2**63) - 1))
def test_integers_past_int64_refused_in_any_column(value: int) -> None:
    document = with_value("cards", "id", value)
    refused(document, "64-bit")


# -- what the CLI refuses across rows -------------------------------------------------------


def _with_dependencies(*pairs: tuple[str, str]) -> dict[str, Any]:
    """The demo export plus dependencies between cards named by key (blocker, dependent)."""
    document = copy.deepcopy(DOCUMENT)
    ids = {card["key"]: card["id"] for card in document["tables"]["cards"]}
    rows = document["tables"]["dependencies"]
    template = rows[0]
    for n, (blocker, dependent) in enumerate(pairs, start=1):
        rows.append(
            {
                **template,
                "id": max(r["id"] for r in rows) + 1,
                "uuid": f"01a23583-b5c4-7001-b45b-{n:012d}",
                "blocker_id": ids[blocker],
                "dependent_id": ids[dependent],
            }
        )
    return document


@pytest.mark.parametrize(
    "pairs",
    [
        [("IT-1", "IT-2"), ("IT-2", "IT-1")],
        [("IT-1", "IT-2"), ("IT-2", "IT-3"), ("IT-3", "IT-1")],
    ],
    ids=["two", "three"],
)
def test_dependency_cycles_refused_naming_the_cards(pairs: list[tuple[str, str]]) -> None:
    err = refused(_with_dependencies(*pairs), "$.tables.dependencies[")
    assert "cycle" in err
    assert all(key in err for pair in pairs for key in pair)


def test_a_team_code_the_cli_would_not_write_refused() -> None:
    err = refused(with_value("teams", "code", "zz"), "$.tables.teams[0].code")
    assert "'zz'" in err


def test_a_key_counter_for_no_team_refused() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["tables"]["key_counters"].append({"team_code": "QQ", "last": 3})
    refused(document, "team_code: no such team")


@pytest.mark.parametrize("last", [2**63 - 1, 1_000_000_001])
def test_a_key_counter_past_the_last_card_number_refused(last: int) -> None:
    document = copy.deepcopy(DOCUMENT)
    document["tables"]["key_counters"][0]["last"] = last
    refused(document, "$.tables.key_counters[0].last: must be a whole number 0-1,000,000,000")


@pytest.mark.parametrize("name", ["Current", " BACKLOG ", "backlog"])
def test_a_reserved_sprint_name_is_restored_renamed_with_a_note(name: str, tmp_path: Path) -> None:
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(with_value("sprints", "name", name)), encoding="utf-8")
    db = str(tmp_path / "p.db")
    code, out, err = run_in_process("--db", db, "import", str(dump), "--from", "json")
    assert code == 0, err
    renamed = f"{name.strip()} (imported)"
    assert f"note: sprint {name.strip()!r} ($.tables.sprints[0].name) restored as" in out
    listed = json.loads(run_in_process("--db", db, "sprint", "list", "--json")[1])
    assert renamed in [s["name"] for s in listed]
    assert not any(s["name"].strip().casefold() in ("current", "backlog") for s in listed)


def test_a_renamed_sprint_meeting_another_s_name_refused() -> None:
    document = with_value("sprints", "name", "Current")
    document["tables"]["sprints"][1]["name"] = "Current (imported)"
    refused(document, "$.tables.sprints[1].name: another sprint has this name")


def test_a_team_with_its_numbers_used_up_says_so(tmp_path: Path) -> None:
    document = copy.deepcopy(DOCUMENT)
    for counter in document["tables"]["key_counters"]:
        if counter["team_code"] == "IT":
            counter["last"] = 1_000_000_000
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(document), encoding="utf-8")
    db = str(tmp_path / "p.db")
    assert run_in_process("--db", db, "import", str(dump), "--from", "json")[0] == 0
    code, _out, err = run_in_process("--db", db, "card", "add", "One too many", "--team", "IT")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("error: team: IT has used up its card numbers"), err
    assert "E+" not in err
    assert run_in_process("--db", db, "card", "add", "Elsewhere", "--team", "MKT")[0] == 0
