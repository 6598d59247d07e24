"""One table for 1,000 / 10,000 / 100,000 cards: start, move, check, export, size, memory.

Run:  .venv/bin/python benchmarks/bench_all.py [--sizes 1000,10000,100000] [--runs 3]

Prints figures and asserts nothing. Everything runs in one temporary directory (your own
database and settings are never touched) on this Python, in this order:

1. builds each database with the CLI: `sprintboard demo --cards N --per-sprint 2000` (the
   board opens on the active sprint, which holds up to ~2,000 of the N cards);
2. cold start to the first painted board, fresh process, median of --runs, interleaved with
   the same number of starts of a bare Textual app (one Static) for the ratio; the driver
   and its "painted" detection are bench_board.py's (see its docstring);
3. `sprintboard check` and `sprintboard export --format json -o FILE`, one process each,
   wall time as the user waits for it;
4. the database file (with its WAL, if any), and peak RSS of the board process (max over
   its cold starts) and of the export process (os.wait4 rusage);
5. move latency: keypress (`L`/`H` alternately, --presses times after 2 warm-ups) to the
   first frame showing the card in its new column, in process with Pilot (bench_board).
   Last: a child forked after it would count this process's memory in its own peak RSS.
A full run takes 3-4 minutes on a busy 2-core machine, most of it building and exporting
the 100,000-card database. Compare figures only within one run: the machine line at the
end gives the load average at start and end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_board import (  # the sibling script, imported as a module
    child_env,
    cold_start,
    machine,
    machine_at_start,
    pct,
    press_bench,
)

PER_SPRINT = 2000


def sprintboard_command() -> list[str]:
    """The installed console script beside this Python, else `python -m sprintboard`."""
    script = Path(sys.executable).with_name("sprintboard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sprintboard"]


def run_timed(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """One process to completion: wall seconds and peak RSS (MB); its output is discarded."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, env=env)
        # wait4: this child's own rusage (RUSAGE_CHILDREN would be the max over all children)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code not in ok:
            err.seek(0)
            raise SystemExit(f"failed ({code}): {' '.join(args)}\n{err.read().decode()[-2000:]}")
    return {"wall": wall, "rss_mb": usage.ru_maxrss / 1024, "code": code}


def db_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, *path.parent.glob(path.name + "-*")))


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def print_table(head: list[str], rows: list[list[str]]) -> None:
    """A Markdown table, columns padded to their widest cell, between blank lines."""
    widths = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(len(head))]
    print()
    print("| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(head)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(r)) + " |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="card counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="cold starts of each app")
    parser.add_argument("--presses", type=int, default=20, help="moves timed per size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    m0 = machine_at_start()
    sb = sprintboard_command()
    with tempfile.TemporaryDirectory(prefix="bench-all-") as name:
        tmp = Path(name)
        env = child_env(tmp)

        # 1. The databases.
        dbs: dict[int, Path] = {}
        built: dict[int, float] = {}
        for n in sizes:
            path = tmp / f"cards-{n}.db"
            demo = ["demo", "--cards", str(n), "--per-sprint", str(PER_SPRINT)]
            cmd = [*sb, "--db", str(path), *demo]
            built[n] = run_timed(cmd, env)["wall"]
            dbs[n] = path
            print(f"built {n:,} cards in {built[n]:.1f} s", flush=True)

        # 2. Cold starts, interleaved so load from other users hits every variant alike.
        cold_start(tmp, "bare", None)  # fill the pycache prefix and the page cache
        for n in sizes:
            cold_start(tmp, "app", dbs[n])
        starts: dict[str, list[dict[str, Any]]] = {"bare": [], **{str(n): [] for n in sizes}}
        for _ in range(args.runs):
            starts["bare"].append(cold_start(tmp, "bare", None))
            for n in sizes:
                starts[str(n)].append(cold_start(tmp, "app", dbs[n]))
        bare = statistics.median(r["start"] for r in starts["bare"])
        print("cold starts done", flush=True)

        # 3 + 4. check, export, size: processes started while this one is still small.
        checks: dict[int, dict[str, Any]] = {}
        exports: dict[int, dict[str, Any]] = {}
        sizes_b: dict[int, int] = {}
        for n in sizes:
            sizes_b[n] = db_size(dbs[n])
            # `check` exits 1 when it finds errors (the demo plan has some): still a result.
            checks[n] = run_timed([*sb, "--db", str(dbs[n]), "check"], env, ok=(0, 1))
            out = tmp / f"export-{n}.json"
            exports[n] = run_timed(
                [*sb, "--db", str(dbs[n]), "export", "--format", "json", "-o", str(out)], env
            )
            exports[n]["bytes"] = out.stat().st_size
            out.unlink()
        print("check and export done", flush=True)

        # 5. Move latency, in this process: last, because a process forked from this one
        # counts this one's memory in its peak RSS (ru_maxrss carries over at exec).
        moves: dict[int, dict[str, Any]] = {}
        for n in sizes:
            moves[n] = asyncio.run(press_bench(dbs[n], args.presses, True))
        print("moves done", flush=True)

        m1 = machine()

    ms = 1000.0
    head = [
        "cards",
        "board shows",
        "cold start (x bare)",
        "move median / p95",
        "check",
        "export json",
        "db size",
        "peak RSS board / export",
    ]
    rows = []
    for n in sizes:
        start = statistics.median(r["start"] for r in starts[str(n)])
        to_frame = moves[n]["to_frame"]
        rows.append(
            [
                f"{n:,}",
                f"{moves[n]['board_cards']:,}",
                f"{start * ms:.0f} ms ({start / bare:.2f}x)",
                f"{statistics.median(to_frame) * ms:.1f} / {pct(to_frame, 95) * ms:.1f} ms",
                f"{checks[n]['wall']:.2f} s",
                f"{exports[n]['wall']:.2f} s ({human(exports[n]['bytes'])})",
                human(sizes_b[n]),
                f"{max(r['maxrss_mb'] for r in starts[str(n)]):.0f} / "
                f"{exports[n]['rss_mb']:.0f} MB",
            ]
        )
    print_table(head, rows)
    print(
        f"bare Textual app (one Static), cold start to first paint: {bare * ms:.0f} ms "
        f"(median of {args.runs}); databases built with `sprintboard demo --cards N "
        f"--per-sprint {PER_SPRINT}` in " + ", ".join(f"{built[n]:.1f} s" for n in sizes) + "."
    )
    consistent = all(r["consistent"] for r in moves.values())
    print(
        f"cold start: fresh process to the first painted board, median of {args.runs}, 120x40 "
        f"headless; move: key to repainted frame, {args.presses} moves after 2 warm-ups; "
        f"database ends as the screen shows: {'yes' if consistent else 'NO'}."
    )
    print(
        f"machine: nproc {m0['nproc']}, CPU {m0['cpu']}, Python {m0['python']}, "
        f"Textual {m0['textual']}; load average {m0['load']} (start) / {m1['load']} (end)"
    )


if __name__ == "__main__":
    main()
