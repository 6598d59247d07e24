"""The palette's table: every key of every main screen has a named command (a new key
without one fails here), no name is left for a key that is gone, and the words people
type find the command they mean. Also the recent list in the settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.fuzzy import Matcher

from sprintboard.config import MAX_RECENT, Settings, recent_commands, remember_recent
from sprintboard.screens.commands import (
    APP,
    FUZZY,
    NAME_WHOLE,
    NAMES,
    NAVIGATION,
    SAME_AS_APP,
    SYNONYM_PREFIX,
    PaletteCommand,
    all_commands,
    match_level,
    palette_bindings,
    score,
    screen_classes,
    words_of,
)
from sprintboard.screens.registry import SCREENS
from sprintboard.tui import SprintboardApp

CLASSES = screen_classes()
APP_BINDINGS = [b for b in SprintboardApp.BINDINGS if isinstance(b, Binding)]


def _own_bindings(mode: str) -> list[Binding]:
    """Every binding a main screen declares (not Textual's tab / shift+tab)."""
    found: list[Binding] = []
    for cls in CLASSES[mode].__mro__:
        if cls.__module__.startswith("sprintboard."):
            found += [b for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding)]
    return found


def _moves_around(mode: str, binding: Binding) -> bool:
    skip = NAVIGATION + tuple(getattr(CLASSES[mode], "PALETTE_SKIP", ()))
    return binding.action.startswith(skip)


@pytest.mark.parametrize("mode", [mode for mode, _, _ in SCREENS])
def test_every_key_but_moving_around_has_a_named_command(mode: str) -> None:
    commands = {c.action for c in all_commands(APP_BINDINGS, CLASSES, None) if c.mode == mode}
    for binding in _own_bindings(mode):
        if _moves_around(mode, binding):
            continue
        name = NAMES.get((mode, binding.action))
        assert name is not None, f"{mode}: key {binding.key} ({binding.action}) has no name"
        if name is SAME_AS_APP:
            assert (APP, binding.action) in NAMES
        else:
            assert binding.action in commands
            assert name.name and all(s.strip() for s in name.synonyms)


def test_no_name_for_a_key_that_is_gone() -> None:
    bound = {(APP, b.action) for b in APP_BINDINGS}
    for mode, _, _ in SCREENS:
        bound |= {(mode, b.action) for b in palette_bindings(CLASSES[mode])}
    unbound_app_actions = {(APP, "switch_person"), (APP, "change_theme")}
    assert set(NAMES) - bound - unbound_app_actions == set()
    for _, action in unbound_app_actions:
        assert hasattr(SprintboardApp, f"action_{action}")


def test_moving_around_is_left_out() -> None:
    titles = [c.title for c in all_commands(APP_BINDINGS, CLASSES, None)]
    for moving in ("Up", "Down", "Page up", "Page down", "Left", "First card", "Last SKU"):
        assert not any(t.endswith(f": {moving}") for t in titles)


def _top(query: str, first: str | None = "board") -> PaletteCommand:
    """The command a query puts on top of the palette opened over screen `first` (ties keep
    the palette's order: that screen's own commands first)."""
    matcher = Matcher(query)
    commands = all_commands(APP_BINDINGS, CLASSES, first)
    scored = [(score(matcher, c), -i, c) for i, c in enumerate(commands)]
    best = max(scored, key=lambda s: (s[0], s[1]))
    assert best[0] > 0, f"{query!r} finds nothing"
    return best[2]


