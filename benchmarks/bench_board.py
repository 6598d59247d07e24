"""Board speed: cold start, keypress-to-repaint for a card move, and peak memory.

Longer than most modules on purpose: one script, runnable on its own, that builds its
databases, drives both apps the same way and prints every figure; its cold-start driver is
also imported by the other screen benchmarks.

Run:  .venv/bin/python benchmarks/bench_board.py [--runs 5] [--presses 40] [--profile]

Prints figures and their budgets; asserts nothing. Everything is measured in
one run, on this Python, against a bare Textual app that mounts one Static (same terminal
size, 120x40, headless). The databases are built with the CLI (`sprintboard demo`) in a
temporary directory and reused by every measurement. A full run takes 1-1.5 minutes on
the 2-core machines (94 s at load average 4; --profile adds ~15 s).

How "painted" is detected
-------------------------
Textual hands every frame to `App._display(screen, update)`; headless, it then skips the
terminal write. Both the bare app and the board are wrapped the same way: the wrapper
calls the original, then turns the update into the escape sequence a terminal would get
(`update.render_segments(app.console)`, discarded) so a frame costs what it costs on a
real terminal short of the write(2), and takes a timestamp. A board frame counts as
"painted" once the board's model holds cards and the grid has a size: `BoardScreen.load()`
sets the model and calls `grid.refresh()` in one synchronous block, so any frame rendered
after the model is set includes the grid drawn from it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZE = (120, 40)
BIG = dict(cards=10_000, per_sprint=2_000)
SMALL = dict(cards=100, per_sprint=None)  # default --per-sprint: the active sprint gets 30

# The start of every cold-start child (bench_planning_screen.py's too): the clock starts
# at the child's first line; `status_kb` reads the child's memory, and `stamp_frames`
# wraps `App._display` as the module docstring says, stamping the first painted frame.
CHILD_START = r"""
import time
T0 = time.perf_counter()
import asyncio, json, os, sys


def status_kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def stamp_frames(app, ready, complete=None):
    # Every frame is also encoded as a terminal would get it. Stamps "paint" (seconds
    # since T0) at the first frame for which ready() holds and, given `complete`,
    # "complete" at the first frame from then on for which complete() holds. Returns the
    # stamps, and an event set once the last of them is taken.
    stamp = {}
    done = asyncio.Event()
    original = app._display

    def display(screen, update):
        original(screen, update)
        if update is None or done.is_set():
            return
        update.render_segments(app.console)  # what a real terminal would be sent
        now = time.perf_counter() - T0
        if "paint" not in stamp:
            if not ready():
                return
            stamp["paint"] = now
            stamp["painted_at"] = time.monotonic()  # one clock for every process (Linux)
        if complete is None:
            done.set()
        elif complete():
            stamp["complete"] = now
            done.set()

    app._display = display
    return stamp, done
"""

# The child for the board's cold-start runs: prints one JSON line right after the first
# painted frame (with the time it was painted on the system's monotonic clock, so the
# parent can tell "spawned to first paint") and leaves with os._exit (no teardown).
# argv: mode (bare | app | cli), database path.
CHILD = (
    CHILD_START
    + r"""
MODE = sys.argv[1]


async def main():
    if MODE == "bare":
        from textual.app import App
        from textual.widgets import Static

        class Bare(App):
            def compose(self):
                yield Static("bare app")

        app = Bare()

        def ready():
            return bool(app.screen.query(Static))
    else:
        if MODE == "cli":
            import sprintboard.cli  # what `sprintboard --db X` imports before the app
        from sprintboard.app import make_app

        app = make_app(sys.argv[2], live_refresh=0)
        # Only now, as in `sprintboard`: make_app starts reading before Textual is imported.
        from sprintboard.screens.board import BoardScreen

        def ready():
            screen = app.screen
            return (
                isinstance(screen, BoardScreen)
                and bool(screen.model.cards)
                and screen.grid.size.height > 0
            )

    stamp, painted = stamp_frames(app, ready)
    async with app.run_test(size=(120, 40), headless=True):
        await asyncio.wait_for(painted.wait(), 60)
        shown = ""
        if MODE != "bare":
            screen = app.screen
            cards = screen.model.column_cards()
            shown = cards[0]["key"] if cards else ""
        print(json.dumps({
            "paint": stamp["paint"],
            "painted_at": stamp["painted_at"],
            "hwm_kb": status_kb("VmHWM"),
            "first_key": shown,
        }), flush=True)
        os._exit(0)


