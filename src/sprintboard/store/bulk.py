"""Bulk loading: many rows and their activity entries in one transaction (demo, import)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sprintboard.errors import UserError
from sprintboard.store.database import ENTITY_TABLES, Rows, StoreCore, Tx, new_uuid
from sprintboard.vocabulary import MAX_CARD_NUMBER, numbers_used_up

# Records named by the cards they join, as SQL over their own row: keyed as a single write
# keys them (store/links.py, store/cards.py), so a card's history finds bulk-loaded links too.
DERIVED_KEYS = {
    "dependency": "(SELECT k.key FROM cards k WHERE k.id = dependencies.blocker_id) || '>' || "
    "(SELECT k.key FROM cards k WHERE k.id = dependencies.dependent_id)",
    "card_team": "(SELECT k.key FROM cards k WHERE k.id = card_teams.card_id)",
    "comment": "(SELECT k.key FROM cards k WHERE k.id = comments.card_id)",
    "checklist_item": "(SELECT k.key FROM cards k WHERE k.id = checklist_items.card_id)",
    "feedback": "'FB-' || feedback.id",
}


def entity_key_sql(entity: str, key_field: str | None = None) -> str:
    """The SQL naming a record of `entity` in the activity log: its `key_field` column, the
    key derived from the cards it joins (dependencies, contributing teams), else NULL."""
    if key_field:
        return f"[{key_field}]"
    return DERIVED_KEYS.get(entity, "NULL")


def sql_uuid(counter: str | None = None) -> str:
    """An SQL expression for a time-ordered (version 7) UUID, like database.new_uuid().

    The millisecond prefix is fixed when the statement is built (SQLite's 'now' is fixed
    per statement anyway); random() gives each row its own 74 random bits (12, then 14
    with the variant's two, then 48), formatted by one printf(): a quarter of the cost of
    hex(randomblob()) pieces joined, which a 100,000-card load pays for 400,000 rows.

    `counter`, an SQL expression numbering the statement's rows (0 to 2**20 - 1), takes
    the first 20 of those bits (RFC 9562's counter within a millisecond), leaving 54
    random: the rows' uuids then rise in order, so a unique index on them grows at its
    end instead of splitting pages all over.
    """
    h = f"{time.time_ns() // 1_000_000:012x}"
    if counter is None:
        return (
            f"printf('{h[:8]}-{h[8:12]}-7%03x-%04x-%012x', random() & 4095, "
            "32768 | (random() & 16383), random() & 281474976710655)"
        )
    n = f"(({counter}) & 1048575)"
    return (
        f"printf('{h[:8]}-{h[8:12]}-7%03x-%04x-%012x', {n} >> 8, "
        f"32768 | (({n} & 255) << 6) | (random() & 63), random() & 281474976710655)"
    )


def insert_many(
    tx: Tx,
    entity: str,
    rows: list[dict[str, Any]],
    *,
    key_field: str | None = None,
    at_field: str | None = None,
) -> None:
    """Insert rows that all have the same columns (uuid included) and log each creation.

    The activity entries are written by one INSERT ... SELECT with json_object(), so a
    100,000-row load costs SQLite's time, not Python's. `at_field` names a column holding
    when the record was made, so a loaded history reads as it happened.
    """
    if not rows:
        return
    columns = list(rows[0])
    table = ENTITY_TABLES[entity]
    conn = tx.conn
    after_rowid = conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM [{table}]").fetchone()[0]
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.executemany(
        f"INSERT INTO [{table}] ({names}) VALUES ({marks})",
        ([row[c] for c in columns] for row in rows),
    )
    log_created(tx, entity, after_rowid, key_field=key_field, at_field=at_field)


def log_created(
    tx: Tx,
    entity: str,
    after_rowid: int,
    *,
    key_field: str | None = None,
    at_field: str | None = None,
) -> None:
    """Log a 'create' entry, with the whole record, for every row past `after_rowid`.

    Dependencies and contributing teams are named by their cards' keys (entity_key_sql), so
    the cards they join must be in the table already.
    """
    table = ENTITY_TABLES[entity]
    conn = tx.conn
    record = ", ".join(f"'{c}', [{c}]" for c in _table_columns(conn, table))
    at = f"[{at_field}]" if at_field else "NULL"
    key = entity_key_sql(entity, key_field)
    conn.execute(
        f"""INSERT INTO activity(uuid, txn, at, actor, device, action, entity, entity_uuid,
                entity_key, op, after, hlc)
            SELECT {sql_uuid()}, ?, COALESCE({at}, ?), ?, ?, ?, ?, uuid, {key}, 'create',
                json_object({record}), ?
            FROM [{table}] WHERE rowid > ? ORDER BY rowid""",
        [tx.txn, tx.now, tx.core.actor, tx.core.device, tx.action, entity, tx.hlc, after_rowid],
    )


def _table_columns(conn: Any, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]


def log_many(tx: Tx, entries: Iterable[dict[str, Any]]) -> None:
    """Append activity entries (entity, entity_uuid, op, and optional key/field/before/after/at)."""
    core = tx.core
    tx.conn.executemany(
        "INSERT INTO activity(uuid, txn, at, actor, device, action, entity, entity_uuid,"
        " entity_key, op, field, before, after, hlc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            (
                new_uuid(),
                tx.txn,
                e.get("at") or tx.now,
                core.actor,
                core.device,
                tx.action,
                e["entity"],
                e["entity_uuid"],
                e.get("entity_key"),
                e["op"],
                e.get("field"),
                None
                if e.get("before") is None
                else json.dumps(e["before"], ensure_ascii=False, separators=(",", ":")),
                None
                if e.get("after") is None
                else json.dumps(e["after"], ensure_ascii=False, separators=(",", ":")),
                tx.hlc,
            )
            for e in entries
        ),
    )


@contextmanager
def rollback_journal_while_alone(core: StoreCore) -> Iterator[bool]:
    """Run a bulk load with a rollback journal and the file locked to this connection,
    when no other connection has it open; yields whether it could (else nothing changes).

    In WAL mode every page of a load is written twice (into the WAL, then back into the
    file); with a rollback journal only the pages that held data before are copied aside,
    and pages added past the file's end are written once. A load killed at any moment
    leaves a hot journal that the next opening rolls back: the file is as it was. The
    exclusive lock keeps other processes out until the load is over (they wait their busy
    timeout); with another connection open, SQLite refuses to leave WAL mode and the load
    runs in WAL mode as before. The file is back in WAL mode afterwards.
    """
    conn = core.conn
    conn.execute("PRAGMA busy_timeout = 0")  # someone else has it open: don't wait for them
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            alone = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        except sqlite3.OperationalError:
            alone = False
        if alone:
            # FULL: the journal is on disk before the file is written (power loss too).
            conn.execute("PRAGMA synchronous = FULL")
        else:
            conn.execute("PRAGMA locking_mode = NORMAL")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(core.busy_timeout * 1000)}")
    try:
        yield alone
    finally:
        if alone:
            # Shared locking first (a read lets the exclusive lock go), then WAL: entered
            # while exclusive, WAL would keep its index in this process's memory only.
            conn.execute("PRAGMA locking_mode = NORMAL")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")


def bump_key_counters(tx: Tx, keys: Iterable[str]) -> None:
    """Make sure the per-team key counters are past every key just loaded."""
    highest: dict[str, int] = {}
    for key in keys:
        code, _, n = key.rpartition("-")
        highest[code] = max(highest.get(code, 0), int(n))
    tx.conn.executemany(
        """INSERT INTO key_counters(team_code, last) VALUES (?, ?)
           ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)""",
        list(highest.items()),
    )


@contextmanager
def replacing_settings(core: StoreCore) -> Iterator[None]:
    """Run a load that replaces the plan (`plan_replaced`) with what lets SQLite empty the
    old plan's tables whole, restored afterwards whatever happens:

    - foreign keys off, checked once at the end instead (`check_foreign_keys`, inside the
      transaction, before COMMIT): with them on, `DELETE FROM` a table that others refer
      to visits every row to look for rows referring to it; off, it frees the pages whole.
      SQLite only switches them outside a transaction: this runs around the load's.
    - secure_delete FAST: where SQLite is built to zero every freed page (Debian's is),
      emptying a 100,000-card plan would write its 200 MB of zeros, journaled first; FAST
      still clears what it deletes from the pages it writes anyway. The plan is copied
      aside whole before it is replaced, so zeroing the free pages would hide nothing.
    """
    conn = core.conn
    assert not conn.in_transaction, "foreign keys switch only outside a transaction"
    secure = conn.execute("PRAGMA secure_delete").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA secure_delete = FAST")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA secure_delete = {('OFF', 'ON', 'FAST')[int(secure)]}")
        if not conn.in_transaction:
            conn.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(tx: Tx) -> None:
    """Refuse (before COMMIT, so nothing is written) a row that refers to a missing one."""
    found = tx.conn.execute("PRAGMA foreign_key_check").fetchmany(5)
    if found:
        where = "; ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in found)
        raise sqlite3.IntegrityError(f"FOREIGN KEY constraint failed: {where}")


# The plan's tables holding logged records, children first: table -> (entity, key column).
PLAN_TABLES = {
    "measures": ("measure", None),
    "feedback": ("feedback", None),
    "comments": ("comment", None),
    "checklist_items": ("checklist_item", None),
    "dependencies": ("dependency", None),
    "card_teams": ("card_team", None),
    "cards": ("card", "key"),
    "sprint_capacity": ("sprint_capacity", None),
    "sprints": ("sprint", "name"),
    "goals": ("goal", None),
    "members": ("member", None),
    "stock": ("stock", "sku"),
}


@contextmanager
def plan_replaced(tx: Tx) -> Iterator[None]:
    """Delete every record of the plan but the teams (and plan settings), with its history;
    the body loads the plan that replaces it; then every reference is checked.

    The caller has copied the plan aside, history included: the log keeps the entries of
    the records that stay (teams, settings) and drops the others, so it still replays to
    the tables, and a card's or a feedback item's history never mixes the old plan's
    record of that id or key with the new one's. Log ids go on above the old ones: a
    change number seen before the replacement never names a new change. Run within
    `replacing_settings`, each table is emptied whole instead of row by row. The key
    counters stay: a key is never handed out twice.
    """
    conn = tx.conn
    deleted = {entity for entity, _ in PLAN_TABLES.values()}
    staying = " UNION ALL ".join(
        f"SELECT uuid FROM [{table}]"
        for entity, table in ENTITY_TABLES.items()
        if entity not in deleted
    )
    last = conn.execute("SELECT MAX(id) FROM activity").fetchone()[0]
    # What stays, and the newest entry: while the load runs, it holds the place of the
    # highest id (SQLite numbers a row after the highest one there), then it goes.
    conn.execute(
        f"""CREATE TEMP TABLE kept_log AS
            SELECT * FROM activity WHERE entity_uuid IN ({staying})
            UNION SELECT * FROM activity WHERE id = ?""",
        [last],
    )
    held = conn.execute(
        f"""SELECT id FROM temp.kept_log WHERE id = ?
            AND entity_uuid NOT IN ({staying})""",
        [last],
    ).fetchone()
    for table in (*PLAN_TABLES, "activity"):
        conn.execute(f"DELETE FROM [{table}]")
    conn.execute("INSERT INTO activity SELECT * FROM temp.kept_log ORDER BY id")
    conn.execute("DROP TABLE temp.kept_log")
    yield
    if held is not None:
        conn.execute("DELETE FROM activity WHERE id = ?", [held[0]])
    check_foreign_keys(tx)


# -- import and whole-database export (io/) ---------------------------------------------------

# Not part of a plan's data: the log, bookkeeping and the migrations' own record.
NOT_DATA_TABLES = frozenset(
    {
        "activity",
        "meta",
        "_sqlite_migrations",
        # what sync derives from the merged log, and its bookkeeping
        "card_aliases",
        "sync_conflicts",
        "sync_uuid_alias",
        "sync_clock",
        "sync_peers",
    }
)


_IMPORT_ROWS = """SELECT c.*, (SELECT group_concat(team_id) FROM card_teams WHERE card_id = c.id)
        AS contributing
    FROM cards c WHERE """


def _with_contributing(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        found = row["contributing"]
        row["contributing"] = [int(t) for t in found.split(",")] if found else []
    return rows


def cards_by_external_id(core: StoreCore, prefix: str) -> dict[str, dict[str, Any]]:
    """Cards imported from one source (external_id starting with `prefix`), by external_id.

    Each is the raw cards row plus `contributing`: the ids of its contributing teams.
    """
    rows = core.rows(
        _IMPORT_ROWS + "c.external_id >= ? AND c.external_id < ?",
        [prefix, prefix + "\U0010ffff"],
    )
    return {row["external_id"]: row for row in _with_contributing(rows)}


def cards_where(core: StoreCore, column: str, values: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Cards whose `column` ('uuid' or 'external_id') is one of `values`, by that value;
    rows as `cards_by_external_id` gives them."""
    assert column in ("uuid", "external_id")
    wanted = list(dict.fromkeys(values))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = core.rows(_IMPORT_ROWS + f"c.{column} IN ({marks})", chunk)
        found.update((row[column], row) for row in _with_contributing(rows))
    return found


def card_ids_by_key(core: StoreCore, keys: Iterable[str]) -> dict[str, int]:
    """The ids of the cards with these keys (keys naming no card are left out)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in core.rows(f"SELECT key, id FROM cards WHERE key IN ({marks})", chunk):
            found[row["key"]] = int(row["id"])
    return found


def dependency_pairs(core: StoreCore) -> list[tuple[int, int]]:
    """Every dependency as (blocker id, dependent id)."""
    return [
        (int(r["blocker_id"]), int(r["dependent_id"]))
        for r in core.rows("SELECT blocker_id, dependent_id FROM dependencies")
    ]


def column_ends(core: StoreCore) -> dict[tuple[int | None, str], float]:
    """The last position used in each (sprint id, status) column."""
    return {
        (r["sprint_id"], r["status"]): float(r["position"])
        for r in core.rows(
            "SELECT sprint_id, status, MAX(position) AS position FROM cards "
            "GROUP BY sprint_id, status"
        )
    }


def insert_cards(
    tx: Tx, rows: list[dict[str, Any]], contributing: list[list[int]]
) -> list[dict[str, Any]]:
    """Insert new cards at the end of their columns, with their contributing teams.

    Each row holds the cards columns except id, key and position, plus `team_code`, and
    may hold a `uuid` (a card brought over from another database keeps its own); the rest
    are allocated here (keys continue each team's counter). Returns the rows written.
    """
    if not rows:
        return []
    conn = tx.conn
    next_id = int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM cards").fetchone()[0])
    counters = dict(conn.execute("SELECT team_code, last FROM key_counters").fetchall())
    ends = column_ends(tx.core)
    written: list[dict[str, Any]] = []
    for offset, given in enumerate(rows):
        row = dict(given)
        code = row.pop("team_code")
        last = counters.get(code, 0)
        if not (isinstance(last, int) and last < MAX_CARD_NUMBER):
            raise UserError(numbers_used_up(code, last))
        counters[code] = last + 1
        slot = (row["sprint_id"], row["status"])
        ends[slot] = ends.get(slot, 0.0) + 1.0
        written.append(
            {
                "id": next_id + offset,
                "uuid": row.pop("uuid", None) or new_uuid(),
                "key": f"{code}-{counters[code]}",
                **row,
                "position": ends[slot],
            }
        )
    insert_many(tx, "card", written, key_field="key", at_field="created_at")
    links = [
        {"uuid": new_uuid(), "card_id": card["id"], "team_id": team_id}
        for card, team_ids in zip(written, contributing, strict=True)
        for team_id in team_ids
    ]
    insert_many(tx, "card_team", links)
    conn.executemany(
        """INSERT INTO key_counters(team_code, last) VALUES (?, ?)
           ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)""",
        list(counters.items()),
    )
    return written


def data_tables(core: StoreCore) -> list[str]:
    """The tables holding the plan (not the log, bookkeeping or full-text shadow tables),
    each after the tables it refers to."""
    found = core.rows(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    virtual = [r["name"] for r in found if (r["sql"] or "").upper().startswith("CREATE VIRTUAL")]
    names = [
        r["name"]
        for r in found
        if r["name"] not in NOT_DATA_TABLES
        and r["name"] not in virtual
        and not any(r["name"].startswith(f"{v}_") for v in virtual)
    ]
    parents = {
        name: {
            r["table"]
            for r in core.rows(f"SELECT * FROM pragma_foreign_key_list('{name}')")
            if r["table"] != name
        }
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:  # a reference cycle between tables: keep the rest in schema order
            ready = [n for n in names if n not in ordered]
        ordered += ready
    return ordered


def table_columns(core: StoreCore, table: str) -> list[str]:
    return [r["name"] for r in core.rows(f"SELECT name FROM pragma_table_info('{table}')")]


def read_tables(core: StoreCore, tables: list[str]) -> dict[str, Rows]:
    """Every row of each table, in insertion (rowid) order, all from one read snapshot."""
    with core._lock:
        own = not core.conn.in_transaction
        if own:
            core.conn.execute("BEGIN")
        try:
            return {t: core.rows(f"SELECT * FROM [{t}] ORDER BY rowid") for t in tables}
        finally:
            if own:
                core.conn.execute("COMMIT")


def row_counts(core: StoreCore, tables: list[str]) -> dict[str, int]:
    return {t: int(core.scalar(f"SELECT COUNT(*) FROM [{t}]")) for t in tables}


def restore_tables(
    tx: Tx, tables: dict[str, list[dict[str, Any]]], key_fields: dict[str, str]
) -> None:
    """Fill a database that holds only its seeded teams with exported rows, ids kept.

    The seeded teams are replaced; each key counter ends at the higher of the file's and
    this database's (a key handed out here before is never handed out again). Rows of
    plan records are logged as created; `key_fields` names each table's human key column
    for the log.
    """
    conn = tx.conn
    # Rows refer to each other in any order (feedback duplicates); check at COMMIT.
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for team in tx.core.rows("SELECT * FROM teams ORDER BY id"):
        tx.delete("team", team, key=team["code"])
    # Keys this database handed out before (to cards since deleted) stay used.
    used = conn.execute("SELECT team_code, last FROM key_counters").fetchall()
    conn.execute("DELETE FROM key_counters")
    entities = {table: entity for entity, table in ENTITY_TABLES.items()}
    for table in data_tables(tx.core):
        rows = tables.get(table) or []
        if not rows:
            continue
        if table in entities:
            insert_many(tx, entities[table], rows, key_field=key_fields.get(table))
        else:
            columns = list(rows[0])
            names = ", ".join(f"[{c}]" for c in columns)
            marks = ", ".join("?" for _ in columns)
            conn.executemany(
                f"INSERT INTO [{table}] ({names}) VALUES ({marks})",
                ([row[c] for c in columns] for row in rows),
            )
    conn.executemany(
        """INSERT INTO key_counters(team_code, last) VALUES (?, ?)
           ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)""",
        used,
    )
