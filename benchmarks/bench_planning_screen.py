"""Planning screen speed: open it with 10,000 cards in the backlog, against the board.

Run:  .venv/bin/python benchmarks/bench_planning_screen.py [--runs 5] [--presses 20]

Prints figures; asserts nothing. Everything is measured in one run, on this Python, at
140x45 headless, on databases built with the CLI in a temporary directory:

- big: `sprintboard demo --cards 50000 --per-sprint 500`: ~10,000 cards in no sprint
  (the backlog: the demo leaves a fifth of its cards there), ~500 in the active one.
- small: `sprintboard demo` (20 backlog cards, 20 in the active sprint), for reference.

Measured:
1. Cold start to first paint, fresh processes, interleaved, median of --runs: the app as
   it starts (on the board), and the same app opened straight on the planning screen,
   timed inside the child from its interpreter start (the same for both). The child wraps
   `App._display` (as bench_board.py does: each frame is also encoded for a terminal) and
   stamps the first frame drawn with the screen's data: for the board, its model holds
   cards; for planning, `load()` has filled both lists (it sets the model and redraws in
   one synchronous block); then it leaves with os._exit. "Complete" is the
   later frame that also shows the teams' recent velocity (replayed from the activity log
   in a second step, so it never holds up the lists). Beside it: what importing the
   planning screen costs on top of the board, and the database reads behind each paint.
2. In one process: the board open (and done with its background seam checks), then the
   key `2` to the planning screen's first paint (its first open: the screen is built, its
   data read and drawn). Also with `2` pressed as soon as the board is drawn.
3. Keypress to repaint for `>` and `<` (a backlog card into the sprint and back) at 10,000
   and 20 backlog cards, median over --presses of each: the key to the first frame whose
   model has the card on its new side. The writes follow on the database thread.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_board import (  # the sibling script, imported as a module: its cold-start driver
    CHILD_START,
    build_db,
    child_env,
    cold_start,
    machine,
    machine_at_start,
)

SIZE = (140, 45)

# The child for the cold starts, on bench_board.py's start (the clock, `status_kb`,
# `stamp_frames`). argv: mode (board | planning), database path.
CHILD = (
    CHILD_START
    + r"""
MODE, DB = sys.argv[1], sys.argv[2]


async def main():
    from sprintboard.app import make_app

    if MODE == "planning":
        from sprintboard.screens.planning import PlanningScreen
        from sprintboard.tui import SprintboardApp

        # Start in the planning screen's mode instead of the board's (read as the app is
        # built); make_app still reads the board first, as every start does.
        SprintboardApp.DEFAULT_MODE = "planning"
    app = make_app(DB, live_refresh=0)
    if MODE == "planning":

        def ready():
            s = app.screen
            return isinstance(s, PlanningScreen) and s.loaded and s.lists.size.height > 0

        def complete():
            return ready() and not app.screen.capacity.loading

    else:
        from sprintboard.screens.board import BoardScreen

        def ready():
            s = app.screen
            return isinstance(s, BoardScreen) and bool(s.model.cards) and s.grid.size.height > 0

        complete = ready

    stamp, done = stamp_frames(app, ready, complete)
    async with app.run_test(size=(140, 45), headless=True):
        await asyncio.wait_for(done.wait(), 120)
        shown = 0
        if MODE == "planning":
            shown = len(app.screen.model.backlog.cards)
        print(json.dumps({**stamp, "backlog": shown, "hwm_kb": status_kb("VmHWM")}), flush=True)
        os._exit(0)


