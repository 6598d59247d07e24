"""Sync in the app: the header's sync state, the sync key (in the background, its own
connection), the conflicts list with take and keep, and a card's conflicts on its page.

Two plans share a bare git repository in tmp_path: the app runs on the demo plan (Ann's
laptop), a second plan (Bob's) is changed and synced beside it through the store.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.command import Command, CommandList, CommandPalette
from textual.pilot import Pilot

from sprintboard.io import sync as io_sync
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.sync_conflicts import EMPTY, ConflictsScreen
from sprintboard.store import Store
from sprintboard.store.database import Clock
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.entry_list import EntryList
from sprintboard.widgets.sync_badge import SyncBadge

from .conftest import AppFactory, Probe, current_screen, messages, settle, wait_until

CARD = "ECOM-4"
"""The card the board opens on (the backlog's only card of Sprint 42's board)."""


class Laptops:
    """Ann's plan (the app's database) and Bob's, sharing one bare repository."""

    def __init__(self, tmp_path: Path, ann: Path, clock: Clock) -> None:
        self.remote = tmp_path / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(self.remote)], check=True)
        self.clock = clock
        self.ann_path = ann
        self.bob_path = tmp_path / "bob.db"
        with self.ann() as ann_store:
            io_sync.init(ann_store, str(self.remote))
        with self.bob() as bob_store:
            io_sync.init(bob_store, str(self.remote))

    def ann(self) -> Store:
        return Store(self.ann_path, clock=self.clock, actor="Ann")

    def bob(self) -> Store:
        return Store(self.bob_path, clock=self.clock, actor="Bob")

    def title(self, store: Store, key: str = CARD) -> str:
        with store:
            return str(store.cards.get(key)["title"])


@pytest.fixture
def laptops(
    tmp_path: Path, demo_db: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> Laptops:
    # Commits work on machines where git knows nobody (CI).
    (tmp_path / "gitconfig").write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return Laptops(tmp_path, demo_db, clock)


def _conflict(laptops: Laptops) -> None:
    """Ann and Bob retitle the same card before either syncs; three syncs later both
    plans hold one open conflict."""
    with laptops.ann() as ann:
        ann.cards.edit(CARD, {"title": "Gift wrap (Ann)"})
    with laptops.bob() as bob:
        bob.cards.edit(CARD, {"title": "Gift wrap (Bob)"})
    for opened in (laptops.ann, laptops.bob, laptops.ann):
        with opened() as store:
            io_sync.sync(store)


def _top_line(app: SprintboardApp) -> str:
    return Probe.screen_lines(app)[0]


def _titles(app: SprintboardApp) -> dict[str, str]:
    """Each card's title as the board holds it."""
    columns = Probe.board(app).model.columns
    return {card["key"]: card["title"] for cards in columns.values() for card in cards}


async def _started(app: SprintboardApp, pilot: Pilot[Any]) -> None:
    assert await wait_until(pilot, lambda: Probe.board(app).loaded)
    await settle(app, pilot)


async def test_the_header_shows_the_sync_state(board_app: AppFactory, laptops: Laptops) -> None:
    with laptops.ann() as ann:
        ann.cards.edit(CARD, {"points": 8})
        ann.cards.edit("IT-5", {"points": 3})
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await _started(app, pilot)
        assert await wait_until(pilot, lambda: "⇅" in _top_line(app))
        line = _top_line(app)
        assert "⇅ 2 to share · synced 10:30" in line, line
        assert "conflict" not in line
        # The board's own header keeps its sprint and findings beside it.
        assert "Sprint 42" in line and "findings" in line
        # A change made here counts at once (the live look is off in this test).
        await pilot.press("L")
        assert await wait_until(pilot, lambda: "⇅ 3 to share" in _top_line(app))


async def test_the_header_fits_80_columns_dropping_words_not_numbers(
    board_app: AppFactory, laptops: Laptops
) -> None:
    _conflict(laptops)
    with laptops.ann() as ann:
        ann.cards.edit("IT-5", {"points": 3})
    app = board_app(live_refresh=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await _started(app, pilot)
        assert await wait_until(pilot, lambda: "⇅" in _top_line(app))
        line = _top_line(app)
        assert line.rstrip().endswith("⇅ 1↑ 10:30 1≠"), line
        assert "Sprint" in line
        header = Probe.board(app).query_one("#board-header")
        badge = Probe.board(app).query_one(SyncBadge)
        assert header.region.right == badge.region.x  # side by side, nothing covered
        assert badge.region.right == 80


async def test_a_plan_that_is_not_shared_shows_no_sync_state_and_explains_the_key(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await _started(app, pilot)
        await pilot.press("Y")
        assert await wait_until(pilot, lambda: any("sync init" in m for m in messages(app)))
        told = [m for m in messages(app) if "sync init" in m]
        assert len(told) == 1 and "sprintboard sync init REMOTE" in told[0]
        assert "⇅" not in _top_line(app)
        badge = Probe.board(app).query_one(SyncBadge)
        assert not badge.display
        header = Probe.board(app).query_one("#board-header")
        assert header.region.width == 140  # the whole line, as before sync existed
        assert not app.sync.syncing


async def test_the_sync_key_brings_the_other_laptops_change_without_blocking_keys(
    board_app: AppFactory, laptops: Laptops, probe: Probe, monkeypatch: pytest.MonkeyPatch
) -> None:
    with laptops.bob() as bob:
        bob.cards.edit(CARD, {"title": "Gift wrap, from Bob's laptop"})
        io_sync.sync(bob)
    # The sync waits for the test's word, so keys can be pressed while it runs.
    go = threading.Event()
    threads: list[str] = []
    real_sync = io_sync.sync

    def held_sync(store: Store, **kwargs: Any) -> io_sync.SyncResult:
        threads.append(threading.current_thread().name)
        assert go.wait(20)
        return real_sync(store, **kwargs)

    monkeypatch.setattr(io_sync, "sync", held_sync)
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await _started(app, pilot)
        assert probe.selected(app) == CARD
        await pilot.press("Y")
        assert await wait_until(pilot, lambda: "⇅ syncing…" in _top_line(app))
        # The keys work meanwhile: the selection moves, and a second Y says a sync runs.
        await pilot.press("l")
        assert await wait_until(pilot, lambda: probe.selected(app) != CARD)
        await pilot.press("Y")
        assert await wait_until(pilot, lambda: any("already" in m for m in messages(app)))
        assert threads and threads[0] != threading.main_thread().name
        go.set()
        assert await wait_until(pilot, lambda: _titles(app)[CARD] == "Gift wrap, from Bob's laptop")
        assert await wait_until(pilot, lambda: "synced 10:30" in _top_line(app))
        done = [m for m in messages(app) if m.startswith("sync: sent")]
        assert len(done) == 1 and "received 0" not in done[0], done
        assert len(threads) == 1


async def test_a_failed_sync_says_why_in_one_line(board_app: AppFactory, laptops: Laptops) -> None:
    shutil.rmtree(laptops.remote)
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await _started(app, pilot)
        await pilot.press("Y")
        assert await wait_until(pilot, lambda: "⇅ sync failed" in _top_line(app))
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "\n" not in errors[0].message
        assert not app.sync.syncing


async def test_the_conflicts_view_takes_the_other_value(
    board_app: AppFactory, laptops: Laptops, probe: Probe
) -> None:
    _conflict(laptops)
    kept = laptops.title(laptops.ann())
    other = ({"Gift wrap (Ann)", "Gift wrap (Bob)"} - {kept}).pop()
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await _started(app, pilot)
        assert await wait_until(pilot, lambda: "1 conflict" in _top_line(app))
        await pilot.press("ampersand")
        assert await wait_until(
            pilot,
            lambda: isinstance(app.screen, ConflictsScreen) and app.screen.loaded,
        )
        text = "\n".join(Probe.screen_lines(app))
        assert f"{CARD}  title" in text and "changed on two laptops" in text
        assert f"kept:  {kept}" in text and f"other: {other}" in text
        await pilot.press("a")
        assert await wait_until(pilot, lambda: probe.existing_card(CARD)["title"] == other)
        entries = current_screen(app).query_one(EntryList)
        assert await wait_until(pilot, lambda: not entries.entries)
        assert EMPTY in "\n".join(Probe.screen_lines(app))
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: _titles(app)[CARD] == other)
        assert await wait_until(pilot, lambda: "conflict" not in _top_line(app))
        assert "1 to share" in _top_line(app)  # the value taken goes out with the next sync


async def test_keep_settles_the_conflict_and_changes_nothing(
    board_app: AppFactory, laptops: Laptops, probe: Probe
) -> None:
    _conflict(laptops)
    kept = laptops.title(laptops.ann())
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await _started(app, pilot)
        await pilot.press("ampersand")
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, ConflictsScreen) and app.screen.loaded
        )
        await pilot.press("x")
        entries = current_screen(app).query_one(EntryList)
        assert await wait_until(pilot, lambda: not entries.entries)
        assert probe.existing_card(CARD)["title"] == kept
        with laptops.ann() as ann:
            assert io_sync.header_state(ann) == {
                "unshared": 0,
                "last_sync": "2026-03-11T10:30:00Z",
                "last_error": None,
                "conflicts": 0,
            }