asyncio.run(main())
"""
)


# -- helpers ---------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def machine() -> dict[str, str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import textual

    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "textual": getattr(textual, "__version__", "?"),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def machine_at_start() -> dict[str, str]:
    """`machine()`, printed as the first line of a run."""
    m = machine()
    print(
        f"machine: nproc {m['nproc']}, {m['cpu']}, Python {m['python']}, "
        f"Textual {m['textual']}; load average at start {m['load']}",
        flush=True,
    )
    return m


def child_env(tmp: Path, pyc: bool = True) -> dict[str, str]:
    """The children's environment: default settings, and bytecode caching on or off.

    This sandbox sets PYTHONDONTWRITEBYTECODE=1 and the editable checkout has no
    __pycache__, so every start would compile sprintboard's modules from source (~70 ms);
    an installed sprintboard has its .pyc files. With `pyc`, the children write and
    read bytecode under a pycache prefix in the temp dir (the tree stays untouched; the
    warm-up runs fill it), so the bare app and the board are compared as installed.
    """
    env = dict(os.environ)
    env["SPRINTBOARD_CONFIG"] = str(tmp / "no-config.toml")  # defaults, not the user's file
    env.pop("SPRINTBOARD_DB", None)
    if pyc:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def build_db(tmp: Path, name: str, cards: int | None = None, per_sprint: int | None = None) -> Path:
    """`sprintboard demo` into tmp/name: the demo organisation, grown to `cards` if given."""
    path = tmp / name
    cmd = [sys.executable, "-m", "sprintboard", "--db", str(path), "demo"]
    if cards is not None:
        cmd += ["--cards", str(cards)]
    if per_sprint is not None:
        cmd += ["--per-sprint", str(per_sprint)]
    subprocess.run(cmd, check=True, env=child_env(tmp), stdout=subprocess.DEVNULL)
    return path


# -- 1 and 3: cold start and peak memory (fresh processes) -----------------------------


def cold_start(
    tmp: Path, mode: str, db: Path | None, pyc: bool = True, child: str = CHILD
) -> dict[str, Any]:
    """One fresh `child` process (argv: mode, database): what it printed last (JSON), the
    seconds from here to its first painted frame ("start": interpreter start, imports,
    reads and the first frame, as the user waits for them) and to its exit ("wall": later
    when the event loop is still busy after the paint, as when the rest of a big board is
    read), its peak RSS (MB) and its CPU seconds."""
    cmd = [sys.executable, "-c", child, mode] + ([str(db)] if db else [])
    env = child_env(tmp, pyc)
    spawned = time.monotonic()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # wait4: this child's own rusage (RUSAGE_CHILDREN would be the max over all children)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    if proc.returncode != 0 or not out.strip():
        raise SystemExit(f"{mode} child failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    data = json.loads(out.decode().strip().splitlines()[-1])
    data["wall"] = wall
    if "painted_at" in data:
        data["start"] = data["painted_at"] - spawned
    data["maxrss_mb"] = usage.ru_maxrss / 1024  # Linux: KiB
    data["cpu"] = usage.ru_utime + usage.ru_stime
    return data


# -- 2: keypress to repainted screen (in process, Pilot) -------------------------------


async def press_bench(db: Path, presses: int, wait_writes: bool) -> dict[str, Any]:
    from textual._wait import wait_for_idle

    from sprintboard.app import make_app
    from sprintboard.config import Settings
    from sprintboard.screens.board import BoardScreen

    app = make_app(db, live_refresh=0, settings=Settings())
    # (time, model.col, model.selected, seconds the grid's render_line took for the frame)
    frames: list[tuple[float, int, str | None, float]] = []
    grid_time = [0.0]
    original = app._display

    def display(screen: Any, update: Any) -> None:
        # See the module docstring: every frame, with its terminal encoding, time-stamped
        # with the board state it was drawn from.
        original(screen, update)
        if update is None:
            return
        update.render_segments(app.console)
        model = getattr(screen, "model", None)
        col, selected = (model.col, model.selected) if model else (-1, None)
        frames.append((time.perf_counter(), col, selected, grid_time[0]))
        grid_time[0] = 0.0

    app._display = display  # type: ignore[method-assign]
    async with app.run_test(size=SIZE, headless=True) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.model.cards):
            await asyncio.sleep(0.005)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        model = screen.model
        while model.col > 0:  # start in Backlog, so L/H go Backlog -> To do -> Backlog
            await pilot.press("h")
        key = model.selected
        start_col = model.col
        board_cards = len(model.cards)
        # Diagnostics: what the key's action costs (model + redraw request), and what the
        # grid's Line API drawing costs per frame. Instance attributes shadow the methods.
        action_time: list[float] = []
        move = screen.action_move
        render_line = screen.grid.render_line

        def timed_move(delta: int) -> None:
            t = time.perf_counter()
            move(delta)
            action_time.append(time.perf_counter() - t)

        def timed_render_line(y: int) -> Any:
            t = time.perf_counter()
            strip = render_line(y)
            grid_time[0] += time.perf_counter() - t
            return strip

        screen.action_move = timed_move  # type: ignore[method-assign]
        screen.grid.render_line = timed_render_line  # type: ignore[method-assign]
        action_time.clear()

        async def writes_done() -> None:
            while app.backend.pending_writes:  # type: ignore[attr-defined]
                await asyncio.sleep(0.001)

        to_frame: list[float] = []  # key sent -> first frame drawn from the moved card
        paint: list[float] = []  # the grid's render_line total in that frame
        press_wall: list[float] = []  # `await pilot.press()` + that frame, as a test sees it
        warmup = 2
        for i in range(warmup + presses):
            letter = "L" if i % 2 == 0 else "H"
            want = start_col + (1 if letter == "L" else 0)
            seen = len(frames)
            t0 = time.perf_counter()
            # press() sends the key at once, then waits for idle (>= 2 x 20 ms of
            # asyncio.sleep in textual._wait.wait_for_idle) and for the screen's message
            # queues. The repaint is the first frame handed to App._display whose model
            # shows the card in its new column: move_card() and grid.refresh() run in the
            # same synchronous action, so that frame is drawn from the moved card. If
            # press() returned before it, wait for it (the screen's update timer, 1/60 s).
            await pilot.press(letter)
            while True:
                hit = next((f for f in frames[seen:] if f[1] == want and f[2] == key), None)
                if hit is not None:
                    break
                await asyncio.sleep(0.0005)
            t1 = time.perf_counter()
            if i >= warmup:
                to_frame.append(hit[0] - t0)
                paint.append(hit[3])
                press_wall.append(t1 - t0)
            if wait_writes:
                await writes_done()
        await writes_done()
        await wait_for_idle(0)
        # The database must end as the screen shows.
        stored = await app.backend.run(app.store.cards.get, key)  # type: ignore[attr-defined]
        shown = model.selected_card()
        consistent = shown is not None and stored["status"] == shown["status"]
    return {
        "board_cards": board_cards,
        "to_frame": to_frame,
        "press_wall": press_wall,
        "action": action_time[warmup:],
        "paint": paint,
        "consistent": consistent,
    }


async def burst_bench(db: Path, keys: int = 20) -> dict[str, Any]:
    """Keys typed fast: `keys` moves sent back to back, no waiting at all."""
    from textual import events

    from sprintboard.app import make_app
    from sprintboard.config import Settings
    from sprintboard.screens.board import BoardScreen

    app = make_app(db, live_refresh=0, settings=Settings())
    async with app.run_test(size=SIZE, headless=True) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.model.cards):
            await asyncio.sleep(0.005)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        while screen.model.col > 0:
            await pilot.press("h")
        key = screen.model.selected
        handled = 0
        move = screen.action_move

        def counted(delta: int) -> None:
            nonlocal handled
            move(delta)
            handled += 1

        screen.action_move = counted  # type: ignore[method-assign]
        t0 = time.perf_counter()
        for i in range(keys):
            letter = "L" if i % 2 == 0 else "H"
            app._driver.send_message(events.Key(letter, letter))  # type: ignore[union-attr]
        # every key handled and every write it started done
        while handled < keys or app.backend.pending_writes:  # type: ignore[attr-defined]
            await asyncio.sleep(0.001)
        elapsed = time.perf_counter() - t0
        stored = await app.backend.run(app.store.cards.get, key)  # type: ignore[attr-defined]
        consistent = stored["status"] == screen.model.selected_card()["status"]  # type: ignore[index]
    return {"elapsed": elapsed, "consistent": consistent}


# -- profiling (optional) --------------------------------------------------------------


def profile(tmp: Path, db: Path) -> None:
    """Where the start-up time goes: import times, and cProfile of the whole cold start."""
    print("\n## -X importtime of `import sprintboard.app` (cumulative, top 25)")
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import sprintboard.app"],
        capture_output=True,
        text=True,
        env=child_env(tmp),
    )
    rows = []
    for line in res.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = (p.strip() for p in line[len("import time:") :].split("|"))
        rows.append((int(cum_us), int(self_us), name))
    for cum, self_us, name in sorted(rows, reverse=True)[:25]:
        print(f"{cum / 1000:8.1f} ms cum {self_us / 1000:7.1f} ms self  {name}")
    print("\n## cProfile of the cold start to first paint, 10,000 cards (top 30 cumulative)")
    prof = tmp / "start.prof"
    # The child leaves with os._exit at first paint: dump the profile on the way out.
    profiled = (
        "import cProfile, os, sys\n"
        "_profile = cProfile.Profile()\n"
        "_exit = os._exit\n"
        "def _dump_and_exit(code):\n"
        "    _profile.disable()\n"
        "    _profile.dump_stats(sys.argv[3])\n"
        "    _exit(code)\n"
        "os._exit = _dump_and_exit\n"
        "_profile.enable()\n"
    ) + CHILD
    subprocess.run(
        [sys.executable, "-c", profiled, "app", str(db), str(prof)],
        env=child_env(tmp),
        stdout=subprocess.DEVNULL,
        check=True,
    )
    import pstats

    pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(30)


# -- main ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each app")
    parser.add_argument("--presses", type=int, default=40, help="moves timed per size")
    parser.add_argument("--profile", action="store_true", help="also profile the start-up")
    args = parser.parse_args()

    m0 = machine_at_start()
    with tempfile.TemporaryDirectory(prefix="bench-board-") as name:
        tmp = Path(name)
        t = time.perf_counter()
        big = build_db(tmp, "big.db", BIG["cards"], BIG["per_sprint"])
        small = build_db(tmp, "small.db", SMALL["cards"], SMALL["per_sprint"])
        print(f"databases built in {time.perf_counter() - t:.1f} s", flush=True)

        # 1 + 3. Interleaved, so load from other users hits every variant alike.
        # name: (child mode, database, bytecode cached)
        variants: dict[str, tuple[str, Path | None, bool]] = {
            "bare": ("bare", None, True),
            "app": ("app", big, True),
            "cli": ("cli", big, True),
            "src": ("app", big, False),
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        for mode, db, pyc in variants.values():  # fill the pycache and page cache; not counted
            cold_start(tmp, mode, db, pyc)
        for _ in range(args.runs):
            for name, (mode, db, pyc) in variants.items():
                runs[name].append(cold_start(tmp, mode, db, pyc))
        med = {k: statistics.median(r["start"] for r in v) for k, v in runs.items()}
        inner = {k: statistics.median(r["paint"] for r in v) for k, v in runs.items()}
        rss = {k: max(r["maxrss_mb"] for r in v) for k, v in runs.items()}
        print(
            "cold starts to first paint (s): "
            + "; ".join(
                f"{k} " + " ".join(f"{r['start']:.3f}" for r in v) for k, v in runs.items()
            ),
            flush=True,
        )

        # 2. Keypress to repaint, in this process.
        press: dict[tuple[str, bool], dict[str, Any]] = {}
        for label, db in (("100", small), ("10,000", big)):
            for wait in (True, False):
                press[(label, wait)] = asyncio.run(press_bench(db, args.presses, wait))
        burst = {
            label: asyncio.run(burst_bench(db)) for label, db in (("100", small), ("10,000", big))
        }
        m1 = machine()

        # 4. The table.
        ms = 1000.0
        rows: list[tuple[str, str, str, str]] = []

        def row(what: str, value: str, budget: str = "", verdict: str = "") -> None:
            rows.append((what, value, budget, verdict))

        ok = lambda good: "ok" if good else "OVER"  # noqa: E731
        ratio = med["app"] / med["bare"]
        row(
            "cold start to first paint, bare Textual app (one Static), median",
            f"{med['bare'] * ms:.0f} ms",
        )
        row(
            "cold start to first painted board, 10,000 cards (2,000 in sprint)",
            f"{med['app'] * ms:.0f} ms",
        )
        row("  ratio board / bare", f"{ratio:.2f}x", "<= 2x (aim 1.5x)", ok(ratio <= 2))
        cli_ratio = med["cli"] / med["bare"]
        row(
            "  same, importing sprintboard.cli first (as `sprintboard --db X`)",
            f"{med['cli'] * ms:.0f} ms = {cli_ratio:.2f}x",
            "<= 2x",
            ok(cli_ratio <= 2),
        )
        row(
            "  same, sprintboard compiled from source (no .pyc, as this sandbox runs it)",
            f"{med['src'] * ms:.0f} ms = {med['src'] / med['bare']:.2f}x",
        )
        row(
            "  (in-child paint time, excl. interpreter start: bare / board / cli)",
            f"{inner['bare'] * ms:.0f} / {inner['app'] * ms:.0f} / {inner['cli'] * ms:.0f} ms",
        )
        for label in ("100", "10,000"):
            r = press[(label, True)]
            row(
                f"move key -> repaint, {label} cards (board {r['board_cards']}), median / p95",
                f"{statistics.median(r['to_frame']) * ms:.1f} / "
                f"{pct(r['to_frame'], 95) * ms:.1f} ms",
                "< 60 ms median" if label != "100" else "",
                ok(statistics.median(r["to_frame"]) < 0.060) if label != "100" else "",
            )
        small_med = statistics.median(press[("100", True)]["to_frame"])
        big_med = statistics.median(press[("10,000", True)]["to_frame"])
        row(
            "  ratio 10,000 / 100 (median)",
            f"{big_med / small_med:.2f}x",
            "<= 1.5x",
            ok(big_med / small_med <= 1.5),
        )
        for label in ("100", "10,000"):
            r = press[(label, True)]
            row(
                f"`await pilot.press()` + frame, {label} cards, median / p95",
                f"{statistics.median(r['press_wall']) * ms:.1f} / "
                f"{pct(r['press_wall'], 95) * ms:.1f} ms",
            )
        pw_ratio = statistics.median(press[("10,000", True)]["press_wall"]) / statistics.median(
            press[("100", True)]["press_wall"]
        )
        row("  ratio 10,000 / 100 (median)", f"{pw_ratio:.2f}x")
        for label in ("100", "10,000"):
            r = press[(label, True)]
            row(
                f"  of which: move action / grid render_line per frame, {label} cards, median",
                f"{statistics.median(r['action']) * ms:.1f} / "
                f"{statistics.median(r['paint']) * ms:.1f} ms",
            )
        for label in ("100", "10,000"):
            r = press[(label, False)]
            row(
                f"move key -> repaint, not waiting for writes, {label} cards, med / p95",
                f"{statistics.median(r['to_frame']) * ms:.1f} / "
                f"{pct(r['to_frame'], 95) * ms:.1f} ms",
            )
        for label in ("100", "10,000"):
            b = burst[label]
            row(
                f"20 moves sent at once, {label} cards: all handled + written",
                f"{b['elapsed'] * ms:.0f} ms" + ("" if b["consistent"] else " (DB != screen!)"),
            )
        row(
            "peak RSS of the board process, 10,000 cards, after first paint (max of runs)",
            f"{rss['app']:.0f} MB",
            "< 150 MB",
            ok(rss["app"] < 150),
        )
        row("  bare app / via sprintboard.cli", f"{rss['bare']:.0f} MB / {rss['cli']:.0f} MB")
        consistent = all(r["consistent"] for r in press.values())
        row("database ends as the screen shows (every press run)", "yes" if consistent else "NO")

        w = [max(len(r[i]) for r in rows) for i in range(4)]
        head = ("measure", "value", "budget", "")
        w = [max(w[i], len(head[i])) for i in range(4)]
        line = "-+-".join("-" * x for x in w)
        print()
        print(" | ".join(h.ljust(w[i]) for i, h in enumerate(head)))
        print(line)
        for r in rows:
            print(" | ".join(c.ljust(w[i]) for i, c in enumerate(r)))
        print(line)
        print(
            f"machine: nproc {m0['nproc']}, CPU {m0['cpu']}, Python {m0['python']}, "
            f"Textual {m0['textual']}, terminal {SIZE[0]}x{SIZE[1]} headless; "
            f"load average {m0['load']} (start) / {m1['load']} (end); "
            f"{args.runs} cold starts each, {args.presses} timed moves per size"
        )

        if args.profile:
            profile(tmp, big)


if __name__ == "__main__":
    main()
