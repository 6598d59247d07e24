"""The SQLite store: opening and migrating, transactions, keys, dependencies, undo, sprints."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database, Migrations
from store_fixtures import NOW_STAMP, activity_count, add, last_id, new_entries, one_line, sprint

from conftest import NOW
from sprintboard.errors import NotFound, UserError
from sprintboard.models import Card, Goal, Team
from sprintboard.store import DatabaseError, Store, frozen_clock
from sprintboard.store import migrations as schema_module
from sprintboard.store import opening as database_module
from sprintboard.store.board import column_totals
from sprintboard.store.cards import public
from sprintboard.store.database import Tx, known_migrations
from sprintboard.store.migrations import migrations

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


def test_index_only_migrations_leave_the_schema_level_of_logs_and_exports() -> None:
    # A migration that only changes indexes stores nothing new: a laptop one version behind
    # still reads what this one syncs and exports.
    from sprintboard.store.schema import INDEX_ONLY_MIGRATIONS, SCHEMA_LEVEL

    assert set(known_migrations()) >= INDEX_ONLY_MIGRATIONS
    assert len(known_migrations()) - len(INDEX_ONLY_MIGRATIONS) == SCHEMA_LEVEL
    assert "m008_finance" not in INDEX_ONLY_MIGRATIONS  # it adds columns: it counts


def test_the_board_column_totals_read_the_index_alone(store: Store) -> None:
    found = store.rows(
        "EXPLAIN QUERY PLAN SELECT status, COUNT(*), COALESCE(SUM(points), 0) FROM cards"
        " WHERE sprint_id IS 1 GROUP BY status"
    )
    assert any("COVERING INDEX cards_board" in row["detail"] for row in found), found


@pytest.mark.parametrize("old_index", [True, False])
def test_a_database_from_before_the_board_totals_index_gets_it(
    db_path: Path, old_index: bool
) -> None:
    """A file of the schema before m009 (its board index without points, or none left)
    opens upgraded: the new index, the cards and their totals as they were, no damage."""
    with Store(db_path) as made:
        add(made, "Made before")
        add(made, "Pointed", points=5)
    conn = sqlite3.connect(db_path, isolation_level=None)  # back to the schema before
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm009_board_totals'")
    conn.execute("DROP INDEX cards_board")
    if old_index:
        conn.execute("CREATE INDEX cards_board ON cards(sprint_id, status, position)")
    conn.close()
    with Store(db_path) as migrated:
        assert migrated.scalar("PRAGMA integrity_check") == "ok"
        sql = migrated.scalar("SELECT sql FROM sqlite_master WHERE name = 'cards_board'")
        assert sql == "CREATE INDEX cards_board ON cards(sprint_id, status, position, points)"
        applied = [r["name"] for r in migrated.rows("SELECT name FROM _sqlite_migrations")]
        assert applied == known_migrations()
        assert column_totals(migrated, None)["backlog"] == (2, 5)


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
        # The contributing teams, each with its part on the card's checklist.
        {("card", "create"), ("card_team", "create"), ("checklist_item", "create")},
    )
    check("card.edit", lambda: store.cards.edit("IT-1", {"points": 5}), {("card", "update")})
    check("card.move", lambda: store.cards.move("IT-1", status="doing"), {("card", "update")})
    add(store, "Other", team="ECOM")
    check("dependency.add", lambda: store.deps.add("ECOM-1", "IT-1"), {("dependency", "create")})
    check(
        "card.delete",
        lambda: store.cards.delete("IT-1"),
        {
            ("card", "delete"),
            ("card_team", "delete"),
            ("checklist_item", "delete"),
            ("dependency", "delete"),
        },
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


def test_placing_a_card_next_to_itself_leaves_it_where_it_is(store: Store) -> None:
    key = add(store, "Alone")
    before = activity_count(store)
    assert store.cards.place_next_to(key, key, after=True)["key"] == key
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