async def test_a_cards_page_names_its_conflict(board_app: AppFactory, laptops: Laptops) -> None:
    _conflict(laptops)
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await _started(app, pilot)
        await pilot.press("enter")
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, CardDetailScreen) and app.screen.detail
        )
        await settle(app, pilot)
        text = "\n".join(Probe.screen_lines(app))
        assert "⇅ conflict: title also set to 'Gift wrap (" in text
        assert "by Ann on another laptop" in text or "by Bob on another laptop" in text
        # & from the page lists the conflicts; taking one shows on the page at once.
        await pilot.press("ampersand")
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, ConflictsScreen) and app.screen.loaded
        )
        await pilot.press("a")
        entries = current_screen(app).query_one(EntryList)
        assert await wait_until(pilot, lambda: not entries.entries)
        await pilot.press("escape")
        page = current_screen(app)
        assert isinstance(page, CardDetailScreen)
        assert await wait_until(
            pilot, lambda: page.detail is not None and not page.detail.conflicts
        )
        assert "⇅ conflict" not in "\n".join(Probe.screen_lines(app))


def _top_command(app: SprintboardApp) -> str | None:
    if not isinstance(app.screen, CommandPalette):
        return None
    listing = app.screen.query_one(CommandList)
    first = listing.get_option_at_index(0) if listing.option_count else None
    return str(first.hit.text) if isinstance(first, Command) else None


@pytest.mark.parametrize(
    ("query", "command"), [("pull", "Sync"), ("push", "Sync"), ("conflicts", "Sync conflicts")]
)
async def test_the_palette_reaches_sync_and_its_conflicts(
    board_app: AppFactory, query: str, command: str
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await _started(app, pilot)
        await pilot.press("ctrl+p")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*query)
        assert await wait_until(pilot, lambda: _top_command(app) == command)
        await pilot.press("enter")
        if command == "Sync":
            assert await wait_until(pilot, lambda: any("sync init" in m for m in messages(app)))
        else:
            assert await wait_until(
                pilot, lambda: isinstance(app.screen, ConflictsScreen) and app.screen.loaded
            )
            assert EMPTY in "\n".join(Probe.screen_lines(app))
