"""The dependency graph: colours by sprint order, critical path, cycles, layers, matrix."""

from __future__ import annotations

import gc

import pytest

from sprintboard.errors import NotFound, UserError
from sprintboard.models import Card
from sprintboard.planning.graph import (
    DEFAULT_TEAMS,
    DONE,
    LATE,
    LEGEND,
    OK,
    SAME_SPRINT,
    CardNode,
    DependencyGraph,
    filter_links,
    gc_paused,
    group_by_teams,
    link_colour,
    parse_teams,
    sprint_order,
)
from sprintboard.store import Store
from sprintboard.store.links import find_cycle

ORDER = {"S1": 0, "S2": 1, "S3": 2}


def node(
    key: str, sprint: str | None = "S1", points: int | None = 1, status: str = "todo"
) -> CardNode:
    return CardNode(key=key, team=key.split("-")[0], status=status, points=points, sprint=sprint)


# -- colours ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocker", "dependent", "expected"),
    [
        (node("IT-1", "S2"), node("ECOM-1", "S1"), LATE),  # blocker a sprint later
        (node("IT-1", None), node("ECOM-1", "S1"), LATE),  # blocker still in the backlog
        (node("IT-1", "S1"), node("ECOM-1", "S1"), SAME_SPRINT),
        (node("IT-1", "S1"), node("ECOM-1", "S3"), OK),  # earlier sprint
        (node("IT-1", "S3"), node("ECOM-1", None), OK),  # dependent not planned yet
        (node("IT-1", None), node("ECOM-1", None), OK),
        (node("IT-1", "S3", status="done"), node("ECOM-1", "S1"), DONE),
        (node("IT-1", "S3"), node("ECOM-1", "S1", status="done"), DONE),
        (node("IT-1", "gone"), node("ECOM-1", "S1"), LATE),  # unknown sprint: unplanned
    ],
)
def test_link_colour_by_sprint_order(
    blocker: CardNode, dependent: CardNode, expected: object
) -> None:
    assert link_colour(blocker, dependent, ORDER) is expected


def test_colour_is_never_the_only_signal() -> None:
    assert [s.colour for s in (LATE, SAME_SPRINT, OK)] == ["red", "amber", "green"]
    labels = {s.label for s in LEGEND}
    assert len(labels) == len(LEGEND)
    assert LATE.label == "✗ late" and SAME_SPRINT.label == "≈ same sprint"
    assert OK.label == "✓ ok" and DONE.label == "✓ done"


def test_sprint_order_follows_start_dates() -> None:
    rows = [
        {"id": 1, "name": "Later", "start": "2026-04-01"},
        {"id": 2, "name": "First", "start": "2026-03-01"},
        {"id": 3, "name": "Twin", "start": "2026-04-01"},
    ]
    assert sprint_order(rows) == {"First": 0, "Later": 1, "Twin": 2}


# -- a known small graph -----------------------------------------------------------------


def known_graph() -> DependencyGraph:
    """A(3) -> B(5) -> D(2); A -> C(8) -> D; X(20, done) -> D; F(1) -> G(None); E(40) alone."""
    cards = [
        node("IT-1", points=3),  # A
        node("IT-2", points=5),  # B
        node("ECOM-1", points=8),  # C
        node("ECOM-2", points=2),  # D
        node("WH-1", points=20, status="done"),  # X
        node("IT-3", points=1),  # F
        node("IT-4", points=None),  # G
        node("MKT-1", points=40),  # E, no links
    ]
    pairs = [
        ("IT-1", "IT-2"),
        ("IT-2", "ECOM-2"),
        ("IT-1", "ECOM-1"),
        ("ECOM-1", "ECOM-2"),
        ("WH-1", "ECOM-2"),
        ("IT-3", "IT-4"),
    ]
    return DependencyGraph(cards, pairs, ORDER)


def test_critical_path_on_a_known_graph() -> None:
    path = known_graph().critical_path()
    assert path.cards == ("IT-1", "ECOM-1", "ECOM-2")
    assert path.points == 13


def test_critical_path_ignores_done_cards_and_lone_cards() -> None:
    cards = [node("IT-1", points=5, status="done"), node("IT-2", points=3), node("IT-3", points=9)]
    graph = DependencyGraph(cards, [("IT-1", "IT-2")], ORDER)
    assert graph.critical_path().cards == ()
    assert graph.critical_path().points == 0


