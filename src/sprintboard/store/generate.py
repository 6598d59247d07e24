"""Synthetic cards at scale, generated inside SQLite (demo `--cards N`, benchmarks).

Binding 20-odd parameters per row from Python costs more than SQLite's own work at
100,000 rows, so the rows are made by INSERT ... SELECT over a recursive counter, with
word lists in temporary tables, and each card's random numbers and ranks in narrow ones (a
window or a sort carries every column it is handed). Every created record is logged like
any other bulk load.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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


# The log's indexes that a load's entries reach at their end or hardly at all: adding to
# them costs less than building them again, which reads the whole log (~130 MB at 100,000
# cards) once per index.
KEPT_WHILE_LOADING = frozenset(
    {
        # one transaction, one clock reading, one person: each entry goes after the last
        "activity_txn",
        "activity_hlc",
        "activity_actor",
        # partial: a load writes no undo, delete or sprint move, and a link per five cards
        "activity_undoes",
        "activity_deletes",
        "activity_sprint_in",
        "activity_sprint_out",
        "activity_link_key",
    }
)


SORTING_CACHE = -4096
"""The page cache (KiB, as SQLite's cache_size reads a negative number) while indexes are
built after a load: also the most memory each of their sorts holds at once."""


@contextmanager
def indexes_built_after(tx: Tx, tables: tuple[str, ...] = LOADED_TABLES) -> Iterator[None]:
    """Drop the loaded tables' secondary indexes (but KEPT_WHILE_LOADING), and create them
    again when the body is done: one sort per index instead of 100,000 inserts into each
    at random places. Inside the caller's transaction, so a load that fails or is killed
    leaves the indexes as they were. Unique indexes stay: they keep their constraint
    while loading."""
    marks = ", ".join("?" for _ in tables)
    found = tx.conn.execute(
        f"""SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
            AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name""",
        tables,
    ).fetchall()
    found = [(name, sql) for name, sql in found if name not in KEPT_WHILE_LOADING]
    for name, _ in found:
        tx.conn.execute(f"DROP INDEX [{name}]")
    yield
    # Each sort would hold up to the page cache's size (64 MiB) in memory on top of the
    # cache: with 4 MiB for the while (the rows are all written by now), it sorts in runs
    # of that size, and the load's peak memory stays what it was before the sorts.
    cache = tx.conn.execute("PRAGMA cache_size").fetchone()[0]
    tx.conn.execute(f"PRAGMA cache_size = {SORTING_CACHE}")
    try:
        for _, sql in found:
            tx.conn.execute(sql)
    finally:
        tx.conn.execute(f"PRAGMA cache_size = {int(cache)}")


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
    # Each card's random numbers, drawn once (random() written twice is drawn twice):
    # five 64-bit draws, read as twenty 16-bit numbers g.r1 ... g.r20 (see _randoms).
    run("CREATE TEMP TABLE gen0(i INTEGER PRIMARY KEY, x1 INT, x2 INT, x3 INT, x4 INT, x5 INT)")
    run(
        """INSERT INTO temp.gen0
           WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
           SELECT i, random(), random(), random(), random(), random() FROM n""",
        [count],
    )
    # Cards in a sprint are dealt round-robin over the sprints (80%); the rest: backlog.
    # Ranks are counted over narrow rows: a window sorts every column it is handed.
    run("CREATE TEMP TABLE gen_slot(i INTEGER PRIMARY KEY, slot INT)")
    run(
        _randoms(
            """INSERT INTO temp.gen_slot
               SELECT i, (ROW_NUMBER() OVER (ORDER BY i) - 1) % ? FROM temp.gen0 g
               WHERE g.r5 % 10 < 8"""
        ),
        [max(1, n_sprints)],
    )
    # Dates as day numbers: date(day) is several times cheaper than date modifiers as text.
    run(
        """CREATE TEMP TABLE gen_card(i INTEGER PRIMARY KEY, id INT, code TEXT, team_id INT,
             sprint_id INT, title TEXT, status TEXT, points INT, priority TEXT, goal_id INT,
             labels TEXT, created TEXT, done TEXT, r10 INT, r12 INT, r13 INT, r14 INT,
             r15 INT, r19 INT, r20 INT)"""
    )
    run(
        _randoms(f"""INSERT INTO temp.gen_card
            SELECT i, id, code, team_id, sprint_id, title, status, points, priority, goal_id,
              labels,
              date(MIN(start, until) - 1 - r16 % 20) || 'T09:00:00Z',
              CASE WHEN status = 'done' THEN
                  date(start + r17 % (1 + MAX(0, until - start)))
                  || printf('T%02d:%02d:00Z', (540 + r18 % 480) / 60, (540 + r18 % 480) % 60)
              END,
              r10, r12, r13, r14, r15, r19, r20
            FROM (
              SELECT g.i, g.r10 AS r10, g.r12 AS r12, g.r13 AS r13, g.r14 AS r14,
                g.r15 AS r15, g.r16 AS r16, g.r17 AS r17, g.r18 AS r18, g.r19 AS r19,
                g.r20 AS r20, ? + g.i - 1 AS id, t.code, t.team_id, s.id AS sprint_id,
                COALESCE(s.start_day, julianday(?) - 40) AS start,
                COALESCE(s.until_day, julianday(?)) AS until,
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
                CASE WHEN t.code = 'MKT' AND g.r11 % 5 = 0 THEN '["promotion"]' ELSE '[]' END
                    AS labels
              FROM temp.gen0 g
              JOIN temp.gen_team t ON t.slot = g.r1 % ?
              LEFT JOIN temp.gen_slot sl ON sl.i = g.i
              LEFT JOIN temp.gen_sprint s ON s.slot = sl.slot
              JOIN temp.gen_title tt ON tt.n = t.first_title + g.r2 % t.titles
              JOIN temp.gen_product p ON p.n = g.r3 % ?
              JOIN temp.gen_area a ON a.n = g.r4 % ?)
            ORDER BY i"""),
        [
            first_id,
            today,
            until,
            n_goals,
            pool,
            len(vocabulary.products),
            len(vocabulary.areas),
        ],
    )
    run("DROP TABLE temp.gen0")
    run("DROP TABLE temp.gen_slot")
    # Keys continue each team's counter, positions the end of each column.
    run("CREATE TEMP TABLE gen_rank(i INTEGER PRIMARY KEY, key_n INT, pos_n INT)")
    run(
        """INSERT INTO temp.gen_rank
           SELECT i, ROW_NUMBER() OVER (PARTITION BY team_id ORDER BY i),
                  ROW_NUMBER() OVER (PARTITION BY sprint_id, status ORDER BY i)
           FROM temp.gen_card"""
    )
    # Positions continue after what the hand-written cards already use.
    run(
        """CREATE TEMP TABLE gen_base AS
           SELECT sprint_id, status, MAX(position) AS pos FROM cards
           GROUP BY sprint_id, status"""
    )
    before = _rowids(tx)
    # Most cards in a sprint have someone on them: a member of the owning team.
    run(
        f"""INSERT INTO cards(id, uuid, key, team_id, title, status, sprint_id, points,
               priority, assignee, goal_id, labels, position, created_at, updated_at, done_at)
            SELECT id, {sql_uuid("c.i")}, code || '-' || (COALESCE(k.last, 0) + key_n),
              team_id, title, c.status, c.sprint_id, points, priority,
              COALESCE(CASE WHEN c.sprint_id IS NOT NULL AND id % 5 != 0 THEN
                  (SELECT m.name FROM temp.gen_member m
                   WHERE m.team_id = c.team_id AND m.n = id % m.cnt) END, ''),
              goal_id, labels, COALESCE(b.pos, 0) + pos_n, created, COALESCE(done, created),
              done
            FROM temp.gen_card c JOIN temp.gen_rank r ON r.i = c.i
            LEFT JOIN key_counters k ON k.team_code = c.code
            LEFT JOIN temp.gen_base b ON b.sprint_id IS c.sprint_id AND b.status = c.status
            ORDER BY c.i"""
    )
    run(
        """INSERT INTO key_counters(team_code, last)
           SELECT code, MAX(last) FROM (
               SELECT c.code, COALESCE(k.last, 0) + r.key_n AS last
               FROM temp.gen_card c JOIN temp.gen_rank r ON r.i = c.i
               LEFT JOIN key_counters k ON k.team_code = c.code)
           WHERE true GROUP BY code
           ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)"""
    )
    run(
        f"""INSERT INTO card_teams(uuid, card_id, team_id)
            SELECT {sql_uuid("g.i")}, g.id, t.team_id FROM temp.gen_card g
            JOIN temp.gen_team t ON t.slot = g.r10 / 4 % ?
            WHERE g.r10 % 4 = 0 AND t.team_id != g.team_id""",
        [pool],
    )
    # Each contributing team's part as a checklist item, ticked on a done card.
    run(
        f"""INSERT INTO checklist_items(uuid, card_id, text, done, team_id, position,
               created_at, done_at)
            SELECT {sql_uuid("ct.rowid")}, ct.card_id, p.part, c.status = 'done', ct.team_id,
              ROW_NUMBER() OVER (PARTITION BY ct.card_id ORDER BY ct.rowid), c.created_at,
              CASE WHEN c.status = 'done' THEN c.done_at END
            FROM card_teams ct JOIN cards c ON c.id = ct.card_id
            JOIN temp.gen_part p ON p.team_id = ct.team_id
            WHERE ct.rowid > ? ORDER BY ct.rowid""",
        [before["card_teams"]],
    )
    run(
        f"""INSERT INTO dependencies(uuid, blocker_id, dependent_id, created_at)
            SELECT {sql_uuid("g.i")}, g.id - 1 - g.r13 % MIN(500, g.i - 1), g.id, g.created
            FROM temp.gen_card g WHERE g.i > 1 AND g.r12 % 5 = 0"""
    )
    run(
        f"""INSERT INTO feedback(uuid, text, source, customer, category, reported_by,
               received_at, reports, urgent, state, snoozed_until, decline_reason, card_id,
               triaged_at)
            SELECT {sql_uuid("i")}, 'Customer report about ' || lower(title), source,
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
    # The word lists and per-card numbers are spent: their memory goes before the log's.
    for table in (
        "gen_card",
        "gen_rank",
        "gen_base",
        "gen_team",
        "gen_title",
        "gen_product",
        "gen_area",
        "gen_sprint",
        "gen_goal",
        "gen_member",
        "gen_part",
    ):
        run(f"DROP TABLE temp.{table}")
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
    return counts


