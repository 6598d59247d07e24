"""How the board's cost follows what it shows, not the size of the plan: one table per size.

Run:  .venv/bin/python benchmarks/bench_scaling.py [--sizes 1000,10000,100000] [--runs 3]
      .venv/bin/python benchmarks/bench_scaling.py --one-board [--plan PLAN.db]

Prints figures and asserts nothing. In one temporary directory (your own database and
settings are never touched), for each size N and for "100,000 on one board" (the
100,000-card plan with every card moved into the active sprint, as an imported Jira
project is):

- `sprintboard demo --cards N` into a new file, wall time as the user waits (and, for the
  largest size, `demo --cards N --force` replacing that plan in a copy of the file);
- start: from spawning a fresh board process to its first painted frame, stamped by the
  child on the system's monotonic clock (bench_board's cold-start driver), each right
  after a fresh bare Textual app (one Static) whose time it is divided by; median of
  --runs pairs. Below the table: how much later than the bare app's the board's event
  loop was free again after that frame (the child exits then);
- a session in a process of its own at 160x50 with the app's own live refresh (1 s):
  after the first paint, the CPU seconds of the next 3 s; then --presses moves (`L`/`H`
  after 2 warm-ups), key to the first frame drawn from the moved card, median and p95;
  then, after 3 quiet seconds, one more move and the CPU seconds of the 3 s after it (the
  write, the reload it causes, the findings count); the peak RSS of the whole session
  (os.wait4 rusage);
- `sprintboard check`, one process, wall time.
`--one-board` measures only "100,000 on one board" (from the largest size's demo, or from
a copy of `--plan`, a database of that plan made before: no demo is timed then).
Every frame is encoded as a terminal would receive it (bench_board's `stamp_frames`).
A run takes ~4 minutes on a 2-core machine. The machine is shared: the load average is
printed at the start and the end; compare ratios to the bare app within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_all import print_table, run_timed, sprintboard_command  # the sibling scripts, as modules
from bench_board import CHILD_START, child_env, cold_start, machine, machine_at_start, pct

ONE_BOARD = "100,000 on one board"

# A board session in a process of its own: argv: database, presses. Prints one JSON line.
SESSION = (
    CHILD_START
    + r"""
import resource, statistics

DB, PRESSES = sys.argv[1], int(sys.argv[2])


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process
    return r.ru_utime + r.ru_stime


async def main():
    from sprintboard.app import make_app
    from sprintboard.screens.board import BoardScreen

    app = make_app(DB)  # the app's own live refresh
    frames = []  # (time, model.col, model.selected)
    def ready():
        screen = app.screen
        return (
            isinstance(screen, BoardScreen)
            and bool(screen.model.cards)
            and screen.grid.size.height > 0
        )
    stamp, painted = stamp_frames(app, ready)
    shown = app._display

    def display(screen, update):
        shown(screen, update)
        model = getattr(screen, "model", None)
        if update is not None and model is not None:
            frames.append((time.perf_counter(), model.col, model.selected))

    app._display = display
    async with app.run_test(size=(160, 50), headless=True) as pilot:
        await asyncio.wait_for(painted.wait(), 120)
        c0 = cpu()
        await asyncio.sleep(3)
        idle = cpu() - c0
        screen = app.screen
        model = screen.model
        while model.col > 0:  # Backlog first, so L/H go Backlog -> To do -> Backlog
            await pilot.press("h")
        key, start_col = model.selected, model.col

        async def move(i):
            letter = "L" if i % 2 == 0 else "H"
            want = start_col + (1 if letter == "L" else 0)
            seen = len(frames)
            t0 = time.perf_counter()
            await pilot.press(letter)
            while True:
                hit = next((f for f in frames[seen:] if f[1] == want and f[2] == key), None)
                if hit is not None:
                    return hit[0] - t0
                if time.perf_counter() - t0 > 30:
                    raise SystemExit(f"no frame showed {key} in column {want}")
                await asyncio.sleep(0.0005)

        async def writes_done():
            while app.backend.pending_writes:
                await asyncio.sleep(0.001)

        times = []
        for i in range(2 + PRESSES):
            took = await move(i)
            if i >= 2:
                times.append(took)
            await writes_done()
        await asyncio.sleep(3)  # the reloads and counts of those moves settle
        c0 = cpu()
        await move(2 + PRESSES)  # the next of the alternation
        await asyncio.sleep(3)
        after_move = cpu() - c0
        print(json.dumps({
            "board_cards": len(model.cards),
            "moves": times,
            "cpu_idle": idle,
            "cpu_after_move": after_move,
        }), flush=True)
        os._exit(0)


