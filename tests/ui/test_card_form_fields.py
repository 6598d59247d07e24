"""The card form edits every field the CLI does: labels, expected orders and SKUs (with
completion from the stock table and a stock line per SKU), checked in the database and
on screen."""

from __future__ import annotations

import pytest
from textual.content import Content
from textual.widgets import Input, Static

from sprintboard.screens import card_form
from sprintboard.screens.card_form import CardFormScreen
from sprintboard.tui import SprintboardApp

from .conftest import SIZE, AppFactory, Probe, current_screen, settle, type_into


def form_of(app: SprintboardApp) -> CardFormScreen:
    form = current_screen(app)
    assert isinstance(form, CardFormScreen)
    return form


def stock_shown(app: SprintboardApp) -> str:
    """The stock line under the SKUs field, as drawn."""
    return str(form_of(app).query_one("#sku-stock", Static).render())


async def test_create_a_card_with_labels_orders_and_skus(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        form_of(app)
        await pilot.press(*"Garden week e-mail")
        await type_into(app, pilot, "#labels", "promotion, spring")
        await type_into(app, pilot, "#orders", "750")
        await type_into(app, pilot, "#skus", "GF-1001, GF-1004")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert not isinstance(app.screen, CardFormScreen)
        with probe.store() as store:
            found = store.cards.query(text="Garden week e-mail")
        assert len(found) == 1
        card = found[0]
        assert card["labels"] == ["promotion", "spring"]
        assert card["expected_orders"] == 750
        assert card["skus"] == ["GF-1001", "GF-1004"]


async def test_edit_shows_and_changes_labels_orders_and_skus(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    with probe.store() as store:
        store.cards.edit("IT-6", {"labels": ["checkout"], "expected_orders": 40, "skus": []})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l", "l", "l")  # Review, IT-6
        await pilot.press("e")
        await settle(app, pilot)
        form = form_of(app)
        assert form.query_one("#labels", Input).value == "checkout"
        assert form.query_one("#orders", Input).value == "40"
        assert "no SKUs" in stock_shown(app)

        await type_into(app, pilot, "#labels", "checkout, guest")
        await type_into(app, pilot, "#orders", "")
        await type_into(app, pilot, "#skus", "GF-1002")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        card = probe.existing_card("IT-6")
        assert card["labels"] == ["checkout", "guest"]
        assert card["expected_orders"] is None
        assert card["skus"] == ["GF-1002"]


async def test_sku_suggestion_completes_the_last_part(board_app: AppFactory) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        box = form_of(app).query_one("#skus", Input)
        await type_into(app, pilot, "#skus", "GF-1003, gf-100")
        await settle(app, pilot)
        assert box._suggestion == "GF-1003, GF-1001"
        await pilot.press("right")  # takes the suggestion
        assert box.value == "GF-1003, GF-1001"

        # Only the part after the last comma is completed; a part nothing starts with
        # gets no suggestion.
        await type_into(app, pilot, "#skus", "GF-1001, gf-1004, xx")
        await settle(app, pilot)
        assert box._suggestion == ""
        await type_into(app, pilot, "#skus", "gf-1001,GF-100")
        await settle(app, pilot)
        assert box._suggestion == "gf-1001,GF-1001"


async def test_stock_line_shows_on_hand_restock_low_and_unknown(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    with probe.store() as store:
        table, cushions = store.stock.get("GF-1001"), store.stock.get("GF-1003")
    assert table["restock_date"] and cushions["restock_date"] is None
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        await type_into(app, pilot, "#skus", "GF-1001, GF-1003, ZZ-9, gf-1004")
        await settle(app, pilot)
        lines = stock_shown(app).splitlines()
        assert lines == [
            "GF-1001 Teak garden table 180cm · 14 on hand (low, threshold 40) · restock "
            + table["restock_date"],
            "GF-1003 Outdoor lounge cushion set · 95 on hand (threshold 50) · no restock planned",
            "ZZ-9 ? not in stock",
            "gf-1004 ? not in stock (did you mean GF-1004?)",
        ]
        # Only the low SKU's line is in the warning colour.
        drawn = form_of(app).query_one("#sku-stock", Static).render()
        assert isinstance(drawn, Content)
        warned = [drawn.plain[span.start : span.end] for span in drawn.spans]
        assert warned == [lines[0]]
        assert {str(span.style) for span in drawn.spans} == {"$warning"}
        # The line is on screen, under the field.
        assert "14 on hand (low, threshold 40)" in probe.screen_text(app)
        assert "ZZ-9 ? not in stock" in probe.screen_text(app)


async def test_a_bad_expected_orders_is_refused_in_the_form(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    before = probe.existing_card("IT-6")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l", "l", "l")  # Review, IT-6
        await pilot.press("e")
        await settle(app, pilot)
        await type_into(app, pilot, "#orders", "2000000000")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        form = form_of(app)  # still open, saying why
        error = str(form.query_one("#form-error", Static).render())
        assert error.startswith("⚠ expected_orders:")
        assert "1000000000" in error
        assert "⚠ expected_orders:" in probe.screen_text(app)
        assert probe.existing_card("IT-6") == before  # nothing saved


async def test_a_big_stock_table_is_read_by_prefix(
    board_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over the limit the form reads no stock when it opens, only what typing needs.
    monkeypatch.setattr(card_form, "PRELOAD_LIMIT", 2)
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        form = form_of(app)
        assert not form.stock_complete
        assert form.stock == {}
        box = form.query_one("#skus", Input)
        await type_into(app, pilot, "#skus", "GF-1003, gf-1004, ZZ-9, gf-100")
        await settle(app, pilot)
        assert box._suggestion == "GF-1003, gf-1004, ZZ-9, GF-1001"
        lines = stock_shown(app).splitlines()
        assert lines[0].startswith("GF-1003 Outdoor lounge cushion set · 95 on hand")
        assert lines[1:3] == [
            "gf-1004 ? not in stock (did you mean GF-1004?)",
            "ZZ-9 ? not in stock",
        ]
