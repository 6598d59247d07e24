"""`sprintboard check` and the dependency graph at 10,000 cards and 20,000 dependencies.

Builds the database with `sprintboard demo --cards N`, tops the links up to the target
through the store (`deps.add_many`, one transaction), then times `sprintboard check` end
to end as a subprocess (process start included; median of a few runs) against the 1 s
budget, and the graph computations in-process. Prints figures; asserts nothing.

    python benchmarks/bench_checks.py [--cards 10000] [--deps 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sprintboard.config import Settings
from sprintboard.planning.checks import run_checks
from sprintboard.planning.graph import DependencyGraph, filter_links, gc_paused
from sprintboard.store import Store

BUDGET_S = 1.0


def command() -> list[str]:
    script = Path(sys.executable).with_name("sprintboard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sprintboard"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(db: Path, *args: str) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall-clock and CPU seconds of one `sprintboard --db DB ARGS` process."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [*command(), "--db", str(db), *args], capture_output=True, text=True, check=False
    )
    return time.perf_counter() - start, _children_cpu() - cpu, done


def timed_runs(
    db: Path, runs: int, *args: str
) -> tuple[list[float], list[float], subprocess.CompletedProcess[str]]:
    """Wall-clock and CPU seconds of `runs` runs (CPU time, and the best run, say more than
    the median wall time on a machine other work shares)."""
    walls, cpus, last = [], [], None
    for _ in range(runs):
        wall, cpu, last = run(db, *args)
        if last.returncode not in (0, 1):
            sys.exit(f"sprintboard {' '.join(args)} failed: {last.stderr.strip()}")
        walls.append(wall)
        cpus.append(cpu)
    assert last is not None
    return walls, cpus, last


def top_up_links(db: Path, target: int, seed: int = 7) -> tuple[int, float]:
    """Add random links until there are `target`; returns (links now, seconds taken).

    New links run from an older generated card to one of the next 500 cards, like the
    demo's own, so they never close a cycle (add_many would refuse the batch if they did).
    """
    with Store(db) as store:
        keys = [c["key"] for c in store.deps.plan_cards()]
        existing = set(store.deps.pairs())
        rng = random.Random(seed)
        first = min(len(keys) - 2, 60)  # leave the hand-written organisation's cards alone
        wanted: dict[tuple[str, str], None] = {}
        while len(existing) + len(wanted) < target:
            i = rng.randrange(first, len(keys) - 1)
            j = rng.randrange(i + 1, min(len(keys), i + 501))
            pair = (keys[i], keys[j])
            if pair not in existing:
                wanted[pair] = None
        start = time.perf_counter()
        store.deps.add_many(wanted, action="bench")
        took = time.perf_counter() - start
        return len(store.deps.pairs()), took


def timed(label: str, fn: Callable[[], Any], rows: list[tuple[str, float]]) -> Any:
    start = time.perf_counter()
    value = fn()
    rows.append((label, time.perf_counter() - start))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--deps", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        took, _, done = run(db, "demo", "--cards", str(args.cards))
        if done.returncode:
            sys.exit(done.stderr.strip())
        print(f"demo --cards {args.cards}: {took:.2f} s")
        links, add_s = top_up_links(db, args.deps)
        print(f"links topped up to {links} through store.deps.add_many: {add_s:.2f} s")

        print(f"\nend to end over {args.runs} runs, process start included")
        print(f"  {'command':<38} {'median':>7} {'best':>7} {'cpu':>7}   budget {BUDGET_S:.1f} s")
        summary_line = ""
        for argv in (
            ("--version",),
            ("check",),
            ("check", "--json"),
            ("check", "--sprint", "current"),
            ("dep", "graph", "--teams", "all"),
        ):
            walls, cpus, done = timed_runs(db, args.runs, *argv)
            if argv == ("check",):
                summary_line = done.stdout.strip().splitlines()[-1]
            wall = statistics.median(walls)
            verdict = "" if argv[0] != "check" else "ok" if wall < BUDGET_S else "over"
            print(
                f"  {'sprintboard ' + ' '.join(argv):<38} {wall * 1000:5.0f} ms"
                f" {min(walls) * 1000:4.0f} ms {statistics.median(cpus) * 1000:4.0f} ms"
                f"   {verdict}"
            )
        print(f"  check says: {summary_line}")

        print("\nin-process (collector paused, as run_checks and `dep graph` do)")
        rows: list[tuple[str, float]] = []
        with Store(db) as store, gc_paused():
            found = timed(
                "every rule (run_checks: lean reads included)",
                lambda: run_checks(
                    store, today=date.fromisoformat(store.today()), settings=Settings()
                ),
                rows,
            )
            cards = timed("read the cards (plan_cards)", store.deps.plan_cards, rows)
            pairs = timed("read the links (pairs)", store.deps.pairs, rows)
            graph = timed(
                "build the graph",
                lambda: DependencyGraph.from_rows(cards, pairs, store.sprints.list()),
                rows,
            )
            timed("colour every link", graph.links, rows)
            path = timed("critical path", graph.critical_path, rows)
            timed("find a cycle", graph.find_cycle, rows)
            layers = timed("levels (layered drawing)", graph.levels, rows)
            timed("team matrix", graph.matrix, rows)
            pair = timed("IT <-> ECOM view", lambda: filter_links(graph.links()), rows)
        for label, seconds in rows:
            print(f"  {label:<40} {seconds * 1000:7.1f} ms")
        print(
            f"\n{len(cards)} cards, {len(pairs)} links, {len(found)} findings; "
            f"critical path {len(path.cards)} cards / {path.points} points; "
            f"{len(layers)} layers; IT <-> ECOM view {len(pair)} links"
        )


if __name__ == "__main__":
    main()
