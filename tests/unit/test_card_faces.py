"""What a card's face says about people and progress (initials, checklist, comments), the
board's "mine" filter, and each person's load beside a team's capacity."""

from __future__ import annotations

from typing import Any

from sprintboard.models import Card, Member
from sprintboard.store import Store
from sprintboard.views.board import BoardModel, Filters, card_face
from sprintboard.views.planning import PersonLoad, person_load, person_words


def face_card(**fields: Any) -> dict[str, Any]:
    card = {
        "key": "IT-1",
        "title": "Checkout",
        "team": "IT",
        "teams": ["IT"],
        "status": "todo",
        "points": 3,
        "goal": None,
        "feedback": 0,
        "assignee": "",
        "comment_count": 0,
        "checklist_done": 0,
        "checklist_total": 0,
    }
    return card | fields


# -- faces ------------------------------------------------------------------------------------


def test_a_face_shows_initials_progress_and_comments() -> None:
    face = card_face(
        face_card(assignee="Sanne de Vries", checklist_done=2, checklist_total=3, comment_count=4)
    )
    assert (face.initials, face.checklist, face.checklist_done, face.comments) == (
        "SV",
        "2/3",
        False,
        "4",
    )
    assert card_face(face_card(checklist_done=3, checklist_total=3)).checklist_done


def test_a_bare_card_shows_none_of_them() -> None:
    face = card_face(face_card())
    assert (face.initials, face.checklist, face.checklist_done, face.comments) == (
        "",
        "",
        False,
        "",
    )
    assert card_face(face_card(assignee="root")).initials == "RO"


# -- mine -------------------------------------------------------------------------------------


def test_mine_keeps_the_persons_cards_whatever_the_case() -> None:
    cards = [
        face_card(key="IT-1", assignee="Sanne de Vries"),
        face_card(key="IT-2", assignee="sanne de  vries"),
        face_card(key="IT-3", assignee="Omar Haddad"),
        face_card(key="IT-4"),
    ]
    model = BoardModel()
    model.load(cards, ["IT"])
    model.set_filters(Filters(mine="Sanne de Vries"))
    assert [c["key"] for c in model.columns["todo"]] == ["IT-1", "IT-2"]
    assert model.filters.active()
    assert model.filters.describe() == "mine (Sanne de Vries)"
    model.set_filters(Filters(mine="Sanne de Vries", text="nothing like it"))
    assert model.columns["todo"] == []
    model.set_filters(Filters())
    assert len(model.columns["todo"]) == 4


# -- people's load ----------------------------------------------------------------------------


def test_person_load_adds_up_to_the_teams_points() -> None:
    cards = [
        face_card(team="IT", points=5, assignee="Priya Raman"),
        face_card(team="IT", points=3, assignee="priya raman"),
        face_card(team="IT", points=8, assignee="Tomasz Nowak"),
        face_card(team="IT", points=None, assignee="Tomasz Nowak"),
        face_card(team="IT", points=2),
        face_card(team="WH", points=1, assignee="Kees van Dijk"),
    ]
    loads = person_load(cards)
    assert loads["IT"] == [
        PersonLoad("Priya Raman", 8, 2),
        PersonLoad("Tomasz Nowak", 8, 2),
        PersonLoad("", 2, 1),
    ]
    assert loads["WH"] == [PersonLoad("Kees van Dijk", 1, 1)]
    assert sum(p.points for p in loads["IT"]) == 18
    assert person_words(loads["IT"]) == "Priya 8 · Tomasz 8 · unassigned 2"


def test_person_words_spell_out_a_shared_first_name() -> None:
    loads = [PersonLoad("Sam Berg", 5, 1), PersonLoad("Sam Ruiz", 3, 1), PersonLoad("Ann", 1, 1)]
    assert person_words(loads) == "Sam Berg 5 · Sam Ruiz 3 · Ann 1"


# -- assignees are stored as the member they name ---------------------------------------------


def test_an_assignee_naming_a_member_is_stored_in_their_spelling(store: Store) -> None:
    store.members.add(Member(team="MKT", name="Sanne de Vries"))
    by_first = store.cards.add(Card(title="Mail", team="MKT", assignee="sanne"))
    assert by_first["assignee"] == "Sanne de Vries"
    outsider = store.cards.add(Card(title="Banner", team="MKT", assignee="agency Bold"))
    assert outsider["assignee"] == "agency Bold"
    edited = store.cards.edit(outsider["key"], {"assignee": "SANNE DE VRIES"})
    assert edited["assignee"] == "Sanne de Vries"
    stored = store.scalar("SELECT assignee FROM cards WHERE key = ?", [outsider["key"]])
    assert stored == "Sanne de Vries"
    assert store.cards.edit(outsider["key"], {"assignee": ""})["assignee"] == ""
