"""Synthetic cards at scale, generated inside SQLite (demo `--cards N`, benchmarks).

Binding 20-odd parameters per row from Python costs more than SQLite's own work at
100,000 rows, so the rows are made by INSERT ... SELECT over a recursive counter, with
word lists in temporary tables. Every created record is logged like any other bulk load.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sprintboard.errors import UserError
from sprintboard.store.bulk import log_created, sql_uuid
from sprintboard.store.checklists import team_part
from sprintboard.store.database import Tx

# the active sprint's column mix, by (random % 10)
_ACTIVE_STATUS = """CASE g.r6 % 10 WHEN 0 THEN 'todo' WHEN 1 THEN 'todo' WHEN 2 THEN 'todo'
    WHEN 3 THEN 'doing' WHEN 4 THEN 'doing' WHEN 5 THEN 'review' WHEN 9 THEN 'backlog'
    ELSE 'done' END"""


@dataclass
class Vocabulary:
    """What generated cards are made of."""

    titles: dict[str, list[str]]  # team code -> templates with {p} (product) and {a} (area)
    team_weights: dict[str, int]
    products: list[str]
    areas: list[str]
    goal_ids: list[int]


# The tables a demo load fills; their secondary indexes are built after the rows are in.
LOADED_TABLES = (
    "cards",
    "card_teams",
    "checklist_items",
    "comments",
    "dependencies",
    "feedback",
    "activity",
)


@contextmanager
def indexes_built_after(tx: Tx, tables: tuple[str, ...] = LOADED_TABLES) -> Iterator[None]:
    """Drop the loaded tables' secondary indexes, and create them again when the body is
    done: one sort per index instead of 100,000 inserts into each (the activity log has
    ten). Inside the caller's transaction, so a load that fails or is killed leaves the
    indexes as they were. Unique indexes stay: they keep their constraint while loading.
    Run it after clearing a plan: deletes look children up through these indexes."""
    marks = ", ".join("?" for _ in tables)
    found = tx.conn.execute(
        f"""SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
            AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name""",
        tables,
    ).fetchall()
    for name, _ in found:
        tx.conn.execute(f"DROP INDEX [{name}]")
    yield
    for _, sql in found:
        tx.conn.execute(sql)


MAX_GENERATED = 1_000_000
"""The most cards one call makes (`demo --cards`; README: Limits)."""


def generate_cards(
    tx: Tx,
    count: int,
    vocabulary: Vocabulary,
    *,
    today: str,
    until: str,
    history_sprints: set[int],
) -> dict[str, int]:
    """Add `count` cards over every sprint and the backlog, with contributing teams,
    dependencies (about 1 in 5), feedback (1 in 4) and done-moves for charts.

    Cards are done by `until` at the latest (yesterday), so the log never runs ahead of now.
    At most MAX_GENERATED cards: the work (and the database) grows with `count`.
    """
    if not 1 <= count <= MAX_GENERATED:
        raise UserError(f"cards: must be 1 to {MAX_GENERATED:,} (got {count})")
    conn = tx.conn
    run = conn.execute
    _vocabulary_tables(tx, vocabulary, until)
    first_id = run("SELECT COALESCE(MAX(id), 0) + 1 FROM cards").fetchone()[0]
    n_sprints = run("SELECT COUNT(*) FROM temp.gen_sprint").fetchone()[0]
    pool = run("SELECT COUNT(*) FROM temp.gen_team").fetchone()[0]
    n_goals = max(1, len(vocabulary.goal_ids))
    randoms = ", ".join(f"abs(random()) AS r{k}" for k in range(1, 21))
    run(
        f"""CREATE TEMP TABLE gen0 AS
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            SELECT i, {randoms} FROM n""",
        [count],
    )
    # Cards in a sprint are dealt round-robin over the sprints (80%); the rest: backlog.
    run(
        """CREATE TEMP TABLE gen AS
           SELECT g.*, t.code, t.team_id,
             CASE WHEN g.r5 % 10 < 8 THEN
               (ROW_NUMBER() OVER (PARTITION BY g.r5 % 10 < 8 ORDER BY g.i) - 1) % ? END
               AS sprint_slot
           FROM temp.gen0 g JOIN temp.gen_team t ON t.slot = g.r1 % ?""",
        [max(1, n_sprints), pool],
    )
    run(
        f"""CREATE TEMP TABLE gen_card AS
            SELECT g.i, ? + g.i - 1 AS id, g.code, g.team_id, s.id AS sprint_id,
              COALESCE(s.start, date(?, '-40 days')) AS start,
              COALESCE(s.end_effective, ?) AS until,
              replace(replace(tt.template, '{{p}}', p.word), '{{a}}', a.word) || ' #' || g.i
                  AS title,
              CASE WHEN s.id IS NULL THEN 'backlog'
                   WHEN s.state = 'closed' THEN
                       CASE WHEN g.r6 % 10 < 9 THEN 'done'
                            WHEN g.r6 % 2 = 0 THEN 'todo' ELSE 'doing' END
                   WHEN s.state = 'active' THEN {_ACTIVE_STATUS}
                   ELSE CASE g.r6 % 2 WHEN 0 THEN 'todo' ELSE 'backlog' END END AS status,
              CASE g.r7 % 6 WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 3 WHEN 3 THEN 5
                            WHEN 4 THEN 8 ELSE 13 END AS points,
              CASE g.r8 % 5 WHEN 0 THEN 'low' WHEN 4 THEN 'urgent' WHEN 3 THEN 'high'
                            ELSE 'medium' END AS priority,
              CASE WHEN g.r9 % 2 = 0 THEN (SELECT goal_id FROM temp.gen_goal
                                           WHERE slot = g.r9 / 2 % ?) END AS goal_id,
              CASE WHEN g.code = 'MKT' AND g.r11 % 5 = 0 THEN '["promotion"]' ELSE '[]' END
                  AS labels,
              g.r10, g.r12, g.r13, g.r14, g.r15, g.r16, g.r17, g.r18, g.r19, g.r20
            FROM temp.gen g
            LEFT JOIN temp.gen_sprint s ON s.slot = g.sprint_slot
            JOIN temp.gen_title_count tc ON tc.code = g.code
            JOIN temp.gen_title tt ON tt.code = g.code AND tt.n = g.r2 % tc.cnt
            JOIN temp.gen_word p ON p.kind = 'p' AND p.n = g.r3 % ?
            JOIN temp.gen_word a ON a.kind = 'a' AND a.n = g.r4 % ?""",
        [first_id, today, until, n_goals, len(vocabulary.products), len(vocabulary.areas)],
    )
    # Keys and positions continue after what the hand-written cards already use.
    run(
        """CREATE TEMP TABLE gen_base AS
           SELECT sprint_id, status, MAX(position) AS pos FROM cards
           GROUP BY sprint_id, status"""
    )
    before = _rowids(tx)
    run(
        f"""INSERT INTO cards(id, uuid, key, team_id, title, status, sprint_id, points,
               priority, goal_id, labels, position, created_at, updated_at, done_at)
            SELECT id, {sql_uuid()}, code || '-' || (COALESCE(k.last, 0) + key_n),
              team_id, title, c.status, c.sprint_id, points, priority, goal_id, labels,
              COALESCE(b.pos, 0) + pos_n, created, COALESCE(done, created), done
            FROM (SELECT *,
                    ROW_NUMBER() OVER (PARTITION BY code ORDER BY i) AS key_n,
                    ROW_NUMBER() OVER (PARTITION BY sprint_id, status ORDER BY i) AS pos_n,
                    strftime('%Y-%m-%dT09:00:00Z', MIN(start, until),
                             '-' || (1 + r16 % 20) || ' days') AS created,
                    CASE WHEN status = 'done' THEN strftime('%Y-%m-%dT%H:%M:00Z', start,
                         '+' || (r17 % (1 + MAX(0, julianday(until) - julianday(start))))
                             || ' days',
                         '+' || (540 + r18 % 480) || ' minutes') END AS done
                  FROM temp.gen_card) c
            LEFT JOIN key_counters k ON k.team_code = c.code
            LEFT JOIN temp.gen_base b ON b.sprint_id IS c.sprint_id AND b.status = c.status
            ORDER BY i"""
    )
    # Most cards in a sprint have someone on them: a member of the owning team.
    run(
        """UPDATE cards SET assignee = (
               SELECT g.name FROM temp.gen_member g
               WHERE g.team_id = cards.team_id AND g.n = cards.id % g.cnt)
           WHERE id >= ? AND sprint_id IS NOT NULL AND id % 5 != 0
             AND team_id IN (SELECT team_id FROM temp.gen_member)""",
        [first_id],
    )
    run(
        """INSERT INTO key_counters(team_code, last)
           SELECT t.code, MAX(CAST(substr(c.key, length(t.code) + 2) AS INTEGER))
           FROM cards c JOIN teams t ON t.id = c.team_id WHERE c.id >= ? GROUP BY t.code
           ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)""",
        [first_id],
    )
    run(
        f"""INSERT INTO card_teams(uuid, card_id, team_id)
            SELECT {sql_uuid()}, g.id, t.team_id FROM temp.gen_card g
            JOIN temp.gen_team t ON t.slot = g.r10 / 4 % ?
            WHERE g.r10 % 4 = 0 AND t.team_id != (SELECT team_id FROM cards WHERE id = g.id)""",
        [pool],
    )
    # Each contributing team's part as a checklist item, ticked on a done card.
    run(
        f"""INSERT INTO checklist_items(uuid, card_id, text, done, team_id, position,
               created_at, done_at)
            SELECT {sql_uuid()}, ct.card_id, p.part, c.status = 'done', ct.team_id,
              ROW_NUMBER() OVER (PARTITION BY ct.card_id ORDER BY ct.rowid), c.created_at,
              CASE WHEN c.status = 'done' THEN c.done_at END
            FROM card_teams ct JOIN cards c ON c.id = ct.card_id
            JOIN temp.gen_part p ON p.team_id = ct.team_id
            WHERE ct.rowid > ? ORDER BY ct.rowid""",
        [before["card_teams"]],
    )
    run(
        f"""INSERT INTO dependencies(uuid, blocker_id, dependent_id, created_at)
            SELECT {sql_uuid()}, g.id - 1 - g.r13 % MIN(500, g.i - 1), g.id,
                   (SELECT created_at FROM cards WHERE id = g.id)
            FROM temp.gen_card g WHERE g.i > 1 AND g.r12 % 5 = 0"""
    )
    run(
        f"""INSERT INTO feedback(uuid, text, source, customer, category, reported_by,
               received_at, reports, urgent, state, snoozed_until, decline_reason, card_id,
               triaged_at)
            SELECT {sql_uuid()}, 'Customer report about ' || lower(title), source,
              'Customer ' || i, category, 'Customer Service',
              strftime('%Y-%m-%dT%H:%M:00Z', ?, '-' || (r19 % 61) || ' days',
                       '+' || (480 + r19 % 600) || ' minutes'),
              1 + r20 % 8, category IN ('checkout', 'cart', 'payment'), state,
              CASE state WHEN 'snoozed' THEN date(?, '+3 days') END,
              CASE state WHEN 'declined' THEN 'not something we will change' END,
              CASE state WHEN 'accepted' THEN id END,
              CASE WHEN state != 'new' THEN strftime('%Y-%m-%dT10:00:00Z', ?) END
            FROM (SELECT *,
                    CASE r15 % 6 WHEN 0 THEN 'checkout' WHEN 1 THEN 'cart' WHEN 2 THEN 'payment'
                                 WHEN 3 THEN 'shipping' WHEN 4 THEN 'product' ELSE 'site' END
                        AS category,
                    CASE r15 / 6 % 4 WHEN 0 THEN 'email' WHEN 1 THEN 'phone' WHEN 2 THEN 'chat'
                                     ELSE 'review' END AS source,
                    CASE r15 / 24 % 5 WHEN 2 THEN 'accepted' WHEN 3 THEN 'declined'
                                      WHEN 4 THEN 'snoozed' ELSE 'new' END AS state
                  FROM temp.gen_card WHERE r14 % 4 = 0)""",
        [today, today, today],
    )
    log_created(tx, "card", before["cards"], key_field="key", at_field="created_at")
    log_created(tx, "card_team", before["card_teams"])
    log_created(tx, "checklist_item", before["checklist_items"], at_field="created_at")
    log_created(tx, "dependency", before["dependencies"], at_field="created_at")
    log_created(tx, "feedback", before["feedback"], at_field="received_at")
    marks = ", ".join("?" for _ in history_sprints) or "NULL"
    run(
        f"""INSERT INTO activity(uuid, txn, at, actor, device, action, entity, entity_uuid,
               entity_key, op, field, before, after, hlc)
            SELECT {sql_uuid()}, ?, done_at, ?, ?, ?, 'card', uuid, key, 'update', 'status',
                   '"review"', '"done"', ?
            FROM cards WHERE id >= ? AND status = 'done' AND sprint_id IN ({marks})""",
        [tx.txn, tx.core.actor, tx.core.device, tx.action, tx.hlc, first_id, *history_sprints],
    )
    counts = {
        table: run(f"SELECT COUNT(*) FROM [{table}] WHERE rowid > ?", [rowid]).fetchone()[0]
        for table, rowid in before.items()
    }
    for table in (
        "gen0",
        "gen",
        "gen_card",
        "gen_base",
        "gen_team",
        "gen_title",
        "gen_title_count",
        "gen_word",
        "gen_sprint",
        "gen_goal",
        "gen_member",
        "gen_part",
    ):
        run(f"DROP TABLE temp.{table}")
    return counts


def _rowids(tx: Tx) -> dict[str, int]:
    return {
        table: tx.conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM [{table}]").fetchone()[0]
        for table in ("cards", "card_teams", "checklist_items", "dependencies", "feedback")
    }


def _vocabulary_tables(tx: Tx, v: Vocabulary, today: str) -> None:
    conn = tx.conn
    conn.execute("CREATE TEMP TABLE gen_team(slot INTEGER PRIMARY KEY, code TEXT, team_id INT)")
    teams = dict(conn.execute("SELECT code, id FROM teams WHERE archived = 0").fetchall())
    pool = [code for code, weight in v.team_weights.items() if code in teams for _ in range(weight)]
    conn.executemany(
        "INSERT INTO temp.gen_team VALUES (?, ?, ?)",
        [(i, code, teams[code]) for i, code in enumerate(pool)],
    )
    conn.execute("CREATE TEMP TABLE gen_part(team_id INTEGER PRIMARY KEY, part TEXT)")
    conn.executemany(
        "INSERT INTO temp.gen_part VALUES (?, ?)",
        [
            (team_id, team_part(code))
            for code, team_id in conn.execute("SELECT code, id FROM teams")
        ],
    )
    conn.execute(
        """CREATE TEMP TABLE gen_member AS
           SELECT team_id, name, ROW_NUMBER() OVER (PARTITION BY team_id ORDER BY id) - 1 AS n,
                  COUNT(*) OVER (PARTITION BY team_id) AS cnt
           FROM members"""
    )
    conn.execute("CREATE TEMP TABLE gen_title(code TEXT, n INT, template TEXT)")
    conn.execute("CREATE TEMP TABLE gen_title_count(code TEXT PRIMARY KEY, cnt INT)")
    for code, templates in v.titles.items():
        conn.executemany(
            "INSERT INTO temp.gen_title VALUES (?, ?, ?)",
            [(code, i, t) for i, t in enumerate(templates)],
        )
        conn.execute("INSERT INTO temp.gen_title_count VALUES (?, ?)", [code, len(templates)])
    conn.execute("CREATE TEMP TABLE gen_word(kind TEXT, n INT, word TEXT)")
    words: list[tuple[Any, ...]] = [("p", i, w) for i, w in enumerate(v.products)]
    words += [("a", i, w) for i, w in enumerate(v.areas)]
    conn.executemany("INSERT INTO temp.gen_word VALUES (?, ?, ?)", words)
    conn.execute("CREATE TEMP TABLE gen_goal(slot INTEGER PRIMARY KEY, goal_id INT)")
    conn.executemany("INSERT INTO temp.gen_goal VALUES (?, ?)", list(enumerate(v.goal_ids)))
    conn.execute(
        """CREATE TEMP TABLE gen_sprint AS
           SELECT ROW_NUMBER() OVER (ORDER BY start, id) - 1 AS slot, id, state, start,
                  MIN(end, ?) AS end_effective
           FROM sprints""",
        [today],
    )
