"""`sprintboard sync` killed with SIGKILL at random points: nothing lost, nothing applied twice.

Three laptops share the demo plan through a bare repository on disk. Each round every
laptop makes changes of its own (cards added to its own team, titles and points edited,
cards moved, on any card), two of them sync, then the third one's `sprintboard sync` runs
as a process of its own and is killed: after a random delay; as soon as git is seen
writing (its index lock); just after the sync changed its own files (appended its
operations, before the plan records that, or cut what a killed sync had left); or a
random moment after the fetch, while it merges and applies the others' changes. One
round of each kind by default (SPRINTBOARD_SYNC_KILL_ROUNDS sets how many, the kinds taken
in turn); rounds run in a shuffled order (a new seed each run, printed on failure), and the
test prints where each kill landed.

After the rounds every laptop syncs normally, twice over, and then:
- every plan holds the same records (compared as data: by uuid, references as uuids);
- every change made is there, once: each laptop's own operations were logged exactly once
  on every other laptop (same transaction, record, field and change), its own files hold
  each of them exactly once and no line twice, and the latest title, points and status
  written anywhere is the one every plan shows;
- `PRAGMA integrity_check` and `foreign_key_check` pass, after every kill too. (The tables
  are not a replay of the log in its own order here: a received change that lost to a
  later one is logged after it.)
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sprintboard.models import Card
from sprintboard.store import Store
from sprintboard.store.activity import FOREIGN_KEYS
from sprintboard.store.database import ENTITY_TABLES

from .conftest import SPRINTBOARD, child_env, copy_db, run_cli
from .invariants import connect, integrity

pytestmark = pytest.mark.serial

ROUNDS = int(os.environ.get("SPRINTBOARD_SYNC_KILL_ROUNDS", "4"))
"""One round of each kind of kill by default (each kind lands in every run, at a new
random moment); `SPRINTBOARD_SYNC_KILL_ROUNDS=40` searches longer, ten of each kind."""
CHANGES = 120
"""Changes each laptop makes per round (~300 operations): a sync then applies hundreds to
a few thousand, long enough for kills to land in the apply."""
KINDS = ("any time", "in git", "after append", "in apply")
STATUSES = ["backlog", "todo", "doing", "review", "done"]


@dataclass
class Laptop:
    name: str
    db: Path
    team: str
    """New cards go to this team alone: keys never collide, so no renumbering repairs."""
    device: str = ""
    """The device id sync gave the plan (it names the laptop's own files)."""

    @property
    def folder(self) -> Path:
        return self.db.with_name(self.db.stem + ".sync")

    def meta(self, key: str) -> str | None:
        with connect(self.db) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    @property
    def own_dir(self) -> Path:
        return self.folder / "ops" / self.device

    def own_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.own_dir.glob("*.jsonl"))


class Shared:
    """The laptops, the remote, and the environment their `sprintboard` processes run in."""

    def __init__(self, tmp: Path, demo: Path) -> None:
        self.tmp = tmp
        (tmp / "gitconfig").write_text("")
        # Commits work where git knows nobody (CI); no user or system settings play a part.
        self.git_env = {"GIT_CONFIG_GLOBAL": str(tmp / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
        self.remote = tmp / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(self.remote)], check=True)
        self.laptops = [
            Laptop("ann", copy_db(demo, tmp / "ann.db"), "IT"),
            Laptop("bob", tmp / "bob.db", "WH"),
            Laptop("cat", tmp / "cat.db", "CS"),
        ]
        for lap in self.laptops:
            self.ok(lap, "sync", "init", str(self.remote))
            lap.device = str(lap.meta("device"))

    def args(self, lap: Laptop, *args: str) -> list[str]:
        return ["--db", str(lap.db), "--as", lap.name, *args]

    def ok(self, lap: Laptop, *args: str) -> str:
        done = run_cli(
            self.tmp,
            *self.args(lap, *args),
            GIT_CONFIG_GLOBAL=self.git_env["GIT_CONFIG_GLOBAL"],
            GIT_CONFIG_NOSYSTEM="1",
        )
        assert done.code == 0, (lap.name, args, done.err)
        return done.out

    def start(self, lap: Laptop, out: Path) -> subprocess.Popen[bytes]:
        with out.open("wb") as sink:
            return subprocess.Popen(
                [*SPRINTBOARD, *self.args(lap, "sync")],
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=child_env(self.tmp, **self.git_env),
            )


def make_changes(lap: Laptop, rng: random.Random, n: int) -> None:
    """`n` changes on this laptop, each its own transaction, as a person makes them."""
    with Store(lap.db, actor=lap.name) as store:
        keys = [r["key"] for r in store.rows("SELECT key FROM cards ORDER BY id")]
        for i in range(n):
            roll = rng.random()
            if roll < 0.15:
                card = store.cards.add(Card(title=f"{lap.name} card {rng.random()}", team=lap.team))
                keys.append(card["key"])
            elif roll < 0.5:
                key = rng.choice(keys)
                store.cards.edit(key, {"title": f"{lap.name} edit {i} {rng.random()}"})
            elif roll < 0.65:
                store.cards.edit(rng.choice(keys), {"points": rng.choice([1, 2, 3, 5, 8, 13])})
            else:
                store.cards.move(rng.choice(keys), status=rng.choice(STATUSES))


