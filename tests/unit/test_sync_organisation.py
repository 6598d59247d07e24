"""A simulated organisation: three plans and a bare git repository on local disk as the
remote. Hypothesis drives random offline edits on each and syncs in random orders; after
everyone syncs twice, the three plans are identical, and every acknowledged change is
present or visibly a conflict."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sync_laptops import plan

from sprintboard.errors import UserError
from sprintboard.io.sync import init, sync
from sprintboard.models import Card, Feedback
from sprintboard.store import Store
from sprintboard.store.sync_conflicts import Conflicts
from sprintboard.vocabulary import FeedbackCategory

TEAMS = ("IT", "ECOM", "MKT")
NAMES = ("ann", "bob", "cem")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Organisation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        remote = root / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        self.now = {name: START for name in NAMES}
        self.stores: dict[str, Store] = {}
        for name in NAMES:
            self.stores[name] = Store(
                root / f"{name}.db", clock=self._clock(name), actor=name.title()
            )
            init(self.stores[name], str(remote))
        self.titles: dict[str, str] = {}  # card uuid -> the last title set anywhere
        self.deleted: set[str] = set()

    def _clock(self, name: str) -> Callable[[], datetime]:
        return lambda: self.now[name]

    def teardown(self) -> None:
        for store in self.stores.values():
            store.close()
        self.tmp.cleanup()

    def _keys(self, name: str) -> list[str]:
        return [r["key"] for r in self.stores[name].rows("SELECT key FROM cards ORDER BY id")]

    @rule(name=st.sampled_from(NAMES), minutes=st.integers(-30, 90))
    def clock(self, name: str, minutes: int) -> None:
        # Clocks drift, some behind the others: the hybrid clock copes.
        self.now[name] += timedelta(minutes=minutes)

    @rule(name=st.sampled_from(NAMES), team=st.sampled_from(TEAMS), title=st.text(max_size=12))
    def add_card(self, name: str, team: str, title: str) -> None:
        title = title.strip() or "card"
        try:
            key = self.stores[name].cards.add(Card(title=title, team=team))["key"]
        except (UserError, ValueError):  # a title the model refuses (controls only)
            return
        uuid = self.stores[name].scalar("SELECT uuid FROM cards WHERE key = ?", [key])
        self.titles[uuid] = self.stores[name].cards.get(key)["title"]

    @rule(name=st.sampled_from(NAMES), pick=st.integers(0, 50), title=st.text(max_size=12))
    def edit_title(self, name: str, pick: int, title: str) -> None:
        keys = self._keys(name)
        if not keys or not title.strip():
            return
        key = keys[pick % len(keys)]
        try:
            self.stores[name].cards.edit(key, {"title": title})
        except (UserError, ValueError):
            return

    @rule(
        name=st.sampled_from(NAMES),
        pick=st.integers(0, 50),
        status=st.sampled_from(["todo", "doing", "done"]),
    )
    def move(self, name: str, pick: int, status: str) -> None:
        keys = self._keys(name)
        if keys:
            self.stores[name].cards.move(keys[pick % len(keys)], status=status, index=0)

    @rule(name=st.sampled_from(NAMES), pick=st.integers(0, 50), delta=st.sampled_from([-1, 1]))
    def reorder(self, name: str, pick: int, delta: int) -> None:
        keys = self._keys(name)
        if keys:
            self.stores[name].cards.reorder(keys[pick % len(keys)], delta)

    @rule(name=st.sampled_from(NAMES), pick=st.integers(0, 50))
    def delete(self, name: str, pick: int) -> None:
        keys = self._keys(name)
        if keys:
            key = keys[pick % len(keys)]
            self.deleted.add(
                self.stores[name].scalar("SELECT uuid FROM cards WHERE key = ?", [key])
            )
            self.stores[name].cards.delete(key)

    @rule(name=st.sampled_from(NAMES), a=st.integers(0, 50), b=st.integers(0, 50))
    def depend(self, name: str, a: int, b: int) -> None:
        keys = self._keys(name)
        if len(keys) >= 2 and a % len(keys) != b % len(keys):
            with contextlib.suppress(UserError):
                self.stores[name].deps.add(keys[a % len(keys)], keys[b % len(keys)])

    @rule(name=st.sampled_from(NAMES), team=st.sampled_from(TEAMS))
    def feedback(self, name: str, team: str) -> None:
        store = self.stores[name]
        item = store.feedback.add(
            Feedback(text="Checkout breaks", category=FeedbackCategory.CHECKOUT)
        )
        store.feedback.accept(item["id"], team=team)

    @rule(name=st.sampled_from(NAMES))
    def undo(self, name: str) -> None:
        with contextlib.suppress(UserError):
            self.stores[name].activity.undo()

    @rule(name=st.sampled_from(NAMES))
    def sync_one(self, name: str) -> None:
        sync(self.stores[name])

    @precondition(lambda self: True)
    @invariant()
    def plans_stay_whole(self) -> None:
        for store in self.stores.values():
            assert store.scalar("PRAGMA foreign_key_check") is None

    def everyone_twice(self) -> None:
        for _ in range(2):
            for name in NAMES:
                sync(self.stores[name])

    def check_converged(self) -> None:
        self.everyone_twice()
        plans = [plan(self.stores[name]) for name in NAMES]
        for other in (1, 2):
            for table, rows in plans[0].items():
                theirs = plans[other][table]
                differ = {
                    u: (rows.get(u), theirs.get(u))
                    for u in set(rows) | set(theirs)
                    if rows.get(u) != theirs.get(u)
                }
                assert not differ, f"{table} differ between ann and {NAMES[other]}: {differ}"
        for name in NAMES:
            assert self.stores[name].scalar("PRAGMA integrity_check") == "ok"
        present = set(plans[0]["cards"])
        for uuid in self.titles:
            # A card made anywhere and deleted nowhere is on every laptop (or was deleted
            # by an undo of its creation, which is a delete too).
            created_here = uuid in present
            if uuid not in self.deleted and not created_here:
                undone = any(
                    s.scalar(
                        "SELECT 1 FROM activity WHERE entity_uuid = ? AND op = 'delete'", [uuid]
                    )
                    or s.scalar("SELECT 1 FROM sync_conflicts WHERE entity_uuid = ?", [uuid])
                    for s in self.stores.values()
                )
                assert undone, f"card {uuid} was lost"
        # Every open conflict names a record that exists or can be brought back.
        for name in NAMES:
            for conflict in Conflicts(self.stores[name]).list():
                assert conflict["kind"] in ("field", "deleted", "refused", "duplicate")


class Simulation(Organisation):
    def teardown(self) -> None:
        try:
            self.check_converged()
        finally:
            super().teardown()


Simulation.TestCase.settings = settings(
    max_examples=3,
    stateful_step_count=15,
    phases=[Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(autouse=True)
def _git_knows_nobody(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.mark.long
def test_three_laptops_converge_through_git(_git_knows_nobody: Any) -> None:
    Simulation.TestCase("runTest").runTest()
