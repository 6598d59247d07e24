"""The SQLite store: opening and migrating, transactions, keys, dependencies, undo, sprints."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database, Migrations

from conftest import NOW
from sprintboard.errors import NotFound, UserError
from sprintboard.models import Card, Feedback, Goal, Member, Sprint, StockItem, Team
from sprintboard.store import DatabaseError, Store, frozen_clock
from sprintboard.store import migrations as schema_module
from sprintboard.store import opening as database_module
from sprintboard.store.cards import public
from sprintboard.store.database import Tx, known_migrations
from sprintboard.store.migrations import migrations
from sprintboard.vocabulary import FeedbackCategory, TeamFormat

NOW_STAMP = "2026-03-11T10:30:00Z"


def add(store: Store, title: str = "A card", team: str = "IT", **fields: Any) -> str:
    """Add a card and return its key; `sprint_id` and `goal_id` go to the store call."""
    placement = {k: fields.pop(k) for k in ("sprint_id", "goal_id") if k in fields}
    return str(store.cards.add(Card(title=title, team=team, **fields), **placement)["key"])


def activity_count(store: Store) -> int:
    return int(store.scalar("SELECT COUNT(*) FROM activity"))


def new_entries(store: Store, since: int) -> list[dict[str, Any]]:
    return store.rows("SELECT * FROM activity WHERE id > ? ORDER BY id", [since])


def last_id(store: Store) -> int:
    return int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM activity"))


def sprint(store: Store, name: str, start: str, end: str) -> dict[str, Any]:
    return store.sprints.add(Sprint.model_validate({"name": name, "start": start, "end": end}))


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message
    return message


# -- opening and migrating -------------------------------------------------------------------


def test_fresh_database_gets_schema_migrations_and_seed(store: Store, db_path: Path) -> None:
    tables = set(store.db.table_names())
    for table in ("meta", "teams", "members", "goals", "sprints", "cards", "card_teams"):
        assert table in tables
    for table in ("dependencies", "feedback", "stock", "activity", "key_counters"):
        assert table in tables
    assert {"v_cards", "v_dependencies"} <= set(store.db.view_names())
    applied = [r["name"] for r in store.rows("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert applied == known_migrations() and applied[0] == "m001_initial"
    assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(len(applied))
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.teams.codes() == ["MKT", "IT", "CS", "ECOM", "WH", "EXEC", "CNT", "DATA", "FIN"]
    assert store.is_empty()
    assert not list(db_path.parent.glob("*.bak"))


def test_the_static_migration_list_matches_the_registered_migrations() -> None:
    # Opening a file checks it against SCHEMA_MIGRATIONS without importing sqlite-utils; a
    # migration added to store/migrations.py must be added there too.
    assert known_migrations() == schema_module.registered_migrations()


def test_reopening_does_not_migrate_seed_or_back_up_again(store: Store, db_path: Path) -> None:
    add(store, "Keep me")
    store.close()
    with Store(db_path) as again:
        assert again.scalar("SELECT COUNT(*) FROM teams") == 9
        assert again.scalar("SELECT COUNT(*) FROM _sqlite_migrations") == len(known_migrations())
        assert again.cards.get("IT-1")["title"] == "Keep me"
    assert not list(db_path.parent.glob("*.bak"))


def test_database_from_a_newer_sprintboard_is_refused(store: Store, db_path: Path) -> None:
    store.db.table("_sqlite_migrations").insert(
        {"migration_set": "sprintboard", "name": "m999_from_the_future", "applied_at": "x"}
    )
    store.close()
    with pytest.raises(DatabaseError) as caught:
        Store(db_path)
    message = one_line(caught)
    assert "newer" in message and str(db_path) in message
    # Refusing must not touch the file: it still holds the future migration.
    names = [r["name"] for r in Database(db_path)["_sqlite_migrations"].rows]
    assert "m999_from_the_future" in names


def test_older_database_is_backed_up_then_migrated(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulates the next schema change: one more migration than the file has."""
    with Store(db_path, clock=frozen_clock(NOW)) as old:
        add(old, "Made by the old version")
    newer = Migrations("sprintboard")
    for m in migrations._migrations:
        newer(name=m.name)(m.fn)

    @newer()
    def m999_test_column(db: Database) -> None:
        db.execute("ALTER TABLE cards ADD COLUMN test_column TEXT")

    names = [*known_migrations(), "m999_test_column"]
    monkeypatch.setattr(schema_module, "migrations", newer)
    monkeypatch.setattr(database_module, "known_migrations", lambda: names)

    with Store(db_path) as migrated:
        columns = {c.name for c in migrated.db["cards"].columns}
        assert "test_column" in columns
        assert migrated.cards.get("IT-1")["title"] == "Made by the old version"
        applied = [r["name"] for r in migrated.rows("SELECT name FROM _sqlite_migrations")]
        assert applied == names
        assert migrated.scalar("SELECT value FROM meta WHERE key='schema_version'") == str(
            len(names)
        )
    backups = list(db_path.parent.glob(f"{db_path.name}.before-v{len(names)}-*.bak"))
    assert len(backups) == 1
    copy = Database(backups[0])
    assert "test_column" not in {c.name for c in copy["cards"].columns}
    assert [r["title"] for r in copy["cards"].rows] == ["Made by the old version"]
    copy.close()


