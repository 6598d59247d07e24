"""Three laptops editing offline and syncing in any order end with one plan, lose nothing.

A state machine drives the store as the CLI does (cards, sprints, dependencies, feedback,
undo) on three laptops, with clocks that drift (one starts behind, any may jump back),
and carries operations between random pairs: a laptop's own file only, or everything it
holds (a git pull), sometimes re-delivering what was read before. At the end everyone
syncs twice, and then:
1. the three plans are identical (records by uuid, references as uuids);
2. nothing acknowledged is lost: a record created and never deleted exists everywhere,
   and every card field edit that did not survive either lost to a later change by
   someone who had seen it (or started from the same value), or is a conflict on the
   laptop that made it;
3. every database passes SQLite's integrity and foreign key checks.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sync_laptops import Folder, Laptop, plan

from sprintboard.errors import UserError
from sprintboard.models import Card, Feedback, Sprint
from sprintboard.store.teams import SEED_TEAMS
from sprintboard.vocabulary import Priority, Status

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAMES = ("Ann", "Bob", "Cem")
BEHIND = timedelta(hours=3)
"""Cem's clock starts this far behind the others'."""
TEAMS = [str(team["code"]) for team in SEED_TEAMS]
TITLES = ("Checkout button", "Promo banner", "Search box", "Returns page")
POINTS = (None, 1, 2, 3, 5, 8)
SPRINTS = ("S1", "S2", "S3")
EDITED = ("title", "points", "priority", "status")
"""Card fields whose every edit is accounted for at the end."""

lap_no = st.integers(0, len(NAMES) - 1)
pick = st.integers(0, 30)


class Convergence(RuleBasedStateMachine):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        folder.mkdir()
        self.laps = [
            Laptop(folder / f"{name}.db", name, START - (BEHIND if name == "Cem" else timedelta()))
            for name in NAMES
        ]
        self.folder = Folder(self.laps)

    @initialize(cards=st.integers(0, 6), sprints=st.integers(0, 2), shared=st.booleans())
    def start(self, cards: int, sprints: int, shared: bool) -> None:
        """Ann's plan to begin with (shared with everyone, or not yet): edits on two
        laptops meet on the same records from the first step."""
        ann = self.laps[0].store
        for i in range(cards):
            ann.cards.add(Card(title=TITLES[i % len(TITLES)], team=TEAMS[i % 3]))
        for i in range(sprints):
            start = date(2026, 3, 2) + timedelta(weeks=2 * i)
            ann.sprints.add(Sprint(name=SPRINTS[i], start=start, end=start + timedelta(days=11)))
        if shared:
            self.folder.sync_all(rounds=1)

    # -- choosing what to act on, the same way in every run ---------------------------------

    def _pick(self, lap: int, sql: str, n: int) -> Any:
        found = [r[0] for r in self.laps[lap].store.conn.execute(sql)]
        return found[n % len(found)] if found else None

    def _card(self, lap: int, n: int) -> str | None:
        key = self._pick(lap, "SELECT key FROM cards ORDER BY id", n)
        return None if key is None else str(key)

    def _sprint(self, lap: int, n: int, where: str = "1") -> dict[str, Any] | None:
        name = self._pick(lap, f"SELECT name FROM sprints WHERE {where} ORDER BY id", n)
        return None if name is None else self.laps[lap].store.sprints.get(name)

    def _feedback(self, lap: int, n: int, where: str = "1") -> int | None:
        found = self._pick(lap, f"SELECT id FROM feedback WHERE {where} ORDER BY id", n)
        return None if found is None else int(found)

    # -- editing offline --------------------------------------------------------------------

    @rule(lap=lap_no, team=st.sampled_from(TEAMS), title=st.sampled_from(TITLES),
          points=st.sampled_from(POINTS))  # fmt: skip
    def add_card(self, lap: int, team: str, title: str, points: int | None) -> None:
        self.laps[lap].store.cards.add(Card(title=title, team=team, points=points))

    @rule(lap=lap_no, n=pick, title=st.sampled_from(TITLES))
    def edit_title(self, lap: int, n: int, title: str) -> None:
        self._edit(lap, n, {"title": title})

    @rule(lap=lap_no, n=pick, points=st.sampled_from(POINTS))
    def edit_points(self, lap: int, n: int, points: int | None) -> None:
        self._edit(lap, n, {"points": points})

    @rule(lap=lap_no, n=pick, priority=st.sampled_from(list(Priority)))
    def edit_priority(self, lap: int, n: int, priority: Priority) -> None:
        self._edit(lap, n, {"priority": priority.value})

    @rule(lap=lap_no, n=pick, teams=st.lists(st.sampled_from(TEAMS[:4]), max_size=2))
    def edit_contributing_teams(self, lap: int, n: int, teams: list[str]) -> None:
        self._edit(lap, n, {"teams": teams})

    def _edit(self, lap: int, n: int, changes: dict[str, Any]) -> None:
        key = self._card(lap, n)
        if key is not None:
            self.laps[lap].store.cards.edit(key, changes)

    @rule(lap=lap_no, n=pick, status=st.sampled_from(list(Status)))
    def move_status(self, lap: int, n: int, status: Status) -> None:
        key = self._card(lap, n)
        if key is not None:
            self.laps[lap].store.cards.move(key, status=status.value)

    @rule(lap=lap_no, n=pick, sprint=st.none() | pick)
    def move_to_sprint(self, lap: int, n: int, sprint: int | None) -> None:
        key = self._card(lap, n)
        found = None if sprint is None else self._sprint(lap, sprint, "state != 'closed'")
        if key is not None:
            self.laps[lap].store.cards.move(key, sprint_id=None if found is None else found["id"])

    @rule(lap=lap_no, n=pick, delta=st.integers(-3, 3))
    def reorder(self, lap: int, n: int, delta: int) -> None:
        key = self._card(lap, n)
        if key is not None:
            self.laps[lap].store.cards.reorder(key, delta)

    @rule(lap=lap_no, n=pick, other=pick, after=st.booleans())
    def place_next_to(self, lap: int, n: int, other: int, after: bool) -> None:
        key, neighbour = self._card(lap, n), self._card(lap, other)
        if key is None or neighbour is None:
            return
        with contextlib.suppress(UserError):  # not in the same column
            self.laps[lap].store.cards.place_next_to(key, neighbour, after=after)

    @rule(lap=lap_no, n=pick)
    def delete_card(self, lap: int, n: int) -> None:
        key = self._card(lap, n)
        if key is not None:
            self.laps[lap].store.cards.delete(key)

    @rule(lap=lap_no, blocker=pick, dependent=pick)
    def add_dependency(self, lap: int, blocker: int, dependent: int) -> None:
        # Another card than the blocker (the next ones in order), when there is one.
        b, d = self._card(lap, blocker), self._card(lap, blocker + 1 + dependent % 3)
        if b is None or d is None:
            return
        # Already there, or a cycle: refused here as the CLI refuses it.
        with contextlib.suppress(UserError):
            self.laps[lap].store.deps.add(b, d)

    @rule(lap=lap_no, n=pick)
    def remove_dependency(self, lap: int, n: int) -> None:
        link = self._pick(
            lap,
            """SELECT b.key || '>' || e.key FROM dependencies d JOIN cards b ON b.id = d.blocker_id
               JOIN cards e ON e.id = d.dependent_id ORDER BY d.id""",
            n,
        )
        if link is not None:
            self.laps[lap].store.deps.remove(*str(link).split(">"))

    @rule(lap=lap_no, name=st.sampled_from(SPRINTS), week=st.integers(0, 6))
    def add_sprint(self, lap: int, name: str, week: int) -> None:
        start = date(2026, 3, 2) + timedelta(weeks=week)
        with contextlib.suppress(UserError):  # that name is taken here
            self.laps[lap].store.sprints.add(
                Sprint(name=name, start=start, end=start + timedelta(days=11))
            )

    @rule(lap=lap_no, n=pick, team=st.sampled_from(TEAMS[:4]), capacity=st.integers(0, 30))
    def set_capacity(self, lap: int, n: int, team: str, capacity: int) -> None:
        found = self._sprint(lap, n, "state != 'closed'")
        if found is not None:
            self.laps[lap].store.sprints.set_capacity(found["name"], team, capacity)

    @rule(lap=lap_no, n=pick)
    def delete_sprint(self, lap: int, n: int) -> None:
        found = self._sprint(lap, n, "state != 'closed'")
        if found is not None:
            with contextlib.suppress(UserError):  # it holds cards
                self.laps[lap].store.sprints.delete(found["name"])

    @rule(lap=lap_no, n=pick)
    def start_sprint(self, lap: int, n: int) -> None:
        store = self.laps[lap].store
        found = self._sprint(lap, n, "state = 'planned'")
        if found is not None and store.sprints.active() is None:
            store.sprints.start(found["name"])

    @rule(lap=lap_no, carry_over=st.sampled_from(("backlog", "next")))
    def close_sprint(self, lap: int, carry_over: str) -> None:
        store = self.laps[lap].store
        active = store.sprints.active()
        if active is None:
            return
        try:
            store.sprints.close(active["name"], carry_over)
        except UserError:
            store.sprints.close(active["name"], "backlog")  # no planned sprint to carry into

    @rule(lap=lap_no, text=st.sampled_from(("Coupon fails", "Slow search", "Late parcel")))
    def add_feedback(self, lap: int, text: str) -> None:
        self.laps[lap].store.feedback.add(Feedback(text=text))

    @rule(lap=lap_no, n=pick, team=st.sampled_from(TEAMS))
    def accept_feedback(self, lap: int, n: int, team: str) -> None:
        self._triage(lap, n, lambda fb, ident: fb.accept(ident, team))

    @rule(lap=lap_no, n=pick)
    def decline_feedback(self, lap: int, n: int) -> None:
        self._triage(lap, n, lambda fb, ident: fb.decline(ident, "Not for us"))

    @rule(lap=lap_no, n=pick, days=st.integers(1, 20))
    def snooze_feedback(self, lap: int, n: int, days: int) -> None:
        until = date.fromisoformat(self.laps[lap].store.today()) + timedelta(days=days)
        self._triage(lap, n, lambda fb, ident: fb.snooze(ident, until))

    @rule(lap=lap_no, n=pick, other=pick, of_card=st.booleans())
    def duplicate_feedback(self, lap: int, n: int, other: int, of_card: bool) -> None:
        if of_card:
            key = self._card(lap, other)
            if key is not None:
                self._triage(lap, n, lambda fb, ident: fb.duplicate(ident, card=key))
            return
        target = self._feedback(lap, other)
        if target is not None:
            self._triage(lap, n, lambda fb, ident: fb.duplicate(ident, of_feedback=target))

    @rule(lap=lap_no, n=pick)
    def reopen_feedback(self, lap: int, n: int) -> None:
        self._triage(lap, n, lambda fb, ident: fb.reopen(ident), where="state != 'new'")

    def _triage(self, lap: int, n: int, verb: Any, where: str = "1") -> None:
        ident = self._feedback(lap, n, where)
        if ident is None:
            return
        # Triaged already, or a duplicate of itself: refused as the CLI refuses it.
        with contextlib.suppress(UserError):
            verb(self.laps[lap].store.feedback, ident)

    @rule(lap=lap_no)
    def undo(self, lap: int) -> None:
        # Nothing to undo, or a later change stands in the way.
        with contextlib.suppress(UserError):
            self.laps[lap].store.activity.undo()

    @rule(lap=lap_no, minutes=st.integers(-90, 240))
    def clock_moves(self, lap: int, minutes: int) -> None:
        self.laps[lap].later(minutes)

    # -- syncing ----------------------------------------------------------------------------

    @rule(lap=lap_no)
    def publish(self, lap: int) -> None:
        self.folder.publish(self.laps[lap])

    @rule(src=lap_no, dst=lap_no, own_only=st.booleans(), again=st.sampled_from((0, 0, 3)))
    def carry(self, src: int, dst: int, own_only: bool, again: int) -> None:
        if src != dst:
            self.folder.carry(self.laps[src], self.laps[dst], own_only=own_only, again=again)

    @rule(lap=lap_no, again=st.sampled_from((0, 5)))
    def sync(self, lap: int, again: int) -> None:
        """One laptop runs `sprintboard sync`: publish, then read every file."""
        self.folder.publish(self.laps[lap])
        self.folder.pull_all(self.laps[lap], again=again)

    # -- what must hold ---------------------------------------------------------------------

    @invariant()
    def one_active_sprint(self) -> None:
        for lap in self.laps:
            assert lap.store.scalar("SELECT COUNT(*) FROM sprints WHERE state = 'active'") <= 1

    def teardown(self) -> None:
        try:
            if sys.exc_info()[0] is None:  # a step failed: that is the failure to report
                self.check_the_end()
        finally:
            for lap in self.laps:
                lap.store.close()

    def check_the_end(self) -> None:
        self.folder.sync_all(rounds=2)
        plans = [plan(lap.store) for lap in self.laps]
        assert plans[1] == plans[0] and plans[2] == plans[0], _differences(plans)
        for lap in self.laps:  # every operation read once more (git delivering it again)
            self.folder.pull_all(lap, again=1 << 30)
            assert plan(lap.store) == plans[0], f"{lap.name}: operations read twice changed it"
        for lap in self.laps:
            store = lap.store
            assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        self.check_records_kept(plans[0])
        self.check_edits_accounted_for()

    def check_records_kept(self, final: dict[str, Any]) -> None:
        """A card, sprint or feedback item made on any laptop and deleted on none exists."""
        created: dict[str, str] = {}
        deleted: set[str] = set()
        for lap in self.laps:
            for row in lap.store.rows(
                """SELECT entity, entity_uuid, op FROM activity WHERE origin IS NULL
                   AND op IN ('create', 'delete')
                   AND entity IN ('card', 'sprint', 'feedback')"""
            ):
                if row["op"] == "create":
                    created[row["entity_uuid"]] = row["entity"]
                else:
                    deleted.add(row["entity_uuid"])
        tables = {"card": "cards", "sprint": "sprints", "feedback": "feedback"}
        for uuid, entity in created.items():
            if uuid not in deleted:
                assert uuid in final[tables[entity]], f"{entity} {uuid} was lost"

    def check_edits_accounted_for(self) -> None:
        """Every card edit whose value is not the card's value now lost to a later change
        whose writer had seen it (received it, or started from the value it set), or is a
        conflict on the laptop that made it."""
        device_of = {lap.device: lap for lap in self.laps}
        final = {r["uuid"]: r for r in self.laps[0].store.rows("SELECT * FROM cards")}
        marks = ", ".join("?" for _ in EDITED)
        for lap in self.laps:
            for edit in lap.store.rows(
                f"""SELECT * FROM activity WHERE origin IS NULL AND entity = 'card'
                    AND op = 'update' AND field IN ({marks}) ORDER BY id""",
                EDITED,
            ):
                card = final.get(edit["entity_uuid"])
                value = json.loads(edit["after"]) if edit["after"] is not None else None
                if card is None or card[edit["field"]] == value:
                    continue
                if self._conflict_kept(lap, edit, value):
                    continue
                later = self._later_changes(edit)
                assert any(self._had_seen(device_of[c["device"]], c, edit, lap) for c in later), (
                    f"{lap.name}'s edit of {edit['entity_key']} {edit['field']} to {value!r} "
                    f"({edit['hlc']}) is lost: now {card[edit['field']]!r}, no conflict on "
                    f"{lap.name}; later changes: "
                    + "; ".join(
                        f"{c['device']} {c['hlc']} {c['before']}->{c['after']}" for c in later
                    )
                )

    def _conflict_kept(self, lap: Laptop, edit: dict[str, Any], value: Any) -> bool:
        for row in lap.store.rows(
            "SELECT kind, field, other FROM sync_conflicts WHERE entity_uuid = ?",
            [edit["entity_uuid"]],
        ):
            other = json.loads(row["other"]) if row["other"] is not None else None
            if row["field"] == edit["field"] and other == value:
                return True
            if (
                row["kind"] == "deleted"
                and isinstance(other, dict)
                and other.get(edit["field"]) == value
            ):
                return True
        return False

    def _later_changes(self, edit: dict[str, Any]) -> list[dict[str, Any]]:
        """Changes of the same field made after `edit` (a card created again by undo, or
        deleted, changes every field), on every laptop, each with the laptop it was made
        on."""
        found = []
        for lap in self.laps:
            for row in lap.store.rows(
                """SELECT * FROM activity WHERE origin IS NULL AND entity_uuid = ?
                   AND hlc > ? AND (field = ? OR op IN ('create', 'delete')) ORDER BY id""",
                [edit["entity_uuid"], edit["hlc"], edit["field"]],
            ):
                found.append({**row, "device": lap.device})
        return found

    def _had_seen(
        self, writer: Laptop, change: dict[str, Any], edit: dict[str, Any], editor: Laptop
    ) -> bool:
        if change["op"] == "update" and change["before"] == edit["after"]:
            return True  # started from the value the edit set
        if change["op"] == "delete":
            gone = json.loads(change["before"])
            if gone.get(edit["field"]) == json.loads(edit["after"] or "null"):
                return True  # deleted the card as the edit left it
        if writer is editor:
            return True  # the same laptop, later
        return bool(
            writer.store.scalar(
                """SELECT 1 FROM activity WHERE origin = ? AND hlc = ? AND entity_uuid = ?
                   AND field = ? AND id < ?""",
                [editor.device, edit["hlc"], edit["entity_uuid"], edit["field"], change["id"]],
            )
        )


def _differences(plans: list[dict[str, Any]]) -> str:
    """Where the plans differ, one line per field: table, record, field, each laptop's."""
    lines = []
    for table in plans[0]:
        for uuid in sorted(set().union(*(p[table] for p in plans))):
            rows = [p[table].get(uuid) for p in plans]
            if all(r == rows[0] for r in rows):
                continue
            if any(r is None for r in rows):
                held = ["missing" if r is None else "present" for r in rows]
                lines.append(f"{table} {uuid}: {held}")
                continue
            for column in rows[0]:
                values = [r[column] for r in rows if r is not None]
                if any(v != values[0] for v in values):
                    lines.append(f"{table} {uuid} {column}: {values}")
    return "plans differ (Ann, Bob, Cem):\n" + "\n".join(lines)


EXAMPLES = int(os.environ.get("SYNC_EXAMPLES", "30"))
STEPS = int(os.environ.get("SYNC_STEPS", "60"))
"""A few seconds here; `SYNC_EXAMPLES=3000 SYNC_STEPS=120` searches for minutes."""


@pytest.mark.long
def test_three_laptops_converge(tmp_path: Path) -> None:
    runs = itertools.count()
    run_state_machine_as_test(
        lambda: Convergence(tmp_path / f"run{next(runs)}"),  # type: ignore[arg-type]
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=False,
            database=None,
            print_blob=True,
        ),
    )
