"""`demo --force` killed at any moment leaves the plan it was replacing, or the new one.

The plan replaced is a 3,000-card demo with history of its own (a card and a team edited).
Each round copies it and runs `sprintboard demo --cards 3000 --force` in a process of its
own, killed with SIGKILL while it copies the plan aside, once the copy is there, while the
rollback journal fills, as it is deleted (the commit), or at a moment spread over a
whole run. After each kill the next
opening rolls a hot journal back; then `integrity_check` and `foreign_key_check` pass, the
log replays to the tables, and the file holds exactly the old plan (its records and its
log, no replacement noted) or the whole new one (the old records and their history gone
to the copy the note names, log ids above the old ones, the teams' history kept).
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import NOW
from sprintboard.demo import load_demo
from sprintboard.store import Store, frozen_clock

from .conftest import SPRINTBOARD, child_env, copy_db
from .invariants import connect, integrity, log_mismatches

pytestmark = pytest.mark.serial

CARDS = 3000


def state(path: Path) -> dict[str, Any]:
    """What tells the old plan from the new one, read as a recovery tool would."""
    with connect(path) as conn:
        note = conn.execute("SELECT value FROM meta WHERE key = 'plan_replaced'").fetchone()
        return {
            "cards": {r[0] for r in conn.execute("SELECT uuid FROM cards")},
            "log": conn.execute(
                "SELECT COUNT(*), MAX(id), group_concat(uuid) FROM activity"
            ).fetchone(),
            "team_log": conn.execute(
                "SELECT * FROM activity WHERE entity = 'team' ORDER BY id"
            ).fetchall(),
            "first_of_note": None
            if note is None
            else conn.execute(
                "SELECT MIN(id) FROM activity WHERE txn = ?", [json.loads(note[0])["txn"]]
            ).fetchone()[0],
            "note": None if note is None else json.loads(note[0]),
        }


def appears(pattern: str, folder: Path) -> Callable[[], bool]:
    return lambda: any(folder.glob(pattern))


def grows_past(path: Path, size: int) -> Callable[[], bool]:
    def reached() -> bool:
        try:
            return path.stat().st_size >= size
        except OSError:
            return False

    return reached


def gone_again(path: Path) -> Callable[[], bool]:
    """Once `path` has been there and is gone (a rollback journal deleted: the commit)."""
    seen: list[bool] = []

    def reached() -> bool:
        if path.exists():
            seen.append(True)
            return False
        return bool(seen)

    return reached


def after(seconds: float) -> Callable[[], bool]:
    at = time.monotonic() + seconds
    return lambda: time.monotonic() >= at


def run_and_kill(db: Path, tmp: Path, trigger: Callable[[], bool]) -> bool:
    """Run the replacing demo; SIGKILL it once `trigger()` holds. Whether it was killed."""
    proc = subprocess.Popen(
        [*SPRINTBOARD, "--db", str(db), "demo", "--cards", str(CARDS), "--force"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=child_env(tmp),
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None:
        if trigger():
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGKILL)
            break
        assert time.monotonic() < deadline, "the demo neither ended nor met its trigger"
        time.sleep(0.0005)
    code = proc.wait(timeout=60)
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    assert code in (0, -signal.SIGKILL), err
    return code == -signal.SIGKILL


@pytest.fixture(scope="module")
def old_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("old") / "plan.db"
    with Store(path, clock=frozen_clock(NOW)) as store:
        load_demo(store, cards=CARDS)
        store.cards.edit("IT-5", {"title": "Mine, before the demo"})
        store.teams.edit("IT", {"capacity": 30})
    return path


def test_a_killed_demo_force_leaves_the_old_plan_or_the_new(old_plan: Path, tmp_path: Path) -> None:
    old = state(old_plan)
    size = old_plan.stat().st_size
    # One whole run first: how long a run takes here, and what a new plan looks like.
    full = copy_db(old_plan, tmp_path / "full.db")
    t0 = time.monotonic()
    assert not run_and_kill(full, tmp_path, lambda: False)
    took = time.monotonic() - t0
    never: Callable[[Path], Callable[[], bool]] = lambda db: lambda: False  # noqa: E731
    moments: list[tuple[str, Callable[[Path], Callable[[], bool]]]] = [
        ("copying", lambda db: appears(f".{db.name}.*.partial", db.parent)),
        ("copied", lambda db: appears(f"{db.name}.before-demo-*.bak", db.parent)),
        ("journal begun", lambda db: grows_past(Path(f"{db}-journal"), 1)),
        ("journal 64 KB", lambda db: grows_past(Path(f"{db}-journal"), 64 * 1024)),
        ("journal 1/4", lambda db: grows_past(Path(f"{db}-journal"), size // 4)),
        ("journal 3/4", lambda db: grows_past(Path(f"{db}-journal"), size * 3 // 4)),
        ("committed", lambda db: gone_again(Path(f"{db}-journal"))),
        *(
            (f"{share:.0%} of a run", lambda db, s=share: after(took * s))
            for share in (0.5, 0.8, 0.95)
        ),
    ]
    outcomes = []
    for name, trigger in [("complete", never), *moments]:
        db = copy_db(old_plan, tmp_path / f"{name.replace(' ', '-').replace('/', '-')}.db")
        killed = run_and_kill(db, tmp_path, trigger(db))
        context = f"{name}: killed={killed}"
        with Store(db):  # the next opening rolls a hot journal back, and goes back to WAL
            pass
        assert not Path(f"{db}-journal").exists(), context
        with connect(db) as conn:
            assert integrity(conn) == [], context
            assert log_mismatches(conn) == [], context
        now = state(db)
        if now["note"] is None:
            assert killed, context
            assert now == old, context
            outcomes.append(f"{name}: old")
            continue
        # The new plan whole: none of the old records, nor their history.
        assert len(now["cards"]) == CARDS and not now["cards"] & old["cards"], context
        assert now["first_of_note"] == old["log"][1] + 1, context
        assert now["team_log"][: len(old["team_log"])] == old["team_log"], context
        with Store(Path(now["note"]["backup"])) as copy:
            assert {r["uuid"] for r in copy.rows("SELECT uuid FROM cards")} == old["cards"]
        outcomes.append(f"{name}: new")
    print("; ".join(outcomes))
    # The kills while the transaction ran must have left the old plan.
    assert "journal 64 KB: old" in outcomes and "copied: old" in outcomes, outcomes
    assert "committed: new" in outcomes, outcomes
