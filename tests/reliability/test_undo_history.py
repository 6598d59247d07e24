"""Every change is in the activity log; undo walks back through all of them; history tells
a card's life.

The main test makes one change of every kind through the CLI (cards, dependencies,
feedback triage, teams, members, goals, sprints, stock, an import), checking after each
that it is exactly one new transaction in the log and that the tables still equal a replay
of the log. Then `sprintboard undo` is run once per change: after each, every table of the
plan must be exactly as it was before that change, row for row and column for column.
The board's `u` is checked on changes another process of the same person made (a move, a
delete with its dependencies, a triage), and to be personal: it undoes the app person's own
move, refuses when another person changed the card since, and explains when only another
person's changes are left, which `undo --any` undoes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sprintboard.app import make_app
from sprintboard.config import Settings
from sprintboard.screens.board import BoardScreen
from sprintboard.store import Store
from sprintboard.store.activity import undo_message
from sprintboard.store.database import ENTITY_TABLES
from waiting import wait_until

from .invariants import connect, log_mismatches

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(db: Path) -> Snapshot:
    """Every row of every table of the plan, in a stable order."""
    with connect(db) as conn:
        return {
            table: sorted(tuple(r) for r in conn.execute(f"SELECT * FROM [{table}]"))
            for table in ENTITY_TABLES.values()
        }


def transactions(db: Path) -> list[str]:
    with connect(db) as conn:
        return [
            r[0] for r in conn.execute("SELECT txn FROM activity GROUP BY txn ORDER BY MIN(id)")
        ]


def differences(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table in before:
        gone = sorted(set(before[table]) - set(after[table]))
        new = sorted(set(after[table]) - set(before[table]))
        if gone or new:
            out[table] = {"expected": gone[:3], "found": new[:3]}
    return out


@pytest.fixture
def run(cli: Any) -> Callable[..., str]:
    """A CLI command that must succeed; its output."""

    def ok(*args: str) -> str:
        result = cli(*args)
        assert result.code == 0 and result.err == "", (args, result.err)
        return str(result.out)

    ok("demo")
    return ok


def stock_csv(tmp: Path) -> str:
    path = tmp / "stock.csv"
    path.write_text("sku,on_hand,name,threshold\nGF-1001,3,Teak table,10\nNEW-1,50,Lamp,5\n")
    return str(path)


def cards_csv(tmp: Path) -> str:
    path = tmp / "cards.csv"
    path.write_text(
        "id,title,team,status,blockers\n"
        "a,Imported one,IT,todo,\n"
        "b,Imported two,WH,backlog,a\n"
        "c,Imported three,CS,doing,IT-5\n"
    )
    return str(path)


def every_kind_of_change(tmp: Path) -> list[tuple[str, ...]]:
    return [
        ("card", "add", "Undo me", "--team", "IT", "--with", "ECOM", "--sprint", "current",
         "--label", "x", "--points", "3", "--sku", "GF-1001"),
        ("card", "edit", "IT-5", "--title", "Renamed", "--points", "13", "--with", "WH",
         "--label", "a", "--label", "b", "--due", "2030-01-01", "--team", "ECOM"),
        ("card", "move", "IT-5", "review", "--position", "1"),
        ("card", "move", "IT-4", "done"),
        ("card", "move", "ECOM-2", "backlog", "--sprint", "backlog"),
        ("card", "edit", "MKT-3", "--goal", "none", "--sprint", "Sprint 43", "--status", "todo"),
        ("dep", "add", "IT-5", "IT-9"),
        ("dep", "remove", "IT-6", "ECOM-4"),
        ("card", "delete", "MKT-2"),
        ("card", "delete", "IT-6"),  # blocks other cards, and feedback 10 is linked to it
        ("feedback", "add", "Cart is slow on Sundays", "--category", "cart", "--customer", "Ann"),
        ("feedback", "accept", "1", "--team", "IT", "--sprint", "current"),
        ("feedback", "decline", "2", "--reason", "works as intended"),
        ("feedback", "duplicate", "4", "--card", "IT-5"),
        ("feedback", "duplicate", "13", "--of", "1"),
        ("feedback", "snooze", "5", "--until", "2099-01-01"),
        ("feedback", "reopen", "9"),
        ("team", "add", "SEC", "Security", "--capacity", "12", "--format", "remote"),
        ("team", "edit", "CS", "--name", "Customer Care", "--capacity", "30"),
        ("team", "archive", "FIN", "--move-cards-to", "EXEC"),
        ("member", "add", "IT", "Ada Lovelace", "--role", "back-end"),
        ("member", "onboard", "3", "board walkthrough"),
        ("goal", "add", "Faster checkout", "--kpi", "conversion", "--target", "3.5"),
        ("goal", "edit", "1", "--current", "2.5", "--status", "at risk"),
        ("goal", "signoff", "2", "--by", "Chief Executive"),
        ("sprint", "add", "Sprint 60", "--start", "2031-01-05", "--end", "2031-01-18"),
        ("sprint", "edit", "Sprint 43", "--goal", "Ship the new checkout"),
        ("sprint", "capacity", "Sprint 43", "IT", "15"),
        ("sprint", "close", "--carry-over", "next"),
        ("sprint", "start", "Sprint 43"),
        ("stock", "import", stock_csv(tmp)),
        ("import", "--from", "csv", cards_csv(tmp)),
    ]  # fmt: skip


def test_every_change_is_logged_and_undo_walks_back_through_all(
    run: Callable[..., str], cli: Any, db_path: Path, tmp_path: Path
) -> None:
    steps = every_kind_of_change(tmp_path)
    before: list[Snapshot] = []
    for step in steps:
        before.append(snapshot(db_path))
        known = transactions(db_path)
        run(*step)
        new = transactions(db_path)[len(known) :]
        assert len(new) == 1, (step, new)  # one command, one transaction in the log
        assert snapshot(db_path) != before[-1], step  # it changed something...
        with connect(db_path) as conn:
            assert log_mismatches(conn) == [], step  # ...and all of it is in the log

    for step, expected in zip(reversed(steps), reversed(before), strict=True):
        out = run("undo")
        assert out.startswith("undone: "), out
        now = snapshot(db_path)
        assert now == expected, (step, differences(expected, now))
        with connect(db_path) as conn:
            assert log_mismatches(conn) == [], step
    # All the way back to the demo as loaded; loading it is not undoable.
    result = cli("undo")
    assert result.code == 2 and "nothing to undo" in result.err


def test_history_tells_a_cards_whole_life(run: Callable[..., str], cli: Any) -> None:
    key = run("card", "add", "Gift wrapping at checkout", "--team", "ECOM").strip()
    run("card", "edit", key, "--points", "5", "--title", "Gift wrapping option")
    run("card", "move", key, "doing", "--sprint", "current")
    run("dep", "add", "IT-5", key)
    run("card", "edit", key, "--with", "WH")
    run("card", "delete", key)
    run("undo")  # the delete: the card is back with its links
    run("card", "move", key, "done")

    life = json.loads(run("history", key, "--json"))
    summary = [
        (e["action"], e["entity"], e["op"], e["field"])
        for e in life
        if e["field"] not in ("updated_at", "position", "done_at")
    ]
    assert summary == [
        ("card.add", "card", "create", None),
        ("card.edit", "card", "update", "points"),
        ("card.edit", "card", "update", "title"),
        ("card.move", "card", "update", "status"),
        ("card.move", "card", "update", "sprint_id"),
        ("dependency.add", "dependency", "create", None),
        ("card.edit", "card_team", "create", None),
        ("card.edit", "checklist_item", "create", None),  # 'WH: confirm stock'
        ("card.delete", "dependency", "delete", None),
        ("card.delete", "card_team", "delete", None),
        ("card.delete", "checklist_item", "delete", None),
        ("card.delete", "card", "delete", None),
        ("undo", "card", "create", None),
        ("undo", "checklist_item", "create", None),
        ("undo", "card_team", "create", None),
        ("undo", "dependency", "create", None),
        ("card.move", "card", "update", "status"),
    ]
    assert [e["after"] for e in life if e["field"] == "status"] == ["doing", "done"]
    text = run("history", key)
    assert max(len(line) for line in text.splitlines()) <= 80
    text = " ".join(text.split())  # a long change wraps onto lines of its own
    for words in (
        "created card",
        "title: Gift wrapping at checkout -> Gift wrapping option",
        "points: None -> 5",
        "status: backlog -> doing",
        f"IT-5 now blocks {key}",
        "deleted card",
        "status: doing -> done",
    ):
        assert words in text, (words, text)
    assert text.index("deleted card") < text.rindex("created card")  # restored by the undo
    # The other end of the link sees it go with the deleted card, and come back.
    other = [
        (e["action"], e["op"])
        for e in json.loads(run("history", "IT-5", "--json"))
        if e["entity_key"] == f"IT-5>{key}"
    ]
    assert other == [("dependency.add", "create"), ("card.delete", "delete"), ("undo", "create")]


async def test_u_in_the_board_undoes_what_another_process_did(
    run: Callable[..., str], db_path: Path
) -> None:
    """`u` takes back my last change, made from any sprintboard on the file: here, from
    another process of the same person."""
    app = make_app(db_path, live_refresh=0.2, settings=Settings())
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.model.cards
        )
        board = app.screen
        assert isinstance(board, BoardScreen)

        def where(key: str) -> str | None:
            return next((c["status"] for c in board.model.cards if c["key"] == key), None)

        async def until(condition: Callable[[], bool]) -> None:
            for _ in range(200):
                if condition():
                    return
                await pilot.pause(0.05)
            raise AssertionError("the board did not catch up")

        async def undo(expected: str) -> None:
            await pilot.press("u")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert list(app._notifications)[-1].message.startswith(f"undone: {expected}")

        with Store(db_path) as other:
            deps_before = {(d["blocker"], d["dependent"]) for d in other.deps.list(card="IT-6")}
            assert deps_before
            other.cards.move("IT-5", status="done")
            other.cards.delete("IT-6")
            other.feedback.decline(2, "not a bug")
        await until(lambda: where("IT-6") is None and where("IT-5") == "done")

        await undo("decline of FB-2")
        with Store(db_path) as other:
            assert other.feedback.get(2)["state"] == "new"
        await undo("deletion of IT-6 (")
        await until(lambda: where("IT-6") is not None)
        with Store(db_path) as other:
            assert {
                (d["blocker"], d["dependent"]) for d in other.deps.list(card="IT-6")
            } == deps_before
        await undo("move of IT-5")
        await until(lambda: where("IT-5") == "todo")
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_u_in_the_board_undoes_my_change_not_another_persons(
    run: Callable[..., str], db_path: Path
) -> None:
    """The board's `u` is personal: it undoes the app person's own move, refuses in one line
    when someone else changed the card since, and explains (changing nothing) when only
    another person's changes are left, which `sprintboard undo --any` still undoes."""
    other_person = "Sanne de Vries"  # a demo member, writing from another process
    app = make_app(db_path, live_refresh=0.2, settings=Settings())
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.model.cards
        )
        board = app.screen
        assert isinstance(board, BoardScreen)

        def where(key: str) -> str | None:
            return next((c["status"] for c in board.model.cards if c["key"] == key), None)

        async def until(condition: Callable[[], bool]) -> None:
            for _ in range(200):
                if condition():
                    return
                await pilot.pause(0.05)
            raise AssertionError("the board did not catch up")

        async def press(*keys: str) -> str:
            """Press keys; the last notification's text ("" if none)."""
            for key in keys:
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
            shown = list(app._notifications)
            return shown[-1].message if shown else ""

        def stored(key: str) -> str:
            with Store(db_path) as store:
                return str(store.cards.get(key)["status"])

        # My own move, undone by u.
        board.model.select("MKT-3")
        await press("L")
        assert stored("MKT-3") == "review"
        assert await press("u") == "undone: move of MKT-3"
        assert stored("MKT-3") == "doing" and where("MKT-3") == "doing"

        # Only another person's changes are left to undo: u explains, changing nothing.
        with Store(db_path, actor=other_person) as other:
            deps_before = {(d["blocker"], d["dependent"]) for d in other.deps.list(card="IT-6")}
            assert deps_before
            other.cards.delete("IT-6")
            other.feedback.decline(2, "not a bug")
        await until(lambda: where("IT-6") is None)
        assert await press("u") == (
            f"undo: nothing of yours to undo (tester); the last change is {other_person}' "
            "(decline of FB-2): 'sprintboard undo --any' undoes it"
        )
        assert list(app._notifications)[-1].severity == "warning"
        with Store(db_path) as store:
            assert store.feedback.get(2)["state"] == "declined"
            assert "IT-6" not in {c["key"] for c in store.cards.query()}

        # `undo --any` (what the CLI runs, here from another process of the same person)
        # still undoes anyone's last change, newest first. (The CLI's own output cannot be
        # read while the app holds stdout; its message is undo_message, as here.)
        with Store(db_path, actor="tester") as cli_process:
            done = cli_process.activity.undo(any_person=True)
            assert undo_message(done) == f"undone: {other_person}' decline of FB-2"
            done = cli_process.activity.undo(any_person=True)
            assert undo_message(done).startswith(f"undone: {other_person}' deletion of IT-6")
        await until(lambda: where("IT-6") is not None)
        with Store(db_path) as store:
            assert store.feedback.get(2)["state"] == "new"
            assert {
                (d["blocker"], d["dependent"]) for d in store.deps.list(card="IT-6")
            } == deps_before

        # Someone else changes a card since I moved it: u refuses in one line.
        board.model.select("IT-5")
        await press("L")
        assert stored("IT-5") == "doing"
        with Store(db_path, actor=other_person) as other:
            other.cards.move("IT-5", status="done")
        await until(lambda: where("IT-5") == "done")
        refused = await press("u")
        assert refused.startswith(
            f"undo: not undone: IT-5's status was changed since by {other_person}"
        ), refused
        assert refused.endswith("move of IT-5 stays as it is") and "\n" not in refused
        assert list(app._notifications)[-1].severity == "warning"
        assert stored("IT-5") == "done" and where("IT-5") == "done"
        assert not [n for n in app._notifications if n.severity == "error"]
