"""The board's cheap reads: a first frame from the first cards of each column and the
column totals, and a change followed card by card through the activity log; both must end
on exactly the board a whole read gives."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from sprintboard.demo import load_demo
from sprintboard.store import Store
from sprintboard.store.board import linked_keys
from sprintboard.views.board import COLUMNS, BoardModel, fetch_board
from sprintboard.views.board_changes import fetch_changes, own_write


@pytest.fixture
def plan(tmp_path: Path) -> Store:
    """600 cards with links, feedback, comments and checklists; 150 in a sprint."""
    store = Store(tmp_path / "plan.db")
    load_demo(store, cards=600, per_sprint=150)
    return store


def board_of(data: dict[str, Any]) -> BoardModel:
    model = BoardModel()
    model.load(data["cards"], [t["code"] for t in data["teams"]], data["totals"])
    return model


def picture(model: BoardModel) -> dict[str, Any]:
    """What the board shows: each column's cards (every field), its totals, the count."""
    return {
        status: (
            [c.as_dict() for c in model.columns[status]],
            model.column_summary(status),
            model.shown_count(status),
        )
        for status in COLUMNS
    } | {"total": model.shown_total()}


def whole(store: Store) -> BoardModel:
    return board_of(fetch_board(store, None, False, False))


def test_a_first_frame_shows_the_first_cards_and_every_columns_totals(plan: Store) -> None:
    full = whole(plan)
    assert not full.partial
    first = board_of(fetch_board(plan, None, False, True, 3))
    assert first.partial
    for status in COLUMNS:
        keys = [c.key for c in full.columns[status]]
        assert [c.key for c in first.columns[status]] == keys[:3]
        assert first.column_summary(status) == full.column_summary(status)
        assert first.shown_count(status) == len(keys)
    assert first.shown_total() == full.shown_total() > 15


def test_the_rest_merges_into_the_same_board_keeping_the_selection(plan: Store) -> None:
    model = board_of(fetch_board(plan, None, False, True, 3))
    model.select_at(2, 2)
    chosen = model.selected
    model.load(fetch_board(plan, None, False, False)["cards"], model.team_order)
    assert not model.partial
    assert model.selected == chosen and model.col == 2
    assert picture(model) == picture(whole(plan))


def test_a_whole_sprint_that_fits_is_read_whole(plan: Store) -> None:
    data = fetch_board(plan, None, False, True, 1_000)
    assert data["totals"] is None
    assert picture(board_of(data)) == picture(whole(plan))


def test_a_move_made_here_is_not_read_again(plan: Store) -> None:
    """The board's own moves show already: no card is read again for them, only the cards
    linked to a moved card (their open-blocker badges follow its column)."""
    data = fetch_board(plan, None, False, False)
    model = board_of(data)
    todo = [c.key for c in model.columns["todo"]]
    alone = next(k for k in todo if not linked_keys(plan, {k}))
    linked = next(k for k in todo if linked_keys(plan, {k}) & {c.key for c in model.cards})
    version = data["version"]
    spans: list[tuple[int, int]] = []
    for key, reads in ((alone, set()), (linked, linked_keys(plan, {linked}))):
        assert model.select(key)
        move = model.move_card(1)
        assert move is not None and move.status is not None
        own_write(plan, spans, plan.cards.move, move.key, status=move.status)
        found = fetch_changes(plan, data["sprint"], version, spans, data["today"])
        assert found is not None and not found["gone"]
        assert {c.key for c, _ in found["cards"]} == reads & {c.key for c in model.cards}
        assert key not in reads
        assert model.merge(found["cards"], found["gone"])
        version = found["version"]
        assert version == plan.version()
        spans.clear()
    assert picture(model) == picture(whole(plan))