def trigger_for(kind: str, lap: Laptop, rng: random.Random, took: float) -> Callable[[], bool]:
    """When to kill a sync that was just started, for each kind of round."""
    git = lap.folder / ".git"
    start = time.monotonic()
    if kind == "any time":
        at = start + rng.uniform(0.0, took)
        return lambda: time.monotonic() >= at
    if kind == "in git":
        # Seen while git holds its index lock (add, commit, merge); else at a random moment.
        late = start + rng.uniform(0.3, took)
        return lambda: (git / "index.lock").exists() or time.monotonic() >= late
    if kind == "after append":
        before = lap.own_bytes()
        return lambda: lap.own_bytes() != before
    fetched = git / "FETCH_HEAD"

    def stamp() -> float:
        try:
            return fetched.stat().st_mtime_ns
        except OSError:
            return 0.0

    first = stamp()
    delay = rng.uniform(0.0, max(0.1, took / 2))
    seen: list[float] = []

    def after_fetch() -> bool:
        if not seen and stamp() != first:
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() >= seen[0] + delay

    return after_fetch


def kill_when(proc: subprocess.Popen[bytes], trigger: Callable[[], bool], context: str) -> bool:
    """SIGKILL the sync as soon as `trigger()` holds (checked every millisecond); whether
    that is what ended it. A sync that ended first must have succeeded."""
    deadline = time.monotonic() + 60
    while proc.poll() is None:
        if trigger():
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGKILL)
            return proc.wait(timeout=30) == -signal.SIGKILL
        assert time.monotonic() < deadline, f"no end, no trigger: {context}"
        time.sleep(0.001)
    assert proc.returncode == 0, context
    return False