def test_older_database_with_the_real_migrations_is_backed_up(db_path: Path) -> None:
    known = known_migrations()
    if len(known) < 2:
        pytest.skip("only one migration exists; there is no older real schema to migrate from")
    db = Database(sqlite3.connect(str(db_path), isolation_level=None))
    migrations.apply(db, stop_before=known[1])
    db.close()
    with Store(db_path) as migrated:
        applied = [r["name"] for r in migrated.rows("SELECT name FROM _sqlite_migrations")]
        assert applied == known
    assert list(db_path.parent.glob(f"{db_path.name}.before-v{len(known)}-*.bak"))


def test_non_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200)
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as caught:
        Store(path)
    assert "not a usable SQLite database" in one_line(caught)
    assert path.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.commit()
    other.close()
    with pytest.raises(DatabaseError) as caught:
        Store(path)
    assert "not a sprintboard one" in one_line(caught)
    assert Database(path).table_names() == ["recipes"]


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as caught:
        Store(tmp_path)
    assert "is a directory" in one_line(caught)


def test_missing_parent_directory_is_refused_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "plan.db"
    with pytest.raises(DatabaseError) as caught:
        Store(path)
    assert "does not exist" in one_line(caught)
    assert not path.parent.exists()
    with Store(path, create_parent=True) as made:
        assert made.teams.codes()
    assert path.exists()


def test_database_error_is_a_user_error() -> None:
    assert issubclass(DatabaseError, UserError)


# -- transactions and the activity log -------------------------------------------------------


def test_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    before = activity_count(store)
    with pytest.raises(RuntimeError), store.transaction("card.add") as tx:
        store.cards.insert(tx, Card(title="Half", team="IT", teams=["ECOM"]))
        store.goals.add(Goal(title="Nested joins the outer transaction"))
        raise RuntimeError("power cut")
    assert store.scalar("SELECT COUNT(*) FROM cards") == 0
    assert store.scalar("SELECT COUNT(*) FROM card_teams") == 0
    assert store.scalar("SELECT COUNT(*) FROM goals") == 0
    assert activity_count(store) == before
    assert not store.conn.in_transaction
    # The key counter was rolled back with everything else.
    assert add(store) == "IT-1"


