"""Who is at the keyboard: where the name comes from, and how it meets the team members."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprintboard import config
from sprintboard.config import Person, Settings, resolve_person
from sprintboard.errors import UserError
from sprintboard.store import Store
from sprintboard.store.people import canonical, initials, mentioned, mentions

MEMBERS = ["Sanne de Vries", "Omar Haddad", "Sanne Bakker", "Lotte Jansen"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Sanne de Vries", "Sanne de Vries"),
        ("sanne  DE vries", "Sanne de Vries"),  # any case, white space folded
        ("omar", "Omar Haddad"),  # a first name one member has
        ("sanne", "sanne"),  # two members are called Sanne: no guess
        ("Piet", "Piet"),  # an outsider stays as given
        ("agent:claude", "agent:claude"),
    ],
)
def test_a_name_is_spelled_as_the_member_it_names(given: str, expected: str) -> None:
    assert canonical(given, MEMBERS) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Sanne de Vries", "SV"), ("root", "RO"), ("o", "O"), ("", ""), ("jan.de.boer", "JB")],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_mentions_find_members_by_first_or_whole_name() -> None:
    text = "@omar and @sanne.de.vries, cc @Lotte. Mail piet@example.com; @nobody @sanne"
    found = list(mentions(text, MEMBERS))
    assert [text[m.start : m.end] for m in found] == [
        "@omar",
        "@sanne.de.vries",
        "@Lotte",  # the full stop ends the sentence, not the name
        "@nobody",
        "@sanne",
    ]
    # An e-mail address is no mention; an ambiguous first name names nobody.
    assert [m.person for m in found] == ["Omar Haddad", "Sanne de Vries", "Lotte Jansen", "", ""]
    assert mentioned(text, MEMBERS) == ["Omar Haddad", "Sanne de Vries", "Lotte Jansen"]


def test_mentions_keep_markup_and_wide_text_as_text() -> None:
    text = "[bold]@omar[/] 👍 見て @omar"
    assert mentioned(text, MEMBERS) == ["Omar Haddad"]
    assert len(list(mentions(text, MEMBERS))) == 2


# -- where the person comes from -------------------------------------------------------------


@pytest.fixture
def no_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.delenv("SPRINTBOARD_USER", raising=False)
    monkeypatch.setenv("SPRINTBOARD_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setattr(config, "_git_user_name", lambda: None)
    monkeypatch.setattr(config, "_account_name", lambda: "root")
    return monkeypatch


def test_the_order_of_the_sources(no_sources: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert resolve_person(None) == Person("root", "account")
    no_sources.setattr(config, "_git_user_name", lambda: "Sanne de Vries")
    assert resolve_person(None) == Person("Sanne de Vries", "git")
    (tmp_path / "config.toml").write_text('user = "Omar Haddad"\n', encoding="utf-8")
    assert resolve_person(None) == Person("Omar Haddad", "config")
    no_sources.setenv("SPRINTBOARD_USER", "lotte")
    assert resolve_person(None) == Person("lotte", "SPRINTBOARD_USER")
    assert resolve_person("  Piet   Jansen ") == Person("Piet Jansen", "--as")


@pytest.mark.parametrize("bad", ["", "   ", "\x1b[31mred", "a\u202eb", "x" * 101])
def test_a_bad_name_is_refused_in_one_line(no_sources: pytest.MonkeyPatch, bad: str) -> None:
    with pytest.raises(UserError, match=r"^--as: a person's name") as caught:
        resolve_person(bad)
    assert "\n" not in str(caught.value)
    no_sources.setenv("SPRINTBOARD_USER", bad or "\x07")
    with pytest.raises(UserError, match=r"^SPRINTBOARD_USER: "):
        resolve_person(None)


def test_a_bad_config_user_is_reported_and_skipped(
    no_sources: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("user = 42\n", encoding="utf-8")
    settings, problems = Settings.read(path)
    assert settings.user == "" and len(problems) == 1 and "user = 42" in problems[0]
    assert resolve_person(None).source == "account"


def test_a_git_name_that_is_no_name_falls_through(no_sources: pytest.MonkeyPatch) -> None:
    no_sources.setattr(config, "_git_user_name", lambda: "\x1b]0;title\x07")
    assert resolve_person(None) == Person("root", "account")


def test_the_store_records_the_member_spelling(store: Store, db_path: Path) -> None:
    from sprintboard.models import Member

    store.members.add(Member(team="IT", name="Sanne de Vries"))
    with Store(db_path, actor="SANNE") as other:
        assert other.actor == "Sanne de Vries"
        other.teams.edit("IT", {"capacity": 30})
        assert other.activity.recent(1)[0]["actor"] == "Sanne de Vries"


def test_a_read_never_asks_who_is_there(db_path: Path, store: Store) -> None:
    asked: list[str] = []

    def who() -> str:
        asked.append("asked")
        return "Omar"

    with Store(db_path, actor=who) as reader:
        reader.cards.query()
        reader.activity.recent()
        assert asked == []
        reader.teams.edit("IT", {"capacity": 25})
        reader.teams.edit("IT", {"capacity": 26})
        assert asked == ["asked"]
