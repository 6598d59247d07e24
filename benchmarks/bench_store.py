"""How fast the store and the command line are at scale: prints figures, asserts nothing.

For each size N it times, as separate processes (what a user waits for), with each
bulk load's peak memory (resident set):
  sprintboard --db X demo --cards N --per-sprint 500      (the bulk path: one transaction)
  sprintboard --db X demo --cards N --per-sprint 500 --force   (replacing that plan)
  sprintboard --db X card list --json --sprint current    (median of --runs runs)
and prints the size of the database file. `python -c pass` and `python -c "import textual.app"`
are timed in the same run as references for this machine.

    python benchmarks/bench_store.py                      # N = 10,000 and 100,000
    python benchmarks/bench_store.py --sizes 1000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PER_SPRINT = 500
BUDGET_DEMO_100K_S = 10.0
BUDGET_LIST_100K_S = 0.7


@dataclass
class Row:
    what: str
    figure: str
    budget: str = ""
    verdict: str = ""


def sprintboard_command() -> list[str]:
    """The installed console script beside this Python, else `python -m sprintboard`."""
    script = Path(sys.executable).with_name("sprintboard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sprintboard"]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall-clock seconds of one process run to completion, and its stdout."""
    elapsed, out, _ = timed_with_memory(args, env)
    return elapsed, out


def timed_with_memory(args: list[str], env: dict[str, str]) -> tuple[float, str, int]:
    """Wall-clock seconds of one process run to completion, its stdout, and its peak
    resident memory in bytes (its own, from wait4: not the largest of all children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(args)}\n{err.read().decode()}")
        return elapsed, out.read().decode(), usage.ru_maxrss * 1024


def median_of(runs: int, args: list[str], env: dict[str, str]) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        elapsed, out = timed(args, env)
        times.append(elapsed)
    return statistics.median(times), out


def db_size(path: Path) -> int:
    """The database with its WAL and shared-memory files, if any are left."""
    return sum(p.stat().st_size for p in (path, *path.parent.glob(path.name + "-*")))


def verdict(value: float, budget: float) -> str:
    return "ok" if value < budget else "OVER"


def measure(sizes: list[int], runs: int, work: Path) -> list[Row]:
    env = {k: v for k, v in os.environ.items() if k != "SPRINTBOARD_DB"}
    env["SPRINTBOARD_CONFIG"] = str(work / "config.toml")
    sb = sprintboard_command()
    rows: list[Row] = []

    pass_s, _ = median_of(runs, [sys.executable, "-c", "pass"], env)
    rows.append(Row("python -c pass (reference)", f"{pass_s * 1000:.0f} ms"))
    try:
        textual_s, _ = median_of(runs, [sys.executable, "-c", "import textual.app"], env)
        rows.append(Row("python -c 'import textual.app' (reference)", f"{textual_s * 1000:.0f} ms"))
    except SystemExit:
        rows.append(Row("python -c 'import textual.app' (reference)", "textual not installed"))

    for n in sizes:
        db = work / f"plan-{n}.db"
        demo = [*sb, "--db", str(db), "demo", "--cards", str(n), "--per-sprint", str(PER_SPRINT)]
        budget = f"< {BUDGET_DEMO_100K_S:g} s" if n == 100_000 else ""
        for what, args in (("", demo), (" --force (replacing it)", [*demo, "--force"])):
            demo_s, _, peak = timed_with_memory(args, env)
            rows.append(
                Row(
                    f"demo --cards {n:,} --per-sprint {PER_SPRINT}{what}",
                    f"{demo_s:.2f} s, {peak / 1e6:.0f} MB peak",
                    budget,
                    verdict(demo_s, BUDGET_DEMO_100K_S) if budget else "",
                )
            )
        for kept in work.glob(f"{db.name}.before-demo-*.bak"):
            kept.unlink()
        list_s, out = median_of(
            runs, [*sb, "--db", str(db), "card", "list", "--json", "--sprint", "current"], env
        )
        in_sprint = len(json.loads(out))
        budget = f"< {BUDGET_LIST_100K_S:g} s" if n == 100_000 else ""
        rows.append(
            Row(
                f"card list --json --sprint current at {n:,} ({in_sprint} cards, median of {runs})",
                f"{list_s * 1000:.0f} ms",
                budget,
                verdict(list_s, BUDGET_LIST_100K_S) if budget else "",
            )
        )
        rows.append(Row(f"database file at {n:,} cards", f"{db_size(db) / 1e6:.1f} MB"))
    return rows


def print_table(rows: list[Row]) -> None:
    headers = Row("measurement", "figure", "budget", "")
    widths = [
        max(len(getattr(r, f)) for r in [headers, *rows])
        for f in ("what", "figure", "budget", "verdict")
    ]
    for i, row in enumerate([headers, *rows]):
        cells = [row.what, row.figure, row.budget, row.verdict]
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--keep", type=Path, help="keep the databases in this directory")
    args = parser.parse_args()

    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    print(f"command: {' '.join(sprintboard_command())}")
    work = Path(tempfile.mkdtemp(prefix="sprintboard-bench-"))
    try:
        rows = measure(args.sizes, args.runs, work)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for db in work.glob("plan-*.db*"):
                shutil.move(str(db), args.keep / db.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print_table(rows)


if __name__ == "__main__":
    main()
