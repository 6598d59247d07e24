"""The schema, as sqlite-utils migrations. Append new migrations; never edit an applied one."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database, Migrations

from sprintboard.store.schema import MIGRATION_SET

migrations = Migrations(MIGRATION_SET)

STATUSES = "('backlog','todo','doing','review','done')"


def _run(db: Database, *statements: str) -> None:
    # executescript() would COMMIT the migration's transaction: run statements one by one.
    for sql in statements:
        db.execute(sql)


@migrations()
def m001_initial(db: Database) -> None:
    _run(
        db,
        """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE teams (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            format TEXT NOT NULL DEFAULT 'co-located'
                CHECK (format IN ('co-located','remote','external provider')),
            colour TEXT NOT NULL DEFAULT '#888888',
            capacity INTEGER NOT NULL DEFAULT 20 CHECK (capacity >= 0),
            throughput_per_day INTEGER CHECK (throughput_per_day >= 0),
            archived INTEGER NOT NULL DEFAULT 0,
            position INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE key_counters (
            team_code TEXT PRIMARY KEY,
            last INTEGER NOT NULL
        )""",
        """CREATE TABLE members (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            name TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT '',
            onboarding TEXT NOT NULL DEFAULT '{}'
        )""",
        """CREATE TABLE goals (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            kpi TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '',
            baseline REAL NOT NULL DEFAULT 0,
            target REAL NOT NULL DEFAULT 0,
            current REAL NOT NULL DEFAULT 0,
            expected_roi REAL,
            sponsor TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'on track'
                CHECK (status IN ('on track','at risk','off track')),
            signed_off_by TEXT,
            signed_off_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE sprints (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            goal TEXT NOT NULL DEFAULT '',
            start TEXT NOT NULL,
            end TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned','active','closed')),
            committed_points INTEGER,
            completed_points INTEGER,
            started_at TEXT,
            closed_at TEXT,
            CHECK (end >= start)
        )""",
        # At most one active sprint, enforced by the database itself.
        """CREATE UNIQUE INDEX one_active_sprint ON sprints(state) WHERE state = 'active'""",
        """CREATE TABLE sprint_capacity (
            uuid TEXT NOT NULL UNIQUE,
            sprint_id INTEGER NOT NULL REFERENCES sprints(id) ON DELETE CASCADE,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            capacity INTEGER NOT NULL CHECK (capacity >= 0),
            PRIMARY KEY (sprint_id, team_id)
        )""",
        f"""CREATE TABLE cards (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            key TEXT NOT NULL UNIQUE,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'backlog' CHECK (status IN {STATUSES}),
            sprint_id INTEGER REFERENCES sprints(id) ON DELETE SET NULL,
            points INTEGER CHECK (points >= 0),
            priority TEXT NOT NULL DEFAULT 'medium'
                CHECK (priority IN ('low','medium','high','urgent')),
            assignee TEXT NOT NULL DEFAULT '',
            due TEXT,
            goal_id INTEGER REFERENCES goals(id) ON DELETE SET NULL,
            labels TEXT NOT NULL DEFAULT '[]',
            skus TEXT NOT NULL DEFAULT '[]',
            expected_orders INTEGER,
            position REAL NOT NULL DEFAULT 0,
            external_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            done_at TEXT
        )""",
        "CREATE INDEX cards_board ON cards(sprint_id, status, position)",
        "CREATE INDEX cards_team ON cards(team_id)",
        "CREATE INDEX cards_goal ON cards(goal_id)",
        "CREATE UNIQUE INDEX cards_external ON cards(external_id) WHERE external_id IS NOT NULL",
        """CREATE TABLE card_teams (
            uuid TEXT NOT NULL UNIQUE,
            card_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            PRIMARY KEY (card_id, team_id)
        )""",
        "CREATE INDEX card_teams_team ON card_teams(team_id)",
        """CREATE TABLE dependencies (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            blocker_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
            dependent_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            UNIQUE (blocker_id, dependent_id),
            CHECK (blocker_id != dependent_id)
        )""",
        "CREATE INDEX dependencies_dependent ON dependencies(dependent_id)",
        """CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'email',
            customer TEXT NOT NULL DEFAULT '',
            category TEXT NOT NULL DEFAULT 'other',
            reported_by TEXT NOT NULL DEFAULT '',
            received_at TEXT NOT NULL,
            reports INTEGER NOT NULL DEFAULT 1 CHECK (reports >= 1),
            urgent INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'new'
                CHECK (state IN ('new','accepted','duplicate','declined','snoozed')),
            snoozed_until TEXT,
            decline_reason TEXT,
            card_id INTEGER REFERENCES cards(id) ON DELETE SET NULL,
            duplicate_of INTEGER REFERENCES feedback(id) ON DELETE SET NULL,
            triaged_at TEXT
        )""",
        "CREATE INDEX feedback_state ON feedback(state, urgent, received_at)",
        "CREATE INDEX feedback_card ON feedback(card_id)",
        """CREATE TABLE stock (
            sku TEXT PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL DEFAULT '',
            on_hand INTEGER NOT NULL CHECK (on_hand >= 0),
            threshold INTEGER NOT NULL DEFAULT 0 CHECK (threshold >= 0),
            restock_date TEXT
        )""",
        # activity.uuid is unique by construction (time-ordered random UUIDs); it has no
        # index because nothing looks entries up by it yet, and bulk loads stay fast.
        """CREATE TABLE activity (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL,
            txn TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            device TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_uuid TEXT NOT NULL,
            entity_key TEXT,
            op TEXT NOT NULL CHECK (op IN ('create','update','delete')),
            field TEXT,
            before TEXT,
            after TEXT,
            undoes TEXT
        )""",
        "CREATE INDEX activity_entity ON activity(entity_uuid, id)",
        "CREATE INDEX activity_txn ON activity(txn)",
        "CREATE INDEX activity_undoes ON activity(undoes) WHERE undoes IS NOT NULL",
        # Plain views so datasette, sqlite-utils or the sqlite3 shell can browse the plan.
        """CREATE VIEW v_cards AS
            SELECT c.id, c.uuid, c.key, c.title, c.description, t.code AS team, c.status,
                   s.name AS sprint, c.points, c.priority, c.assignee, c.due,
                   c.goal_id AS goal, c.labels, c.skus, c.expected_orders, c.position,
                   c.created_at, c.updated_at, c.done_at, c.sprint_id, c.team_id
            FROM cards c JOIN teams t ON t.id = c.team_id
            LEFT JOIN sprints s ON s.id = c.sprint_id""",
        """CREATE VIEW v_dependencies AS
            SELECT d.id, b.key AS blocker, b.status AS blocker_status, tb.code AS blocker_team,
                   e.key AS dependent, e.status AS dependent_status, te.code AS dependent_team,
                   tb.code != te.code AS cross_team
            FROM dependencies d
            JOIN cards b ON b.id = d.blocker_id JOIN teams tb ON tb.id = b.team_id
            JOIN cards e ON e.id = d.dependent_id JOIN teams te ON te.id = e.team_id""",
    )


@migrations()
def m002_planning(db: Database) -> None:
    _run(
        db,
        # What happened to a sprint's scope after it started, recorded when it closes so
        # later edits never rewrite its history (commitment and completion already are).
        "ALTER TABLE sprints ADD COLUMN scope_added INTEGER",
        "ALTER TABLE sprints ADD COLUMN scope_removed INTEGER",
        # Charts find every card that was ever in a sprint: the cards in it now, the moves
        # in and out of it, and deleted cards (partial indexes: only such entries are kept).
        "CREATE INDEX activity_sprint_in ON activity(after) WHERE field = 'sprint_id'",
        "CREATE INDEX activity_sprint_out ON activity(before) WHERE field = 'sprint_id'",
        "CREATE INDEX activity_deletes ON activity(entity) WHERE op = 'delete'",
    )


@migrations()
def m003_inbox(db: Database) -> None:
    _run(
        db,
        # The feedback inbox walks one triage state in triage order (urgent, most reported,
        # oldest) and stops after a page; the trailing columns make every view's filter
        # (due snoozes, linked card) answerable from the index without reading the rows.
        """CREATE INDEX feedback_inbox ON feedback(state, urgent DESC, reports DESC,
            received_at, id, snoozed_until, card_id, duplicate_of)""",
        # Deleting a feedback item (undoing an import) looks up its duplicates for the
        # foreign key; without this every delete scans the whole table.
        "CREATE INDEX feedback_duplicate_of ON feedback(duplicate_of)",
    )


@migrations()
def m004_history(db: Database) -> None:
    _run(
        db,
        # A card's history finds its own entries by uuid (activity_entity) and by key, and
        # its links by `BLOCKER>DEPENDENT`: the key index serves `KEY` and `KEY>*`, the
        # partial one holds only links, so `*>KEY` reads those alone, not the whole log.
        "CREATE INDEX activity_key ON activity(entity_key)",
        "CREATE INDEX activity_link_key ON activity(entity_key, id) WHERE entity = 'dependency'",
    )


@migrations()
def m005_people(db: Database) -> None:
    _run(
        db,
        # A card's conversation: each comment names its author (a person, as the activity
        # log does) and keeps its time; an imported one keeps the source's id so a second
        # import updates it instead of adding it twice.
        # AUTOINCREMENT: a comment's number is how people name it (`comment edit 12`), and a
        # deleted comment's number must not name another one (undo puts the first back).
        """CREATE TABLE comments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uuid TEXT NOT NULL UNIQUE,
            card_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
            author TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            edited_at TEXT,
            external_id TEXT
        )""",
        "CREATE INDEX comments_card ON comments(card_id, created_at)",
        "CREATE UNIQUE INDEX comments_external ON comments(external_id)"
        " WHERE external_id IS NOT NULL",
        # What each team still has to do on a card: one item per contributing team by
        # default, in the card's own order (positions, as the board's).
        """CREATE TABLE checklist_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uuid TEXT NOT NULL UNIQUE,
            card_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
            team_id INTEGER REFERENCES teams(id),
            position REAL NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            done_at TEXT,
            external_id TEXT
        )""",
        "CREATE INDEX checklist_items_card ON checklist_items(card_id, position)",
        "CREATE UNIQUE INDEX checklist_items_external ON checklist_items(external_id)"
        " WHERE external_id IS NOT NULL",
        # Personal undo walks one person's changes, newest first.
        "CREATE INDEX activity_actor ON activity(actor, id)",
    )


@migrations()
def m006_informed(db: Database) -> None:
    _run(
        db,
        # Closing the loop with the customer: once a linked card ships, Customer Service
        # tells them, and records who did and when (a person, as the activity log names one).
        "ALTER TABLE feedback ADD COLUMN informed_by TEXT",
        "ALTER TABLE feedback ADD COLUMN informed_at TEXT",
    )


@migrations()
def m007_sync(db: Database) -> None:
    _run(
        db,
        # Each change's place in a hybrid logical clock ("millis.counter.device"): plans
        # merged through `sprintboard sync` order changes by it, never by wall time alone.
        "ALTER TABLE activity ADD COLUMN hlc TEXT",
        # NULL for changes made here; the device's id for changes applied by sync.
        "ALTER TABLE activity ADD COLUMN origin TEXT",
        "CREATE INDEX activity_hlc ON activity(hlc)",
        # Every key a card had (two laptops numbered a card IT-43 offline: one was
        # renumbered), so the old key still finds it.
        """CREATE TABLE card_aliases (
            alias TEXT NOT NULL,
            card_uuid TEXT NOT NULL,
            PRIMARY KEY (alias, card_uuid)
        )""",
        # What a merge overrode: the value that lost, so someone can take it back.
        """CREATE TABLE sync_conflicts (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('field','deleted','refused','duplicate')),
            entity TEXT NOT NULL,
            entity_uuid TEXT NOT NULL,
            entity_key TEXT,
            field TEXT,
            kept TEXT,
            other TEXT,
            other_actor TEXT,
            other_device TEXT,
            other_at TEXT,
            winner_hlc TEXT,
            noted_at TEXT NOT NULL,
            resolved_at TEXT,
            resolved_by TEXT,
            UNIQUE (entity_uuid, field, kind, other_device, winner_hlc)
        )""",
        # Two records that turned out to be one (the same SKU, the same link): the later
        # uuid names the earlier one from then on.
        """CREATE TABLE sync_uuid_alias (
            uuid TEXT PRIMARY KEY,
            canonical TEXT NOT NULL
        )""",
        # Clocks of records loaded from a snapshot (they have no log entries here).
        """CREATE TABLE sync_clock (
            entity_uuid TEXT NOT NULL,
            field TEXT NOT NULL,
            hlc TEXT NOT NULL,
            PRIMARY KEY (entity_uuid, field)
        )""",
        # How far this plan has read each device's operation files.
        """CREATE TABLE sync_peers (
            device TEXT PRIMARY KEY,
            segment TEXT NOT NULL,
            line INTEGER NOT NULL,
            ops INTEGER NOT NULL DEFAULT 0
        )""",
    )


@migrations()
def m008_finance(db: Database) -> None:
    _run(
        db,
        # Money is whole cents (sprintboard.money), never floats. A team costs its rate per
        # point, or per working day (an external provider booked by the day).
        "ALTER TABLE teams ADD COLUMN rate_cents INTEGER CHECK (rate_cents >= 0)",
        "ALTER TABLE teams ADD COLUMN rate_unit TEXT NOT NULL DEFAULT 'point'"
        " CHECK (rate_unit IN ('point','day'))",
        # What a card costs on top of its team's time: an agency invoice, ad spend.
        "ALTER TABLE cards ADD COLUMN cost_cents INTEGER CHECK (cost_cents >= 0)",
        "ALTER TABLE goals ADD COLUMN budget_cents INTEGER CHECK (budget_cents >= 0)",
        "ALTER TABLE goals ADD COLUMN return_cents INTEGER CHECK (return_cents >= 0)",
        "ALTER TABLE sprints ADD COLUMN budget_cents INTEGER CHECK (budget_cents >= 0)",
        # A KPI's history: each value as measured on a day (goals.current is the latest).
        """CREATE TABLE measures (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            goal_id INTEGER NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            value REAL NOT NULL,
            recorded_at TEXT NOT NULL
        )""",
        "CREATE INDEX measures_goal ON measures(goal_id, day)",
        # Settings of the plan itself (not of one person's config): the currency. One
        # record per name, so two laptops setting it merge into one.
        """CREATE TABLE plan_settings (
            uuid TEXT NOT NULL UNIQUE,
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    )


@migrations()
def m009_board_totals(db: Database) -> None:
    _run(
        db,
        # The board's column totals (cards and points per status of a sprint) read from
        # the index alone: at 100,000 cards in one sprint, 7 ms instead of 54. A file that
        # lost the old index (dropped by hand) gets the new one all the same.
        "DROP INDEX IF EXISTS cards_board",
        "CREATE INDEX cards_board ON cards(sprint_id, status, position, points)",
    )


def registered_migrations() -> list[str]:
    """Names of the migrations registered above, in order (`SCHEMA_MIGRATIONS` must match)."""
    return [m.name for m in migrations.pending(Database(memory=True))]


def wrap(conn: sqlite3.Connection) -> Database:
    """A sqlite-utils Database on an open sprintboard connection (no plugins are run)."""
    return Database(conn, execute_plugins=False)
