"""The board's cheap reads: a first frame from the first cards of each column and the
column totals, and a change followed card by card through the activity log; both must end
on exactly the board a whole read gives."""

from __future__ import annotations

import random
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from sprintboard.demo import load_demo
from sprintboard.store import Store
from sprintboard.store.board import linked_keys
from sprintboard.views.board import COLUMNS, BoardModel, Filters, fetch_board
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


def like(model: BoardModel, store: Store, sprint: Any = None, chosen: bool = False) -> BoardModel:
    """A whole read of the store, shown with `model`'s filters and lanes."""
    fresh = board_of(fetch_board(store, sprint, chosen, False))
    fresh.filters, fresh.swimlanes = model.filters, model.swimlanes
    fresh.rebuild()
    return fresh


@pytest.mark.parametrize("hide", ["filter", "lanes"])
def test_a_reorder_past_hidden_cards_leaves_the_order_the_store_gives(
    plan: Store, hide: str
) -> None:
    """Two neighbours on screen may have cards between them on the board (hidden by a
    filter, or in another lane): the store puts the card right above its neighbour, and so
    must the board, else the hidden cards come back in another order and later merges
    place cards next to the wrong ones."""
    model = whole(plan)
    todo = model.columns["todo"]  # the column unfiltered, in board order

    def kept(team: str) -> list[Any]:
        return [c for c in todo if (team in c.teams if hide == "filter" else c.team == team)]

    # A card and the one above it on screen, with cards of the board between them.
    team, below = next(
        (team, b)
        for team in model.team_order
        for a, b in pairwise(kept(team))
        if todo.index(b) - todo.index(a) > 1
    )
    if hide == "filter":
        model.set_filters(Filters(teams=frozenset({team})))
    else:
        model.toggle_swimlanes()
    assert model.select(below.key)
    spans: list[tuple[int, int]] = []
    for delta in (-1, 1):  # up past the hidden cards, then back down
        move = model.reorder(delta)
        assert move is not None
        near = move.before or move.after
        assert near is not None
        own_write(plan, spans, plan.cards.place_next_to, move.key, near, after=delta > 0)
        assert picture(model) == picture(like(model, plan))
        model.set_filters(Filters())
        if model.swimlanes:
            model.toggle_swimlanes()
        assert picture(model) == picture(whole(plan))
        if hide == "filter":
            model.set_filters(Filters(teams=frozenset({team})))
        else:
            model.toggle_swimlanes()
        assert model.select(below.key)


@pytest.mark.parametrize(("seed", "backlog"), [(1, False), (2, False), (3, True)])
def test_local_changes_filters_lanes_and_merges_mixed_end_on_a_whole_read(
    plan: Store, seed: int, backlog: bool
) -> None:
    """Moves and reorders made here (filtered or in lanes), filters and lanes switched,
    cards deleted here, and changes from elsewhere (cards moved, reordered, deleted, sent
    to another sprint or brought in) merged card by card: after each round the board is a
    whole read's with the same filters and lanes, and its selection is on a shown card."""
    rng = random.Random(seed)
    chosen = backlog  # chosen with no sprint: the backlog
    data = fetch_board(plan, None, chosen, False)
    model = board_of(data)
    picture(model)  # the column totals are counted: merges must keep them right
    version, sprint, today = data["version"], data["sprint"], data["today"]
    here = sprint["id"] if sprint else None
    elsewhere = [s["id"] for s in plan.sprints.list() if s["id"] != here]
    teams = [t["code"] for t in plan.teams.list()]
    spans: list[tuple[int, int]] = []
    merged = 0
    with Store(plan.path, clock=plan.clock) as other:
        for _ in range(60):
            step = rng.randrange(7)
            if step == 0 and model.selected_card() is not None:
                move = model.move_card(rng.choice([-1, 1]))
                if move is not None:
                    own_write(plan, spans, plan.cards.move, move.key, status=move.status)
            elif step == 1 and model.selected_card() is not None:
                model.move_selection(0, rng.choice([-2, 2]))
                move = model.reorder(rng.choice([-1, 1]))
                if move is not None:
                    near = move.before or move.after
                    place = plan.cards.place_next_to
                    own_write(plan, spans, place, move.key, near, after=move.after is not None)
            elif step == 2:
                model.set_filters(
                    rng.choice([Filters(), Filters(teams=frozenset(rng.sample(teams, 2)))])
                )
            elif step == 3:
                model.toggle_swimlanes()
            elif step == 4 and model.selected is not None:
                key = model.selected
                model.remove(key)
                plan.cards.delete(key)  # not the board's own span: read as gone
            else:
                for _ in range(rng.randint(1, 3)):
                    keys = [c.key for c in model.cards]
                    key = rng.choice(keys)
                    change = rng.randrange(5)
                    if change == 0:
                        other.cards.move(key, status=rng.choice(COLUMNS))
                    elif change == 1:
                        column = like(model, other, sprint, chosen).columns[rng.choice(COLUMNS)]
                        if len(column) > 1:
                            key, near = rng.sample([c.key for c in column], 2)
                            other.cards.place_next_to(key, near, after=rng.random() < 0.5)
                    elif change == 2:
                        other.cards.move(key, sprint_id=rng.choice(elsewhere))
                    elif change == 3:
                        (key,) = other.conn.execute(
                            "SELECT key FROM cards WHERE sprint_id IS NOT ? ORDER BY random()",
                            [here],
                        ).fetchone()
                        other.cards.move(key, sprint_id=here, status=rng.choice(COLUMNS))
                    else:
                        other.cards.delete(key)
            found = fetch_changes(plan, sprint, version, spans, today)
            spans.clear()
            if found is not None and model.merge(found["cards"], found["gone"]):
                version, merged = found["version"], merged + 1
            else:
                again = fetch_board(plan, sprint, chosen, False)
                version, selected = again["version"], model.selected
                model = like(model, plan, sprint, chosen)
                if selected is not None:
                    model.select(selected)
            assert picture(model) == picture(like(model, plan, sprint, chosen))
            card = model.selected_card()
            assert card is None or card in model.column_cards()
            assert (card is None) == (model.selected is None)
            model.move_selection(rng.choice([-1, 0, 1]), rng.choice([-3, 0, 3]))
    assert merged >= 40
