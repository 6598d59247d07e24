"""The card detail of a card with many comments: open, open the comment box, save one.

Run:  .venv/bin/python benchmarks/bench_card_detail.py [--comments 10000]

Prints figures; asserts nothing. In one process, headless at 140x45, on a temporary demo
database whose ECOM-4 gets --comments comments (one transaction):

- open: from `enter` on the board to the detail showing the card (its first read done);
- comment box: from `c` to the comment dialog being the screen;
- save: from `ctrl+s` to the detail showing the new comment.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NOW = datetime(2026, 3, 11, 10, 30, tzinfo=UTC)
SIZE = (140, 45)
KEY = "ECOM-4"


def build(path: Path, n: int) -> float:
    from sprintboard.demo import load_demo
    from sprintboard.store import Store, frozen_clock

    with Store(path, clock=frozen_clock(NOW), actor="Omar Haddad") as store:
        load_demo(store)
        start = time.perf_counter()
        with store.transaction("bench.comments") as tx:
            card = store.cards._raw(KEY)
            for i in range(n):
                store.comments.insert(tx, card, f"comment {i} @sanne " + "z" * 50)
        return time.perf_counter() - start


async def until(pilot: Any, check: Any, limit: float = 120.0) -> float:
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > limit:
            raise TimeoutError
        await asyncio.sleep(0.005)
    return time.perf_counter() - start


async def bench(path: Path) -> dict[str, float]:
    from sprintboard.app import make_app
    from sprintboard.config import Settings
    from sprintboard.screens.card_detail import CardDetailScreen
    from sprintboard.screens.card_detail_dialogs import CommentScreen
    from sprintboard.store import frozen_clock

    app = make_app(path, clock=frozen_clock(NOW), settings=Settings())
    out: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        start = time.perf_counter()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CardDetailScreen) and app.screen.detail)
        await pilot.pause()
        out["open"] = time.perf_counter() - start
        await pilot.press("tab")
        start = time.perf_counter()
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CommentScreen))
        await pilot.pause()
        out["comment box"] = time.perf_counter() - start
        await pilot.press(*"one more")
        detail = app.screen_stack[-2]
        before = detail.detail
        start = time.perf_counter()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: detail.detail is not before and app.screen is detail)
        await pilot.pause()
        out["save"] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        took = build(path, args.comments)
        print(f"{args.comments} comments inserted in {took:.2f} s", file=sys.stderr)
        for name, value in asyncio.run(bench(path)).items():
            print(f"{name:12} {value * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
