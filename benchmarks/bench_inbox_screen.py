"""The inbox screen at 50,000 feedback items: open to first paint, keypress to repaint.

Run:  .venv/bin/python benchmarks/bench_inbox_screen.py [--items 50000] [--presses 20]

Prints figures; asserts nothing (the budget: an inbox of 50,000 feedback items opens and
triages an item with no visible stall, keypress to repaint under 60 ms median). In one
process, headless at 140x45, on a temporary database filled with `store.feedback.add_many`:

- open: from switching to the inbox (its number key's action) to the first frame drawn
  from the loaded view; the first open imports the screen's modules, a re-open (board and
  back) re-reads the view and wakes snoozes.
- decline: `x`, a reason typed, then `enter`: from the enter key to the first frame whose
  list no longer holds the item (median of --presses, after 2 warm-ups); the write follows
  on the database thread. Also `x` to the first frame showing the dialog, `j` to the frame
  with the cursor moved, and `pagedown` through the view (pages of 300 read on the way).
- filter: `/` and a needle typed (a common one, ~1 in 5 items, and a rare one, a dozen):
  from the moment the filter bar applies the text (`FilterBar.Applied`, 150 ms after the
  last key) to the first frame whose list starts with the view's first match; `escape`
  clears it again between runs.
- end: from the `end` key to the first frame with the view's last item selected (the real
  last of 50,000, not the last one loaded); `home` back to the first item likewise.

Frames are caught where Textual hands them to the terminal (`App._display`) and encoded
as a terminal would get them, as in bench_board.py. `await pilot.press()` waits for idle
(>= 40 ms of sleeps) after each key; the figures here are key to frame, not Pilot's waits.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

NOW = datetime(2026, 3, 11, 10, 30, tzinfo=UTC)
SIZE = (140, 45)
# time, screen, items loaded, selected, first loaded item
Frame = tuple[float, str, int, int | None, int | None]


def build(path: Path, n: int) -> float:
    from sprintboard.models import Feedback
    from sprintboard.store import Store, frozen_clock
    from sprintboard.vocabulary import FeedbackCategory, FeedbackSource

    rng = random.Random(6)
    categories, sources = list(FeedbackCategory), list(FeedbackSource)
    texts = [
        "Checkout spins after I pick iDEAL",
        "Coupon [bold]SPRING20[/] says expired",
        "Parcel came late 🚚 and damaged",
        "商品の写真が実物と違う (photo differs)",
        "Size of the lounge cushions missing",
    ]
    items = [
        Feedback(
            text=f"{rng.choice(texts)} #{i}\nMore detail on a second line.",
            category=rng.choice(categories),
            source=rng.choice(sources),
            customer=f"Customer {i}",
            reported_by="Customer Service",
            received_at=NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 60)),
            reports=1 + int(rng.expovariate(0.7)),
        )
        for i in range(n)
    ]
    start = time.perf_counter()
    with Store(path, clock=frozen_clock(NOW)) as store:
        store.feedback.add_many(items, action="bench.load")
    return time.perf_counter() - start


def ms(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1)]
    return f"median {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


async def bench(path: Path, presses: int) -> dict[str, Any]:
    from sprintboard.app import make_app
    from sprintboard.config import Settings
    from sprintboard.store import frozen_clock

    app = make_app(path, clock=frozen_clock(NOW), settings=Settings(), live_refresh=0)
    frames: list[Frame] = []
    original = app._display

    def display(screen: Any, update: Any) -> None:
        original(screen, update)
        if update is None:
            return
        update.render_segments(app.console)  # what a real terminal would be sent
        page = getattr(screen, "page", None)
        loaded = bool(getattr(screen, "loaded", False)) and page is not None
        item = page.selected() if loaded else None
        size = len(page.items) if loaded else -1
        first = page.items[0].id if loaded and page.items else None
        frames.append((time.perf_counter(), type(screen).__name__, size, item and item.id, first))

    app._display = display  # type: ignore[method-assign]

    async def frame_after(t0: float, ok: Callable[[Frame], bool], seen: int) -> float:
        while True:
            hit = next((f for f in frames[seen:] if f[0] >= t0 and ok(f)), None)
            if hit is not None:
                return hit[0] - t0
            if time.perf_counter() - t0 > 30:
                raise SystemExit("no such frame within 30 s: the benchmark is broken")
            await asyncio.sleep(0.0005)

    async def writes_done() -> None:
        while app.backend.pending_writes:
            await asyncio.sleep(0.001)

    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await pilot.pause()

        async def open_inbox() -> float:
            seen, t0 = len(frames), time.perf_counter()
            app.action_switch_screen_to("inbox")
            took = await frame_after(t0, lambda f: f[1] == "InboxScreen" and f[2] > 0, seen)
            await pilot.pause()
            return took

        out["open_first"] = await open_inbox()
        screen: Any = app.screen
        out["total"] = screen.counts["new"]
        reopen = []
        for _ in range(3):
            app.action_switch_screen_to("board")
            await pilot.pause()
            await app.workers.wait_for_complete()
            reopen.append(await open_inbox())
        out["reopen"] = reopen

        moves = []
        for i in range(presses + 2):
            want = screen.page.items[screen.page.cursor + 1].id
            seen, t0 = len(frames), time.perf_counter()
            await pilot.press("j")
            took = await frame_after(t0, lambda f, w=want: f[3] == w, seen)  # type: ignore[misc]
            if i >= 2:
                moves.append(took)
        out["move"] = moves

        dialog, decline = [], []
        for i in range(presses + 2):
            gone = screen.page.selected().id
            seen, t0 = len(frames), time.perf_counter()
            await pilot.press("x")
            took_dialog = await frame_after(t0, lambda f: f[1] == "DeclineScreen", seen)
            await pilot.press(*"bench")
            n = len(screen.page.items)
            seen, t0 = len(frames), time.perf_counter()
            await pilot.press("enter")
            took = await frame_after(
                t0,
                lambda f, g=gone, n=n: f[1] == "InboxScreen" and f[2] == n - 1 and f[3] != g,  # type: ignore[misc]
                seen,
            )
            if i >= 2:
                dialog.append(took_dialog)
                decline.append(took)
            await writes_done()
        out["dialog"], out["decline"] = dialog, decline
        declined = await app.backend.run(app.store.feedback.count, "declined")
        out["consistent"] = declined == presses + 2

        pages = []
        for _ in range(3 * presses):
            target = min(
                screen.page.cursor + screen.inbox_list.visible_rows - 1, len(screen.page.items) - 1
            )
            want = screen.page.items[target].id
            seen, t0 = len(frames), time.perf_counter()
            await pilot.press("pagedown")
            pages.append(await frame_after(t0, lambda f, w=want: f[3] == w, seen))  # type: ignore[misc]
        await app.workers.wait_for_complete()
        out["pages"], out["loaded"] = pages, len(screen.page.items)

        out["filter"] = await filter_runs(app, pilot, screen, frames, frame_after, presses)
        out |= await end_runs(app, pilot, screen, frames, frame_after, presses)
    return out


async def filter_runs(
    app: Any, pilot: Any, screen: Any, frames: list[Frame], frame_after: Any, presses: int
) -> dict[str, Any]:
    """`/` and a needle typed: from the filter applied to the frame showing the matches."""
    from sprintboard.widgets.inbox_list import FilterBar

    applied: list[tuple[float, str]] = []
    made = FilterBar.Applied.__init__

    def record(self: Any, text: str) -> None:
        applied.append((time.perf_counter(), text))
        made(self, text)

    FilterBar.Applied.__init__ = record  # type: ignore[method-assign]

    def matches(row: dict[str, Any], needle: str) -> bool:  # the inbox's filter, as documented
        fields = (row["text"], row["customer"], row["reported_by"], row["card"] or "")
        return any(needle in value.casefold() for value in (*fields, f"#{row['id']}"))

    view = await app.backend.run(app.store.feedback.inbox, "new")
    unfiltered_first = view[0]["id"]
    out: dict[str, Any] = {}
    common, rare = "coupon", f"customer {screen.counts['new'] // 12}"  # ~1 in 5 match; ~11
    for kind, needle in (("common", common), ("rare", rare)):
        found = [row["id"] for row in view if matches(row, needle)]
        assert found and found[0] != unfiltered_first, needle
        times: list[float] = []
        loaded = 0
        for i in range(max(3, presses // 4) + 1):
            await pilot.press("slash", *needle)
            while not applied or applied[-1][1] != needle:  # the pause after typing
                await asyncio.sleep(0.001)
            t0 = applied[-1][0]
            took = await frame_after(t0, lambda f, w=found[0]: f[4] == w, 0)  # type: ignore[misc]
            await app.workers.wait_for_complete()
            loaded = len(screen.page.items)
            if i >= 1:
                times.append(took)
            applied.clear()
            seen, t0 = len(frames), time.perf_counter()
            await pilot.press("escape")
            await frame_after(t0, lambda f: f[4] == unfiltered_first, seen)
            await app.workers.wait_for_complete()
        out[kind] = (needle, times, len(found), loaded)
    FilterBar.Applied.__init__ = made  # type: ignore[method-assign]
    return out


async def end_runs(
    app: Any, pilot: Any, screen: Any, frames: list[Frame], frame_after: Any, presses: int
) -> dict[str, Any]:
    """`end` to the view's real last item, `home` back to its first."""
    feedback = app.store.feedback
    total = await app.backend.run(feedback.count, "new")
    last = (await app.backend.run(feedback.inbox, "new", offset=total - 1, limit=1))[0]["id"]
    first = (await app.backend.run(feedback.inbox, "new", limit=1))[0]["id"]
    ends: list[float] = []
    homes: list[float] = []
    reached = True
    for i in range(max(3, presses // 2) + 1):
        loaded_last = screen.page.items[-1].id
        seen, t0 = len(frames), time.perf_counter()
        await pilot.press("end")
        # Stopping at the last item loaded so far is timed too, and reported as such.
        took = await frame_after(t0, lambda f, w=loaded_last: f[3] in (last, w), seen)  # type: ignore[misc]
        reached = reached and screen.page.selected().id == last
        await app.workers.wait_for_complete()
        seen, t0 = len(frames), time.perf_counter()
        await pilot.press("home")
        took_home = await frame_after(t0, lambda f: f[3] == first, seen)
        await app.workers.wait_for_complete()
        if i >= 1:
            ends.append(took)
            homes.append(took_home)
    return {"end": ends, "home": homes, "end_reached": reached}


async def bare_reference(presses: int) -> dict[str, list[float]]:
    """A bare Textual app in the same run, key to frame: a key that changes one Static; a
    new screen (a Static and a Footer) opened; a modal Input pushed and dismissed."""
    from textual.app import App, ComposeResult
    from textual.binding import Binding, BindingType
    from textual.screen import ModalScreen, Screen
    from textual.widgets import Footer, Input, Static

    class Ask(ModalScreen[str]):
        def compose(self) -> ComposeResult:
            yield Input()

        def on_input_submitted(self, event: Input.Submitted) -> None:
            self.dismiss(event.value)

    class Other(Screen[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("b", "app.pop_screen", "Back")]

        def compose(self) -> ComposeResult:
            yield Static("\n".join(f"line {i}" for i in range(40)))
            yield Footer()

    class Bare(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [
            Binding("j", "bump", "Bump"),
            Binding("x", "ask", "Ask"),
            Binding("o", "open", "Open"),
        ]
        n = 0

        def compose(self) -> ComposeResult:
            yield Static("0", id="n")
            yield Footer()

        def action_bump(self) -> None:
            self.n += 1
            self.query_one("#n", Static).update(str(self.n))

        def action_open(self) -> None:
            self.push_screen(Other())

        def action_ask(self) -> None:
            self.push_screen(Ask(), lambda _: self.action_bump())

    app = Bare()
    frames: list[tuple[float, str, int]] = []
    original = app._display

    def display(screen: Any, update: Any) -> None:
        original(screen, update)
        if update is not None:
            update.render_segments(app.console)
            frames.append((time.perf_counter(), type(screen).__name__, app.n))

    app._display = display  # type: ignore[method-assign]
    out: dict[str, list[float]] = {"bump": [], "open": [], "ask": [], "answer": []}

    async def frame_after(t0: float, ok: Callable[[tuple[float, str, int]], bool]) -> float:
        while not any(f[0] >= t0 and ok(f) for f in frames):
            if time.perf_counter() - t0 > 30:
                raise SystemExit("no such frame within 30 s: the benchmark is broken")
            await asyncio.sleep(0.0005)
        return next(f[0] for f in frames if f[0] >= t0 and ok(f)) - t0

    async with app.run_test(size=SIZE, headless=True) as pilot:
        await pilot.pause()
        for i in range(presses + 2):
            want, t0 = app.n + 1, time.perf_counter()
            await pilot.press("j")
            bump = await frame_after(t0, lambda f, w=want: f[2] == w)  # type: ignore[misc]
            t0 = time.perf_counter()
            await pilot.press("o")
            opened = await frame_after(t0, lambda f: f[1] == "Other")
            await pilot.press("b")
            t0 = time.perf_counter()
            await pilot.press("x")
            ask = await frame_after(t0, lambda f: f[1] == "Ask")
            await pilot.press(*"no")
            want, t0 = app.n + 1, time.perf_counter()
            await pilot.press("enter")
            answer = await frame_after(t0, lambda f, w=want: f[1] != "Ask" and f[2] == w)  # type: ignore[misc]
            if i >= 2:
                out["bump"].append(bump)
                out["open"].append(opened)
                out["ask"].append(ask)
                out["answer"].append(answer)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--presses", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SPRINTBOARD_CONFIG"] = str(Path(tmp) / "no-config.toml")
        os.environ.pop("SPRINTBOARD_DB", None)
        path = Path(tmp) / "inbox.db"
        loaded = build(path, args.items)
        r = asyncio.run(bench(path, args.presses))
        bare = asyncio.run(bare_reference(args.presses))
    import textual

    print(f"inbox screen, {args.items:,} feedback items (bulk insert {loaded:.1f} s), 140x45")
    print(f"  open the inbox, first paint (first time)  {r['open_first'] * 1000:7.1f} ms")
    print(f"  re-open the inbox (board and back)        {ms(r['reopen'])}")
    print(f"  j: cursor down, key to frame              {ms(r['move'])}")
    print(f"  x: decline dialog shown                   {ms(r['dialog'])}")
    print(f"  enter: declined row gone, key to frame    {ms(r['decline'])}   (budget 60 ms)")
    print(
        f"  pagedown, key to frame                    {ms(r['pages'])}   ({r['loaded']:,} loaded)"
    )
    for kind, (needle, times, found, loaded) in r["filter"].items():
        label = f"filter typed, {kind}: applied to frame"
        print(f"  {label:<42}{ms(times)}   ({needle!r}: {found:,} match, {loaded:,} loaded)")
    print("    (the filter bar applies the text 150 ms after the last key typed)")
    where = "the view's last item" if r["end_reached"] else "OVER: only the last LOADED item"
    print(f"  end: key to frame                         {ms(r['end'])}   ({where})")
    print(f"  home: key to frame                        {ms(r['home'])}")
    print(f"  new view {r['total']:,}; every decline stored: {r['consistent']}")
    print("a bare Textual app in the same run (one Static, a Footer, a modal Input):")
    print(f"  key updates a Static, key to frame        {ms(bare['bump'])}")
    print(f"  key opens a new screen (Static, Footer)   {ms(bare['open'])}")
    print(f"  key pushes a modal Input                  {ms(bare['ask'])}")
    print(f"  enter dismisses it, key to frame          {ms(bare['answer'])}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"  python {sys.version.split()[0]}, textual {textual.__version__}, "
        f"nproc {os.cpu_count()}, load {load}"
    )


if __name__ == "__main__":
    main()
