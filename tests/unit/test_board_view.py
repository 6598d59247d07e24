"""The board's model: moves and reorders change only the columns they touch, and leave
them exactly as a full rebuild from the cards would."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from sprintboard.views.board import COLUMNS, BoardModel, Filters

TEAMS = ["MKT", "IT", "ECOM", "WH"]


def card(n: int, rng: random.Random) -> dict[str, Any]:
    team = rng.choice(TEAMS)
    return {
        "key": f"{team}-{n}",
        "title": rng.choice(["Checkout", "Promo mail", "Stock count", "Label printer"]),
        "team": team,
        "teams": [team],
        "status": rng.choice(COLUMNS),
        "points": rng.choice([None, 1, 2, 3, 5, 8]),
        "goal": rng.choice([None, 1, 2]),
        "feedback": rng.choice([0, 0, 3]),
    }


def shown(model: BoardModel) -> dict[str, list[str]]:
    return {status: [c["key"] for c in model.columns[status]] for status in COLUMNS}


def rebuilt(model: BoardModel) -> dict[str, list[str]]:
    """What the columns would be, worked out again from the cards."""
    fresh = copy.deepcopy(model)
    fresh.rebuild()
    return shown(fresh)


@pytest.mark.parametrize("seed", range(12))
def test_moves_and_reorders_match_a_full_rebuild(seed: int) -> None:
    rng = random.Random(seed)
    model = BoardModel()
    model.load([card(n, rng) for n in range(60)], TEAMS)
    if seed % 3 == 1:
        model.toggle_swimlanes()
    if seed % 4 == 2:
        model.set_filters(Filters(teams=frozenset({"IT", "ECOM"})))
    moved = reordered = 0
    for _ in range(200):
        model.move_selection(rng.choice([-1, 0, 1]), rng.choice([-2, -1, 0, 1, 2]))
        before = model.selected
        if rng.random() < 0.5:
            if model.move_card(rng.choice([-1, 1])) is not None:
                moved += 1
                selected = model.selected_card()
                assert selected is not None and selected["status"] == COLUMNS[model.col]
        elif model.reorder(rng.choice([-1, 1])) is not None:
            reordered += 1
        assert model.selected == before  # the selection follows the card
        assert shown(model) == rebuilt(model)
        # The selected card, looked up by key, is the one its column holds.
        in_column = [c for c in model.column_cards() if c["key"] == model.selected]
        assert model.selected_card() is (in_column[0] if in_column else None)
        for status in COLUMNS:  # the cached summaries follow too (whole columns)
            cards = [c for c in model.cards if c["status"] == status]
            assert model.column_summary(status) == (
                len(cards),
                sum(c["points"] or 0 for c in cards),
            )
            assert model.shown_count(status) == len(model.columns[status])
    assert moved > 20 and reordered > 20  # the walk really moved and reordered cards


def test_wip_counts_are_the_whole_column_whatever_the_filter() -> None:
    rng = random.Random(7)
    model = BoardModel()
    model.load([card(n, rng) for n in range(1, 60)], TEAMS)
    doing = [c for c in model.cards if c["status"] == "doing"]
    whole = (len(doing), sum(c["points"] or 0 for c in doing))
    assert model.column_summary("doing") == whole
    for filters in (
        Filters(teams=frozenset({"IT"})),
        Filters(text="promo"),
        Filters(goal=1, feedback_only=True),
    ):
        model.set_filters(filters)
        shown_doing = [c for c in doing if filters.keep(c)]
        assert len(shown_doing) < len(doing)  # the filter really hides some
        assert model.column_summary("doing") == whole
        assert model.shown_count("doing") == len(shown_doing)
    # A move with a filter on counts the card in its new column, and out of the old one.
    model.set_filters(Filters(teams=frozenset({"IT"})))
    model.select(next(c["key"] for c in doing if "IT" in c["teams"]))
    assert model.move_card(1) is not None
    assert model.column_summary("doing")[0] == len(doing) - 1