def test_critical_path_ties_go_to_the_first_chain() -> None:
    cards = [node(f"IT-{i}", points=2) for i in range(1, 5)]
    graph = DependencyGraph(cards, [("IT-1", "IT-2"), ("IT-3", "IT-4")], ORDER)
    assert graph.critical_path().cards == ("IT-1", "IT-2")


def test_long_chain_needs_no_recursion() -> None:
    cards = [node(f"IT-{i}", points=1) for i in range(1, 5001)]
    pairs = [(f"IT-{i}", f"IT-{i + 1}") for i in range(1, 5000)]
    graph = DependencyGraph(cards, pairs, ORDER)
    assert graph.critical_path().points == 5000
    assert graph.find_cycle() is None
    assert len(graph.levels()) == 5000


def test_levels_put_blockers_first() -> None:
    assert known_graph().levels() == [
        ["IT-1", "WH-1", "IT-3"],
        ["IT-2", "ECOM-1", "IT-4"],
        ["ECOM-2"],
    ]


def test_find_cycle_names_it_in_link_order() -> None:
    assert known_graph().find_cycle() is None
    cards = [node("IT-1"), node("IT-2"), node("IT-3"), node("IT-4")]
    graph = DependencyGraph(
        cards, [("IT-4", "IT-1"), ("IT-1", "IT-2"), ("IT-2", "IT-3"), ("IT-3", "IT-1")], ORDER
    )
    assert graph.find_cycle() == ["IT-1", "IT-2", "IT-3", "IT-1"]
    # cards on a cycle still show up in the drawing, in a last layer
    assert graph.levels() == [["IT-4"], ["IT-1", "IT-2", "IT-3"]]
    assert find_cycle({1: [2], 2: [3], 3: []}) is None


def test_a_link_to_an_unknown_card_is_refused() -> None:
    with pytest.raises(ValueError, match="no card IT-9"):
        DependencyGraph([node("IT-1")], [("IT-1", "IT-9")])


def test_would_cycle_names_the_cycle_as_the_store_does(store: Store) -> None:
    keys = [store.cards.add(Card(title=f"step {i}", team="IT"))["key"] for i in range(3)]
    store.deps.add(keys[0], keys[1])
    store.deps.add(keys[1], keys[2])
    graph = DependencyGraph.from_rows(
        store.deps.plan_cards(), store.deps.pairs(), store.sprints.list()
    )
    assert graph.would_cycle(keys[0], keys[2]) is None
    named = graph.would_cycle(keys[2], keys[0])
    assert named == [keys[0], keys[1], keys[2], keys[0]]
    with pytest.raises(UserError) as refused:
        store.deps.add(keys[2], keys[0])
    assert str(refused.value).endswith(" -> ".join(named))
    assert graph.would_cycle(keys[0], keys[0]) == [keys[0], keys[0]]


# -- views: filters, groups and the matrix ------------------------------------------------


def team_graph() -> DependencyGraph:
    cards = [
        node("IT-1", "S2"),
        node("ECOM-1", "S1"),
        node("ECOM-2", "S2"),
        node("IT-2", "S1"),
        node("IT-3", "S3"),
        node("WH-1", "S2"),
    ]
    pairs = [
        ("IT-1", "ECOM-1"),  # red
        ("ECOM-2", "IT-1"),  # amber
        ("IT-2", "ECOM-2"),  # green
        ("IT-2", "IT-3"),  # inside IT
        ("IT-1", "WH-1"),  # amber, IT -> WH
    ]
    return DependencyGraph(cards, pairs, ORDER)


def test_default_view_is_it_and_ecommerce_both_ways() -> None:
    links = filter_links(team_graph().links())
    assert DEFAULT_TEAMS == ("IT", "ECOM")
    assert [(x.blocker.key, x.dependent.key) for x in links] == [
        ("IT-1", "ECOM-1"),
        ("ECOM-2", "IT-1"),
        ("IT-2", "ECOM-2"),
    ]
    assert [x.style for x in links] == [LATE, SAME_SPRINT, OK]


def test_other_views() -> None:
    links = team_graph().links()
    assert len(filter_links(links, None)) == 4  # every cross-team link
    assert len(filter_links(links, None, internal=True)) == 5
    assert [(x.blocker.key, x.dependent.key) for x in filter_links(links, ["WH"])] == [
        ("IT-1", "WH-1")
    ]
    assert len(filter_links(links, ["IT"], internal=True)) == 5
    assert filter_links(links, ["WH", "ECOM"]) == []