def _randoms(sql: str) -> str:
    """`sql` with each g.rK (K = 1 ... 20) read from the draws in temp.gen0 g: the four
    16-bit quarters of x1, then of x2, and so on. They are taken modulo 600 at most, where
    16 bits keep each remainder's share within 1% of even, for a quarter of the draws."""

    def quarter(found: re.Match[str]) -> str:
        k = int(found.group(1)) - 1
        return f"((g.x{k // 4 + 1} >> {16 * (k % 4)}) & 65535)"

    return re.sub(r"\bg\.r(\d+)\b", quarter, sql)


def _rowids(tx: Tx) -> dict[str, int]:
    return {
        table: tx.conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM [{table}]").fetchone()[0]
        for table in ("cards", "card_teams", "checklist_items", "dependencies", "feedback")
    }


def _vocabulary_tables(tx: Tx, v: Vocabulary, today: str) -> None:
    conn = tx.conn
    # Looked up once or more per card: every key an integer (rowid), found in one step.
    # A team's title templates are numbered from `first_title`, `titles` of them (NULL
    # when it has none: its cards are not made, as a join on them would leave them out).
    conn.execute(
        """CREATE TEMP TABLE gen_team(slot INTEGER PRIMARY KEY, code TEXT, team_id INT,
             first_title INT, titles INT)"""
    )
    teams = dict(conn.execute("SELECT code, id FROM teams WHERE archived = 0").fetchall())
    pool = [code for code, weight in v.team_weights.items() if code in teams for _ in range(weight)]
    firsts: dict[str, int] = {}
    templates: list[str] = []
    for code, own in v.titles.items():
        firsts[code] = len(templates)
        templates += own
    conn.executemany(
        "INSERT INTO temp.gen_team VALUES (?, ?, ?, ?, ?)",
        [
            (i, code, teams[code], firsts.get(code), len(v.titles.get(code, [])) or None)
            for i, code in enumerate(pool)
        ],
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
        """CREATE TEMP TABLE gen_member(team_id INT, n INT, name TEXT, cnt INT,
             PRIMARY KEY (team_id, n)) WITHOUT ROWID"""
    )
    conn.execute(
        """INSERT INTO temp.gen_member
           SELECT team_id, ROW_NUMBER() OVER (PARTITION BY team_id ORDER BY id) - 1, name,
                  COUNT(*) OVER (PARTITION BY team_id)
           FROM members"""
    )
    conn.execute("CREATE TEMP TABLE gen_title(n INTEGER PRIMARY KEY, template TEXT)")
    conn.executemany("INSERT INTO temp.gen_title VALUES (?, ?)", list(enumerate(templates)))
    conn.execute("CREATE TEMP TABLE gen_product(n INTEGER PRIMARY KEY, word TEXT)")
    conn.executemany("INSERT INTO temp.gen_product VALUES (?, ?)", list(enumerate(v.products)))
    conn.execute("CREATE TEMP TABLE gen_area(n INTEGER PRIMARY KEY, word TEXT)")
    conn.executemany("INSERT INTO temp.gen_area VALUES (?, ?)", list(enumerate(v.areas)))
    conn.execute("CREATE TEMP TABLE gen_goal(slot INTEGER PRIMARY KEY, goal_id INT)")
    conn.executemany("INSERT INTO temp.gen_goal VALUES (?, ?)", list(enumerate(v.goal_ids)))
    conn.execute(
        """CREATE TEMP TABLE gen_sprint(slot INTEGER PRIMARY KEY, id INT, state TEXT,
             start_day REAL, until_day REAL)"""
    )
    conn.execute(
        """INSERT INTO temp.gen_sprint
           SELECT ROW_NUMBER() OVER (ORDER BY start, id) - 1, id, state, julianday(start),
                  julianday(MIN(end, ?))
           FROM sprints""",
        [today],
    )
