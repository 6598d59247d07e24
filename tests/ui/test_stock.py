"""The stock screen: SKUs beside the cards that use them, the filter, opening a card, the
CSV import, and the way in from a card's detail and the palette."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.dialogs import PickerScreen
from sprintboard.screens.stock import StockImportScreen, StockScreen
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.stock_list import StockList

from .conftest import (
    SIZE,
    AppFactory,
    Probe,
    current_screen,
    messages,
    open_screen,
    press_each,
    settle,
    type_into,
    wait_until,
)

SKUS = [
    "GF-1001",
    "GF-1002",
    "GF-1003",
    "GF-1004",
    "HD-2001",
    "HD-2002",
    "KT-3001",
    "KT-3002",
]


def stock(app: SprintboardApp) -> StockScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, StockScreen))


def shown(app: SprintboardApp) -> list[str]:
    return [row.sku for row in stock(app).view.shown]


def lines(app: SprintboardApp) -> list[str]:
    widget = stock(app).query_one(StockList)
    return [widget.render_line(y).text for y in range(widget.size.height)]


def line_of(app: SprintboardApp, sku: str) -> str:
    return next(line for line in lines(app)[1:] if line[2:].startswith(sku + " "))


def header(app: SprintboardApp) -> str:
    return str(stock(app).query_one("#stock-header").render())


def stored_stock(probe: Probe) -> dict[str, tuple[Any, ...]]:
    with probe.store() as store:
        return {
            r["sku"]: (r["name"], r["on_hand"], r["threshold"], r["restock_date"])
            for r in store.stock.list()
        }


async def open_stock(app: SprintboardApp, pilot: Any) -> StockScreen:
    return await open_screen(app, pilot, "stock", StockScreen)


async def test_every_sku_with_its_stock_and_cards(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_stock(app, pilot)
        assert shown(app) == SKUS
        assert lines(app)[0].split()[:4] == ["SKU", "NAME", "ON", "HAND"]
        first = line_of(app, "GF-1001")
        assert first.startswith("▶ GF-1001")
        for part in ("Teak garden table 180cm", " 14 ", " 40 ", "▼ low"):
            assert part in first, part
        assert "MKT-2 (Sprint 42), MKT-3 (Sprint 42), WH-2 (Sprint 42), CNT-2 (…" in first
        assert "CNT-2 (Sprint 42), MKT-5 (Sprint 43)" in line_of(app, "GF-1003")
        assert "▼ low" not in line_of(app, "GF-1002")
        assert line_of(app, "HD-2001").rstrip().endswith(" -")  # no card uses it
        assert "8 SKUs · 3 low" in header(app)


async def test_the_filter_finds_skus_names_and_card_keys(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_stock(app, pilot)
        await press_each(app, pilot, "slash", *"LOUNGE")
        assert await wait_until(pilot, lambda: "text “LOUNGE”" in header(app))
        assert shown(app) == ["GF-1003"] and "1 SKU · 0 low" in header(app)
        await type_into(app, pilot, "#stock-filter", "mkt-2")
        assert await wait_until(pilot, lambda: shown(app) == ["GF-1001", "GF-1002"])
        await type_into(app, pilot, "#stock-filter", "no such thing")
        assert await wait_until(pilot, lambda: shown(app) == [])
        assert "No SKU matches the filter." in lines(app)[1]
        await press_each(app, pilot, "enter", "escape")
        assert shown(app) == SKUS


async def test_enter_opens_the_card_or_picks_one_of_several(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_stock(app, pilot)
        await press_each(app, pilot, "j", "j", "enter")  # GF-1003: two cards
        picker = current_screen(app)
        assert isinstance(picker, PickerScreen)
        assert picker.values == ["CNT-2", "MKT-5"]
        await press_each(app, pilot, "down", "enter")
        detail = current_screen(app)
        assert isinstance(detail, CardDetailScreen) and detail.key == "MKT-5"
        await press_each(app, pilot, "escape")
        await press_each(app, pilot, "j", "enter")  # GF-1004: no card
        assert isinstance(current_screen(app), StockScreen)
        assert messages(app)[-1] == "no card uses SKU GF-1004"


@pytest.mark.long
async def test_import_a_stock_csv(board_app: AppFactory, probe: Probe, tmp_path: Path) -> None:
    good = tmp_path / "stock.csv"
    good.write_text(
        "sku,name,on_hand,threshold,restock_date\n"
        "GF-1004,Parasol 3m anthracite,120,25,\n"
        "NEW-1,[b]Hammock[/b],5,10,2026-04-01\n"
        "BAD-1,Broken,-3,1,\n",
        encoding="utf-8",
    )
    bad = tmp_path / "other.csv"
    bad.write_text("sku,name\nX-1,Nothing on hand\n", encoding="utf-8")
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_stock(app, pilot)
        before = stored_stock(probe)
        for path, needle in [
            (bad, f"stock not imported: {bad}: line 1: missing column(s) on_hand"),
            (tmp_path / "no.csv", f"stock not imported: {tmp_path / 'no.csv'}: no such file"),
            (tmp_path, f"stock not imported: {tmp_path}: is a directory, not a CSV file"),
        ]:
            await press_each(app, pilot, "ctrl+o")
            assert isinstance(current_screen(app), StockImportScreen)
            await type_into(app, pilot, "#stock-path", str(path))
            await press_each(app, pilot, "enter")
            assert isinstance(current_screen(app), StockScreen)
            assert messages(app)[-1].startswith(needle) and "\n" not in messages(app)[-1]
            assert stored_stock(probe) == before

        await press_each(app, pilot, "ctrl+o")
        await type_into(app, pilot, "#stock-path", str(good))
        await press_each(app, pilot, "enter")
        summary = messages(app)[-1]
        assert summary.startswith("stock import: 1 added, 1 updated, 1 rejected; line 4: on_hand")
        after = stored_stock(probe)
        assert after["GF-1004"] == ("Parasol 3m anthracite", 120, 25, None)
        assert after["NEW-1"] == ("[b]Hammock[/b]", 5, 10, "2026-04-01")
        assert "BAD-1" not in after
        await settle(app, pilot)
        assert shown(app) == sorted([*SKUS, "NEW-1"])
        assert "▼ low" not in line_of(app, "GF-1004")
        assert "[b]Hammock[/b]" in line_of(app, "NEW-1") and "▼ low" in line_of(app, "NEW-1")


async def test_a_cards_detail_opens_the_stock_of_its_skus(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = app.screen
        board.open_card_detail("CNT-2")  # type: ignore[attr-defined]
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
        await settle(app, pilot)
        await press_each(app, pilot, "7")
        assert await wait_until(pilot, lambda: stock(app).loaded)
        assert shown(app) == ["GF-1001", "GF-1002", "GF-1003"]
        assert "SKUs of CNT-2" in header(app)
        await press_each(app, pilot, "escape")
        assert isinstance(current_screen(app), CardDetailScreen)


async def test_the_palette_and_the_number_key_reach_the_stock_screen(
    board_app: AppFactory,
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Go to Stock" in titles
        await open_stock(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Import CSV", "Filter", "Open card"} <= set(titles)
