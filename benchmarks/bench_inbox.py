"""The feedback inbox at 50,000 items: what a keypress in the inbox costs in the store.

Run: python benchmarks/bench_inbox.py [--items N] [--repeat R]
Prints figures; asserts nothing. The inbox screen's budget is keypress-to-repaint < 60 ms,
so each query behind it should stay well under that.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sprintboard.models import Feedback
from sprintboard.store import Store, frozen_clock
from sprintboard.vocabulary import FeedbackCategory, FeedbackSource

NOW = datetime(2026, 3, 11, 10, 30, tzinfo=UTC)
PAGE = 200


def make_items(n: int, seed: int = 7) -> list[Feedback]:
    rng = random.Random(seed)
    categories = list(FeedbackCategory)
    sources = list(FeedbackSource)
    return [
        Feedback(
            text=f"Customer report {i}: the {rng.choice(categories).value} page misbehaves\n"
            "More detail from the customer on a second line.",
            category=rng.choice(categories),
            source=rng.choice(sources),
            customer=f"Customer {i}",
            reported_by="Customer Service",
            received_at=NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 90)),
            reports=1 + int(rng.expovariate(0.5)),
        )
        for i in range(n)
    ]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median and worst time in milliseconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def line(label: str, median: float, worst: float, note: str = "") -> None:
    print(f"  {label:<44} median {median:8.2f} ms   worst {worst:8.2f} ms  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "inbox.db", clock=frozen_clock(NOW))
        start = time.perf_counter()
        items = make_items(args.items)
        validated = time.perf_counter() - start
        start = time.perf_counter()
        store.feedback.add_many(items, action="bench.load")
        loaded = time.perf_counter() - start
        print(f"{args.items:,} feedback items (all new)")
        print(f"  validate {validated:.2f} s; insert in one logged transaction {loaded:.2f} s")

        print("reading the inbox:")
        med, worst, rows = timed(lambda: store.feedback.inbox("new", limit=PAGE), args.repeat)
        line(f"new view, first {PAGE} rows", med, worst, f"({len(rows)} rows)")
        med, worst, total = timed(lambda: store.feedback.count("new"), args.repeat)
        line("new view, total count", med, worst, f"({total:,})")
        med, worst, _ = timed(
            lambda: store.feedback.inbox("new", offset=total // 2, limit=PAGE), args.repeat
        )
        line(f"new view, {PAGE} rows from the middle", med, worst)
        med, worst, counts = timed(lambda: store.feedback.counts(), args.repeat)
        line("every view's count (tab labels)", med, worst)
        med, worst, _ = timed(lambda: store.feedback.wake_snoozed(), args.repeat)
        line("wake_snoozed (none due)", med, worst)

        print("the text filter (SQL LIKE over text, customer, reporter, card, FB-id):")
        rare = f"customer {args.items // 12}"  # ~11 items
        for label, needle in (("common", "checkout page"), ("rare", rare), ("none", "zzzz")):
            med, worst, rows = timed(
                lambda n=needle: store.feedback.inbox("new", text=n, limit=PAGE),  # type: ignore[misc]
                args.repeat,
            )
            line(f"new view, {label} text, first {PAGE} rows", med, worst, f"({len(rows)} rows)")
            med, worst, counts = timed(
                lambda n=needle: store.feedback.counts(text=n),  # type: ignore[misc]
                args.repeat,
            )
            line(f"every view's count, {label} text", med, worst, f"(new {counts['new']:,})")

        print("triage (each one transaction with its activity entries):")
        targets = iter(r["id"] for r in store.feedback.inbox("new", limit=4 * args.repeat))
        med, worst, row = timed(lambda: store.feedback.accept(next(targets), "IT"), args.repeat)
        line("accept (creates a linked card)", med, worst, f"(last: {row['card']})")
        med, worst, _ = timed(
            lambda: store.feedback.decline(next(targets), "not for us"), args.repeat
        )
        line("decline", med, worst)
        med, worst, _ = timed(
            lambda: store.feedback.snooze(next(targets), "2026-03-20"), args.repeat
        )
        line("snooze", med, worst)

        def keypress() -> None:
            # What one triage key costs before the repaint: the write, the page, the count.
            store.feedback.decline(next(targets), "not for us")
            store.feedback.inbox("new", limit=PAGE)
            store.feedback.count("new")

        med, worst, _ = timed(keypress, args.repeat)
        line(f"decline + reload first {PAGE} + count", med, worst)
        med, worst, _ = timed(lambda: store.activity.undo(), 5)
        line("undo of a triage verb", med, worst)
        counts = store.feedback.counts()
        print("  views now: " + ", ".join(f"{view} {n:,}" for view, n in counts.items()))
        store.close()


if __name__ == "__main__":
    main()
