"""Writers killed with SIGKILL at random moments: the database is never left half-written.

Twenty rounds, two kinds shuffled at random (a new seed each run, printed on failure):
- 8 bulk loads, `sprintboard demo --cards 10000 --force` or `sprintboard import --from csv`
  of a 10,000-card file with 1,000 dependencies, each on a fresh copy of the demo database,
  killed at a random moment, or while COMMIT writes the WAL (the file watched from here),
  or just after the command reported success (while it checkpoints and closes);
- 12 streams of single changes (moves mostly, new cards, dependencies, deletes) through
  the store API on one shared database, each reported on stdout as soon as it committed,
  killed after a random 0.05-0.8 s.
After every kill: `PRAGMA integrity_check` and `foreign_key_check` pass; the tables equal a
replay of the activity log (no change without its entry, no entry without its change: every
card has its 'create', no dependency outlives its cards); every change reported as done is
there; a bulk load is all there or not there at all.

Most writers are forked from a small server process that has already imported sprintboard
(see crash_writer.py): each is still a process of its own with its own connection, killed
the way a terminal's `kill -9` kills `sprintboard`. Two rounds run the installed
`sprintboard` script itself, to show the two behave alike.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sprintboard.store import Store

from .conftest import HERE, SPRINTBOARD, child_env, copy_db
from .invariants import connect, integrity, log_mismatches

pytestmark = pytest.mark.serial

ROUNDS = 20
IMPORT_CARDS = 10_000
DEMO_CARDS = 10_000
ACTOR = "crash-writer"


class ForkServer:
    """crash_writer.py running as a fork server; one writer process per request."""

    def __init__(self, tmp: Path) -> None:
        self.log = tmp / "fork-server.log"  # a writer's traceback, should one fail
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(HERE / "crash_writer.py")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=child_env(tmp),
                cwd=HERE,
            )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.lines.get(timeout=60) == "ready"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def start(self, request: list[str]) -> Forked:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.lines.get(timeout=30)
        assert line.startswith("pid "), line
        return Forked(self, int(line.split()[1]))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Forked:
    """A writer forked by the server."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server, self.pid = server, pid
        self.status: int | None = None

    def ended(self) -> bool:
        if self.status is None:
            try:
                line = self.server.lines.get_nowait()
            except queue.Empty:
                return False
            assert line.startswith(f"exit {self.pid} "), line
            self.status = int(line.split()[2])
        return True

    def kill(self) -> bool:
        """SIGKILL it; True if that is what ended it (it may have just finished)."""
        with contextlib.suppress(ProcessLookupError):  # finished and reaped already
            os.kill(self.pid, signal.SIGKILL)
        line = self.server.lines.get(timeout=30)
        assert line.startswith(f"exit {self.pid} "), line
        self.status = int(line.split()[2])
        return os.WIFSIGNALED(self.status)

    def succeeded(self) -> bool:
        assert self.status is not None
        return os.WIFEXITED(self.status) and os.WEXITSTATUS(self.status) == 0


class Spawned:
    """The installed `sprintboard` script itself, output to a file."""

    def __init__(self, args: list[str], out: Path, tmp: Path) -> None:
        with out.open("wb") as sink:
            self.proc = subprocess.Popen(
                [*SPRINTBOARD, *args],
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=child_env(tmp, SPRINTBOARD_USER=ACTOR),
            )

    def ended(self) -> bool:
        return self.proc.poll() is not None

    def kill(self) -> bool:
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(timeout=30) == -signal.SIGKILL

    def succeeded(self) -> bool:
        return self.proc.returncode == 0


Writer = Forked | Spawned


def kill_when(writer: Writer, trigger: Callable[[], bool], context: str, limit: float = 90) -> bool:
    """SIGKILL the writer as soon as `trigger()` holds (checked every millisecond).

    Returns whether it was killed; a writer that ended first must have succeeded."""
    deadline = time.monotonic() + limit
    while not writer.ended():
        if trigger():
            return writer.kill()
        assert time.monotonic() < deadline, f"no end, no trigger: {context}"
        time.sleep(0.001)
    assert writer.succeeded(), f"the writer failed: {context}"
    return False


def after(seconds: float) -> Callable[[], bool]:
    at = time.monotonic() + seconds
    return lambda: time.monotonic() >= at


