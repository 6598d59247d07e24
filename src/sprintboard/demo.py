"""`sprintboard demo`: fill a database with a realistic e-commerce organisation.

The hand-written organisation (demo_content) comes first; `cards=N` above its size adds
generated cards spread over more sprints, teams and columns, with dependencies, feedback
and activity in proportion, all in one transaction.

Longer than ~450 lines: one loader for one transaction, whose hand-written and generated
parts share the row builder; a module beside it would sit outside the layer contracts in
pyproject.toml, which name `sprintboard.demo`.
"""

from __future__ import annotations

import json
import random
import sqlite3
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sprintboard import demo_content as content
from sprintboard.demo_finance import load_finance
from sprintboard.errors import UserError
from sprintboard.store import Store
from sprintboard.store.activity import PLAN_REPLACED
from sprintboard.store.backups import backup_before, copy_file_before
from sprintboard.store.bulk import (
    bump_key_counters,
    insert_many,
    log_many,
    plan_replaced,
    replacing_settings,
    rollback_journal_while_alone,
)
from sprintboard.store.checklists import team_part
from sprintboard.store.database import Tx, new_uuid
from sprintboard.store.generate import (
    LOADED_TABLES,
    MAX_GENERATED,
    Vocabulary,
    generate_cards,
    indexes_built_after,
)
from sprintboard.store.sync_log import is_shared
from sprintboard.vocabulary import ONBOARDING_STEPS, URGENT_CATEGORIES

SPRINT_DAYS = 14
DEFAULT_PER_SPRINT = 2000