asyncio.run(main())
"""
)


async def in_process(db: Path, presses: int, settle: bool = True) -> dict[str, Any]:
    """The board open, `2` to the planning screen's first paint; then `>` and `<` timed
    (not when `settle` is off: then `2` is pressed as soon as the board is drawn)."""
    from sprintboard.app import SCREENS, make_app
    from sprintboard.config import Settings
    from sprintboard.screens.board import BoardScreen
    from sprintboard.screens.planning import PlanningScreen

    app = make_app(db, live_refresh=0, settings=Settings())
    frames: list[tuple[float, Any]] = []
    original = app._display

    def display(screen: Any, update: Any) -> None:
        original(screen, update)
        if update is None:
            return
        update.render_segments(app.console)
        frames.append((time.perf_counter(), screen))

    def planning_state(screen: Any) -> tuple[bool, set[str]]:
        if not isinstance(screen, PlanningScreen) or not screen.loaded:
            return False, set()
        return True, {c["key"] for c in screen.model.sprint.cards}

    app._display = display  # type: ignore[method-assign]
    key = str(1 + [mode for mode, _, _ in SCREENS].index("planning"))
    async with app.run_test(size=SIZE, headless=True) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.model.cards):
            await asyncio.sleep(0.005)
        await pilot.pause()
        if settle:
            # The board counts its seam findings in the background once drawn (on the one
            # database thread): let that finish, so the figure is the planning screen's own.
            board = app.screen
            while getattr(board, "_findings", []) is None:
                await asyncio.sleep(0.01)
            await app.workers.wait_for_complete()
        seen = len(frames)
        t0 = time.perf_counter()
        await pilot.press(key)
        while True:
            hit = next((f for f in frames[seen:] if planning_state(f[1])[0]), None)
            if hit is not None:
                break
            await asyncio.sleep(0.001)
        switch = hit[0] - t0
        screen = app.screen
        assert isinstance(screen, PlanningScreen)
        while screen.capacity.loading:
            await asyncio.sleep(0.005)
        await app.workers.wait_for_complete()
        await pilot.pause()
        backlog = len(screen.model.backlog.cards)
        if not settle:
            return {"switch": switch, "backlog": backlog}

        timings: dict[str, list[float]] = {">": [], "<": []}
        warmup = 2
        for i in range(warmup + presses):
            for letter in (">", "<"):
                card = (
                    screen.model.backlog.selected()
                    if letter == ">"
                    else screen.model.sprint.selected()
                )
                assert card is not None
                moved = card["key"]
                want_in = letter == ">"
                seen = len(frames)
                t0 = time.perf_counter()
                await pilot.press(letter)
                while True:
                    hit = next(
                        (f for f in frames[seen:] if (moved in planning_state(f[1])[1]) == want_in),
                        None,
                    )
                    if hit is not None:
                        break
                    await asyncio.sleep(0.0005)
                if i >= warmup:
                    timings[letter].append(hit[0] - t0)
                while app.backend.pending_writes:  # type: ignore[attr-defined]
                    await asyncio.sleep(0.001)
                if letter == ">":
                    # `<` takes the sprint list's selection: the card just moved in.
                    assert screen.model.sprint.selected()["key"] == moved  # type: ignore[index]
        await app.workers.wait_for_complete()
        stored = await app.backend.run(app.store.cards.get, moved)  # type: ignore[attr-defined]
        consistent = stored["sprint_id"] is None and moved in {
            c["key"] for c in screen.model.backlog.cards
        }
    return {"switch": switch, "backlog": backlog, "consistent": consistent, **timings}


IMPORTS = r"""
import json, sys, time
import sprintboard.app, sprintboard.tui, sprintboard.screens.board  # the board's imports
t = time.perf_counter()
import sprintboard.screens.planning
screen = time.perf_counter() - t
print(json.dumps({"screen": screen, "pydantic": float("pydantic" in sys.modules)}))
"""


def import_costs(tmp: Path, runs: int) -> dict[str, float]:
    """Seconds to import the planning screen on top of the board, and whether that loaded
    pydantic (1.0) or not (0.0): the screen's reads need none of it."""
    found: list[dict[str, float]] = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-c", IMPORTS], capture_output=True, env=child_env(tmp), check=True
        )
        found.append(json.loads(proc.stdout))
    return {k: statistics.median(r[k] for r in found) for k in ("screen", "pydantic")}