def wal_past(db: Path, size: int) -> Callable[[], bool]:
    """While COMMIT writes the transaction's pages into the WAL (~17 MB for 10,000 cards),
    or, for a load that runs with a rollback journal (the demo, when alone with the file),
    while it writes pages into the file with the old ones copied to the journal."""
    logs = [Path(f"{db}-wal"), Path(f"{db}-journal")]

    def reached() -> bool:
        for log in logs:
            try:
                if log.stat().st_size >= size:
                    return True
            except OSError:
                pass
        return False

    return reached


def said(out: Path, text: str, then: float) -> Callable[[], bool]:
    """`then` seconds after the writer reported success: while it closes (and checkpoints)."""
    seen: list[float] = []

    def reached() -> bool:
        if not seen and out.exists() and text in out.read_text(errors="replace"):
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() >= seen[0] + then

    return reached


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkServer]:
    started = ForkServer(tmp_path_factory.mktemp("fork-server"))
    yield started
    started.close()


def write_import_csv(path: Path, prefix: str) -> None:
    """10,000 cards in every column and several teams; every tenth waits on the one before."""
    rng = random.Random(prefix)
    teams = ["IT", "MKT", "CS", "ECOM", "WH", "CNT", "DATA", "FIN"]
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "title", "team", "teams", "status", "points", "labels", "blockers"])
        for i in range(IMPORT_CARDS):
            out.writerow(
                [
                    f"{prefix}-{i}",
                    f"Imported card {i} ✓",
                    rng.choice(teams),
                    rng.choice(teams),
                    rng.choice(["backlog", "todo", "doing", "review", "done"]),
                    rng.choice(["1", "2", "3", "5", "8", ""]),
                    "import;bulk",
                    f"{prefix}-{i - 1}" if i % 10 == 9 else "",
                ]
            )


def counts(path: Path) -> dict[str, int]:
    with connect(path) as conn:
        return {
            table: int(conn.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0])
            for table in ("cards", "dependencies", "card_teams", "sprints", "feedback", "activity")
        }


def assert_sound(path: Path, context: str) -> None:
    """The invariants every database must keep, whatever happened to its writer."""
    if Path(f"{path}-journal").exists():
        # A demo killed while it ran with a rollback journal: the next opening for
        # writing (any sprintboard command) rolls a hot one back, and puts a file killed
        # after its commit (a spent journal left in exclusive mode) back into WAL mode.
        with Store(path):
            pass
        assert not Path(f"{path}-journal").exists(), context
    with connect(path) as conn:
        assert integrity(conn) == [], context
        assert log_mismatches(conn) == [], context


@dataclass
class Report:
    """What a move-stream writer said: changes committed, and the one it was in."""

    ok: list[list[str]] = field(default_factory=list)  # [op, args..., txn]
    attempted: list[str] | None = None

    @classmethod
    def read(cls, path: Path) -> Report:
        report = cls()
        # A line cut short by the kill has no newline; it was never shown complete.
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        for line in text.splitlines(keepends=True):
            if not line.endswith("\n"):
                break
            word, *rest = line.split()
            if word == "try":
                report.attempted = rest
            elif word == "ok":
                report.ok.append(rest)
                report.attempted = None
            elif word == "refused":
                report.attempted = None
        return report


ACTIONS = {"move": "card.move", "add": "card.add", "dep": "dependency.add", "delete": "card.delete"}


def check_stream(path: Path, report: Report, since: int, context: str) -> None:
    """Every reported change is in the database as reported, and only the one in flight more."""
    with connect(path) as conn:
        txns = [
            (r["txn"], r["action"])
            for r in conn.execute(
                "SELECT txn, action, MIN(id) AS first FROM activity WHERE actor = ? AND id > ? "
                "GROUP BY txn ORDER BY first",
                [ACTOR, since],
            )
        ]
        reported = [(op[-1], ACTIONS[op[0]]) for op in report.ok]
        assert txns[: len(reported)] == reported, context
        extra = txns[len(reported) :]
        # The change in flight when the kill came: committed or not, but nothing else.
        assert len(extra) <= 1, (context, extra)
        if extra:
            assert report.attempted is not None, (context, extra)
            assert extra[0][1] == ACTIONS[report.attempted[0]], (context, extra)
        for op in report.ok:
            entries = [
                dict(r)
                for r in conn.execute("SELECT * FROM activity WHERE txn = ? ORDER BY id", [op[-1]])
            ]
            shape = {(e["entity"], e["op"], e["entity_key"], e["field"]) for e in entries}
            if op[0] == "move":
                key, status = op[1], op[2]
                assert any(
                    e["entity_key"] == key
                    and e["field"] == "status"
                    and e["after"] == f'"{status}"'
                    for e in entries
                ), (context, op, entries)
            elif op[0] == "add":
                assert ("card", "create", op[1], None) in shape, (context, op)
                assert ("card_team", "create", op[1], None) in shape, (context, op)
            elif op[0] == "dep":
                assert ("dependency", "create", f"{op[1]}>{op[2]}", None) in shape, (context, op)
            elif op[0] == "delete":
                assert ("card", "delete", op[1], None) in shape, (context, op)