@lru_cache(maxsize=65536)
def _stamp(day: date, minutes: int = 9 * 60) -> str:
    return (datetime.combine(day, time()) + timedelta(minutes=minutes)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


class _Builder:
    """Collects rows for one bulk load; ids are assigned here so links can point at them."""

    def __init__(self, store: Store, today: date, seed: int) -> None:
        self.store = store
        self.today = today
        self.rng = random.Random(seed)
        self.teams = {t["code"]: t for t in store.teams.list()}
        self.next_card_id = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM cards")) + 1
        # Keys continue each team's counter: never below a key handed out before.
        self.counters: dict[str, int] = {
            code: int(last) for code, last in store.conn.execute("SELECT * FROM key_counters")
        }
        self.cards: list[dict[str, Any]] = []
        self.card_teams: list[dict[str, Any]] = []
        self.deps: list[dict[str, Any]] = []
        self.feedback: list[dict[str, Any]] = []
        self.checklist: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.moves: list[dict[str, Any]] = []
        self.positions: dict[tuple[Any, str], int] = {}
        # Charts read the moves of the active sprint and the last closed ones; older
        # history is summed up in each closed sprint's committed/completed points.
        recent = store.rows(
            "SELECT id FROM sprints WHERE state != 'planned' ORDER BY start DESC LIMIT 6"
        )
        self.history_sprints = {r["id"] for r in recent}
        self.spans: dict[int | None, tuple[date, date]] = {}

    def card(
        self,
        team: str,
        title: str,
        status: str,
        sprint: dict[str, Any] | None,
        points: int | None,
        priority: str,
        goal_id: int | None,
        with_teams: list[str],
        labels: list[str],
        skus: list[str],
        due: date | None = None,
        expected_orders: int | None = None,
        assignee: str = "",
    ) -> dict[str, Any]:
        n = self.counters.get(team, 0) + 1
        self.counters[team] = n
        sprint_id = sprint["id"] if sprint else None
        start, end = self._span(sprint)
        rnd = self.rng.random
        # Made before its sprint began, and never after yesterday (planned sprints too).
        created = _stamp(min(start, end) - timedelta(days=1 + int(rnd() * 20)))
        slot = (sprint_id, status)
        self.positions[slot] = self.positions.get(slot, 0) + 1
        done_at = None
        if status == "done":
            span = max(0, (end - start).days)
            done_at = _stamp(
                start + timedelta(days=int(rnd() * (span + 1))), 9 * 60 + int(rnd() * 8 * 60)
            )
        row = {
            "id": self.next_card_id,
            "uuid": new_uuid(),
            "key": f"{team}-{n}",
            "team_id": self.teams[team]["id"],
            "title": title,
            "description": "",
            "status": status,
            "sprint_id": sprint_id,
            "points": points,
            "priority": priority,
            "assignee": assignee,
            "due": due.isoformat() if due else None,
            "goal_id": goal_id,
            "labels": json.dumps(labels) if labels else "[]",
            "skus": json.dumps(skus) if skus else "[]",
            "expected_orders": expected_orders,
            "position": float(self.positions[slot]),
            "external_id": None,
            "created_at": created,
            "updated_at": done_at or created,
            "done_at": done_at,
        }
        self.next_card_id += 1
        self.cards.append(row)
        for code in with_teams:
            if code != team:
                self.card_teams.append(
                    {"uuid": new_uuid(), "card_id": row["id"], "team_id": self.teams[code]["id"]}
                )
        if done_at and sprint and sprint["id"] in self.history_sprints:
            self.moves.append(
                {
                    "entity": "card",
                    "entity_uuid": row["uuid"],
                    "entity_key": row["key"],
                    "op": "update",
                    "field": "status",
                    "before": "review",
                    "after": "done",
                    "at": done_at,
                }
            )
        return row

    def _span(self, sprint: dict[str, Any] | None) -> tuple[date, date]:
        """When a card in this sprint can have been worked on (cached per sprint)."""
        key = sprint["id"] if sprint else None
        if key not in self.spans:
            if sprint is None:
                self.spans[key] = (self.today - timedelta(days=40), self.today)
            else:
                start = date.fromisoformat(sprint["start"])
                # Work was done by yesterday at the latest: the log never runs ahead of "now".
                yesterday = self.today - timedelta(days=1)
                self.spans[key] = (start, min(date.fromisoformat(sprint["end"]), yesterday))
        return self.spans[key]

    def depend(self, blocker: dict[str, Any], dependent: dict[str, Any]) -> None:
        self.deps.append(
            {
                "uuid": new_uuid(),
                "blocker_id": blocker["id"],
                "dependent_id": dependent["id"],
                "created_at": max(blocker["created_at"], dependent["created_at"]),
            }
        )

    def add_feedback(
        self,
        text: str,
        category: str,
        source: str,
        customer: str,
        reports: int,
        days_ago: int,
        state: str,
        card: dict[str, Any] | None,
    ) -> None:
        received = self.today - timedelta(days=days_ago)
        self.feedback.append(
            {
                "uuid": new_uuid(),
                "text": text,
                "source": source,
                "customer": customer,
                "category": category,
                "reported_by": "Fatima El Amrani",
                "received_at": _stamp(received, self.rng.randint(8 * 60, 18 * 60)),
                "reports": reports,
                "urgent": int(category in URGENT_CATEGORIES),
                "state": state,
                "snoozed_until": (self.today + timedelta(days=3)).isoformat()
                if state == "snoozed"
                else None,
                "decline_reason": "not something we will change" if state == "declined" else None,
                "card_id": card["id"] if card else None,
                "duplicate_of": None,
                "triaged_at": _stamp(received + timedelta(days=1)) if state != "new" else None,
            }
        )

    def add_checklist(
        self,
        card: dict[str, Any],
        with_teams: list[str],
        extra: list[tuple[str, bool]],
        left_open: list[str],
    ) -> None:
        """The card's checklist: its contributing teams' parts, ticked as far as the card
        has come (all once it is in review, but the teams in `left_open`), then the items
        of its own."""
        ticked_at = card["done_at"] or _stamp(self.today - timedelta(days=1))
        items: list[tuple[str, bool, int | None]] = []
        for i, code in enumerate(with_teams):
            done = card["status"] in ("review", "done") or (card["status"] == "doing" and i == 0)
            items.append((team_part(code), done and code not in left_open, self.teams[code]["id"]))
        items += [(text, done, None) for text, done in extra]
        for position, (text, done, team_id) in enumerate(items, start=1):
            self.checklist.append(
                {
                    "uuid": new_uuid(),
                    "card_id": card["id"],
                    "text": text,
                    "done": int(done),
                    "team_id": team_id,
                    "position": float(position),
                    "created_at": card["created_at"],
                    "done_at": ticked_at if done else None,
                    "external_id": None,
                }
            )

    def add_comment(
        self, card: dict[str, Any], author: str, days_ago: int, minutes: int, body: str
    ) -> None:
        self.comments.append(
            {
                "uuid": new_uuid(),
                "card_id": card["id"],
                "author": author,
                "body": body,
                "created_at": _stamp(self.today - timedelta(days=days_ago), 9 * 60 + minutes),
                "edited_at": None,
                "external_id": None,
            }
        )

    def write(self, tx: Tx) -> None:
        insert_many(tx, "card", self.cards, key_field="key", at_field="created_at")
        insert_many(tx, "card_team", self.card_teams)
        insert_many(tx, "checklist_item", self.checklist, at_field="created_at")
        insert_many(tx, "comment", self.comments, at_field="created_at")
        insert_many(tx, "dependency", self.deps, at_field="created_at")
        insert_many(tx, "feedback", self.feedback, at_field="received_at")
        log_many(tx, self.moves)
        bump_key_counters(tx, (c["key"] for c in self.cards))


def _sprint_rows(today: date, names: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Two-week sprints, the second-to-last one active today, the last one planned."""
    active_index = len(names) - 2
    active_start = today - timedelta(days=7)
    rows = []
    for i, (name, goal) in enumerate(names):
        start = active_start + timedelta(days=SPRINT_DAYS * (i - active_index))
        state = "closed" if i < active_index else "active" if i == active_index else "planned"
        rows.append(
            {
                "uuid": new_uuid(),
                "name": name,
                "goal": goal,
                "start": start.isoformat(),
                "end": (start + timedelta(days=SPRINT_DAYS - 1)).isoformat(),
                "state": state,
                "committed_points": None,
                "completed_points": None,
                "started_at": _stamp(start) if state != "planned" else None,
                "closed_at": _stamp(start + timedelta(days=SPRINT_DAYS))
                if state == "closed"
                else None,
            }
        )
    return rows


MAX_DEMO_CARDS = MAX_GENERATED
"""The most cards `demo --cards` makes (README: Limits)."""


def load_demo(
    store: Store,
    *,
    cards: int | None = None,
    per_sprint: int = DEFAULT_PER_SPRINT,
    force: bool = False,
    seed: int = 42,
) -> dict[str, int]:
    """Fill the store with the demo organisation; returns counts of what was made.

    `force` replaces a plan that is there: it is first copied to
    `<name>.before-demo-<time>.bak` (`store.activity.plan_replaced()` names the copy),
    then its records and their history leave the database in the same transaction as
    the demo comes in (`bulk.plan_replaced`).
    """
    if cards is not None and not 1 <= cards <= MAX_DEMO_CARDS:
        raise UserError(f"cards: must be 1 to {MAX_DEMO_CARDS:,} (got {cards})")
    if not 1 <= per_sprint <= MAX_DEMO_CARDS:
        raise UserError(f"per-sprint: must be 1 to {MAX_DEMO_CARDS:,} (got {per_sprint})")
    if not store.is_empty() and not force:
        raise UserError(f"{store.path} already holds data; use --force to replace it with the demo")
    if not store.is_empty() and is_shared(store):
        raise UserError(
            f"demo: {store.path} is shared through sync: replacing it would delete the plan on "
            "every laptop at their next sync; load the demo into a new file (--db demo.db)"
        )
    needed = {c[0] for c in content.CARDS} | {t for c in content.CARDS for t in c[7]}
    needed |= {m[0] for m in content.MEMBERS}
    missing = sorted(needed - set(store.teams.codes(include_archived=False)))
    if missing:
        raise UserError(
            f"team: the demo needs team(s) {', '.join(missing)}, archived or missing in "
            f"{store.path}; load it into a new database"
        )
    total = cards if cards is not None else len(content.CARDS)
    today = date.fromisoformat(store.today())
    replacing = force and not store.is_empty()
    # The connection's own page cache (64 MiB), not a larger one: pages beyond it spill to
    # the WAL inside the transaction, so memory stays bounded whatever the size.
    kept: Path | None = None
    try:
        with rollback_journal_while_alone(store) as alone, _checks_for(store, replacing):
            if replacing and alone:
                # Nobody else can write to the file now: the copy is the plan replaced.
                # (SQLite cannot copy from a connection inside its own write transaction.)
                kept = _copy_the_plan(store, alone=True)
            with store.transaction("demo") as tx:
                if replacing:
                    # Else read through a connection of its own while this transaction
                    # holds the write lock, so it is exactly the plan being replaced.
                    kept = kept or _copy_the_plan(store, alone=False)
                    _note_the_copy(tx, kept)
                with plan_replaced(tx) if replacing else nullcontext():
                    _fill(store, tx, total, per_sprint, today, seed)
                    load_finance(store, tx)
    except BaseException:
        if kept is not None:
            kept.unlink(missing_ok=True)  # nothing was replaced: the copy is not needed
        raise
    count = store.scalar
    return {
        "cards": count("SELECT COUNT(*) FROM cards"),
        "dependencies": count("SELECT COUNT(*) FROM dependencies"),
        "feedback": count("SELECT COUNT(*) FROM feedback"),
        "sprints": count("SELECT COUNT(*) FROM sprints"),
        "goals": count("SELECT COUNT(*) FROM goals"),
    }


def _checks_for(store: Store, replacing: bool) -> AbstractContextManager[None]:
    """Replacing a plan: the settings that empty its tables whole (foreign keys checked
    once at the end)."""
    return replacing_settings(store) if replacing else nullcontext()


def _copy_the_plan(store: Store, *, alone: bool) -> Path:
    """Copy the plan aside: the file itself when this connection holds it alone, outside
    any transaction (nothing can change it meanwhile); else through SQLite, from a
    connection of its own."""
    try:
        if alone:
            return copy_file_before(store.path, "demo")
        return backup_before(store.path, "demo")
    except (OSError, sqlite3.Error) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise UserError(
            f"{store.path}: the plan could not be copied aside before replacing it ({why}); "
            "nothing was changed"
        ) from None


def _note_the_copy(tx: Tx, kept: Path) -> None:
    """Note where the replaced plan's copy is (undo, history and the CLI say so)."""
    note = {"txn": tx.txn, "at": tx.now, "backup": str(kept), "by": "demo --force"}
    tx.conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
        [PLAN_REPLACED, json.dumps(note, ensure_ascii=False)],
    )


def _fill(store: Store, tx: Tx, total: int, per_sprint: int, today: date, seed: int) -> None:
    """The demo organisation's rows, `total` cards in all."""
    in_sprints = int((total - len(content.CARDS)) * 0.8)
    extra_sprints = max(0, round(in_sprints / per_sprint) - len(content.SPRINTS))
    # Older generated sprints come before the hand-written closed, active, planned ones.
    names = [
        (f"Sprint {41 - extra_sprints + i}", "Keep the shop running") for i in range(extra_sprints)
    ] + list(content.SPRINTS)
    sprint_rows = _sprint_rows(today, names)
    insert_many(tx, "sprint", sprint_rows, key_field="name", at_field="started_at")
    sprints = store.sprints.list()
    by_name = {s["name"]: s for s in sprints}
    hand = [by_name[n] for n, _ in content.SPRINTS]

    # The goals were set when the oldest of the hand-written sprints began.
    goal_ids = _load_goals(store, tx, hand[0]["start"] + "T09:00:00Z")
    _load_members(store, tx)
    _load_stock(store, tx, today)

    b = _Builder(store, today, seed)
    made = []
    for i, (team, title, status, s_idx, pts, prio, g_idx, with_t, labels, skus) in enumerate(
        content.CARDS[:total]
    ):
        due = _hand_due(i, today)
        orders = 1800 if i == 14 else None
        made.append(
            b.card(
                team,
                title,
                status,
                hand[s_idx] if s_idx is not None else None,
                pts,
                prio,
                goal_ids[g_idx] if g_idx is not None else None,
                with_t,
                labels,
                skus,
                due,
                orders,
                content.ASSIGNEES.get(i, ""),
            )
        )
        contributing = [code for code in with_t if code != team]
        extra = content.CHECKLIST_ITEMS.get(i, [])
        if contributing or extra:
            left_open = content.CHECKLIST_LEFT_OPEN.get(i, [])
            b.add_checklist(made[-1], contributing, extra, left_open)
    for on, author, days_ago, minutes, body in content.COMMENTS:
        if on < len(made):
            b.add_comment(made[on], author, days_ago, minutes, body)
    for blocker, dependent in content.DEPENDENCIES:
        if blocker < len(made) and dependent < len(made):
            b.depend(made[blocker], made[dependent])
    for text, cat, src, cust, reports, days, state, c_idx in content.FEEDBACK:
        linked = made[c_idx] if c_idx is not None and c_idx < len(made) else None
        b.add_feedback(text, cat, src, cust, reports, days, state, linked)
    # The log keeps its indexes when it already holds a plan's history: sorting the whole
    # log again would cost more than adding the new entries to them.
    logged = tx.conn.execute("SELECT COUNT(*) FROM activity").fetchone()[0]
    tables = LOADED_TABLES if logged < total else tuple(t for t in LOADED_TABLES if t != "activity")
    with indexes_built_after(tx, tables):
        _load_cards(b, tx, total, goal_ids, today)
        _record_sprint_points(store, tx)


def _load_cards(b: _Builder, tx: Tx, total: int, goal_ids: list[int], today: date) -> None:
    b.write(tx)
    if total > len(content.CARDS):
        generate_cards(
            tx,
            total - len(content.CARDS),
            Vocabulary(
                titles=content.SCALE_TITLES,
                team_weights=content.SCALE_TEAM_WEIGHTS,
                products=content.SCALE_PRODUCTS,
                areas=content.SCALE_AREAS,
                goal_ids=goal_ids,
            ),
            today=today.isoformat(),
            until=(today - timedelta(days=1)).isoformat(),
            history_sprints=b.history_sprints,
        )


def _hand_due(index: int, today: date) -> date | None:
    return {
        14: today + timedelta(days=4),
        15: today + timedelta(days=3),
        38: today + timedelta(days=18),
        26: today + timedelta(days=1),
        9: today - timedelta(days=1),
    }.get(index)


def _load_goals(store: Store, tx: Tx, set_at: str) -> list[int]:
    first_id = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM goals")) + 1
    rows: list[dict[str, Any]] = []
    for title, kpi, unit, base, target, current, roi, sponsor, status in content.GOALS:
        signed = sponsor if status == "on track" else None
        rows.append(
            {
                "id": first_id + len(rows),
                "uuid": new_uuid(),
                "title": title,
                "kpi": kpi,
                "unit": unit,
                "baseline": base,
                "target": target,
                "current": current,
                "expected_roi": roi,
                "sponsor": sponsor,
                "status": status,
                "signed_off_by": signed,
                "signed_off_at": set_at if signed else None,
                "created_at": set_at,
                "updated_at": set_at,
            }
        )
    insert_many(tx, "goal", rows, key_field="title")
    return [int(r["id"]) for r in rows]


def _load_members(store: Store, tx: Tx) -> None:
    teams = {t["code"]: t["id"] for t in store.teams.list()}
    rows = []
    for team, name, role, done in content.MEMBERS:
        checklist = {step: i < done for i, step in enumerate(ONBOARDING_STEPS)}
        rows.append(
            {
                "uuid": new_uuid(),
                "team_id": teams[team],
                "name": name,
                "role": role,
                "onboarding": json.dumps(checklist),
            }
        )
    insert_many(tx, "member", rows, key_field="name")


def _load_stock(store: Store, tx: Tx, today: date) -> None:
    rows = [
        {
            "sku": sku,
            "uuid": new_uuid(),
            "name": name,
            "on_hand": on_hand,
            "threshold": threshold,
            "restock_date": (today + timedelta(days=days)).isoformat() if days else None,
        }
        for sku, name, on_hand, threshold, days in content.STOCK
    ]
    insert_many(tx, "stock", rows, key_field="sku")


def _record_sprint_points(store: Store, tx: Tx) -> None:
    """Closed and active sprints remember what they committed to and completed."""
    # Through tx.update, so the log holds the points too (a replayed log equals the tables).
    # One pass over the cards, grouped, before their indexes are built again.
    for row in store.rows(
        """SELECT s.*, COALESCE(t.committed, 0) AS committed,
             CASE WHEN s.state = 'closed' THEN COALESCE(t.completed, 0) END AS completed
           FROM sprints s LEFT JOIN (
               SELECT sprint_id, SUM(points) AS committed,
                      SUM(CASE WHEN status = 'done' THEN points END) AS completed
               FROM cards WHERE sprint_id IS NOT NULL GROUP BY sprint_id) t
             ON t.sprint_id = s.id
           WHERE s.state != 'planned' ORDER BY s.id"""
    ):
        changes = {
            "committed_points": row.pop("committed"),
            "completed_points": row.pop("completed"),
        }
        tx.update("sprint", row, changes, key=row["name"])