@pytest.mark.parametrize(
    ("query", "command"),
    [
        ("new card", "board.new_card"),
        ("add card", "board.new_card"),
        ("create card", "board.new_card"),
        ("start", "planning.start_sprint"),
        ("start sprint", "planning.start_sprint"),
        ("close", "planning.close_sprint"),
        ("close sprint", "planning.close_sprint"),
        ("new sprint", "planning.new_sprint"),
        ("report", "planning.sprint_report"),
        ("sprint report", "planning.sprint_report"),
        ("capacity", "planning.set_capacity"),
        ("team capacity", "planning.set_capacity"),
        ("theme", "app.change_theme"),
        ("change theme", "app.change_theme"),
        ("dark", "app.change_theme"),
        ("light", "app.change_theme"),
        ("swimlanes", "board.swimlanes"),
        ("lanes", "board.swimlanes"),
        ("filter by team", "board.filter_teams"),
        ("undo", "board.undo"),
        ("mentions", "app.mentions"),
        ("findings", "app.findings"),
        ("warnings", "app.findings"),
        ("problems", "app.findings"),
        ("import stock", "stock.import_stock"),
        ("accept feedback", "inbox.accept"),
        ("duplicate", "inbox.merge"),
        ("sign off goal", "goals.signoff"),
        ("goal status", "goals.set_status"),
        ("add member", "teams.add_member"),
        ("keys", "app.help"),
        ("help", "app.help"),
        ("shortcuts", "app.help"),
        ("planning", "app.switch_screen_to('planning')"),
        ("sync", "app.sync"),
        ("share", "app.sync"),
        ("pull", "app.sync"),
        ("push", "app.sync"),
        ("conflicts", "app.conflicts"),
        ("sync conflicts", "app.conflicts"),
    ],
)
def test_the_words_people_type_find_the_command(query: str, command: str) -> None:
    assert _top(query).id == command


@pytest.mark.parametrize(
    ("query", "first", "command"),
    [
        ("import", "board", "stock.import_stock"),
        ("import", "planning", "stock.import_stock"),
        ("impo", "planning", "stock.import_stock"),
        ("new", "board", "board.new_card"),
        ("new", "planning", "planning.new_sprint"),
        ("new", "inbox", "inbox.new_feedback"),
        ("new", "goals", "goals.new_goal"),
        ("new", "teams", "teams.new_team"),
        ("close", "board", "planning.close_sprint"),
        ("close", "dependencies", "planning.close_sprint"),
        ("report", "board", "planning.sprint_report"),
        ("report", "stock", "planning.sprint_report"),
        ("theme", "board", "app.change_theme"),
        ("theme", "planning", "app.change_theme"),
        ("onboarding", "board", "teams.add_step"),  # a dialog, not a step ticked at once
        ("planning", "planning", "app.switch_screen_to('planning')"),
    ],
)
def test_a_word_of_a_name_beats_any_synonym(query: str, first: str, command: str) -> None:
    assert _top(query, first).id == command


def test_import_is_a_name_and_only_the_start_of_a_synonym_word() -> None:
    commands = {c.id: c for c in all_commands(APP_BINDINGS, CLASSES, "board")}
    matcher = Matcher("import")
    assert match_level(matcher, commands["stock.import_stock"]) == NAME_WHOLE
    for other in ("planning.priority(1)", "planning.priority(-1)"):
        assert match_level(matcher, commands[other]) <= SYNONYM_PREFIX
        assert score(matcher, commands[other]) < score(matcher, commands["stock.import_stock"])


@pytest.mark.parametrize("first", [None, *(mode for mode, _, _ in SCREENS)])
def test_every_word_of_every_name_finds_a_command_of_that_name(first: str | None) -> None:
    """Each word of each command's name, and each start of it from three letters, puts on
    top a command whose name has that word (or a word starting so): never one that only
    has it in a synonym or scattered through its letters."""
    commands = all_commands(APP_BINDINGS, CLASSES, first)
    words = {w for c in commands for name in c.names for w in words_of(name) if len(w) >= 3}
    for word in sorted(words):
        for typed in {word, *(word[:n] for n in range(3, len(word)))}:
            top = _top(typed, first)
            named = [w for name in top.names for w in words_of(name)]
            assert any(w.startswith(typed) for w in named), (typed, top.id)
            if typed == word:
                assert word in named, (typed, top.id)


def test_letters_in_order_still_find_a_command_when_no_word_fits() -> None:
    top = _top("swmlns")
    assert top.id == "board.swimlanes"
    assert match_level(Matcher("swmlns"), top) == FUZZY


