"""A board of thousands of cards: the first frame comes from the first cards of each
column, keys act on it at once, the rest merges in; the board's own moves and others'
edits are followed card by card, never by reading the whole sprint again."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sprintboard.config import Settings
from sprintboard.demo import load_demo
from sprintboard.store import Store
from sprintboard.store.board import board_cards
from sprintboard.store.database import Clock
from sprintboard.tui import SprintboardApp
from sprintboard.views import board as board_view
from sprintboard.views.board import COLUMNS

from .conftest import SIZE, AppFactory, Probe, settle, wait_until


class Reads:
    """Counts the board's whole-sprint reads (`board_cards` without `first`); `gate`, when
    cleared, holds them back on the database thread until it is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.whole = 0
        self.first = 0
        self.gate = threading.Event()
        self.gate.set()
        real: Callable[..., Any] = board_cards

        def spy(*args: Any, first: int | None = None, **kwargs: Any) -> Any:
            if first is None:
                self.whole += 1
                assert self.gate.wait(20)
            else:
                self.first += 1
            return real(*args, first=first, **kwargs)

        monkeypatch.setattr(board_view, "board_cards", spy)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    spy = Reads(monkeypatch)
    yield spy
    spy.gate.set()  # a failed test never leaves the database thread waiting


async def test_a_move_reads_no_sprint_again(
    board_app: AppFactory, probe: Probe, reads: Reads
) -> None:
    app = board_app(live_refresh=0.05)
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        board = probe.board(app)
        assert reads.whole == 0  # 20 cards: the first read was all of them
        await pilot.press("l", "j", "L", "K")  # IT-5 to Doing, then up one
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: board.version == app.store.version())
        assert probe.shown(app) == probe.stored(sprint)
        assert probe.shown(app)["doing"][-2] == "IT-5"

        # Another process renames a card: that card alone is read again.
        with probe.store() as other:
            other.cards.edit("IT-4", {"title": "Renamed elsewhere"})
        assert await wait_until(pilot, lambda: "Renamed elsewhere" in probe.grid_text(app))
        assert reads.whole == 0
        assert probe.shown(app) == probe.stored(sprint)


@pytest.fixture
def one_sprint_db(tmp_path: Path, clock: Clock) -> Path:
    """3,000 cards, every one in the active sprint (an imported project's shape)."""
    path = tmp_path / "big.db"
    with Store(path, clock=clock) as store:
        load_demo(store, cards=3_000, per_sprint=3_000)
        store.conn.execute(
            "UPDATE cards SET sprint_id = (SELECT id FROM sprints WHERE state = 'active')"
        )
        store.conn.commit()
    return path


async def test_keys_pressed_before_the_rest_arrives(
    one_sprint_db: Path, clock: Clock, probe: Probe, reads: Reads
) -> None:
    from sprintboard.app import make_app

    reads.gate.clear()  # the rest of the board waits until the keys are in
    app: SprintboardApp = make_app(one_sprint_db, clock=clock, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        board = probe.board(app)
        assert await wait_until(pilot, lambda: board.loaded)
        model = board.model
        assert model.partial and reads.first == 1
        sizes = {s: count for s, (count, _) in model.totals.items()}  # type: ignore[union-attr]
        assert sum(sizes.values()) == 3_000
        assert "· 3000 cards" in probe.header(app)
        key = model.column_cards(1)[1]["key"]
        await pilot.press("l", "j", "L")  # the second card of To do goes to Doing
        assert model.selected == key and model.col == 2
        assert "▶" + key in probe.column_text(app, "doing")
        reads.gate.set()
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not model.partial)
        await settle(app, pilot)
        assert model.selected == key and model.col == 2
        with Store(one_sprint_db, clock=clock) as store:
            stored = store.cards.get(key)
            sprint = stored["sprint_id"]
            columns = {
                s: [c["key"] for c in store.cards.query(sprint=sprint, status=s)] for s in COLUMNS
            }
        assert stored["status"] == "doing"
        assert columns["doing"][-1] == key
        assert {s: [c["key"] for c in cards] for s, cards in model.columns.items()} == columns
        assert sum(len(cards) for cards in model.columns.values()) == 3_000
        assert "· 3000 cards" in probe.header(app)
        assert "▶" + key in probe.column_text(app, "doing")
