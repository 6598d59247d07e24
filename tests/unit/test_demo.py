"""The demo organisation: the hand-written shop, and the same shop at scale."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypedDict

import pytest

from conftest import NOW, Cli
from sprintboard.demo import load_demo
from sprintboard.errors import UserError
from sprintboard.models import Card
from sprintboard.store import Store, frozen_clock

SCALE = 2000


def key_numbers(store: Store) -> dict[str, list[int]]:
    """Each team's card numbers, sorted (from the keys, whoever owns the card now)."""
    numbers: dict[str, list[int]] = defaultdict(list)
    for (key,) in store.conn.execute("SELECT key FROM cards"):
        code, _, n = key.rpartition("-")
        numbers[code].append(int(n))
    return {code: sorted(ns) for code, ns in numbers.items()}


def assert_keys_consistent(store: Store, after: dict[str, int] | None = None) -> None:
    """Keys are <owning team>-(a+1)..(a+n) without gaps, `a` being the team's counter
    before the load (`after`, default 0), and each counter sits at its team's last key."""
    after = after or {}
    owners = store.rows("SELECT c.key, t.code FROM cards c JOIN teams t ON t.id = c.team_id")
    assert all(r["key"].rpartition("-")[0] == r["code"] for r in owners)
    counters = dict(store.conn.execute("SELECT team_code, last FROM key_counters"))
    for code, ns in key_numbers(store).items():
        first = after.get(code, 0) + 1
        assert ns == list(range(first, first + len(ns))), f"{code}: keys with gaps or repeats"
        assert counters[code] == ns[-1], code


def assert_acyclic(store: Store) -> None:
    edges: dict[int, list[int]] = defaultdict(list)
    for blocker, dependent in store.conn.execute(
        "SELECT blocker_id, dependent_id FROM dependencies"
    ):
        edges[blocker].append(dependent)
    state: dict[int, int] = {}  # 1: on the path, 2: done
    for root in list(edges):
        stack: list[tuple[int, Iterator[int]]] = [(root, iter(edges[root]))]
        if state.get(root):
            continue
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                raise AssertionError(f"cycle through card id {child}")
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(edges[child])))


# -- the hand-written organisation -----------------------------------------------------------


def test_teams_goals_and_sprints(demo_store: Store) -> None:
    assert len(demo_store.teams.list()) == 9
    goals = demo_store.goals.list()
    assert len(goals) == 3
    assert any(g["signed_off_by"] for g in goals) and any(not g["signed_off_by"] for g in goals)
    assert all(g["cards"] > 0 for g in goals)
    sprints = demo_store.sprints.list()
    assert [(s["name"], s["state"]) for s in sprints] == [
        ("Sprint 41", "closed"),
        ("Sprint 42", "active"),
        ("Sprint 43", "planned"),
    ]
    active = sprints[1]
    assert date.fromisoformat(active["start"]) <= NOW.date() <= date.fromisoformat(active["end"])
    closed = sprints[0]
    assert closed["completed_points"] == closed["done_points"] > 0
    assert active["committed_points"] == active["points"] > 0
    assert sprints[2]["committed_points"] is None


def test_about_sixty_cards_over_every_column(demo_store: Store) -> None:
    cards = demo_store.cards.query()
    assert 50 <= len(cards) <= 70
    active = demo_store.sprints.active()
    assert active is not None
    in_active = Counter(c["status"] for c in cards if c["sprint"] == active["name"])
    assert set(in_active) >= {"todo", "doing", "review", "done"}
    assert any(c["sprint"] is None for c in cards)
    assert all(c["done_at"] for c in cards if c["status"] == "done")
    assert not any(c["done_at"] for c in cards if c["status"] != "done")
    assert len(demo_store.members.list()) >= 9
    assert_keys_consistent(demo_store)


