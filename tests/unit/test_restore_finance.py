"""`import --from json` checks the money columns, the KPI history and the plan's settings
as it checks every other table: a bad value is refused in one line naming its JSON path,
and nothing is written."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from cli_fixtures import all_rows, run_in_process

from conftest import NOW
from sprintboard.demo import load_demo
from sprintboard.io.dump import export_dump
from sprintboard.store import Store, frozen_clock


def _demo_document() -> dict[str, Any]:
    """The demo (rates, budgets, returns, an invoice, KPI history) in USD, exported."""
    with (
        tempfile.TemporaryDirectory() as folder,
        Store(Path(folder) / "demo.db", clock=frozen_clock(NOW)) as store,
    ):
        load_demo(store)
        store.finance.set_currency("USD")
        store.finance.set_sprint_budget("Sprint 42", 1_500_000)
        document: dict[str, Any] = json.loads(json.dumps(export_dump(store)))
        return document


DOCUMENT = _demo_document()


def _restore(document: dict[str, Any]) -> tuple[int, str, str, Path, Path]:
    folder = Path(tempfile.mkdtemp())
    db = folder / "plan.db"
    Store(db).close()
    dump = folder / "dump.json"
    dump.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run_in_process("--db", str(db), "import", str(dump), "--from", "json")
    return code, out, err, db, folder


def refused(document: dict[str, Any], needle: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "plan.db"
        Store(db).close()
        before = all_rows(db)
        dump = Path(folder) / "dump.json"
        dump.write_text(json.dumps(document), encoding="utf-8")
        code, _out, err = run_in_process("--db", str(db), "import", str(dump), "--from", "json")
        assert code == 2, err
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
        assert needle in err, err
        assert all_rows(db) == before
        return err


def _index(table: str, column: str) -> int:
    """The first row of `table` where `column` holds a value (the demo's money is sparse)."""
    rows = DOCUMENT["tables"][table]
    return next(i for i, row in enumerate(rows) if row.get(column) is not None)


def with_value(table: str, column: str, value: Any, index: int | None = None) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    at = _index(table, column) if index is None else index
    document["tables"][table][at][column] = value
    return document


def test_the_demo_with_its_money_restores_exactly() -> None:
    code, _out, err, db, _folder = _restore(DOCUMENT)
    assert (code, err) == (0, ""), err
    with Store(db) as store:
        assert store.finance.currency() == "USD"
        assert store.teams.get("CNT")["rate_cents"] == 72_000
        assert store.teams.get("CNT")["rate_unit"] == "day"
        assert store.sprints.get("Sprint 42")["budget_cents"] == 1_500_000
        assert len(store.finance.measures()) == len(DOCUMENT["tables"]["measures"])


CENTS = [
    ("teams", "rate_cents"),
    ("cards", "cost_cents"),
    ("goals", "budget_cents"),
    ("goals", "return_cents"),
    ("sprints", "budget_cents"),
]


@pytest.mark.parametrize(("table", "column"), CENTS)
@pytest.mark.parametrize(
    ("value", "says"),
    [
        (-1, "an amount in whole cents"),
        (10**15 + 1, "an amount in whole cents"),
        (12.5, "expected a whole number or null"),
        ("1200", "expected a whole number or null"),
        (True, "expected text, a number or null"),
    ],
)
def test_bad_amounts_refused_naming_the_path(
    table: str, column: str, value: Any, says: str
) -> None:
    index = None
    if table == "sprints":
        index = next(i for i, r in enumerate(DOCUMENT["tables"][table]) if r["name"] == "Sprint 42")
    err = refused(with_value(table, column, value, index), says)
    at = _index(table, column) if index is None else index
    assert f"$.tables.{table}[{at}].{column}: " in err


@pytest.mark.parametrize("unit", ["hour", "Point", "", None, 1])
def test_an_unknown_rate_unit_refused(unit: Any) -> None:
    err = refused(with_value("teams", "rate_unit", unit, 0), "$.tables.teams[0].rate_unit: ")
    assert "'point'" in err or "expected text" in err


def test_a_measure_for_a_goal_not_in_the_file_refused() -> None:
    err = refused(with_value("measures", "goal_id", 999, 0), "$.tables.measures[0].goal_id: ")
    assert "no such id in $.tables.goals" in err


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("day", "2026-13-01", "$.tables.measures[0].day: "),
        ("day", "01/02/2026", "$.tables.measures[0].day: "),
        ("day", 20260101, "$.tables.measures[0].day: "),
        ("value", "2.5", "expected a number or null"),
        ("value", 1e300, "$.tables.measures[0].value: "),
        ("value", None, "$.tables.measures[0].value: "),
        ("recorded_at", "yesterday", "$.tables.measures[0].recorded_at: "),
        ("recorded_at", None, "$.tables.measures[0].recorded_at: "),
    ],
)
def test_bad_measures_refused(column: str, value: Any, says: str) -> None:
    refused(with_value("measures", column, value, 0), says)


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("value", "usd", "three capital letters"),
        ("value", "EURO", "three capital letters"),
        ("value", 978, "$.tables.plan_settings[0].value: "),
        ("name", "language", "not a plan setting"),
    ],
)
def test_bad_plan_settings_refused(column: str, value: Any, says: str) -> None:
    err = refused(with_value("plan_settings", column, value, 0), says)
    assert f"$.tables.plan_settings[0].{column}: " in err