def test_changes_from_another_process_are_read_card_by_card(plan: Store) -> None:
    data = fetch_board(plan, None, False, False)
    model = board_of(data)
    sprint = data["sprint"]
    todo = [c.key for c in model.columns["todo"]]
    doing = [c.key for c in model.columns["doing"]]
    free = [c.key for c in model.cards if not linked_keys(plan, {c.key})]
    with Store(plan.path, clock=plan.clock) as other:
        other.cards.move(todo[0], status="review")
        other.cards.place_next_to(doing[-1], doing[0], after=False)
        other.cards.edit(todo[1], {"title": "Renamed elsewhere"})
        other.deps.add(free[0], free[1])  # free[1] now waits on an open blocker
        other.comments.add(doing[2], "said elsewhere")
        other.cards.delete(todo[3])
    found = fetch_changes(plan, sprint, data["version"], [], data["today"])
    assert found is not None
    assert {c.key for c, _ in found["cards"]} >= {todo[0], doing[-1], todo[1], *free[:2]}
    assert todo[3] in found["gone"]  # with linked cards of other sprints
    assert model.merge(found["cards"], found["gone"])
    assert picture(model) == picture(whole(plan))
    assert model.columns["doing"][0]["key"] == doing[-1]


def test_a_change_the_log_cannot_follow_reads_everything(plan: Store) -> None:
    data = fetch_board(plan, None, False, False)
    with Store(plan.path, clock=plan.clock) as other:
        other.conn.execute("UPDATE cards SET title = 'unlogged' WHERE id = 1")
        other.conn.commit()
    assert fetch_changes(plan, data["sprint"], data["version"], [], data["today"]) is None
    data = fetch_board(plan, None, False, False)
    team = plan.teams.list()[0]
    plan.teams.edit(team["code"], {"name": "Renamed team"})
    assert fetch_changes(plan, data["sprint"], data["version"], [], data["today"]) is None


def test_random_changes_followed_card_by_card_end_on_the_whole_board(plan: Store) -> None:
    """Merged changes update only the columns they touch (and the column totals already
    counted); after every batch the board must be the one a whole read gives, with the
    selection kept on its card."""
    rng = random.Random(7)
    data = fetch_board(plan, None, False, False)
    model = board_of(data)
    picture(model)  # the column totals are counted now: merges must keep them right
    version, sprint, merged = data["version"], data["sprint"], 0
    with Store(plan.path, clock=plan.clock) as other:
        for _ in range(25):
            keys = [c.key for c in model.cards]
            chosen = rng.choice(keys)
            assert model.select(chosen)
            for _ in range(rng.randint(1, 4)):
                key, near = rng.sample(keys, 2)
                change = rng.randrange(5)
                if change == 0:
                    other.cards.move(key, status=rng.choice(COLUMNS))
                elif change == 1:
                    # two cards of one column, as the file has them now
                    column = whole(other).column_cards(rng.randrange(len(COLUMNS)))
                    if len(column) > 1:
                        key, near = rng.sample([c.key for c in column], 2)
                        other.cards.place_next_to(key, near, after=rng.random() < 0.5)
                elif change == 2:
                    other.cards.edit(key, {"title": f"Edited {rng.random():.6f}"})
                elif change == 3:
                    key = chosen if chosen in keys and rng.random() < 0.3 else key
                    if key not in keys:
                        continue
                    other.cards.delete(key)
                    keys.remove(key)
                else:
                    other.comments.add(key, "said elsewhere")
            found = fetch_changes(plan, sprint, version, [], data["today"])
            if found is None or not model.merge(found["cards"], found["gone"]):
                again = fetch_board(plan, None, False, False)
                model, version = board_of(again), again["version"]
                model.select(chosen)
                picture(model)
            else:
                merged += 1
                version = found["version"]
            assert picture(model) == picture(whole(plan))
            # the selection stays on its card, or moves to one still there
            assert (model.selected == chosen) == (chosen in keys)
            assert model.selected_card() in model.column_cards()
    assert merged >= 20  # the card-by-card path was the one tested
