"""Telling the customer: `feedback inform` (store and CLI), the shipped view emptying as
items are marked, the informed view, undo, and `FB-12` as every command's name for an item."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from cli_fixtures import run_in_process
from feedback_fixtures import NOW_STAMP, fb
from test_restore_validation import DOCUMENT, refused

from sprintboard.errors import UserError
from sprintboard.store import Store

pytest_plugins = ["feedback_fixtures"]


def shipped_pair(store: Store) -> tuple[int, int, str]:
    """Two items on one card (accepted and a duplicate), the card done."""
    first, second = fb(store, "Cart empties"), fb(store, "Cart empties again")
    key = store.feedback.accept(first, "IT")["card"]
    store.feedback.duplicate(second, card=key)
    store.cards.move(key, status="done")
    return first, second, key


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [int(r["id"]) for r in rows]


def test_inform_records_who_and_when_and_empties_the_shipped_view(store: Store) -> None:
    first, second, _ = shipped_pair(store)
    assert ids(store.feedback.inbox("shipped")) == [first, second]
    assert store.feedback.counts()["informed"] == 0

    row = store.feedback.inform(f"FB-{first}")
    assert (row["informed_by"], row["informed_at"]) == (store.actor, NOW_STAMP)
    assert ids(store.feedback.inbox("shipped")) == [second]
    assert ids(store.feedback.inbox("informed")) == [first]
    store.feedback.inform(f"fb-{second}")
    assert store.feedback.inbox("shipped") == []
    counts = store.feedback.counts()
    assert (counts["shipped"], counts["informed"], counts["accepted"]) == (0, 2, 0)
    assert store.feedback.count("informed", text=f"FB-{second}") == 1
    assert store.feedback.counts(text="cart")["informed"] == 2
    entry = store.rows(
        "SELECT action, entity_key, field, after FROM activity WHERE field = 'informed_by'"
    )
    assert [(e["action"], e["entity_key"]) for e in entry] == [
        ("feedback.inform", f"FB-{first}"),
        ("feedback.inform", f"FB-{second}"),
    ]


def test_inform_is_undoable(store: Store) -> None:
    first, _, _ = shipped_pair(store)
    store.feedback.inform(first)
    done = store.activity.undo()
    assert done["key"] == f"FB-{first}"
    row = store.feedback.get(first)
    assert (row["informed_by"], row["informed_at"]) == (None, None)
    assert first in ids(store.feedback.inbox("shipped"))


def test_inform_refuses_what_has_not_shipped_or_was_told(store: Store) -> None:
    waiting = fb(store, "New one")
    accepted = fb(store, "Accepted, card open")
    key = store.feedback.accept(accepted, "IT")["card"]
    first, _, _ = shipped_pair(store)
    store.feedback.inform(first)
    before = store.rows("SELECT * FROM feedback ORDER BY id")
    cases = [
        (waiting, f"FB-{waiting} is new; only accepted or duplicate"),
        (accepted, f"FB-{accepted} has not shipped yet (its card {key} is backlog)"),
        (first, f"FB-{first} was already marked informed by {store.actor}"),
        (999, "no feedback FB-999"),
    ]
    for ident, message in cases:
        with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
            store.feedback.inform(ident)
    assert store.rows("SELECT * FROM feedback ORDER BY id") == before


def test_reopen_forgets_that_the_customer_was_told(store: Store) -> None:
    first, _, _ = shipped_pair(store)
    store.feedback.inform(first)
    row = store.feedback.reopen(first)
    assert (row["state"], row["informed_by"], row["informed_at"]) == ("new", None, None)


def test_cli_inform_and_fb_names(cli: Any) -> None:
    assert cli("feedback", "add", "Cart empties", "--category", "cart").out == "FB-1\n"
    assert cli("feedback", "add", "Cart empties too").out == "FB-2\n"
    assert cli("feedback", "accept", "fb-1", "--team", "IT").out == "FB-1 accepted as IT-1\n"
    assert cli("feedback", "duplicate", "2", "--of", "FB-1").out == "FB-2 merged into FB-1\n"
    refused_early = cli("feedback", "inform", "FB-1")
    assert refused_early.code == 2
    assert refused_early.err == (
        "error: feedback: FB-1 has not shipped yet (its card IT-1 is backlog); "
        "mark it informed once the card is done\n"
    )
    cli("card", "move", "IT-1", "done")
    listed = cli("feedback", "list", "--view", "shipped")
    assert "FB-1" in listed.out and "FB-2" in listed.out

    told = cli("--as", "Fatima", "feedback", "inform", "FB-1")
    assert told.code == 0 and told.out.startswith("FB-1: customer marked informed by Fatima at ")
    shown = json.loads(cli("feedback", "show", "1", "--json").out)
    assert (shown["key"], shown["informed_by"]) == ("FB-1", "Fatima")
    assert told.out == f"FB-1: customer marked informed by Fatima at {shown['informed_at']}\n"
    assert "informed by:    Fatima\n" in cli("feedback", "show", "FB-1").out
    informed = json.loads(cli("feedback", "list", "--view", "informed", "--json").out)
    assert [r["key"] for r in informed] == ["FB-1"]
    assert [r["key"] for r in json.loads(cli("feedback", "list", "--json").out)] == [
        "FB-1",
        "FB-2",
    ]
    again = cli("feedback", "inform", "1")
    assert again.code == 2 and "already marked informed by Fatima" in again.err
    assert cli("--as", "Fatima", "undo").out == "undone: marking FB-1 informed\n"
    bad = cli("feedback", "inform", "FB-x")
    assert (bad.code, bad.err) == (
        2,
        "error: feedback: must be a feedback id like FB-12 (got 'FB-x')\n",
    )


def test_a_told_customer_survives_export_and_restore(tmp_path: Path, demo_store: Store) -> None:
    shipped = demo_store.feedback.inbox("shipped", limit=1)
    assert shipped, "the demo has shipped feedback"
    demo_store.feedback.inform(shipped[0]["id"])
    dump = tmp_path / "plan.json"
    code, _, err = run_in_process(
        "--db", str(demo_store.path), "export", "--format", "json", "-o", str(dump)
    )
    assert (code, err) == (0, "")
    copy_db = tmp_path / "copy.db"
    code, _, err = run_in_process("--db", str(copy_db), "import", str(dump), "--from", "json")
    assert (code, err) == (0, "")
    with Store(copy_db) as restored:
        row = restored.feedback.get(shipped[0]["id"])
        assert (row["informed_by"], row["informed_at"]) == (demo_store.actor, NOW_STAMP)
        assert restored.feedback.counts()["informed"] == 1


def informed_document(**columns: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    rows = document["tables"]["feedback"]
    index = next(i for i, r in enumerate(rows) if r["state"] == "accepted")
    rows[index] |= columns
    return document


@pytest.mark.parametrize(
    ("columns", "needle"),
    [
        ({"informed_by": "Fatima", "informed_at": None}, "informed_at: informed_by and"),
        ({"informed_by": None, "informed_at": NOW_STAMP}, "informed_by: informed_by and"),
        ({"informed_by": "Fatima", "informed_at": "yesterday"}, "informed_at"),
        ({"informed_by": "", "informed_at": NOW_STAMP}, "informed_by"),
        ({"informed_by": "x" * 501, "informed_at": NOW_STAMP}, "informed_by"),
        ({"informed_by": 5, "informed_at": NOW_STAMP}, "informed_by"),
    ],
)
def test_restore_checks_who_told_the_customer(columns: dict[str, Any], needle: str) -> None:
    refused(informed_document(**columns), needle)


def test_restore_refuses_an_untriaged_item_marked_informed() -> None:
    document = copy.deepcopy(DOCUMENT)
    rows = document["tables"]["feedback"]
    index = next(i for i, r in enumerate(rows) if r["state"] == "new")
    rows[index] |= {"informed_by": "Fatima", "informed_at": NOW_STAMP}
    refused(document, f"feedback[{index}].informed_by: only accepted or duplicate")


def test_restore_keeps_who_told_the_customer_cleaned(tmp_path: Path) -> None:
    document = informed_document(informed_by="Fat\x1bima", informed_at=NOW_STAMP)
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "dump.json"
        dump.write_text(json.dumps(document), encoding="utf-8")
        db = str(tmp_path / "p.db")
        code, out, err = run_in_process("--db", db, "import", str(dump), "--from", "json")
        assert (code, err) == (0, "")
        assert "1 text value" in out
        informed = json.loads(
            run_in_process("--db", db, "feedback", "list", "--view", "informed", "--json")[1]
        )
        assert [r["informed_by"] for r in informed] == ["Fatima"]


def test_history_and_undo_name_feedback_fb(cli: Any) -> None:
    assert cli("feedback", "add", "Cart empties").out == "FB-1\n"
    assert cli("feedback", "add", "Slow search").out == "FB-2\n"
    assert cli("undo").out == "undone: new feedback FB-2\n"
    assert cli("feedback", "add", "Slow search again").out == "FB-2\n"
    cli("feedback", "accept", "FB-1", "--team", "IT")
    cli("card", "move", "IT-1", "done")
    cli("--as", "Fatima", "feedback", "inform", "fb-1")
    entries = json.loads(cli("history", "FB-1", "--json").out)
    assert [(e["action"], e["entity_key"], e["field"]) for e in entries] == [
        ("feedback.add", "FB-1", None),
        ("feedback.accept", "FB-1", "state"),
        ("feedback.accept", "FB-1", "card_id"),
        ("feedback.accept", "FB-1", "triaged_at"),
        ("feedback.inform", "FB-1", "informed_by"),
        ("feedback.inform", "FB-1", "informed_at"),
    ]
    table = cli("history", "fb-1").out
    assert "created feedback FB-1" in table and "informed_by: None -> Fatima" in table
    assert [e["after"]["text"] for e in json.loads(cli("history", "FB-2", "--json").out)] == [
        "Slow search again"
    ]
    missing = cli("history", "FB-9")
    assert (missing.code, missing.err) == (2, "error: feedback: no feedback FB-9\n")