def last_activity_id(path: Path) -> int:
    with connect(path) as conn:
        return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM activity").fetchone()[0])


def test_sigkill_at_random_points_leaves_nothing_half_done(
    server: ForkServer, demo_template: Path, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    # Bulk loads are killed at a random moment (mostly while the transaction is being
    # built in memory), while COMMIT is writing the WAL, or while the process closes
    # the database after reporting success (the checkpoint copying the WAL back).
    bulk = [
        (kind, when)
        for kind in ("demo", "import")
        for when in ("any time", "mid-commit", "mid-commit", "after success")
    ]
    kinds: list[tuple[str, str]] = [("moves", "any time")] * (ROUNDS - len(bulk)) + bulk
    rng.shuffle(kinds)
    # One demo and one import through the installed script, not the fork server.
    real_cli = {kinds.index(("demo", "any time")), kinds.index(("import", "mid-commit"))}
    base = counts(demo_template)
    stream_db = copy_db(demo_template, tmp_path / "stream.db")
    took = {"demo": 3.0, "import": 4.5}  # a bulk load's run time here; updated as we go
    outcomes: list[str] = []
    for round_no, (kind, when) in enumerate(kinds):
        out = tmp_path / f"round-{round_no}.out"
        context = f"seed {seed}, round {round_no} ({kind}, {when}); see {out}, {server.log}"
        if kind == "moves":
            since = last_activity_id(stream_db)
            writer: Writer = server.start(
                ["moves", str(stream_db), str(out), str(rng.randrange(10**6))]
            )
            # An endless stream: it only ends when killed.
            assert kill_when(writer, after(rng.uniform(0.05, 0.8)), context), context
            assert_sound(stream_db, context)
            report = Report.read(out)
            check_stream(stream_db, report, since, context)
            outcomes.append(f"moves: {len(report.ok)} committed")
            continue

        db = copy_db(demo_template, tmp_path / f"round-{round_no}.db")
        if kind == "demo":
            args = ["--db", str(db), "demo", "--cards", str(DEMO_CARDS), "--force"]
            done_line = "demo organisation loaded"
        else:
            csv_path = tmp_path / f"round-{round_no}.csv"
            write_import_csv(csv_path, f"r{round_no}")
            args = ["--db", str(db), "import", "--from", "csv", str(csv_path)]
            done_line = "imported in one transaction"
        real = round_no in real_cli
        t0 = time.monotonic()
        writer = Spawned(args, out, tmp_path) if real else server.start(["cli", str(out), *args])
        if when == "mid-commit":
            trigger = wal_past(db, rng.randrange(256 * 1024, 6 * 1024 * 1024))
        elif when == "after success":
            trigger = said(out, done_line, rng.uniform(0.0, 0.15))
        else:
            trigger = after(rng.uniform(0.0, took[kind]) + (0.8 if real else 0.0))
        killed = kill_when(writer, trigger, context)
        if not killed:
            took[kind] = time.monotonic() - t0
        assert_sound(db, context)
        said_done = done_line in out.read_text(encoding="utf-8", errors="replace")
        now = counts(db)
        if kind == "demo":
            complete = now["cards"] == DEMO_CARDS
        else:
            with connect(db) as conn:
                imported = conn.execute(
                    "SELECT COUNT(*) FROM cards WHERE external_id LIKE 'csv:%'"
                ).fetchone()[0]
            complete = imported == IMPORT_CARDS
            if complete:
                expected = base["dependencies"] + IMPORT_CARDS // 10
                assert now["dependencies"] == expected, context
        # All of it, or the database exactly as it was before.
        assert complete or now == base, (context, now, base)
        if said_done or not killed:
            assert complete, context
        outcomes.append(f"{kind} {when}: {'complete' if complete else 'nothing'}")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    # The shared database still opens and takes writes after its crashes.
    with Store(stream_db) as store:
        key = store.rows("SELECT key FROM cards ORDER BY id LIMIT 1")[0]["key"]
        store.cards.move(key, status="done")
    assert_sound(stream_db, f"seed {seed}, after the rounds")
    print(f"seed {seed}: " + "; ".join(outcomes))
