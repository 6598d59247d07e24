"""Planning figures: burndown of a sprint with ~5,000 activity entries, velocity, capacity.

Builds a demo organisation at scale (`load_demo(cards=N, per_sprint=P)`), then edits the
active sprint through the store the way a team does mid-sprint (points changed, cards
pulled in from the backlog, cards finished and reopened) until its cards carry the target
number of activity entries. Times, in-process, what the planning screen and `sprintboard
report` compute: median and best wall time and median CPU time of a few runs (on a busy
shared machine the best run is the figure to compare). Prints figures; asserts nothing.

    python benchmarks/bench_planning.py [--cards 20000] [--per-sprint 2500]
                                        [--entries 5000] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sprintboard.demo import load_demo
from sprintboard.io.report import planning_report
from sprintboard.planning.capacity import sprint_capacity
from sprintboard.planning.charts import burndown, sprint_burndown, sprint_flow
from sprintboard.planning.replay import SprintHistory
from sprintboard.planning.velocity import team_velocity
from sprintboard.store import Store

BURNDOWN_BUDGET_MS = 100.0


def entries_of(store: Store, sprint_id: int) -> tuple[int, int]:
    """(activity entries of every card ever in the sprint, those the charts replay)."""
    cards, events = store.sprints.card_history(sprint_id)
    marks = ", ".join("?" for _ in cards) or "NULL"
    everything = store.scalar(
        f"SELECT COUNT(*) FROM activity WHERE entity_uuid IN ({marks})", [c["uuid"] for c in cards]
    )
    return int(everything), len(events)


def churn(store: Store, sprint: dict[str, Any], target: int, seed: int = 11) -> int:
    """Mid-sprint edits through the store until the sprint's cards carry `target` entries."""
    rng = random.Random(seed)
    in_sprint = [c["key"] for c in store.cards.query(sprint=sprint["id"])]
    backlog = [c["key"] for c in store.cards.query(sprint=None)][:2000]
    edits = 0
    while entries_of(store, sprint["id"])[0] < target:
        for _ in range(100):
            roll = rng.random()
            if roll < 0.4:
                store.cards.edit(rng.choice(in_sprint), {"points": rng.choice([1, 2, 3, 5, 8])})
            elif roll < 0.6 and backlog:
                key = backlog.pop()
                store.cards.move(key, status="todo", sprint_id=sprint["id"])
                in_sprint.append(key)
            elif roll < 0.85:
                store.cards.move(rng.choice(in_sprint), status="done")
            else:
                store.cards.move(rng.choice(in_sprint), status="doing")
            edits += 1
    return edits


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """Median and best wall-clock, and median CPU milliseconds of `runs` calls (the best
    run and CPU time say more than the median wall time on a machine other work shares)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=20_000)
    parser.add_argument("--per-sprint", type=int, default=2_500)
    parser.add_argument("--entries", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Build the database in DIR and keep it.")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="sprintboard-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "planning.db"
    if db.exists():
        sys.exit(f"{db} exists; pass an empty --keep directory")
    with Store(db) as store:
        start = time.perf_counter()
        load_demo(store, cards=args.cards, per_sprint=args.per_sprint)
        built = time.perf_counter() - start
        sprint = store.sprints.active()
        assert sprint is not None
        start = time.perf_counter()
        edits = churn(store, sprint, args.entries)
        churned = time.perf_counter() - start
        total, replayed = entries_of(store, sprint["id"])
        cards = len(store.cards.query(sprint=sprint["id"]))
        closed = len(store.sprints.list("closed"))
        name = sprint["name"]
        today = date.fromisoformat(store.today())
        history = SprintHistory.load(store, sprint)

        rows = [
            ("burndown (load + replay)", timed(lambda: sprint_burndown(store, name), args.runs)),
            ("  of which: store read", timed(lambda: SprintHistory.load(store, sprint), args.runs)),
            ("  of which: replay", timed(lambda: burndown(history, today=today), args.runs)),
            ("cumulative flow", timed(lambda: sprint_flow(store, name), args.runs)),
            ("velocity, last 3 closed", timed(lambda: team_velocity(store, last=3), args.runs)),
            ("velocity, last 6 closed", timed(lambda: team_velocity(store, last=6), args.runs)),
            ("capacity (incl. velocity)", timed(lambda: sprint_capacity(store, name), args.runs)),
            (
                "report, markdown",
                timed(lambda: planning_report(store, name), max(1, args.runs // 2)),
            ),
        ]

    print(f"database: {db} ({db.stat().st_size / 1e6:.0f} MB)")
    print(
        f"demo with {args.cards:,} cards, {args.per_sprint:,} per sprint: built in {built:.1f} s; "
        f"{edits:,} mid-sprint edits in {churned:.1f} s"
    )
    print(
        f"{name}: {cards:,} cards now, {total:,} activity entries on its cards "
        f"({replayed:,} replayed: status, sprint, points, team, create, delete); "
        f"{closed} closed sprints"
    )
    print()
    print(f"{'measurement':<28} {'wall ms':>9} {'best ms':>9} {'cpu ms':>9}  budget (median)")
    for label, (wall, best, cpu) in rows:
        budget = ""
        if label.startswith("burndown"):
            verdict = "ok" if wall < BURNDOWN_BUDGET_MS else "OVER"
            budget = f"< {BURNDOWN_BUDGET_MS:.0f} ms {verdict}"
        print(f"{label:<28} {wall:>9.1f} {best:>9.1f} {cpu:>9.1f}  {budget}")
    load = os.getloadavg()[0]
    print(f"\nload average {load:.1f} on {os.cpu_count()} cores: wall times stretch under load")
    if args.keep is None:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
