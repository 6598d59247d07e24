"""The board's compact read (`fetch_board` -> `BoardCard`) gives the same board as the full
card rows of `Cards.query()`: the same fields, columns, order, filters and swimlanes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sprintboard.demo import load_demo
from sprintboard.store import Store
from sprintboard.store.board import BOARD_FIELDS, board_cards
from sprintboard.views.board import COLUMNS, BoardCard, BoardModel, Filters, fetch_board


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A demo of 600 cards: hand-written and generated, with dependencies, feedback,
    comments, checklists, contributing teams and assignees."""
    store = Store(Path(tmp_path_factory.mktemp("board")) / "plan.db")
    load_demo(store, cards=600, per_sprint=150)
    return store


def sprint_ids(store: Store) -> list[int | None]:
    return [None, *(s["id"] for s in store.sprints.list())]


def as_board(card: dict[str, Any]) -> dict[str, Any]:
    """A full row, cut to what the board holds (lists as the tuples it keeps)."""
    return {f: tuple(card[f]) if isinstance(card[f], list) else card[f] for f in BOARD_FIELDS}


def test_the_dataclass_holds_the_fields_the_store_reads() -> None:
    assert BoardCard.__slots__ == BOARD_FIELDS
    blank: list[Any] = [None] * len(BOARD_FIELDS)
    assert not hasattr(BoardCard(*blank), "__dict__")


def test_every_sprint_reads_as_the_full_rows_do(plan: Store) -> None:
    seen = 0
    for sprint in sprint_ids(plan):
        compact = [c.as_dict() for c in board_cards(plan, sprint, BoardCard)]
        full = [as_board(c) for c in plan.cards.query(sprint=sprint)]
        assert compact == full
        seen += len(full)
    assert seen == plan.scalar("SELECT COUNT(*) FROM cards")
    # The demo's links all show somewhere.
    cards = [c for s in sprint_ids(plan) for c in board_cards(plan, s, BoardCard)]
    assert any(c.blocked_by for c in cards) and any(c.cross_team for c in cards)
    assert any(c.feedback for c in cards) and any(c.comment_count for c in cards)
    assert any(c.checklist_total for c in cards) and any(len(c.teams) > 1 for c in cards)


def test_fetch_board_reads_the_active_sprint_compactly(plan: Store) -> None:
    data = fetch_board(plan, None, False, True)
    assert data["sprint"]["state"] == "active"
    assert all(isinstance(c, BoardCard) for c in data["cards"])
    assert [c.key for c in data["cards"]] == [
        c["key"] for c in plan.cards.query(sprint=data["sprint"]["id"])
    ]


def columns(model: BoardModel) -> dict[str, list[str]]:
    return {s: [c["key"] for c in model.columns[s]] for s in COLUMNS}


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(text="checkout"),
        Filters(teams=frozenset({"IT", "ECOM"})),
        Filters(goal=1),
        Filters(feedback_only=True),
        Filters(mine="Sanne de Vries"),
    ],
    ids=["none", "text", "teams", "goal", "feedback", "mine"],
)
@pytest.mark.parametrize("lanes", [False, True], ids=["columns", "swimlanes"])
def test_the_board_is_the_same_board(plan: Store, filters: Filters, lanes: bool) -> None:
    teams = [t["code"] for t in plan.teams.list(include_archived=True)]
    sprint = plan.sprints.active()
    assert sprint is not None
    compact, full = BoardModel(), BoardModel()
    compact.load(board_cards(plan, sprint["id"], BoardCard), teams)
    full.load(plan.cards.query(sprint=sprint["id"]), teams)
    for model in (compact, full):
        model.set_filters(filters)
        if lanes:
            model.toggle_swimlanes()
    assert columns(compact) == columns(full)
    assert any(columns(full).values()) or filters.active()
    for status in COLUMNS:
        assert compact.column_summary(status) == full.column_summary(status)
    # The same keys act the same on both.
    for model in (compact, full):
        model.select_at(1, 0)
        model.move_card(+1)
        model.move_selection(d_row=1)
        model.reorder(-1)
    assert columns(compact) == columns(full)
    assert compact.selected == full.selected