def test_cross_team_dependencies(demo_store: Store) -> None:
    deps = demo_store.deps.list()
    pairs = {(d["blocker_team"], d["dependent_team"]) for d in deps}
    assert ("IT", "ECOM") in pairs and ("ECOM", "IT") in pairs
    cards = {c["key"]: c for c in demo_store.cards.query()}
    promotions = [
        d
        for d in deps
        if d["dependent_team"] == "MKT"
        and d["blocker_team"] == "WH"
        and "promotion" in cards[d["dependent"]]["labels"]
    ]
    assert promotions, "a MKT promotion waits on a WH card"
    assert cards[promotions[0]["dependent"]]["skus"], "the promotion names the SKUs it sells"
    assert_acyclic(demo_store)


def test_feedback_and_stock(demo_store: Store) -> None:
    feedback = demo_store.feedback.list()
    assert len(feedback) == 15
    states = Counter(f["state"] for f in feedback)
    assert len(states) >= 4 and states["new"] >= 3
    assert all(f["urgent"] == (f["category"] in ("checkout", "cart", "payment")) for f in feedback)
    assert any(f["card"] for f in feedback)
    assert all(f["snoozed_until"] for f in feedback if f["state"] == "snoozed")
    assert all(f["decline_reason"] for f in feedback if f["state"] == "declined")
    stock = demo_store.stock.list()
    assert len(stock) >= 5
    assert any(s["low"] for s in stock) and any(not s["low"] for s in stock)


def test_people_checklists_and_conversations(demo_store: Store) -> None:
    members = {m["name"]: m["team"] for m in demo_store.members.list()}
    cards = demo_store.cards.query()
    active = demo_store.sprints.active()
    assert active is not None
    assigned = [c for c in cards if c["assignee"]]
    # Every assignee is a member of the card's own team; the active sprint is all staffed.
    assert assigned and all(members[c["assignee"]] == c["team"] for c in assigned)
    assert all(c["assignee"] for c in cards if c["sprint"] == active["name"])
    # Each contributing team has its part on the card's checklist, ticked on done cards
    # but for the one the seam check is there to catch.
    for card in cards:
        items = demo_store.checklists.for_card(card["key"])
        assert {i["team"] for i in items if i["team"]} == set(card["teams"][1:]), card["key"]
        if card["status"] == "done" and card["key"] != "CS-2":
            assert all(i["done"] for i in items), card["key"]
    assert sum(1 for c in cards if c["checklist_total"] > c["checklist_done"]) >= 10
    assert any(c["checklist_done"] == c["checklist_total"] > 1 for c in cards)
    # A few threads between members, each mentioning someone who exists.
    threads = [c for c in cards if c["comment_count"]]
    assert 4 <= len(threads) <= 10
    comments = [m for c in threads for m in demo_store.comments.for_card(c["key"])]
    assert all(m["author"] in members for m in comments)
    assert sum(1 for m in comments if m["mentions"]) >= len(comments) - 2
    assert all(p in members for m in comments for p in m["mentions"])


def test_every_record_is_in_the_activity_log(demo_store: Store) -> None:
    logged = dict(
        demo_store.conn.execute(
            "SELECT entity, COUNT(*) FROM activity WHERE op = 'create' GROUP BY entity"
        )
    )
    for entity, table in (
        ("card", "cards"),
        ("dependency", "dependencies"),
        ("feedback", "feedback"),
        ("sprint", "sprints"),
        ("goal", "goals"),
        ("member", "members"),
        ("stock", "stock"),
    ):
        assert logged.get(entity) == demo_store.scalar(f"SELECT COUNT(*) FROM {table}"), entity
    txns = demo_store.scalar("SELECT COUNT(DISTINCT txn) FROM activity WHERE action = 'demo'")
    assert txns == 1


def assert_links_keyed_by_their_cards(store: Store) -> None:
    """Every logged dependency is named BLOCKER>DEPENDENT and every contributing team by its
    card, as a single `dep add` or `card add` names them (so `history KEY` finds them)."""
    wrong = store.scalar(
        """SELECT COUNT(*) FROM activity a
           JOIN dependencies d ON d.uuid = a.entity_uuid
           JOIN cards b ON b.id = d.blocker_id JOIN cards e ON e.id = d.dependent_id
           WHERE a.entity = 'dependency' AND a.entity_key IS NOT b.key || '>' || e.key"""
    )
    assert wrong == 0
    wrong = store.scalar(
        """SELECT COUNT(*) FROM activity a
           JOIN card_teams ct ON ct.uuid = a.entity_uuid JOIN cards c ON c.id = ct.card_id
           WHERE a.entity = 'card_team' AND a.entity_key IS NOT c.key"""
    )
    assert wrong == 0
    unnamed = store.scalar(
        "SELECT COUNT(*) FROM activity WHERE entity IN ('dependency', 'card_team') "
        "AND entity_key IS NULL"
    )
    assert unnamed == 0