def test_a_failure_halfway_through_a_delete_rolls_all_of_it_back(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = public(demo_store.cards.get("IT-6"))
    deps = demo_store.scalar("SELECT COUNT(*) FROM dependencies")
    before = activity_count(demo_store)
    real_delete = Tx.delete

    def failing_delete(self: Tx, entity: str, row: dict[str, Any], **kw: Any) -> None:
        if entity == "card":
            raise sqlite3.OperationalError("disk I/O error")
        real_delete(self, entity, row, **kw)

    monkeypatch.setattr(Tx, "delete", failing_delete)
    with pytest.raises(sqlite3.OperationalError):
        demo_store.cards.delete("IT-6")
    monkeypatch.undo()
    assert public(demo_store.cards.get("IT-6")) == card
    assert demo_store.scalar("SELECT COUNT(*) FROM dependencies") == deps
    assert demo_store.feedback.get(10)["card"] == "IT-6"
    assert activity_count(demo_store) == before


def test_refused_writes_log_nothing(store: Store) -> None:
    a, b = add(store, "A"), add(store, "B")
    store.deps.add(a, b)
    before = activity_count(store)
    attempts: tuple[Callable[[], object], ...] = (
        lambda: store.deps.add(b, a),
        lambda: store.deps.add(a, a),
        lambda: store.deps.add(a, b),
        lambda: store.cards.edit(a, {"points": -1}),
        lambda: store.cards.edit("IT-99", {"points": 1}),
        lambda: store.teams.add(Team(code="IT", name="Again")),
    )
    for attempt in attempts:
        with pytest.raises(UserError):
            attempt()
    assert activity_count(store) == before


def test_each_write_is_one_transaction_in_the_log(store: Store) -> None:
    goal_id = store.goals.add(Goal(title="Lift conversion"))["id"]
    s1 = sprint(store, "S1", "2026-03-02", "2026-03-15")

    def check(action: str, write: Any, expected: set[tuple[str, str]]) -> None:
        since = last_id(store)
        write()
        entries = new_entries(store, since)
        assert len({e["txn"] for e in entries}) == 1, action
        assert {e["action"] for e in entries} == {action}
        assert {(e["entity"], e["op"]) for e in entries} == expected
        assert all(e["at"] == NOW_STAMP and e["actor"] == "tester" for e in entries)
        assert all(e["device"] == "test-device" and e["entity_uuid"] for e in entries)

    check(
        "card.add",
        lambda: add(store, "Checkout", teams=["ECOM", "CNT"], sprint_id=s1["id"], goal_id=goal_id),
        {("card", "create"), ("card_team", "create")},
    )
    check("card.edit", lambda: store.cards.edit("IT-1", {"points": 5}), {("card", "update")})
    check("card.move", lambda: store.cards.move("IT-1", status="doing"), {("card", "update")})
    add(store, "Other", team="ECOM")
    check("dependency.add", lambda: store.deps.add("ECOM-1", "IT-1"), {("dependency", "create")})
    check(
        "card.delete",
        lambda: store.cards.delete("IT-1"),
        {("card", "delete"), ("card_team", "delete"), ("dependency", "delete")},
    )
    check("sprint.start", lambda: store.sprints.start("S1"), {("sprint", "update")})
    check("goal.signoff", lambda: store.goals.signoff(goal_id, "CEO"), {("goal", "update")})
    check("undo", store.activity.undo, {("goal", "update")})


def test_update_logs_before_and_after_per_field(store: Store) -> None:
    key = add(store, "Old", points=3)
    since = last_id(store)
    store.cards.edit(key, {"title": "New", "points": 3})
    changes = {e["field"]: (e["before"], e["after"]) for e in new_entries(store, since)}
    # updated_at is already NOW (frozen clock), so only the title really changed.
    assert changes == {"title": ('"Old"', '"New"')}


def test_unchanged_edit_writes_nothing(store: Store) -> None:
    key = add(store, "Same", points=3)
    before = activity_count(store)
    store.cards.edit(key, {"title": "Same", "points": 3})
    assert activity_count(store) == before


# -- card keys -------------------------------------------------------------------------------


def test_keys_are_allocated_per_team(store: Store) -> None:
    assert [add(store), add(store), add(store, team="ECOM"), add(store)] == [
        "IT-1",
        "IT-2",
        "ECOM-1",
        "IT-3",
    ]
    assert store.cards.get(" it-2 ")["key"] == "IT-2"


def test_keys_are_never_reused(store: Store) -> None:
    add(store)
    add(store)
    store.cards.delete("IT-2")
    assert add(store) == "IT-3"
    store.activity.undo()  # undo the add of IT-3
    assert add(store) == "IT-4"
    with pytest.raises(NotFound):
        store.cards.get("IT-2")
    with pytest.raises(NotFound):
        store.cards.get("IT-3")


def test_key_stays_when_the_team_changes(store: Store) -> None:
    key = add(store, teams=["ECOM"])
    moved = store.cards.edit(key, {"team": "ECOM"})
    assert (moved["key"], moved["team"]) == ("IT-1", "ECOM")
    assert add(store, team="ECOM") == "ECOM-1"


@pytest.mark.parametrize("key", ["IT", "IT-0", "IT-x", "-1", "IT 1", ""])
def test_malformed_key_refused(store: Store, key: str) -> None:
    with pytest.raises(UserError) as caught:
        store.cards.get(key)
    assert "is not a card key" in one_line(caught)


def test_archived_or_unknown_team_refused_for_a_card(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        add(store, team="NOPE")
    assert "unknown team 'NOPE'" in one_line(caught)
    store.teams.archive("FIN")
    with pytest.raises(UserError, match="archived"):
        add(store, team="FIN")


# -- dependencies ----------------------------------------------------------------------------


def test_cycle_is_refused_and_named(store: Store) -> None:
    a, b, c = add(store, "A"), add(store, "B", team="ECOM"), add(store, "C", team="WH")
    store.deps.add(a, b)
    with pytest.raises(UserError) as caught:
        store.deps.add(b, a)
    assert one_line(caught).endswith("cycle: IT-1 -> ECOM-1 -> IT-1")
    store.deps.add(b, c)
    with pytest.raises(UserError) as caught:
        store.deps.add(c, a)
    assert one_line(caught).endswith("cycle: IT-1 -> ECOM-1 -> WH-1 -> IT-1")
    assert store.scalar("SELECT COUNT(*) FROM dependencies") == 2


def test_dependency_on_itself_and_twice_refused(store: Store) -> None:
    a, b = add(store), add(store)
    with pytest.raises(UserError, match="cannot depend on itself"):
        store.deps.add(a, a)
    store.deps.add(a, b)
    with pytest.raises(UserError, match="already depends on"):
        store.deps.add(a, b)


def test_blocked_and_cross_team(store: Store) -> None:
    api, page, same = add(store, "API"), add(store, "Page", team="ECOM"), add(store, "Same")
    link = store.deps.add(api, page)
    assert (link["cross_team"], link["open"]) == (True, True)
    assert store.deps.add(api, same)["cross_team"] is False
    shown = store.cards.get(page)
    assert (shown["blocked_by"], shown["blockers"], shown["cross_team"]) == ([api], [api], True)
    assert store.cards.get(api)["blocks"] == [page, same]
    store.cards.move(api, status="done")
    shown = store.cards.get(page)
    assert (shown["blocked_by"], shown["blockers"]) == ([], [api])
    assert store.deps.get(api, page)["open"] is False
    store.deps.remove(api, page)
    assert store.cards.get(page)["blockers"] == []
    with pytest.raises(NotFound):
        store.deps.remove(api, page)


# -- undo ------------------------------------------------------------------------------------


def test_nothing_to_undo_on_a_new_database(store: Store) -> None:
    with pytest.raises(UserError, match="nothing to undo"):
        store.activity.undo()


def test_undo_add(store: Store) -> None:
    key = add(store, teams=["ECOM"])
    done = store.activity.undo()
    assert (done["action"], done["key"]) == ("card.add", key)
    with pytest.raises(NotFound):
        store.cards.get(key)
    assert store.scalar("SELECT COUNT(*) FROM card_teams") == 0
    with pytest.raises(UserError, match="nothing to undo"):
        store.activity.undo()


def test_undo_edit_restores_every_field(store: Store) -> None:
    key = add(store, "Before", points=3, labels=["a"])
    original = public(store.cards.get(key))
    store.cards.edit(key, {"title": "After", "points": 8, "labels": ["b"], "teams": ["WH"]})
    store.activity.undo()
    assert public(store.cards.get(key)) == original


def test_undo_move_and_undo_in_order(store: Store) -> None:
    key = add(store)
    store.cards.move(key, status="doing")
    store.cards.move(key, status="review")
    store.activity.undo()
    assert store.cards.get(key)["status"] == "doing"
    store.activity.undo()
    assert store.cards.get(key)["status"] == "backlog"
    store.activity.undo()
    with pytest.raises(NotFound):
        store.cards.get(key)


@pytest.mark.parametrize("key", ["IT-6", "MKT-2"])
def test_undo_delete_restores_card_with_all_its_links(demo_store: Store, key: str) -> None:
    before = public(demo_store.cards.get(key))
    assert before["teams"][1:] and (before["blockers"] or before["blocks"])
    demo_store.cards.delete(key)
    with pytest.raises(NotFound):
        demo_store.cards.get(key)
    done = demo_store.activity.undo()
    assert (done["action"], done["key"]) == ("card.delete", key)
    assert public(demo_store.cards.get(key)) == before
    if before["feedback"]:
        linked = demo_store.feedback.list(card=key)
        assert sum(f["reports"] for f in linked) == before["reports"]


def test_undo_delete_restores_feedback_link(demo_store: Store) -> None:
    assert demo_store.feedback.get(10)["card"] == "IT-6"
    demo_store.cards.delete("IT-6")
    assert demo_store.feedback.get(10)["card"] is None
    demo_store.activity.undo()
    assert demo_store.feedback.get(10)["card"] == "IT-6"


def test_undo_skips_the_demo_load(demo_store: Store) -> None:
    with pytest.raises(UserError, match="nothing to undo"):
        demo_store.activity.undo()


def test_history_of_a_card(store: Store) -> None:
    a, b = add(store, "A"), add(store, "B")
    store.deps.add(a, b)
    store.cards.move(b, status="todo")
    history = store.activity.for_card(b)
    assert [(h["entity"], h["op"]) for h in history][:2] == [
        ("card", "create"),
        ("dependency", "create"),
    ]
    assert ("status", "backlog", "todo") in [(h["field"], h["before"], h["after"]) for h in history]
    assert all(h["entity_key"] != "IT-10" for h in history)


# -- positions -------------------------------------------------------------------------------


def column(store: Store, sprint_id: int | None, status: str = "todo") -> list[str]:
    return [c["key"] for c in store.cards.query(sprint=sprint_id, status=status)]


def test_reorder_within_a_column(store: Store) -> None:
    keys = [add(store, f"C{i}", status="todo") for i in range(4)]
    assert column(store, None) == keys
    store.cards.reorder(keys[3], -100)
    assert column(store, None) == [keys[3], *keys[:3]]
    store.cards.reorder(keys[3], 1)
    assert column(store, None) == [keys[0], keys[3], keys[1], keys[2]]
    store.cards.reorder(keys[0], 100)
    assert column(store, None) == [keys[3], keys[1], keys[2], keys[0]]
    store.activity.undo()
    assert column(store, None) == [keys[0], keys[3], keys[1], keys[2]]


def test_move_to_a_position_in_another_column(store: Store) -> None:
    todo = [add(store, f"T{i}", status="todo") for i in range(3)]
    doing = add(store, "D", status="doing")
    store.cards.move(doing, status="todo", index=1)
    assert column(store, None) == [todo[0], doing, todo[1], todo[2]]
    store.cards.move(todo[2], status="todo", index=0)
    assert column(store, None) == [todo[2], todo[0], doing, todo[1]]
    appended = store.cards.move(todo[2], status="review")
    assert column(store, None, "review") == [todo[2]] and appended["status"] == "review"


def test_positions_renumber_when_floats_run_out(store: Store) -> None:
    first, x, y = (add(store, n, status="todo") for n in ("First", "X", "Y"))
    for i in range(80):
        mover, other = (y, x) if i % 2 == 0 else (x, y)
        store.cards.move(mover, status="todo", index=1)
        assert column(store, None) == [first, mover, other]
    positions = [c["position"] for c in store.cards.query(status="todo")]
    assert positions == sorted(positions) and len(set(positions)) == 3


def test_move_to_another_sprint_goes_to_the_end(store: Store) -> None:
    s1 = sprint(store, "S1", "2026-03-02", "2026-03-15")
    there = add(store, "There", status="todo", sprint_id=s1["id"])
    key = add(store, "Here", status="todo")
    moved = store.cards.move(key, sprint_id=s1["id"])
    assert moved["sprint"] == "S1"
    assert column(store, s1["id"]) == [there, key]


def test_done_at_follows_the_done_column(store: Store) -> None:
    key = add(store)
    assert store.cards.move(key, status="done")["done_at"] == NOW_STAMP
    assert store.cards.move(key, status="review")["done_at"] is None


# -- sprints ---------------------------------------------------------------------------------


@pytest.fixture
def sprints(store: Store) -> dict[str, dict[str, Any]]:
    return {
        "S1": sprint(store, "S1", "2026-03-02", "2026-03-15"),
        "S2": sprint(store, "S2", "2026-03-16", "2026-03-29"),
        "S3": sprint(store, "S3", "2026-03-30", "2026-04-12"),
    }


def test_only_one_active_sprint(store: Store, sprints: dict[str, Any]) -> None:
    add(store, points=5, sprint_id=sprints["S1"]["id"])
    started = store.sprints.start("S1")
    assert (started["state"], started["started_at"], started["committed_points"]) == (
        "active",
        NOW_STAMP,
        5,
    )
    with pytest.raises(UserError) as caught:
        store.sprints.start("S2")
    assert "'S1' is still active" in one_line(caught)
    with pytest.raises(UserError, match="only a planned sprint starts"):
        store.sprints.start("S1")
    assert store.sprints.get("S2")["state"] == "planned"
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("UPDATE sprints SET state = 'active' WHERE name = 'S2'")


def test_resolve_sprint_references(store: Store, sprints: dict[str, Any]) -> None:
    assert store.sprints.resolve("backlog") is None
    with pytest.raises(UserError, match="no active sprint"):
        store.sprints.resolve("current")
    store.sprints.start("S2")
    current, named = store.sprints.resolve("current"), store.sprints.resolve("S3")
    assert current is not None and current["name"] == "S2"
    assert named is not None and named["name"] == "S3"
    with pytest.raises(NotFound) as caught:
        store.sprints.resolve("S9")
    assert "no sprint named 'S9'" in one_line(caught)


def test_close_needs_carry_over_when_cards_are_unfinished(
    store: Store, sprints: dict[str, Any]
) -> None:
    s1 = sprints["S1"]["id"]
    add(store, status="todo", sprint_id=s1)
    store.sprints.start("S1")
    before = activity_count(store)
    with pytest.raises(UserError) as caught:
        store.sprints.close("S1", None)
    assert "1 unfinished cards" in one_line(caught) and "--carry-over" in str(caught.value)
    assert store.sprints.get("S1")["state"] == "active"
    assert activity_count(store) == before


def test_close_carries_unfinished_cards_to_the_backlog(
    store: Store, sprints: dict[str, Any]
) -> None:
    s1 = sprints["S1"]["id"]
    done = add(store, "Done", status="done", points=3, sprint_id=s1)
    doing = add(store, "Doing", status="doing", points=5, sprint_id=s1)
    store.sprints.start("S1")
    closed = store.sprints.close("S1", "backlog")
    assert (closed["state"], closed["closed_at"]) == ("closed", NOW_STAMP)
    assert (closed["committed_points"], closed["completed_points"]) == (8, 3)
    carried = store.cards.get(doing)
    assert (carried["sprint"], carried["status"]) == (None, "backlog")
    assert store.cards.get(done)["sprint"] == "S1"
    assert store.sprints.active() is None


def test_close_carries_unfinished_cards_to_the_next_sprint(
    store: Store, sprints: dict[str, Any]
) -> None:
    s1, s2 = sprints["S1"]["id"], sprints["S2"]["id"]
    waiting = add(store, "Already in S2", status="todo", sprint_id=s2)
    doing = add(store, "Doing", status="doing", sprint_id=s1)
    todo = add(store, "Todo", status="todo", sprint_id=s1)
    store.sprints.start("S1")
    store.sprints.close("S1", "next")
    assert [(c["key"], c["status"]) for c in store.cards.query(sprint=s2)] == [
        (waiting, "todo"),
        (todo, "todo"),
        (doing, "doing"),
    ]
    assert store.sprints.get("S2")["state"] == "planned"


def test_close_to_next_refused_without_a_planned_sprint(store: Store) -> None:
    only = sprint(store, "Only", "2026-03-02", "2026-03-15")
    key = add(store, status="todo", sprint_id=only["id"])
    store.sprints.start("Only")
    with pytest.raises(UserError) as caught:
        store.sprints.close("Only", "next")
    assert "no planned sprint" in one_line(caught)
    assert store.sprints.get("Only")["state"] == "active"
    assert store.cards.get(key)["sprint"] == "Only"


def test_close_with_everything_done_needs_no_carry_over(
    store: Store, sprints: dict[str, Any]
) -> None:
    add(store, status="done", sprint_id=sprints["S1"]["id"])
    store.sprints.start("S1")
    assert store.sprints.close("S1", None)["state"] == "closed"
    with pytest.raises(UserError, match="only the active one closes"):
        store.sprints.close("S1", "backlog")


def test_sprint_edit_and_capacity(store: Store, sprints: dict[str, Any]) -> None:
    with pytest.raises(UserError) as caught:
        store.sprints.edit("S1", {"end": "2026-03-01"})
    assert one_line(caught).startswith("end: ")
    with pytest.raises(UserError, match="already exists"):
        store.sprints.edit("S1", {"name": "S2"})
    assert store.sprints.edit("S1", {"name": "S1b"})["name"] == "S1b"
    store.sprints.set_capacity("S1b", "it", 12)
    assert store.teams.capacity("IT", sprints["S1"]["id"]) == 12
    assert store.teams.capacity("IT", sprints["S2"]["id"]) == 40
    with pytest.raises(UserError, match="capacity"):
        store.sprints.set_capacity("S1b", "IT", -1)


def test_sprint_name_is_unique(store: Store, sprints: dict[str, Any]) -> None:
    with pytest.raises(UserError, match="already exists"):
        sprint(store, "S1", "2026-05-01", "2026-05-02")


# -- teams, members, goals, feedback, stock --------------------------------------------------


def test_team_archive_needs_a_target_for_open_cards(store: Store) -> None:
    open_card = add(store, "Open", team="CS", status="todo")
    done_card = add(store, "Done", team="CS", status="done")
    with pytest.raises(UserError) as caught:
        store.teams.archive("CS")
    assert "1 open cards" in one_line(caught) and "--move-cards-to" in str(caught.value)
    assert store.teams.get("CS")["archived"] is False
    with pytest.raises(UserError, match="another, active team"):
        store.teams.archive("CS", move_cards_to="CS")
    archived = store.teams.archive("CS", move_cards_to="ECOM")
    assert archived["archived"] is True
    assert store.cards.get(open_card)["team"] == "ECOM"
    assert store.cards.get(open_card)["key"] == "CS-1"
    assert store.cards.get(done_card)["team"] == "CS"
    assert store.scalar("SELECT COUNT(*) FROM cards") == 2
    assert "CS" not in store.teams.codes(include_archived=False)
    assert "CS" in store.teams.codes()


def test_team_without_open_cards_archives_without_a_target(store: Store) -> None:
    assert store.teams.archive("FIN")["archived"] is True


def test_team_add_and_edit(store: Store) -> None:
    added = store.teams.add(Team(code="SEC", name="Security", format=TeamFormat.REMOTE, capacity=5))
    assert (added["code"], added["format"], added["capacity"]) == ("SEC", "remote", 5)
    assert store.teams.codes()[-1] == "SEC"
    edited = store.teams.edit("sec", {"name": "Security & Fraud", "colour": "#AA0000"})
    assert (edited["name"], edited["colour"]) == ("Security & Fraud", "#aa0000")
    with pytest.raises(UserError, match="cannot change"):
        store.teams.edit("SEC", {"code": "SECU"})
    with pytest.raises(UserError, match="colour"):
        store.teams.edit("SEC", {"colour": "blue;}"})


def test_member_onboarding(store: Store) -> None:
    member = store.members.add(Member(team="it", name="Ada", role="back-end"))
    assert member["team"] == "IT" and member["onboarded"] == "0/4"
    ticked = store.members.onboard(member["id"], "accounts")
    assert ticked["onboarding"]["accounts"] is True and ticked["onboarded"] == "1/4"
    assert store.members.onboard(member["id"], "accounts", done=False)["onboarded"] == "0/4"
    with pytest.raises(NotFound):
        store.members.onboard(999, "tools")


def test_goal_signoff_and_roll_up(store: Store) -> None:
    goal = store.goals.add(Goal(title="Cut cart abandonment", kpi="abandonment", unit="%"))
    assert goal["signed_off_by"] is None
    add(store, points=3, goal_id=goal["id"], status="done")
    add(store, points=5, goal_id=goal["id"])
    signed = store.goals.signoff(goal["id"], "  Ingrid\x1b[2J Bakker ")
    assert (signed["signed_off_by"], signed["signed_off_at"]) == ("Ingrid[2J Bakker", NOW_STAMP)
    assert (signed["cards"], signed["points"], signed["done_points"]) == (2, 8, 3)
    with pytest.raises(UserError, match="must not be empty"):
        store.goals.signoff(goal["id"], " \x1b ")
    with pytest.raises(NotFound):
        store.goals.get(99)


@pytest.mark.parametrize(
    ("category", "urgent"),
    [("checkout", True), ("cart", True), ("payment", True), ("shipping", False), ("site", False)],
)
def test_feedback_urgent_for_checkout_cart_payment(
    store: Store, category: str, urgent: bool
) -> None:
    item = store.feedback.add(Feedback(text="Something broke", category=FeedbackCategory(category)))
    assert item["urgent"] is urgent
    assert (item["state"], item["received_at"], item["card"]) == ("new", NOW_STAMP, None)


def test_feedback_triage_order(store: Store) -> None:
    store.feedback.add(Feedback(text="slow site", category=FeedbackCategory.SITE, reports=9))
    store.feedback.add(Feedback(text="cart empty", category=FeedbackCategory.CART, reports=1))
    store.feedback.add(Feedback(text="pay twice", category=FeedbackCategory.PAYMENT, reports=4))
    assert [f["text"] for f in store.feedback.list()] == ["pay twice", "cart empty", "slow site"]


def test_stock_upsert(store: Store) -> None:
    items = [
        StockItem(sku="GF-1", name="Table", on_hand=4, threshold=10),
        StockItem(sku="GF-2", name="Chair", on_hand=50, threshold=10),
    ]
    assert store.stock.upsert(items) == (2, 0)
    again = [
        StockItem(
            sku="GF-1", name="Table", on_hand=40, threshold=10, restock_date=date(2026, 4, 1)
        ),
        StockItem(sku="GF-2", name="Chair", on_hand=50, threshold=10),
        StockItem(sku="GF-3", name="Parasol", on_hand=0),
    ]
    assert store.stock.upsert(again) == (1, 1)
    rows = {r["sku"]: r for r in store.stock.list()}
    assert (rows["GF-1"]["on_hand"], rows["GF-1"]["restock_date"], rows["GF-1"]["low"]) == (
        40,
        "2026-04-01",
        False,
    )
    assert store.stock.get("GF-1")["low"] is False
    assert store.scalar("SELECT COUNT(*) FROM stock") == 3


def test_card_query_filters(demo_store: Store) -> None:
    active = demo_store.sprints.active()
    assert active is not None
    in_sprint = demo_store.cards.query(sprint=active["id"])
    assert in_sprint and all(c["sprint"] == active["name"] for c in in_sprint)
    backlog = demo_store.cards.query(sprint=None)
    assert backlog and all(c["sprint"] is None for c in backlog)
    wh = demo_store.cards.query(team="WH")
    assert all("WH" in c["teams"] for c in wh)
    assert any(c["team"] != "WH" for c in wh)  # involving, not only owned by
    assert [c["key"] for c in demo_store.cards.query(text="100%_")] == []
    found = demo_store.cards.query(text="klarna")
    assert [c["key"] for c in found] == ["ECOM-4"]


def test_a_cards_history_reads_indexes_not_the_whole_log(store: Store) -> None:
    # The log only grows (every change of every card): opening a card must not scan it.
    plans: list[str] = []
    store.conn.set_trace_callback(
        lambda sql: (
            plans.extend(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
            if sql.lstrip().startswith("SELECT * FROM activity WHERE id IN")
            else None
        )
    )
    try:
        a = add(store, "Blocker")
        b = add(store, "Waits")
        store.deps.add(a, b)
        history = store.activity.for_card(b)
    finally:
        store.conn.set_trace_callback(None)
    assert {(h["entity"], h["op"]) for h in history} >= {
        ("card", "create"),
        ("dependency", "create"),
    }
    assert plans, "the history query was not seen"
    full_scans = [p for p in plans if p.startswith("SCAN activity") and "INDEX" not in p]
    assert full_scans == []
