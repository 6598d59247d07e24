"""The full seam check against the incremental one, at 10,000 and 100,000 cards.

Builds each plan with `sprintboard demo --cards N` in a temporary directory and prints:

- the full check in process (`run_checks`) and end to end (`sprintboard check`, process
  start included), median of a few runs, against the 1 s budget;
- `IncrementalFindings.refresh` after a single-card move through the store (a status
  move, as the board's H/L; and a move to another sprint, which re-sums two team loads),
  median and p95 over many moves, and how many times faster than the full check;
- the same on a one-sprint board (every card put in the active sprint with a SQL UPDATE
  on a copy: the board's worst case).

Prints figures; asserts nothing.

    python benchmarks/bench_findings_incremental.py [--sizes 10000,100000] [--moves 40]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sprintboard.config import Settings
from sprintboard.planning.checks import run_checks
from sprintboard.planning.findings_index import IncrementalFindings
from sprintboard.store import Store

BUDGET_S = 1.0
STATUSES = ("todo", "doing", "review", "done")


def command() -> list[str]:
    script = Path(sys.executable).with_name("sprintboard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sprintboard"]


def build(db: Path, cards: int) -> None:
    subprocess.run(
        [*command(), "--db", str(db), "demo", "--cards", str(cards)],
        check=True,
        capture_output=True,
    )


def one_sprint(source: Path, target: Path) -> None:
    """A copy with every card in the active sprint (behind the log's back, as a script)."""
    shutil.copy(source, target)
    with sqlite3.connect(target) as conn:
        conn.execute(
            "UPDATE cards SET sprint_id = (SELECT id FROM sprints WHERE state = 'active'),"
            " status = CASE status WHEN 'backlog' THEN 'todo' ELSE status END"
        )
    conn.close()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def full_times(db: Path, runs: int) -> tuple[float, float, int]:
    """(in process, end to end) medians, and the number of findings."""
    inside, outside = [], []
    found = 0
    with Store(db) as store:
        for _ in range(runs):
            start = time.perf_counter()
            found = len(run_checks(store, settings=Settings()))
            inside.append(time.perf_counter() - start)
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*command(), "--db", str(db), "check"], capture_output=True, check=False)
        outside.append(time.perf_counter() - start)
    return statistics.median(inside), statistics.median(outside), found


def move_times(db: Path, moves: int, *, sprints: bool) -> tuple[list[float], bool]:
    """Seconds of each refresh after one move; and whether the last matched the full check."""
    rng = random.Random(7)
    took = []
    with Store(db) as store:
        findings = IncrementalFindings(Settings().urgent_feedback_days)
        findings.refresh(store)
        keys = [
            r[0] for r in store.conn.execute("SELECT key FROM cards WHERE sprint_id IS NOT NULL")
        ]
        sprint_ids = [s["id"] for s in store.sprints.list() if s["state"] != "closed"]
        for _ in range(moves):
            key = rng.choice(keys)
            card = store.cards.get(key)
            if sprints:
                choices = [i for i in sprint_ids if i != card["sprint_id"]]
                store.cards.move(key, sprint_id=rng.choice(choices))
            else:
                choices = [s for s in STATUSES if s != card["status"]]
                store.cards.move(key, status=rng.choice(choices))
            start = time.perf_counter()
            findings.refresh(store)
            took.append(time.perf_counter() - start)
            assert findings.last == "changes", findings.last
        same = findings.findings() == run_checks(store, settings=Settings())
    return took, same


def report(label: str, db: Path, runs: int, moves: int) -> None:
    inside, outside, found = full_times(db, runs)
    print(f"\n{label}: {found} findings")
    verdict = "ok" if outside < BUDGET_S else "over"
    print(f"  full check in process          {ms(inside)}")
    print(f"  sprintboard check (end to end) {ms(outside)}   budget {BUDGET_S:.1f} s: {verdict}")
    for name, sprints in (("status move", False), ("move to another sprint", True)):
        took, same = move_times(db, moves, sprints=sprints)
        median = statistics.median(took)
        print(
            f"  incremental after a {name:<24} median {ms(median)}, p95 {ms(p95(took))}"
            f"  ({inside / median:,.0f}x faster than the full check; "
            f"{'same findings' if same else 'DIFFERENT findings'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--moves", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            db = Path(tmp) / f"plan-{size}.db"
            start = time.perf_counter()
            build(db, size)
            print(f"\ndemo --cards {size}: built in {time.perf_counter() - start:.1f} s")
            report(f"{size:,} cards (demo)", db, args.runs, args.moves)
            flat = Path(tmp) / f"one-sprint-{size}.db"
            one_sprint(db, flat)
            report(f"{size:,} cards, all in the active sprint", flat, args.runs, args.moves)


if __name__ == "__main__":
    main()