def test_history_shows_the_demo_dependencies(demo_store: Store) -> None:
    assert_links_keyed_by_their_cards(demo_store)
    link = next(d for d in demo_store.deps.list() if d["cross_team"])
    named = f"{link['blocker']}>{link['dependent']}"
    for key in (link["blocker"], link["dependent"]):
        history = demo_store.activity.for_card(key)
        assert ("dependency", "create", named) in [
            (h["entity"], h["op"], h["entity_key"]) for h in history
        ], key


def test_cli_history_shows_a_demo_dependency(cli: Any) -> None:
    assert cli("demo").code == 0
    shown = cli("history", "IT-5")
    assert shown.code == 0, shown.err
    assert "IT-4 now blocks IT-5" in shown.out
    assert "ECOM-2 now blocks IT-5" in shown.out
    assert "added contributing team" in cli("history", "ECOM-4").out


def test_demo_is_one_transaction(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure late in the load leaves the database as it was."""
    import sprintboard.demo as demo_module

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_module, "_record_sprint_points", broken)
    with pytest.raises(RuntimeError):
        load_demo(store)
    assert store.is_empty()
    assert store.scalar("SELECT COUNT(*) FROM activity WHERE action = 'demo'") == 0


def _journal_mode_while_loading(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The journal mode seen from inside the demo's transaction (filled during the load)."""
    import sprintboard.demo as demo_module

    seen: list[str] = []
    record = demo_module._record_sprint_points

    def watched(*args: Any, **kwargs: Any) -> None:
        seen.append(store.scalar("PRAGMA journal_mode"))
        record(*args, **kwargs)

    monkeypatch.setattr(demo_module, "_record_sprint_points", watched)
    return seen


@pytest.mark.parametrize("force", [False, True])
def test_demo_alone_with_the_file_loads_with_a_rollback_journal(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    """Alone with the file, the load writes its pages once (no WAL); afterwards the file is
    in WAL mode again and open to other processes at once."""
    with Store(db_path, clock=frozen_clock(NOW)) as store:
        if force:
            load_demo(store)
        seen = _journal_mode_while_loading(store, monkeypatch)
        load_demo(store, cards=SCALE, force=force)
        assert seen == ["delete"]
        assert store.scalar("PRAGMA journal_mode") == "wal"
        assert store.scalar("SELECT COUNT(*) FROM cards") == SCALE
        other = sqlite3.connect(db_path, timeout=0)  # no waiting: no lock is left behind
        try:
            other.execute("UPDATE cards SET title = 'Seen elsewhere' WHERE id = 1")
            other.commit()
            assert other.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == SCALE
        finally:
            other.close()
    assert not Path(f"{db_path}-journal").exists()
    with Store(db_path) as again:
        assert again.scalar("PRAGMA integrity_check") == "ok"


def test_demo_beside_another_connection_loads_in_wal_mode(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else has the file open (the board): the load neither waits for them nor
    locks them out of reading; they see the new plan once it is committed."""
    with Store(demo_store.path) as board:
        before = board.scalar("SELECT COUNT(*) FROM cards")
        seen = _journal_mode_while_loading(demo_store, monkeypatch)
        load_demo(demo_store, cards=SCALE, force=True)
        assert seen == ["wal"]
        assert before != SCALE and board.scalar("SELECT COUNT(*) FROM cards") == SCALE


# -- refusing and replacing ------------------------------------------------------------------


def test_demo_refuses_a_database_with_data(store: Store) -> None:
    store.cards.add(Card(title="Mine", team="IT"))
    with pytest.raises(UserError) as caught:
        load_demo(store)
    assert "--force" in str(caught.value) and "\n" not in str(caught.value)
    assert [c["title"] for c in store.cards.query()] == ["Mine"]


def test_demo_force_replaces_everything(demo_store: Store) -> None:
    demo_store.cards.add(Card(title="Mine", team="IT"))
    demo_store.sprints.close("Sprint 42", "backlog")
    counters = dict(demo_store.conn.execute("SELECT team_code, last FROM key_counters"))
    counts = load_demo(demo_store, force=True)
    assert counts["cards"] == demo_store.scalar("SELECT COUNT(*) FROM cards") == 59
    assert not demo_store.cards.query(text="Mine")
    active = demo_store.sprints.active()
    assert active is not None and active["name"] == "Sprint 42"
    # A key is never handed out twice: the new cards continue each team's numbers.
    assert_keys_consistent(demo_store, after=counters)


def test_demo_force_keeps_the_plan_it_replaces(demo_store: Store, tmp_path: Path) -> None:
    demo_store.cards.add(Card(title="Mine", team="IT"))
    load_demo(demo_store, force=True)
    replaced = demo_store.activity.plan_replaced()
    assert replaced is not None
    kept = Path(replaced["backup"])
    assert kept.parent == demo_store.path.parent
    assert kept.name.startswith("plan.db.before-demo-") and kept.name.endswith(".bak")
    with Store(kept) as old:
        assert [c["title"] for c in old.cards.query(text="Mine")] == ["Mine"]


def test_undo_after_demo_force_refuses_and_names_the_copy(demo_store: Store) -> None:
    demo_store.cards.edit("IT-5", {"title": "Edited before the demo"})
    load_demo(demo_store, force=True)
    with pytest.raises(UserError) as caught:
        demo_store.activity.undo()
    message = str(caught.value)
    assert "\n" not in message and "replaced" in message
    replaced = demo_store.activity.plan_replaced()
    assert replaced is not None and f"sprintboard restore {replaced['backup']}" in message
    # A change made after the demo is undone as usual; then the refusal again.
    key = demo_store.cards.add(Card(title="After the demo", team="IT"))["key"]
    assert demo_store.activity.undo()["key"] == key
    with pytest.raises(UserError, match="replaced"):
        demo_store.activity.undo()


def test_demo_cli_prints_the_copy(cli: Cli, demo_store: Store) -> None:
    result = cli("demo", "--force")
    assert result.code == 0, result.err
    replaced = demo_store.activity.plan_replaced()
    assert replaced is not None and replaced["backup"] in result.out
    assert "sprintboard restore" in result.out


def _everything(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the plan's tables and of the log, in order."""
    tables = ("cards", "card_teams", "dependencies", "feedback", "sprints", "goals", "activity")
    return {t: store.conn.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall() for t in tables}


def test_a_failed_demo_force_keeps_no_copy(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sprintboard.demo as demo_module

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    demo_store.cards.edit("IT-5", {"title": "Edited before the demo"})
    before = _everything(demo_store)
    monkeypatch.setattr(demo_module, "_record_sprint_points", broken)
    with pytest.raises(RuntimeError):
        load_demo(demo_store, force=True)
    assert not list(demo_store.path.parent.glob("*.bak"))
    assert demo_store.activity.plan_replaced() is None
    # The plan and its history as they were, and the connection's settings too.
    assert _everything(demo_store) == before
    assert demo_store.scalar("PRAGMA foreign_keys") == 1
    assert (
        demo_store.scalar("PRAGMA secure_delete")
        == sqlite3.connect(":memory:").execute("PRAGMA secure_delete").fetchone()[0]
    )


@pytest.mark.parametrize("newest", ["card", "team"])
def test_demo_force_takes_the_replaced_plans_history_with_it(
    demo_store: Store, newest: str
) -> None:
    """The log keeps the history of what stays (the teams) and drops that of the records
    replaced, which their copy keeps: it still replays to the tables, and change ids go on
    above every id handed out before, whichever record the newest change was about."""
    from reliability.invariants import connect, integrity, log_mismatches

    old_card = demo_store.cards._raw("IT-5")
    if newest == "card":
        demo_store.teams.edit("IT", {"capacity": 30})
        demo_store.cards.edit("IT-5", {"title": "Edited before the demo"})
    else:
        demo_store.cards.edit("IT-5", {"title": "Edited before the demo"})
        demo_store.teams.edit("IT", {"capacity": 30})
    last = demo_store.scalar("SELECT MAX(id) FROM activity")
    teams_logged = demo_store.rows("SELECT * FROM activity WHERE entity = 'team' ORDER BY id")
    load_demo(demo_store, force=True)
    replaced = demo_store.activity.plan_replaced()
    assert replaced is not None
    old = demo_store.rows("SELECT * FROM activity WHERE id <= ? ORDER BY id", [last])
    assert old == teams_logged
    assert not demo_store.scalar(
        "SELECT COUNT(*) FROM activity WHERE entity_uuid = ?", [old_card["uuid"]]
    )
    first = demo_store.scalar("SELECT MIN(id) FROM activity WHERE txn = ?", [replaced["txn"]])
    assert first == last + 1
    assert demo_store.scalar("SELECT MIN(id) FROM activity WHERE id > ?", [last]) == first
    with connect(demo_store.path) as conn:
        assert integrity(conn) == []
        assert log_mismatches(conn) == []
    assert demo_store.scalar("PRAGMA foreign_keys") == 1
    with Store(Path(replaced["backup"])) as copy:
        assert copy.scalar("SELECT MAX(id) FROM activity") == last
        changes = [entry["after"] for entry in copy.activity.for_card("IT-5")]
        assert "Edited before the demo" in changes


def test_history_of_a_card_the_replaced_plan_held_names_its_copy(
    cli: Cli, demo_store: Store
) -> None:
    assert cli("history", "IT-5").code == 0
    assert cli("history", "IT-9999").err.strip() == "error: card: no card IT-9999"
    assert cli("demo", "--force").code == 0
    replaced = demo_store.activity.plan_replaced()
    assert replaced is not None
    shown = cli("history", "IT-5")
    assert shown.code == 2 and shown.out == ""
    line = shown.err.strip()
    assert "\n" not in line and "no card IT-5" in line and "replaced" in line
    assert f"sprintboard --db {replaced['backup']} history IT-5" in line
    # A feedback item's number, taken again by the new plan, shows the new item's life only.
    fb = cli("history", "FB-1", "--json")
    assert fb.code == 0, fb.err
    txns = {e["id"] for e in json.loads(fb.out)}
    first = demo_store.scalar("SELECT MIN(id) FROM activity WHERE txn = ?", [replaced["txn"]])
    assert txns and min(txns) >= first
    # A key never handed out: the plain answer still.
    assert cli("history", "IT-9999").err.strip() == "error: card: no card IT-9999"


def test_undo_of_a_change_in_the_replaced_plan_names_its_copy(demo_store: Store) -> None:
    demo_store.cards.edit("IT-5", {"title": "Edited before the demo"})
    change = demo_store.scalar("SELECT MAX(id) FROM activity")
    load_demo(demo_store, force=True)
    replaced = demo_store.activity.plan_replaced()
    assert replaced is not None
    with pytest.raises(UserError) as caught:
        demo_store.activity.undo(change=change)
    message = str(caught.value)
    assert "\n" not in message and "replaced" in message and replaced["backup"] in message
    with pytest.raises(UserError, match="no change"):
        demo_store.activity.undo(change=10**9)


def test_demo_force_refuses_a_load_that_leaves_a_dangling_reference(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Foreign keys are checked once, at the end of a replacing load: a row referring to a
    missing one fails it, and nothing is replaced."""
    import sprintboard.demo as demo_module
    from sprintboard.demo_finance import load_finance as finance

    def dangling(store: Store, tx: Any) -> None:
        finance(store, tx)
        tx.conn.execute(
            "INSERT INTO card_teams(uuid, card_id, team_id) VALUES ('dangling', 999999, 1)"
        )

    before = _everything(demo_store)
    monkeypatch.setattr(demo_module, "load_finance", dangling)
    with pytest.raises(sqlite3.IntegrityError, match=r"FOREIGN KEY.*card_teams"):
        load_demo(demo_store, force=True)
    assert _everything(demo_store) == before
    assert demo_store.scalar("PRAGMA foreign_keys") == 1
    assert not list(demo_store.path.parent.glob("*.bak"))


def test_demo_refuses_when_a_demo_team_is_archived(store: Store) -> None:
    store.teams.archive("FIN")
    with pytest.raises(UserError, match="FIN"):
        load_demo(store)
    assert store.is_empty()


class DemoSizes(TypedDict, total=False):
    cards: int
    per_sprint: int


@pytest.mark.parametrize("bad", [{"cards": 0}, {"per_sprint": 0}])
def test_demo_refuses_bad_sizes(store: Store, bad: DemoSizes) -> None:
    with pytest.raises(UserError):
        load_demo(store, **bad)


def test_fewer_cards_than_the_hand_written_ones(store: Store) -> None:
    counts = load_demo(store, cards=20)
    assert counts["cards"] == 20
    assert_keys_consistent(store)


# -- at scale --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("scale") / "plan.db"
    with Store(path, clock=frozen_clock(NOW)) as opened:
        load_demo(opened, cards=SCALE)
        yield opened


def test_scale_assignees_and_checklists(scaled: Store) -> None:
    conn = scaled.conn
    # Most generated cards in a sprint have a member of their team on them; none else.
    wrong = conn.execute(
        """SELECT COUNT(*) FROM cards c WHERE c.assignee != '' AND NOT EXISTS (
               SELECT 1 FROM members m WHERE m.name = c.assignee AND m.team_id = c.team_id)"""
    ).fetchone()[0]
    assert wrong == 0
    in_sprints, staffed = conn.execute(
        "SELECT COUNT(*), SUM(assignee != '') FROM cards WHERE sprint_id IS NOT NULL"
    ).fetchone()
    assert 0.6 * in_sprints < staffed < in_sprints
    # Every contributing team has its item; done cards have theirs ticked.
    missing = conn.execute(
        """SELECT COUNT(*) FROM card_teams ct WHERE NOT EXISTS (SELECT 1 FROM checklist_items i
               WHERE i.card_id = ct.card_id AND i.team_id = ct.team_id)"""
    ).fetchone()[0]
    assert missing == 0
    open_on_done = conn.execute(
        """SELECT COUNT(*) FROM checklist_items i JOIN cards c ON c.id = i.card_id
           WHERE c.status = 'done' AND i.done = 0"""
    ).fetchone()[0]
    assert open_on_done == 1  # the hand-written CS-2's
    logged = conn.execute(
        "SELECT COUNT(*) FROM activity WHERE entity = 'checklist_item' AND op = 'create'"
    ).fetchone()[0]
    assert logged == scaled.scalar("SELECT COUNT(*) FROM checklist_items")


def test_scale_exact_card_count(scaled: Store) -> None:
    assert scaled.scalar("SELECT COUNT(*) FROM cards") == SCALE
    assert scaled.scalar("SELECT COUNT(DISTINCT uuid) FROM cards") == SCALE


def test_scale_keys_are_consistent(scaled: Store) -> None:
    assert_keys_consistent(scaled)
    assert set(key_numbers(scaled)) == {t["code"] for t in scaled.teams.list()}


def test_scale_links_in_proportion(scaled: Store) -> None:
    deps = scaled.scalar("SELECT COUNT(*) FROM dependencies")
    feedback = scaled.scalar("SELECT COUNT(*) FROM feedback")
    contributing = scaled.scalar("SELECT COUNT(*) FROM card_teams")
    assert 0.12 * SCALE <= deps <= 0.3 * SCALE
    assert 0.15 * SCALE <= feedback <= 0.35 * SCALE
    assert 0.15 * SCALE <= contributing <= 0.4 * SCALE
    assert (
        scaled.scalar(
            "SELECT COUNT(*) FROM card_teams ct JOIN cards c ON c.id = ct.card_id "
            "WHERE c.team_id = ct.team_id"
        )
        == 0
    )
    assert_acyclic(scaled)
    cross = scaled.scalar("SELECT COUNT(*) FROM v_dependencies WHERE cross_team")
    assert cross > deps / 2
    states = {r[0] for r in scaled.conn.execute("SELECT DISTINCT state FROM feedback")}
    assert {"new", "accepted", "declined", "snoozed"} <= states


def test_scale_activity_in_proportion(scaled: Store) -> None:
    created = dict(
        scaled.conn.execute(
            "SELECT entity, COUNT(*) FROM activity WHERE op = 'create' GROUP BY entity"
        )
    )
    assert created["card"] == SCALE
    assert created["dependency"] == scaled.scalar("SELECT COUNT(*) FROM dependencies")
    assert created["feedback"] == scaled.scalar("SELECT COUNT(*) FROM feedback")
    assert created["card_team"] == scaled.scalar("SELECT COUNT(*) FROM card_teams")
    moves = scaled.scalar("SELECT COUNT(*) FROM activity WHERE op = 'update' AND field = 'status'")
    assert moves > SCALE / 10
    # Every logged record is a real one: the log names existing uuids.
    orphans = scaled.scalar(
        "SELECT COUNT(*) FROM activity a WHERE a.entity = 'card' "
        "AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.uuid = a.entity_uuid)"
    )
    assert orphans == 0
    assert scaled.scalar("SELECT COUNT(DISTINCT txn) FROM activity WHERE action = 'demo'") == 1


def test_scale_history_shows_generated_dependencies(scaled: Store) -> None:
    assert_links_keyed_by_their_cards(scaled)
    # A generated link: both cards past the hand-written ones.
    link = scaled.deps.list()[-1]
    history = scaled.activity.for_card(link["dependent"])
    named = f"{link['blocker']}>{link['dependent']}"
    assert ("dependency", "create", named) in [
        (h["entity"], h["op"], h["entity_key"]) for h in history
    ]


def test_scale_sprints_and_columns(scaled: Store) -> None:
    sprints = scaled.sprints.list()
    assert Counter(s["state"] for s in sprints)["active"] == 1
    assert sum(s["cards"] for s in sprints) + len(scaled.cards.query(sprint=None)) == SCALE
    active = scaled.sprints.active()
    assert active is not None
    statuses = Counter(c["status"] for c in scaled.cards.query(sprint=active["id"]))
    assert {"todo", "doing", "review", "done"} <= set(statuses)
    positions = scaled.conn.execute(
        "SELECT COUNT(*) - COUNT(DISTINCT position) FROM cards "
        "GROUP BY sprint_id, status ORDER BY 1 DESC LIMIT 1"
    ).fetchone()[0]
    assert positions == 0, "two cards share a position in one column"
    labels = scaled.conn.execute("SELECT labels FROM cards WHERE labels != '[]'").fetchall()
    assert labels and all(isinstance(json.loads(label), list) for (label,) in labels)


def test_scale_the_store_still_works(scaled: Store) -> None:
    key = scaled.cards.add(Card(title="After the load", team="IT"))["key"]
    it = key_numbers(scaled)["IT"]
    assert key == f"IT-{len(it)}" and it == list(range(1, len(it) + 1))
    scaled.activity.undo()


def test_cli_demo_at_scale_with_small_sprints(cli: Any, db_path: Path) -> None:
    result = cli("demo", "--cards", "600", "--per-sprint", "50")
    assert result.code == 0, result.err
    assert "600 cards" in result.out
    with Store(db_path) as store:
        sprints = store.sprints.list()
        assert Counter(s["state"] for s in sprints) == {
            "closed": len(sprints) - 2,
            "active": 1,
            "planned": 1,
        }
        assert len(sprints) >= 8
        names = [s["name"] for s in sprints]
        assert names[-3:] == ["Sprint 41", "Sprint 42", "Sprint 43"]
        assert len(set(names)) == len(names)
        assert_keys_consistent(store)
        counters = dict(store.conn.execute("SELECT team_code, last FROM key_counters"))
    forced = cli("demo", "--cards", "600", "--per-sprint", "50", "--force")
    assert forced.code == 0, forced.err
    with Store(db_path) as store:
        assert store.scalar("SELECT COUNT(*) FROM cards") == 600
        assert_keys_consistent(store, after=counters)