asyncio.run(main())
"""
)


def session(tmp: Path, db: Path, presses: int) -> dict[str, Any]:
    """One board session (SESSION) in a fresh process: its JSON, peak RSS (MB)."""
    cmd = [sys.executable, "-c", SESSION, str(db), str(presses)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(tmp))
    _, status, usage = os.wait4(proc.pid, 0)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0 or not out.strip():
        raise SystemExit(f"session failed:\n{err.decode()[-2000:]}")
    data: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    data["maxrss_mb"] = usage.ru_maxrss / 1024
    return data


def one_board(source: Path, target: Path) -> Path:
    """A copy of `source` with every card in its active sprint."""
    shutil.copy(source, target)
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE cards SET sprint_id = (SELECT id FROM sprints WHERE state = 'active')")
    conn.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="card counts")
    parser.add_argument("--runs", type=int, default=3, help="start pairs (bare, board) per size")
    parser.add_argument("--presses", type=int, default=20, help="moves timed per size")
    parser.add_argument("--one-board", action="store_true", help=f"only the row '{ONE_BOARD}'")
    parser.add_argument("--plan", type=Path, help="with --one-board: start from this plan")
    args = parser.parse_args()
    if args.plan is not None and not args.one_board:
        parser.error("--plan goes with --one-board")
    sizes = [int(s) for s in args.sizes.split(",")]
    m0 = machine_at_start()
    sb = sprintboard_command()
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as name:
        tmp = Path(name)
        env = child_env(tmp)
        dbs: dict[str, Path] = {}
        demo: dict[str, str] = {}
        if args.one_board:
            sizes = [max(sizes)]
        for n in sizes if args.plan is None else []:
            path = tmp / f"cards-{n}.db"
            made = run_timed([*sb, "--db", str(path), "demo", "--cards", str(n)], env)
            dbs[f"{n:,}"] = path
            demo[f"{n:,}"] = f"{made['wall']:.1f} s, {made['rss_mb']:.0f} MB"
            print(f"demo --cards {n:,}: {demo[f'{n:,}']}", flush=True)
        largest = max(sizes)
        if args.plan is not None:
            dbs[ONE_BOARD] = one_board(args.plan, tmp / "one-board.db")
        elif args.one_board:
            dbs = {ONE_BOARD: one_board(dbs[f"{largest:,}"], tmp / "one-board.db")}
        elif largest >= 100_000:
            copy = tmp / "replace.db"
            shutil.copy(dbs[f"{largest:,}"], copy)
            cmd = [*sb, "--db", str(copy), "demo", "--cards", str(largest), "--force"]
            made = run_timed(cmd, env)
            demo[ONE_BOARD] = f"replacing: {made['wall']:.1f} s, {made['rss_mb']:.0f} MB"
            print(f"demo --cards {largest:,} --force: {demo[ONE_BOARD]}", flush=True)
            for leftover in tmp.glob("replace.db*"):
                leftover.unlink()
            dbs[ONE_BOARD] = one_board(dbs[f"{largest:,}"], tmp / "one-board.db")

        cold_start(tmp, "bare", None)  # fill the pycache prefix and the page cache
        rows = []
        busy: dict[str, float] = {}
        for label, db in dbs.items():
            cold_start(tmp, "app", db)
            ratios, walls, bares, settled = [], [], [], []
            for _ in range(args.runs):
                bare = cold_start(tmp, "bare", None)
                board = cold_start(tmp, "app", db)
                ratios.append(board["start"] / bare["start"])
                walls.append(board["start"])
                bares.append(bare["start"])
                # from the first paint to the event loop's next turn (the child then exits)
                settled.append((board["wall"] - board["start"]) - (bare["wall"] - bare["start"]))
            busy[label] = statistics.median(settled)
            s = session(tmp, db, args.presses)
            check = run_timed([*sb, "--db", str(db), "check"], env, ok=(0, 1))
            moves = s["moves"]
            rows.append(
                [
                    label,
                    f"{s['board_cards']:,}",
                    f"{statistics.median(ratios):.2f}x ({statistics.median(walls) * 1000:.0f} "
                    f"/ {statistics.median(bares) * 1000:.0f} ms)",
                    f"{statistics.median(moves) * 1000:.0f} / {pct(moves, 95) * 1000:.0f} ms",
                    f"{s['maxrss_mb']:.0f} MB",
                    f"{s['cpu_idle']:.2f} s",
                    f"{s['cpu_after_move']:.2f} s",
                    f"{check['wall']:.2f} s",
                    demo.get(label, "—"),
                ]
            )
            print(f"{label} done", flush=True)
        m1 = machine()
    head = [
        "cards",
        "board shows",
        "start ÷ bare (board / bare)",
        "move median / p95",
        "peak RSS",
        "CPU 3 s after paint",
        "CPU 3 s after a move",
        "check",
        "demo --cards N",
    ]
    print_table(head, rows)
    print(
        "the event loop's first free turn after the first paint, beyond the bare app's: "
        + ", ".join(f"{label} {ms * 1000:.0f} ms" for label, ms in busy.items())
    )
    print(
        f"start: median of {args.runs} pairs, each board start divided by a bare Textual "
        f"app started right before it; session at 160x50, {args.presses} moves; "
        f"machine: nproc {m0['nproc']}, {m0['cpu']}, Python {m0['python']}, Textual "
        f"{m0['textual']}; load average {m0['load']} (start) / {m1['load']} (end); "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
    )


if __name__ == "__main__":
    main()