def upstream(lap: Laptop) -> str:
    """The remote's branch as this laptop last fetched it ('' before any fetch)."""
    done = subprocess.run(
        ["git", "-C", str(lap.folder), "rev-parse", "-q", "--verify", "refs/remotes/origin/main"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def merged(lap: Laptop, commit: str) -> bool:
    done = subprocess.run(
        ["git", "-C", str(lap.folder), "merge-base", "--is-ancestor", commit, "HEAD"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def left_behind(lap: Laptop, before: tuple[str | None, int, str]) -> str:
    """What a killed sync left, in words: where the kill landed."""
    sizes_before, peers_before, fetched_before = before
    git = lap.folder / ".git"
    found = []
    if (git / "index.lock").exists():
        found.append("git's index lock")
    if (git / "MERGE_HEAD").exists():
        found.append("a half-done merge")
    sizes = {p.name: p.stat().st_size for p in lap.own_dir.glob("*.jsonl")}
    recorded = json.loads(lap.meta("sync_own_files") or "{}")
    if sizes != recorded:
        found.append("operations appended but not recorded")
    elif lap.meta("sync_own_files") != sizes_before:
        found.append("operations sent")
    fetched = upstream(lap)
    if fetched != fetched_before:
        found.append("fetched")
        if merged(lap, fetched):
            found.append("merged")
    if peers(lap) != peers_before:
        found.append("operations applied")
    return ", ".join(found) or "nothing yet"


def peers(lap: Laptop) -> int:
    with connect(lap.db) as conn:
        return int(conn.execute("SELECT COALESCE(SUM(ops), 0) FROM sync_peers").fetchone()[0])


def assert_sound(lap: Laptop, context: str) -> None:
    with connect(lap.db) as conn:
        assert integrity(conn) == [], context


def plan(conn: sqlite3.Connection) -> dict[str, dict[str, dict[str, Any]]]:
    """The plan as comparable data: records by uuid, references as uuids, no local ids."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for table in ENTITY_TABLES.values():
        uuids = {
            parent: dict(conn.execute(f"SELECT id, uuid FROM [{parent}]").fetchall())
            for parent in set(FOREIGN_KEYS.get(table, {}).values())
        }
        rows: dict[str, dict[str, Any]] = {}
        for r in conn.execute(f"SELECT * FROM [{table}]"):
            row = dict(r)
            for column, parent in FOREIGN_KEYS.get(table, {}).items():
                if row.get(column) is not None:
                    row[column] = uuids[parent].get(row[column], f"missing {row[column]}")
            row.pop("id", None)
            rows[row["uuid"]] = row
        found[table] = rows
    return found


def own_ops(conn: sqlite3.Connection, device: str) -> Counter[tuple[Any, ...]]:
    """The operations this plan made since it was shared (under the device id sync gave
    it; its history from before never travels): (transaction, record, field, change,
    clock)."""
    return Counter(
        tuple(r)
        for r in conn.execute(
            "SELECT txn, entity_uuid, field, op, hlc FROM activity"
            " WHERE origin IS NULL AND hlc IS NOT NULL AND device = ?",
            [device],
        )
    )


def received_ops(
    conn: sqlite3.Connection, device: str, sent: Counter[tuple[Any, ...]]
) -> Counter[tuple[Any, ...]]:
    """The operations of `device` this plan applied, as `sent` names them. A creation of a
    record this plan has already (a seeded team given a cost rate) is logged here as the
    field changes it made: those entries stand for that one creation."""
    created = {(op[0], op[1], op[4]): op for op in sent if op[3] == "create"}
    found: Counter[tuple[Any, ...]] = Counter()
    folded: set[tuple[Any, ...]] = set()
    for txn, uuid, column, kind, hlc in conn.execute(
        "SELECT txn, entity_uuid, field, op, hlc FROM activity WHERE origin = ?", [device]
    ):
        creation = created.get((txn, uuid, hlc))
        if kind == "update" and creation is not None:
            folded.add(creation)
            continue
        found[(txn, uuid, column, kind, hlc)] += 1
    for creation in folded:
        found[creation] = max(found[creation], 1)
    return found


def file_ops(lap: Laptop) -> tuple[Counter[tuple[Any, ...]], list[bytes]]:
    """The operations in this laptop's own files, and every line (duplicates included)."""
    lines = [
        line
        for path in sorted(lap.own_dir.glob("*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]
    ops = [json.loads(line) for line in lines]
    return Counter((o["tx"], o["uuid"], o["field"], o["op"], o["hlc"]) for o in ops), lines


def latest_values(convs: list[sqlite3.Connection]) -> dict[tuple[str, str], Any]:
    """(card uuid, field) -> the value its latest change (by clock) anywhere wrote."""
    latest: dict[tuple[str, str], tuple[str, Any]] = {}
    for conn in convs:
        for uuid, column, hlc, after in conn.execute(
            "SELECT entity_uuid, field, hlc, after FROM activity WHERE origin IS NULL"
            " AND hlc IS NOT NULL AND entity = 'card' AND op = 'update'"
            " AND field IN ('title', 'points', 'status')"
        ):
            if (uuid, column) not in latest or hlc > latest[(uuid, column)][0]:
                latest[(uuid, column)] = (hlc, json.loads(after))
    return {k: v for k, (_, v) in latest.items()}


def test_a_killed_sync_loses_nothing_and_applies_nothing_twice(
    demo_template: Path, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    shared = Shared(tmp_path, demo_template)
    laptops = shared.laptops
    kinds = [KINDS[i % len(KINDS)] for i in range(ROUNDS)]
    rng.shuffle(kinds)
    took = 1.5  # a sync's run time here; updated from the syncs that were not killed
    outcomes: list[str] = []
    for round_no, kind in enumerate(kinds):
        for lap in laptops:
            make_changes(lap, rng, CHANGES)
        lap = rng.choice(laptops)
        # The others' changes wait in the remote: the killed sync has them to apply.
        for other in rng.sample(laptops, len(laptops)):
            if other is not lap:
                shared.ok(other, "sync")
        out = tmp_path / f"round-{round_no}.out"
        context = f"seed {seed}, round {round_no} ({lap.name}, {kind}); see {out}"
        before = lap.meta("sync_own_files"), peers(lap), upstream(lap)
        t0 = time.monotonic()
        proc = shared.start(lap, out)
        killed = kill_when(proc, trigger_for(kind, lap, rng, took), context)
        if killed:
            outcomes.append(f"{kind}: {left_behind(lap, before)}")
        else:
            took = time.monotonic() - t0
            outcomes.append(f"{kind}: finished")
        assert_sound(lap, context)

    for _ in range(2):
        for lap in laptops:
            shared.ok(lap, "sync")
    context = f"seed {seed}: " + "; ".join(outcomes)

    with contextlib.ExitStack() as stack:
        convs = [stack.enter_context(connect(lap.db)) for lap in laptops]
        for lap in laptops:
            assert_sound(lap, context)
        plans = [plan(conn) for conn in convs]
        for lap, shown in zip(laptops[1:], plans[1:], strict=True):
            assert shown == plans[0], f"{lap.name}'s plan differs from ann's; {context}"
        for lap, conn in zip(laptops, convs, strict=True):
            sent = own_ops(conn, lap.device)
            in_files, lines = file_ops(lap)
            twice = [line[:200] for line, n in Counter(lines).items() if n > 1]
            assert not twice, (
                f"{len(twice)} lines twice in {lap.name}'s files",
                twice[:2],
                context,
            )
            assert in_files == sent, f"{lap.name}'s files and its log differ; {context}"
            for other, other_conn in zip(laptops, convs, strict=True):
                if other is not lap:
                    got = received_ops(other_conn, lap.device, sent)
                    assert got == sent, f"{other.name} got {lap.name}'s changes so; {context}"
        cards = plans[0]["cards"]
        for (uuid, column), value in latest_values(convs).items():
            assert uuid in cards, context
            assert cards[uuid][column] == value, (uuid, column, context)
    print(context)