def test_ties_go_to_the_screen_the_palette_was_opened_over() -> None:
    assert _top("undo", "inbox").id == "inbox.undo"
    assert _top("filter by team", "planning").id == "planning.filter_teams"
    assert _top("new card", "inbox").id == "board.new_card"


def test_titles_name_the_screen_and_help_names_the_key() -> None:
    commands = {c.id: c for c in all_commands(APP_BINDINGS, CLASSES, None)}
    start = commands["planning.start_sprint"]
    assert start.title == "Planning: Start sprint"
    assert start.help == "Planning: start (key S)"
    assert commands["stock.import_stock"].help == "Stock: import csv (key ctrl+o)"
    assert commands["app.help"].title == "Keys" and "(key ?)" in commands["app.help"].help
    assert [c.title for c in commands.values()].count("Keys") == 1


# -- the recent list in the settings ---------------------------------------------------------


def test_recent_commands_newest_first_once_and_few() -> None:
    recent: list[str] = []
    for command in ("a.x", "b.y", "a.x", *(f"c.{i}" for i in range(10))):
        recent = remember_recent(recent, command)
    assert len(recent) == MAX_RECENT and recent[0] == "c.9"
    assert remember_recent(["a.x", "b.y"], "b.y") == ["b.y", "a.x"]


@pytest.mark.parametrize(
    "value",
    [
        '"planning.start_sprint"',
        "42",
        "[1, 2]",
        '["ok.one", 3, "", "bad\\u0007bell", "ok.one"]',
        "{ a = 1 }",
    ],
)
def test_a_broken_recent_list_is_dropped_never_a_problem(tmp_path: Path, value: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'theme = "textual-light"\npalette_recent = {value}\n', encoding="utf-8")
    settings, problems = Settings.read(path)
    assert problems == []
    assert settings.theme == "textual-light"
    assert settings.palette_recent in ([], ["ok.one"])
    assert Settings.load(path).palette_recent == settings.palette_recent


class _CountingList(list[object]):
    """A list that counts the items read from it."""

    read = 0

    def __iter__(self) -> Iterator[object]:
        for item in super().__iter__():
            self.read += 1
            yield item


def test_reading_the_recent_list_stops_at_the_most_kept() -> None:
    endless = _CountingList(f"c.{i}" for i in range(200_000))
    assert recent_commands(endless) == ["c.0", "c.1", "c.2", "c.3", "c.4"]
    assert endless.read == MAX_RECENT
    noisy = _CountingList([3, "", "c.0", *(["c.0"] * 100_000), "c.1", "c.2", "c.3", "c.4", "c.5"])
    assert recent_commands(noisy) == ["c.0", "c.1", "c.2", "c.3", "c.4"]
    assert noisy.read == len(noisy) - 1  # one pass, up to the fifth id kept


def test_a_huge_recent_list_in_the_file_keeps_its_first_five_usable_ids(tmp_path: Path) -> None:
    # 200,000 distinct entries after some junk and a repeat: checking each against the ids
    # kept so far, all of them, took 9.5 s at 20,000; the read now stops at the fifth id.
    junk: list[object] = [7, "", "bell\u0007", "x" * 101, "a.0", "a.0"]
    items = junk + [f"a.{i}" for i in range(200_000 - len(junk))]
    path = tmp_path / "config.toml"
    path.write_text(f"palette_recent = {json.dumps(items)}\n", encoding="utf-8")
    settings, problems = Settings.read(path)
    assert len(items) == 200_000 and problems == []
    assert settings.palette_recent == ["a.0", "a.1", "a.2", "a.3", "a.4"]


def test_the_recent_list_is_saved_beside_the_other_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\ntheme = "textual-light"\n', encoding="utf-8")
    settings = Settings.load(path)
    settings.palette_recent = ["teams.new_team", "app.help"]
    settings.save(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith('# mine\ntheme = "textual-light"\n')
    assert Settings.load(path).palette_recent == ["teams.new_team", "app.help"]