def test_group_by_teams() -> None:
    groups = group_by_teams(filter_links(team_graph().links(), None))
    assert list(groups) == [("ECOM", "IT"), ("IT", "ECOM"), ("IT", "WH")]
    assert len(groups[("IT", "ECOM")]) == 2


def test_matrix_counts_open_red_and_amber_per_ordered_pair() -> None:
    graph = team_graph()
    cells = {(c.blocker_team, c.dependent_team): c for c in graph.matrix()}
    assert set(cells) == {("ECOM", "IT"), ("IT", "ECOM"), ("IT", "IT"), ("IT", "WH")}
    it_ecom = cells[("IT", "ECOM")]
    assert (it_ecom.links, it_ecom.open, it_ecom.red, it_ecom.amber) == (2, 2, 1, 0)
    ecom_it = cells[("ECOM", "IT")]
    assert (ecom_it.links, ecom_it.red, ecom_it.amber) == (1, 0, 1)
    # a subgraph of one view counts only its links
    view = graph.subgraph(filter_links(graph.links(), ["IT", "WH"]))
    assert [(c.blocker_team, c.dependent_team, c.amber) for c in view.matrix()] == [("IT", "WH", 1)]


def test_matrix_counts_a_done_blocker_as_closed() -> None:
    graph = DependencyGraph(
        [node("IT-1", "S3", status="done"), node("ECOM-1", "S1")], [("IT-1", "ECOM-1")], ORDER
    )
    (cell,) = graph.matrix()
    assert (cell.links, cell.open, cell.red) == (1, 0, 0)


def test_parse_teams() -> None:
    assert parse_teams(None) == ("IT", "ECOM")
    assert parse_teams(" it, ecom ,IT") == ("IT", "ECOM")
    assert parse_teams("ALL") is None
    assert parse_teams("wh") == ("WH",)


# -- the store's bulk reads and writes behind the graph ------------------------------------


def test_demo_graph_has_the_broken_carrier_seam(demo_store: Store) -> None:
    graph = DependencyGraph.from_rows(
        demo_store.deps.plan_cards(), demo_store.deps.pairs(), demo_store.sprints.list()
    )
    carrier = demo_store.cards.query(text="Shipping label API integration")[0]["key"]
    printer = demo_store.cards.query(text="Label printer throughput test")[0]["key"]
    (link,) = [x for x in graph.links() if (x.blocker.key, x.dependent.key) == (carrier, printer)]
    assert link.style is LATE
    assert graph.find_cycle() is None
    assert graph.critical_path().points > 0


def test_add_many_adds_skips_known_links_and_logs(store: Store) -> None:
    keys = [store.cards.add(Card(title=f"c{i}", team="IT"))["key"] for i in range(4)]
    store.deps.add(keys[0], keys[1])
    added = store.deps.add_many([(keys[0], keys[1]), (keys[1], keys[2]), (keys[2], keys[3])])
    assert added == 2
    assert store.deps.pairs() == [(keys[0], keys[1]), (keys[1], keys[2]), (keys[2], keys[3])]
    history = store.activity.for_card(keys[3])
    assert any(e["entity"] == "dependency" and e["op"] == "create" for e in history)


def test_add_many_refuses_a_whole_batch_that_closes_a_cycle(store: Store) -> None:
    keys = [store.cards.add(Card(title=f"c{i}", team="IT"))["key"] for i in range(3)]
    with pytest.raises(UserError, match="cycle: IT-1 -> IT-2 -> IT-3 -> IT-1"):
        store.deps.add_many([(keys[0], keys[1]), (keys[1], keys[2]), (keys[2], keys[0])])
    assert store.deps.pairs() == []
    with pytest.raises(UserError, match="itself"):
        store.deps.add_many([(keys[0], keys[0])])
    with pytest.raises(NotFound, match="no card IT-99"):
        store.deps.add_many([(keys[0], "IT-99")])


def test_plan_cards_decode_lists(store: Store) -> None:
    store.cards.add(Card(title="Promo", team="MKT", labels=["promotion"], skus=["GF-1"]))
    store.cards.add(Card(title="Plain", team="IT"))
    promo, plain = store.deps.plan_cards()
    assert promo["labels"] == ["promotion"] and promo["skus"] == ["GF-1"]
    assert plain["labels"] == [] and plain["team_archived"] is False
    assert promo["team_format"] == "co-located" and promo["sprint"] is None


def test_gc_paused_resumes_only_what_it_paused() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
