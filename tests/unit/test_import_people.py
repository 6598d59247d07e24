"""Imports and the people of the plan: assignees and comment authors take a member's
spelling and a person's name rules; a re-import keeps what people changed here; Trello
check items without ids keep their texts and ticks; empty check items are skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sprintboard.io.cards_csv import parse_cards_csv
from sprintboard.io.github import parse_github
from sprintboard.io.import_apply import apply_plan
from sprintboard.io.import_plan import ImportOptions
from sprintboard.io.import_summary import summary_lines
from sprintboard.io.importing import plan_import
from sprintboard.io.items import Parsed
from sprintboard.io.trello import parse_trello
from sprintboard.store import Store
from sprintboard.views.board import Filters


def imported(store: Store, parsed: Parsed, team: str = "MKT") -> list[str]:
    with store.transaction(f"import.{parsed.source}") as tx:
        plan = plan_import(store, parsed, ImportOptions(team=team))
        apply_plan(store, tx, plan)
    return summary_lines(plan)


def board(
    checklists: list[dict[str, Any]] | None = None,
    actions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "name": "Launch",
        "lists": [{"id": "l1", "name": "To Do", "pos": 1}],
        "members": [{"id": "m1", "fullName": "sanne", "username": "sanne"}],
        "cards": [
            {"id": "c1", "name": "Banner", "idList": "l1", "idMembers": ["m1"], "pos": 1},
        ],
        "checklists": checklists or [],
        "actions": actions or [],
    }


def written(tmp_path: Path, data: Any, name: str = "board.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def comment(ident: str, text: str, author: str) -> dict[str, Any]:
    return {
        "id": ident,
        "type": "commentCard",
        "date": f"2026-03-01T09:{30 + int(ident[1:])}:00.000Z",
        "data": {"text": text, "card": {"id": "c1"}},
        "memberCreator": {"fullName": author, "username": "x"},
    }


def card_key(store: Store, external_id: str = "trello:c1") -> str:
    return str(store.scalar("SELECT key FROM cards WHERE external_id = ?", [external_id]))


def items(store: Store) -> list[tuple[int, str, bool]]:
    return [
        (int(i["id"]), str(i["text"]), bool(i["done"]))
        for i in store.checklists.for_card(card_key(store))
    ]


# -- people -----------------------------------------------------------------------------


def test_imported_assignees_are_stored_in_the_members_spelling(
    demo_store: Store, tmp_path: Path
) -> None:
    imported(demo_store, parse_trello(written(tmp_path, board())))
    key = card_key(demo_store)
    card = demo_store.cards.get(key)
    assert card["assignee"] == "Sanne de Vries"
    # The board's "mine" filter counts the card as Sanne's.
    assert Filters(mine="Sanne de Vries").keep(card)

    issues = [
        {
            "number": 7,
            "title": "Fix cart",
            "state": "OPEN",
            "url": "https://github.com/acme/shop/issues/7",
            "labels": [],
            "assignees": [{"login": "SANNE"}, {"login": "omar"}],
        }
    ]
    imported(demo_store, parse_github(written(tmp_path, issues, "issues.json")), team="IT")
    github = demo_store.scalar("SELECT assignee FROM cards WHERE title = 'Fix cart'")
    assert github == "Sanne de Vries, Omar Haddad"

    csv_path = tmp_path / "cards.csv"
    csv_path.write_text(
        'title,team,assignee\nPromo,MKT,LOTTE\nAgency,MKT,Bob Agency\nComma,MKT,"Bakker, Lotte"\n'
    )
    imported(demo_store, parse_cards_csv(csv_path))
    stored = demo_store.rows(
        "SELECT title, assignee FROM cards WHERE title IN ('Promo', 'Agency', 'Comma') "
        "ORDER BY title"
    )
    assert [(r["title"], r["assignee"]) for r in stored] == [
        ("Agency", "Bob Agency"),  # no member: as given
        ("Comma", "Bakker, Lotte"),  # one name with a comma, not two people
        ("Promo", "Lotte Jansen"),
    ]


def test_a_reimport_matches_assignees_imported_before(demo_store: Store, tmp_path: Path) -> None:
    path = written(tmp_path, board())
    imported(demo_store, parse_trello(path))
    key = card_key(demo_store)
    # As an earlier sprintboard stored it.
    demo_store.conn.execute("UPDATE cards SET assignee = 'sanne' WHERE key = ?", [key])
    imported(demo_store, parse_trello(path))
    assert demo_store.cards.get(key)["assignee"] == "Sanne de Vries"


def test_imported_comment_authors_are_cleaned_and_matched(
    demo_store: Store, tmp_path: Path
) -> None:
    actions = [
        comment("a1", "one", "SANNE"),
        comment("a2", "two", "Evil \x1b[31mRed\u202e"),
        comment("a3", "three", "n" * 200),
        comment("a4", "four", "\u202e\u2066\x07"),
    ]
    imported(demo_store, parse_trello(written(tmp_path, board(actions=actions))))
    authors = {c["body"]: c["author"] for c in demo_store.comments.for_card(card_key(demo_store))}
    assert authors == {
        "one": "Sanne de Vries",
        "two": "Evil [31mRed",
        "three": "n" * 100,
        "four": "(unknown)",
    }
    # Sanne may edit the comment imported under her name.
    demo_store.act_as("sanne")
    first = next(
        c for c in demo_store.comments.for_card(card_key(demo_store)) if c["body"] == "one"
    )
    demo_store.comments.edit(int(first["id"]), "mine")
    assert demo_store.comments.get(int(first["id"]))["body"] == "mine"


# -- a re-import keeps what changed here ----------------------------------------------------


def test_a_reimport_keeps_comments_and_items_changed_here(
    demo_store: Store, tmp_path: Path
) -> None:
    checklists = [
        {
            "id": "k1",
            "name": "Launch",
            "idCard": "c1",
            "checkItems": [
                {"id": "i1", "name": "Copy written", "state": "complete", "pos": 1},
                {"id": "i2", "name": "Banner made", "state": "incomplete", "pos": 2},
                {"id": "i3", "name": "Mail sent", "state": "incomplete", "pos": 3},
            ],
        }
    ]
    actions = [comment("a1", "first text", "Omar Haddad"), comment("a2", "other", "kees")]
    path = written(tmp_path, board(checklists, actions))
    imported(demo_store, parse_trello(path))
    key = card_key(demo_store)
    thread = demo_store.comments.for_card(key)
    demo_store.act_as("Omar Haddad")
    demo_store.comments.edit(int(thread[0]["id"]), "Omar edited here")
    (one, _, _), (two, _, _), _ = items(demo_store)
    demo_store.checklists.edit(one, "Copy reworded here")
    demo_store.checklists.tick(two)

    # The same file again: nothing it says is new, so nothing local is reverted.
    lines = imported(demo_store, parse_trello(path))
    assert "  comments: 0 to add, 0 to update, 1 unchanged, 0 skipped, kept 1 changed here" in (
        lines
    )
    assert (
        "  checklist items: 0 to add, 0 to update, 1 unchanged, 0 skipped, kept 2 changed here"
        in lines
    )
    assert [c["body"] for c in demo_store.comments.for_card(key)] == ["Omar edited here", "other"]
    assert [(t, d) for _, t, d in items(demo_store)] == [
        ("Copy reworded here", True),
        ("Banner made", True),
        ("Mail sent", False),
    ]

    # What nobody changed here still follows the source.
    changed = board(
        checklists, [comment("a1", "first text", "Omar Haddad"), comment("a2", "new", "kees")]
    )
    changed["checklists"][0]["checkItems"][2]["state"] = "complete"
    lines = imported(demo_store, parse_trello(written(tmp_path, changed, "changed.json")))
    assert [c["body"] for c in demo_store.comments.for_card(key)] == ["Omar edited here", "new"]
    assert items(demo_store)[2][1:] == ("Mail sent", True)


def test_trello_items_without_ids_keep_their_texts_and_ticks(
    demo_store: Store, tmp_path: Path
) -> None:
    def checklist(*names: tuple[str, str]) -> list[dict[str, Any]]:
        entries = [{"name": n, "state": s, "pos": i} for i, (n, s) in enumerate(names)]
        return [{"name": "Launch", "idCard": "c1", "checkItems": entries}]

    first = checklist(
        ("Copy written", "complete"),
        ("Twice", "incomplete"),
        ("Twice", "complete"),
        ("[bold]x", "incomplete"),
    )
    imported(demo_store, parse_trello(written(tmp_path, board(first))))
    before = items(demo_store)
    assert [(t, d) for _, t, d in before] == [
        ("Copy written", True),
        ("Twice", False),
        ("Twice", True),
        ("[bold]x", False),
    ]
    # Trello gets an item at the top: every item keeps its own text and tick.
    second = checklist(
        ("Inserted first", "incomplete"),
        *[(t, "complete" if d else "incomplete") for _, t, d in before],
    )
    lines = imported(demo_store, parse_trello(written(tmp_path, board(second), "second.json")))
    assert "  checklist items: 1 to add, 0 to update, 4 unchanged, 0 skipped" in lines
    assert items(demo_store)[:4] == before
    assert [t for _, t, _ in items(demo_store)[4:]] == ["Inserted first"]


def test_items_imported_by_place_before_are_found_by_their_text(
    demo_store: Store, tmp_path: Path
) -> None:
    first = [
        {
            "name": "Launch",
            "idCard": "c1",
            "checkItems": [
                {"name": "Copy written", "state": "complete", "pos": 1},
                {"name": "Mail sent", "state": "incomplete", "pos": 2},
            ],
        }
    ]
    imported(demo_store, parse_trello(written(tmp_path, board(first))))
    # As an earlier sprintboard named them: by their place in the file.
    for n, (item_id, _, _) in enumerate(items(demo_store)):
        demo_store.conn.execute(
            "UPDATE checklist_items SET external_id = ? WHERE id = ?",
            [f"trello:checklist:c1:0:{n}", item_id],
        )
    before = items(demo_store)
    second = json.loads(json.dumps(first))
    second[0]["checkItems"].insert(0, {"name": "New one", "state": "incomplete", "pos": 0})
    lines = imported(demo_store, parse_trello(written(tmp_path, board(second), "second.json")))
    assert "  checklist items: 1 to add, 0 to update, 2 unchanged, 0 skipped" in lines
    assert items(demo_store)[:2] == before
    assert [t for _, t, _ in items(demo_store)] == ["Copy written", "Mail sent", "New one"]
    again = imported(demo_store, parse_trello(written(tmp_path, board(second), "second.json")))
    assert "  checklist items: 0 to add, 0 to update, 3 unchanged, 0 skipped" in again


def test_empty_trello_check_items_are_skipped_with_a_reason(
    demo_store: Store, tmp_path: Path
) -> None:
    checklists: list[dict[str, Any]] = [
        {
            "id": "k1",
            "name": "Build",
            "idCard": "c1",
            "checkItems": [{"id": "i1", "name": "Form", "state": "complete", "pos": 1}],
        },
        {
            "id": "k2",
            "name": "QA",
            "idCard": "c1",
            "pos": 2,
            "checkItems": [
                {"id": "i2", "name": "", "state": "complete", "pos": 1},
                {"id": "i3", "name": " \n ", "state": "incomplete", "pos": 2},
                {"id": "i4", "name": "Smoke test", "state": "incomplete", "pos": 3},
            ],
        },
    ]
    lines = imported(demo_store, parse_trello(written(tmp_path, board(checklists))))
    assert [t for _, t, _ in items(demo_store)] == ["Build: Form", "QA: Smoke test"]
    assert "  checklist items: 2 to add, 0 to update, 0 unchanged, 2 skipped" in lines
    assert any(
        "$.checklists[1].checkItems[0]" in line and "an empty text" in line for line in lines
    )