def query_costs(db: Path, runs: int = 3) -> dict[str, float]:
    """Seconds for the reads behind each screen's first paint, on the database alone."""
    from sprintboard.screens.board import fetch_board
    from sprintboard.store import Store
    from sprintboard.views.planning import fetch_planning

    with Store(db) as store:
        board, planning, backlog = [], [], []
        for _ in range(runs):
            t = time.perf_counter()
            fetch_board(store, None, False, True)
            board.append(time.perf_counter() - t)
            t = time.perf_counter()
            fetch_planning(store, None, False)
            planning.append(time.perf_counter() - t)
            t = time.perf_counter()
            store.cards.query(sprint=None)
            backlog.append(time.perf_counter() - t)
    return {
        "board": statistics.median(board),
        "planning": statistics.median(planning),
        "backlog": statistics.median(backlog),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each screen")
    parser.add_argument("--presses", type=int, default=20, help="timed > and < presses")
    args = parser.parse_args()
    m0 = machine_at_start()
    with tempfile.TemporaryDirectory(prefix="bench-planning-") as name:
        tmp = Path(name)
        t = time.perf_counter()
        big = build_db(tmp, "big.db", cards=50_000, per_sprint=500)
        small = build_db(tmp, "small.db")
        print(f"databases built in {time.perf_counter() - t:.1f} s", flush=True)

        for mode in ("board", "planning"):  # fill the pycache and page cache; not counted
            cold_start(tmp, mode, big, child=CHILD)
        runs: dict[str, list[dict[str, Any]]] = {"board": [], "planning": []}
        for _ in range(args.runs):  # interleaved: load from other users hits both alike
            for mode in runs:
                runs[mode].append(cold_start(tmp, mode, big, child=CHILD))
        print(
            "in-child first paint (s): "
            + "; ".join(
                f"{k} " + " ".join(f"{r['paint']:.3f}" for r in v) for k, v in runs.items()
            ),
            flush=True,
        )
        imports = import_costs(tmp, args.runs)
        queries = query_costs(big)
        big_run = asyncio.run(in_process(big, args.presses))
        small_run = asyncio.run(in_process(small, args.presses))
        eager = asyncio.run(in_process(big, 0, settle=False))
        m1 = machine()

    ms = 1000.0
    paint = {k: statistics.median(r["paint"] for r in v) for k, v in runs.items()}
    best = {k: min(r["paint"] for r in v) for k, v in runs.items()}
    full = statistics.median(r["complete"] for r in runs["planning"])
    backlog = runs["planning"][0]["backlog"]
    extra = paint["planning"] - paint["board"]
    extra_best = best["planning"] - best["board"]
    rows: list[tuple[str, str, str]] = [
        (
            "cold start to first painted board (500 cards in the sprint), median / best",
            f"{paint['board'] * ms:.0f} / {best['board'] * ms:.0f} ms",
            "",
        ),
        (
            f"cold start to first painted planning screen ({backlog:,} backlog), median / best",
            f"{paint['planning'] * ms:.0f} / {best['planning'] * ms:.0f} ms",
            "",
        ),
        (
            "  planning - board, median / best",
            f"{extra * ms:+.0f} / {extra_best * ms:+.0f} ms",
            "budget: well under 1 s -> " + ("ok" if extra < 1.0 else "OVER"),
        ),
        (
            "  of which: importing the planning screen (after the board's imports)",
            f"{imports['screen'] * ms:.0f} ms",
            "pydantic loaded: " + ("yes" if imports["pydantic"] else "no"),
        ),
        (
            "  of which: reads, planning / board / the backlog query alone",
            f"{queries['planning'] * ms:.0f} / {queries['board'] * ms:.0f} / "
            f"{queries['backlog'] * ms:.0f} ms",
            "",
        ),
        (
            "  planning complete (recent velocity replayed and drawn)",
            f"{full * ms:.0f} ms",
            "",
        ),
        (
            f"key 2 on the board -> planning painted, {big_run['backlog']:,} / "
            f"{small_run['backlog']} backlog cards",
            f"{big_run['switch'] * ms:.0f} / {small_run['switch'] * ms:.0f} ms",
            "",
        ),
        (
            "  the same, 2 pressed as soon as the board is drawn (its seam checks still run)",
            f"{eager['switch'] * ms:.0f} ms",
            "",
        ),
    ]
    for letter, what in ((">", "into the sprint"), ("<", "back to the backlog")):
        b = statistics.median(big_run[letter]) * ms
        s = statistics.median(small_run[letter]) * ms
        rows.append(
            (
                f"key {letter} (card {what}) -> repaint, median, 10,000 / 20 backlog",
                f"{b:.1f} / {s:.1f} ms",
                f"ratio {b / s:.2f}x",
            )
        )
    consistent = big_run["consistent"] and small_run["consistent"]
    rows.append(("database ends as the screen shows", "yes" if consistent else "NO", ""))
    rows.append(
        (
            "peak RSS, planning cold start (max of runs)",
            f"{max(r['hwm_kb'] for r in runs['planning']) / 1024:.0f} MB",
            f"board {max(r['hwm_kb'] for r in runs['board']) / 1024:.0f} MB",
        )
    )
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    print()
    for r in rows:
        print(" | ".join(c.ljust(w[i]) for i, c in enumerate(r)))
    print(
        f"\nmachine: nproc {m0['nproc']}, Python {m0['python']}, Textual {m0['textual']}, "
        f"terminal {SIZE[0]}x{SIZE[1]} headless; load average {m0['load']} (start) / "
        f"{m1['load']} (end); {args.runs} cold starts each, {args.presses} timed presses"
    )


if __name__ == "__main__":
    main()
