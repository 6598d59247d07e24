"""The board header's findings count: how soon it follows a change, and what a burst costs.

Builds the demo (20 cards) and a 10,000-card plan (`sprintboard demo --cards 10000`) in a
temporary directory, runs the app headless on each with the live refresh it ships with
(1 s), and measures:

- *external change → header*: another connection (as the CLI in another terminal would)
  adds or removes a dependency that changes the count; the time until the header shows the
  new count (a few runs; median and worst);
- *burst of moves*: 20 moves (`L`/`H`) as fast as the keys come, then how many runs of the
  seam checks they caused during the burst and after it, and when the count followed.

Prints figures; asserts nothing.

    python benchmarks/bench_findings_count.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sprintboard.app import make_app
from sprintboard.config import Settings
from sprintboard.screens import findings as findings_module
from sprintboard.screens.board import BoardScreen
from sprintboard.store import Store

SIZE = (140, 45)


def build(folder: Path, name: str, *args: str) -> Path:
    path = folder / f"{name}.db"
    subprocess.run(
        [sys.executable, "-m", "sprintboard", "--db", str(path), "demo", *args],
        check=True,
        capture_output=True,
    )
    return path


def header(app: Any) -> str:
    screen = next(s for s in reversed(app.screen_stack) if isinstance(s, BoardScreen))
    return str(screen.query_one("#board-header").render())


async def wait_for(pilot: Any, condition: Any, timeout: float = 20.0) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError
        await pilot.pause(0.01)
    return time.monotonic()


def a_link(store: Store) -> tuple[str, str]:
    """An open link whose removal changes the findings (a same-sprint or late one)."""
    from sprintboard.planning.checks import run_checks

    for f in run_checks(store, settings=Settings()):
        if f.rule == "dep-order" and len(f.cards) == 2:
            return f.cards[0], f.cards[1]
    raise SystemExit("no dep-order finding to change")


async def measure(db: Path, runs: int) -> None:
    checks: list[float] = []
    real = findings_module.check_seams

    async def counted(backend: Any, settings: Any) -> Any:
        checks.append(time.monotonic())
        return await real(backend, settings)

    findings_module.check_seams = counted  # type: ignore[assignment]
    app = make_app(db, settings=Settings())
    delays = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "findings:" in header(app))
        other = Store(db)
        blocker, dependent = a_link(other)
        for i in range(runs):
            await asyncio.sleep(1.3)  # the change comes at any point of the poll's second
            before = header(app)
            t0 = time.monotonic()
            if i % 2 == 0:
                other.deps.remove(blocker, dependent)
            else:
                other.deps.add(blocker, dependent)
            t1 = await wait_for(pilot, lambda: header(app) != before)  # noqa: B023
            delays.append(t1 - t0)
        print(
            f"  external change -> header: median {statistics.median(delays):.2f} s, "
            f"worst {max(delays):.2f} s over {runs} changes"
        )
        await asyncio.sleep(1.5)
        n = len(checks)
        t0 = time.monotonic()
        for _ in range(10):
            await pilot.press("L", "H")
        t_keys = time.monotonic()
        during = len(checks) - n
        await asyncio.sleep(2.5)
        after = len(checks) - n - during
        first_after = [t for t in checks[n:] if t >= t_keys]
        lag = f"{first_after[0] - t_keys:.2f} s after the last key" if first_after else "none"
        print(
            f"  20 moves in {t_keys - t0:.2f} s: {during} runs of the checks during the burst, "
            f"{after} after it ({lag})"
        )
        other.close()
    findings_module.check_seams = real  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, extra in (("demo", ()), ("10k", ("--cards", "10000"))):
            db = build(folder, name, *extra)
            print(f"{name}:")
            asyncio.run(measure(db, args.runs))


if __name__ == "__main__":
    main()
