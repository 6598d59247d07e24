"""Every action of the app by name: the command palette's table of names and synonyms.

The palette (screens/command_provider.py) lists each main screen's keys (read from its class's
BINDINGS) and the app-wide ones. This table gives each of them the name the palette shows
and the other words people type for it ("add card", "retro", "dark"). It is keyed by
(screen mode, action as bound), with "app" for the app-wide commands; a key bound on a
main screen without an entry here fails `tests/unit/test_palette_commands.py`.

A query that is a word (or the start of one) of a command's name always outranks a match on
another command's synonym (`score`), so a synonym only helps when no name fits. Synonyms stay
specific all the same: no generic word ("done", "app", "onboarding") for a key that writes at
once, and no word that begins with another command's name ("important" began with "import").
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from textual.binding import Binding
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import Screen

from sprintboard.screens.palette import key_help, key_label
from sprintboard.screens.registry import SCREENS

APP = "app"
"""The 'screen' of the app-wide commands (keys, findings, themes, going to a screen)."""

NAVIGATION = ("cursor", "page", "home", "jump", "side", "pane", "switch_side", "read_on")
"""Actions (by prefix) that only move around a screen: for keys, not for the palette. Each
screen's PALETTE_SKIP is left out as well."""


@dataclass(frozen=True)
class Name:
    """A command's name in the palette, and other words for it."""

    name: str
    synonyms: tuple[str, ...] = ()


SAME_AS_APP = Name("")
"""A screen's own binding of an app-wide command (the board's ! and @): one palette entry,
the app's, which runs the screen's version when that screen is current."""


def _go(title: str, *synonyms: str) -> Name:
    return Name(f"Go to {title}", (title.lower(), f"open {title.lower()}", *synonyms))


NAMES: dict[tuple[str, str], Name] = {
    # -- app-wide ---------------------------------------------------------------------------
    (APP, "help"): Name("Keys", ("help", "shortcuts", "key bindings", "keyboard", "cheat sheet")),
    (APP, "findings"): Name("Findings", ("warnings", "problems", "checks", "seams", "issues")),
    (APP, "mentions"): Name("Mentions", ("mentioned", "my mentions", "comments for me")),
    (APP, "sync"): Name("Sync", ("share", "pull", "push", "git", "other laptops")),
    (APP, "conflicts"): Name(
        "Sync conflicts", ("conflicts", "merge conflicts", "take theirs", "overridden")
    ),
    (APP, "switch_person"): Name(
        "Switch person", ("change user", "who am i", "act as", "log in as", "person")
    ),
    (APP, "change_theme"): Name(
        "Theme", ("change theme", "dark", "light", "colours", "colors", "appearance")
    ),
    (APP, "quit"): Name("Quit", ("exit", "leave", "close sprintboard")),
    (APP, "switch_screen_to('board')"): _go("Board", "kanban", "cards"),
    (APP, "switch_screen_to('planning')"): _go("Planning", "sprint planning", "backlog"),
    (APP, "switch_screen_to('dependencies')"): _go("Dependencies", "deps", "blockers"),
    (APP, "switch_screen_to('inbox')"): _go("Inbox", "feedback inbox", "triage"),
    (APP, "switch_screen_to('goals')"): _go("Goals", "kpi", "okr", "c-level"),
    (APP, "switch_screen_to('teams')"): _go("Teams", "members", "people", "onboarding"),
    (APP, "switch_screen_to('stock')"): _go("Stock", "inventory", "sku", "warehouse"),
    # -- board ------------------------------------------------------------------------------
    ("board", "move(-1)"): Name("Move card left", ("move left", "previous column")),
    ("board", "move(1)"): Name("Move card right", ("move right", "next column", "advance")),
    ("board", "reorder(-1)"): Name("Move card up", ("reorder up", "card up")),
    ("board", "reorder(1)"): Name("Move card down", ("reorder down", "card down")),
    ("board", "new_card"): Name(
        "New card", ("add card", "create card", "new ticket", "new task", "new story")
    ),
    ("board", "open_card"): Name("Open card", ("card details", "show card", "view card")),
    ("board", "edit_card"): Name("Edit card", ("change card", "rename card")),
    ("board", "delete_card"): Name("Delete card", ("remove card",)),
    ("board", "undo"): Name("Undo", ("revert", "undo my last change")),
    ("board", "redo"): Name("Redo"),
    ("board", "mentions"): SAME_AS_APP,
    ("board", "findings"): SAME_AS_APP,
    ("board", "filter_text"): Name("Filter cards", ("search", "find", "filter text")),
    ("board", "filter_teams"): Name("Filter by team", ("team filter", "show teams")),
    ("board", "switch_sprint"): Name("Switch sprint", ("pick sprint", "choose sprint")),
    ("board", "filter_goal"): Name("Filter by goal", ("goal filter",)),
    ("board", "filter_feedback"): Name("Feedback-linked cards", ("filter feedback",)),
    ("board", "filter_mine"): Name("My cards", ("mine", "assigned to me", "filter mine")),
    ("board", "swimlanes"): Name("Swimlanes", ("lanes", "swim lanes", "group by team")),
    ("board", "clear_filters"): Name("Clear filters", ("reset filters", "show all cards")),
    ("board", "reload"): Name("Reload", ("refresh",)),
    ("board", "add_dependency"): Name(
        "Add dependency", ("link cards", "blocked by", "depends on", "new dependency")
    ),
    ("board", "remove_dependency"): Name("Remove dependency", ("unlink cards",)),
    # -- planning ---------------------------------------------------------------------------
    ("planning", "move_in"): Name("Move card into sprint", ("plan card", "add to sprint")),
    ("planning", "move_out"): Name("Move card to backlog", ("remove from sprint",)),
    ("planning", "open_card"): Name("Open card", ("card details", "show card")),
    ("planning", "priority(1)"): Name("Raise priority", ("priority up", "higher priority")),
    ("planning", "priority(-1)"): Name("Lower priority", ("priority down", "deprioritise")),
    ("planning", "pick_sprint"): Name("Pick sprint", ("switch sprint", "choose sprint")),
    ("planning", "cycle_view"): Name("Next chart", ("chart", "burndown", "velocity")),
    ("planning", "start_sprint"): Name("Start sprint", ("start", "begin sprint")),
    ("planning", "close_sprint"): Name(
        "Close sprint", ("close", "end sprint", "finish sprint", "complete sprint")
    ),
    ("planning", "new_sprint"): Name("New sprint", ("add sprint", "create sprint")),
    ("planning", "edit_sprint"): Name(
        "Edit sprint", ("sprint dates", "sprint goal", "rename sprint")
    ),
    ("planning", "delete_sprint"): Name("Delete empty sprint", ("remove sprint",)),
    ("planning", "sprint_report"): Name(
        "Sprint report", ("report", "retro", "retrospective", "sprint summary")
    ),
    ("planning", "set_capacity"): Name(
        "Team capacity in this sprint", ("capacity", "team capacity", "set capacity")
    ),
    ("planning", "filter_text"): Name("Filter the backlog", ("search", "find")),
    ("planning", "filter_teams"): Name("Filter by team", ("team filter",)),
    ("planning", "filter_goal"): Name("Filter by goal", ("goal filter",)),
    ("planning", "clear_filters"): Name("Clear filters", ("reset filters",)),
    ("planning", "undo"): Name("Undo", ("revert",)),
    ("planning", "redo"): Name("Redo"),
    ("planning", "reload"): Name("Reload", ("refresh",)),
    # -- dependencies -----------------------------------------------------------------------
    ("dependencies", "open"): Name("Open card", ("card details", "show card")),
    ("dependencies", "pick_pair"): Name("Pick the team pair", ("team pair", "pick teams")),
    ("dependencies", "all_teams"): Name("All teams", ("every team",)),
    ("dependencies", "toggle_graph"): Name("List or graph", ("graph", "critical path")),
    ("dependencies", "toggle_matrix"): Name("Matrix", ("team matrix", "dependency matrix")),
    ("dependencies", "toggle_internal"): Name("Links inside a team", ("internal links",)),
    ("dependencies", "add_dependency"): Name(
        "Add dependency", ("link cards", "blocked by", "depends on", "new dependency")
    ),
    ("dependencies", "remove_dependency"): Name("Remove dependency", ("unlink cards",)),
    ("dependencies", "close_matrix"): Name("Back from the matrix", ("close matrix",)),
    ("dependencies", "reload"): Name("Reload", ("refresh",)),
    # -- inbox ------------------------------------------------------------------------------
    ("inbox", "accept"): Name("Accept feedback", ("accept", "create card from feedback")),
    ("inbox", "merge"): Name("Merge as duplicate", ("duplicate", "merge", "dupe")),
    ("inbox", "decline"): Name("Decline feedback", ("decline", "reject", "won't fix")),
    ("inbox", "snooze"): Name("Snooze feedback", ("snooze", "later", "postpone")),
    ("inbox", "reopen"): Name("Reopen feedback", ("reopen", "untriage")),
    ("inbox", "inform"): Name("Customer informed", ("informed", "told the customer")),
    ("inbox", "new_feedback"): Name(
        "New feedback", ("add feedback", "log feedback", "create feedback")
    ),
    ("inbox", "undo"): Name("Undo", ("revert",)),
    ("inbox", "redo"): Name("Redo"),
    ("inbox", "open_card"): Name("Open linked card", ("open card", "show card")),
    ("inbox", "cycle_view(1)"): Name("Next view", ("next tab",)),
    ("inbox", "cycle_view(-1)"): Name("Previous view", ("previous tab",)),
    ("inbox", "pick_view"): Name("Pick view", ("views", "urgent", "snoozed", "shipped")),
    ("inbox", "filter_text"): Name("Filter feedback", ("search", "find")),
    ("inbox", "filter_category"): Name("Filter by category", ("category",)),
    ("inbox", "clear_filters"): Name("Clear filters", ("reset filters",)),
    ("inbox", "reload"): Name("Reload", ("refresh",)),
    # -- goals ------------------------------------------------------------------------------
    ("goals", "open_goal"): Name("Goal's cards", ("open goal", "cards of goal")),
    ("goals", "set_status"): Name(
        "Set goal status", ("goal status", "status", "on track", "at risk", "off track")
    ),
    ("goals", "signoff"): Name("Sign off goal", ("sign off", "sign-off", "buy-in", "approve")),
    ("goals", "edit_goal"): Name("Edit goal", ("change goal", "kpi target")),
    ("goals", "new_goal"): Name("New goal", ("add goal", "create goal")),
    ("goals", "reload"): Name("Reload", ("refresh",)),
    ("goals", "goal_trend"): Name(
        "Goal's KPI trend and money", ("kpi", "trend", "roi", "cost", "budget", "forecast")
    ),
    # -- teams ------------------------------------------------------------------------------
    ("teams", "new_team"): Name("New team", ("add team", "create team")),
    ("teams", "edit_team"): Name("Edit team", ("rename team", "team format", "team colour")),
    ("teams", "archive_team"): Name("Archive team", ("restore team", "remove team")),
    ("teams", "toggle_step"): Name("Tick step", ("tick onboarding step",)),
    ("teams", "add_step"): Name("Add onboarding step", ("add step", "new step")),
    ("teams", "add_member"): Name("Add member", ("new member", "add person", "join team", "hire")),
    ("teams", "toggle_archived"): Name("Show archived teams", ("archived",)),
    ("teams", "reload"): Name("Reload", ("refresh",)),
    # -- stock ------------------------------------------------------------------------------
    ("stock", "open_card"): Name("Open card", ("show card",)),
    ("stock", "filter_text"): Name("Filter SKUs", ("search", "find sku")),
    ("stock", "import_stock"): Name(
        "Import stock CSV", ("import stock", "import csv", "load stock", "warehouse import")
    ),
    ("stock", "clear_filters"): Name("Clear filter", ("reset filter", "back")),
    ("stock", "reload"): Name("Reload", ("refresh",)),
}


def screen_class(path: str) -> type[Screen[Any]]:
    """A main screen's class from its registry path ("module:Class"), imported on demand."""
    module, _, name = path.partition(":")
    screen: type[Screen[Any]] = getattr(importlib.import_module(module), name)
    return screen


def screen_classes() -> dict[str, type[Screen[Any]]]:
    """Every main screen's class by mode. Imports the screen modules: call it when the
    palette opens (off the UI thread), never at start-up."""
    return {mode: screen_class(path) for mode, _, path in SCREENS}


def palette_bindings(screen: type[Screen[Any]]) -> Iterator[Binding]:
    """A screen class's bindings that are palette commands: the first binding of each
    action, in the order bound, declared by sprintboard's classes (not Textual's own tab
    and shift+tab), leaving out moving around (NAVIGATION and the screen's PALETTE_SKIP)."""
    skip = NAVIGATION + tuple(getattr(screen, "PALETTE_SKIP", ()))
    seen: set[str] = set()
    for cls in screen.__mro__:
        if not cls.__module__.startswith("sprintboard."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            if not isinstance(binding, Binding) or binding.action in seen:
                continue
            seen.add(binding.action)
            if not binding.action.startswith(skip):
                yield binding


@dataclass(frozen=True)
class PaletteCommand:
    """One entry of the palette: a screen's key or an app-wide command."""

    id: str
    """'mode.action' ('planning.start_sprint', 'app.help'): what the recent list keeps."""
    mode: str
    """The screen the action runs on (its mode), or APP."""
    action: str
    title: str
    """What the palette shows: "Planning: Start sprint"."""
    help: str
    """The line under it, naming the key: "Planning: start (key S)"."""
    names: tuple[str, ...]
    """What the command is called, without its screen: ("Start sprint",)."""
    synonyms: tuple[str, ...]
    """The other words people type for it: matched, but ranked below the names."""
    where: str = ""
    """The screen's title ("Planning"), words that may qualify a query ("planning start")
    but never match a command alone; "" for the app's commands."""


@cache
def _screen_titles() -> dict[str, str]:
    return {mode: title for mode, title, _ in SCREENS}


def app_commands(app_bindings: Iterable[Binding]) -> Iterator[PaletteCommand]:
    """The app-wide commands, in the table's order; each names its key, if it has one."""
    keys = {b.action: key_label(b) for b in app_bindings if isinstance(b, Binding)}
    for (mode, action), name in NAMES.items():
        if mode != APP:
            continue
        key = keys.get(action)
        help = APP_HELP.get(action.partition("(")[0], "")
        if action.startswith("switch_screen_to"):
            title = action.partition("'")[2].rstrip("')")
            help = f"Switch to the {title} screen"
        if key is not None:
            help = f"{help} (key {key})"
        yield PaletteCommand(
            f"{APP}.{action}", APP, action, name.name, help, (name.name,), name.synonyms
        )


APP_HELP = {
    "help": "Every key of the screen you are on",
    "findings": "The warnings before a seam breaks; choosing one shows its card",
    "mentions": "The comments that mention you with @, newest first",
    "sync": "Exchange changes with the other laptops through git (sprintboard sync)",
    "conflicts": "What syncs overrode: take the other value or keep the plan as it is",
    "switch_person": "Who is at the keyboard: changes, undo (u) and mine (m) follow them",
    "change_theme": "Change the colours (the themes in themes/ and Textual's)",
    "quit": "Leave sprintboard",
}


def screen_commands(mode: str, screen: type[Screen[Any]]) -> Iterator[PaletteCommand]:
    """A main screen's keys as palette commands, named by the table (an unnamed key gets
    its footer label, so it is never missing from the palette)."""
    where = _screen_titles()[mode]
    for binding in palette_bindings(screen):
        name = NAMES.get((mode, binding.action))
        if name is SAME_AS_APP:
            continue
        label = name.name if name is not None else binding.description
        synonyms = name.synonyms if name is not None else ()
        title = f"{where}: {label}"
        yield PaletteCommand(
            f"{mode}.{binding.action}",
            mode,
            binding.action,
            title,
            key_help(where, binding),
            (label,),
            synonyms,
            where,
        )


def all_commands(
    app_bindings: Iterable[Binding], classes: dict[str, type[Screen[Any]]], first: str | None
) -> list[PaletteCommand]:
    """Every command: the screen `first`'s, then the app's, then the other screens' in the
    number keys' order (ties in a search keep this order: 'undo' is this screen's undo)."""
    commands: list[PaletteCommand] = []
    if first in classes:
        commands += screen_commands(first, classes[first])
    commands += app_commands(app_bindings)
    for mode, screen in classes.items():
        if mode != first:
            commands += screen_commands(mode, screen)
    return commands


WORD = re.compile(r"[^\W_]+")
"""A word of a query or a command's name: letters and digits ("sign-off" is two)."""
NAME_WHOLE, NAME_PREFIX, SYNONYM_WHOLE, SYNONYM_PREFIX, FUZZY = 6, 5, 4, 3, 1
"""How a query matches a command, best first: the words typed are words of the command's
name, or begin them; are words of a synonym, or begin them; or the letters typed occur in
order in its title, name or a synonym (Textual's fuzzy match)."""
LEVELS = NAME_WHOLE + 1


def words_of(text: str) -> list[str]:
    """The words of a text, case-folded: what a query's words are compared with."""
    return WORD.findall(text.casefold())


def _begins(typed: str, words: Iterable[str]) -> bool:
    return any(word.startswith(typed) for word in words)


def word_level(typed: list[str], text: str, where: list[str]) -> int:
    """2 when every word typed is a word of `text` (or of the screen's title `where`), 1 when
    each begins one, 0 otherwise or when no word typed is in `text` itself."""
    words = words_of(text)
    if not any(_begins(t, words) for t in typed):
        return 0
    if all(t in words or t in where for t in typed):
        return 2
    if all(_begins(t, words) or _begins(t, where) for t in typed):
        return 1
    return 0


class Matchable(Protocol):
    """What the palette matches a query against (a PaletteCommand, the provider's entry)."""

    @property
    def title(self) -> str: ...
    @property
    def names(self) -> tuple[str, ...]: ...
    @property
    def synonyms(self) -> tuple[str, ...]: ...
    @property
    def where(self) -> str: ...


def match_level(matcher: Matcher, command: Matchable) -> int:
    """Which kind of match (NAME_WHOLE … FUZZY) a query is for a command; 0 for none. A
    name beats a synonym and a word beats scattered letters, so "import" runs "Import stock
    CSV", never "Raise priority" for its synonym's "important"."""
    typed = words_of(matcher.query)
    if typed:
        where = words_of(command.where)
        for texts, whole, prefix in (
            (command.names, NAME_WHOLE, NAME_PREFIX),
            (command.synonyms, SYNONYM_WHOLE, SYNONYM_PREFIX),
        ):
            level = max((word_level(typed, text, where) for text in texts), default=0)
            if level:
                return whole if level == 2 else prefix
    texts = (command.title, *command.names, *command.synonyms)
    return FUZZY if any(matcher.match(text) > 0 for text in texts) else 0


def score(matcher: Matcher, command: Matchable) -> float:
    """How well a query matches a command, 0 to 1: the kind of match (`match_level`) first;
    among matches of one kind, Textual's fuzzy score over the title, names and synonyms
    (an exact synonym, "planning", puts "Go to Planning" over the Planning screen's keys)."""
    level = match_level(matcher, command)
    if not level:
        return 0.0
    texts = (command.title, *command.names, *command.synonyms)
    fuzzy = max(matcher.match(text) for text in texts)
    return (level + fuzzy / (1.0 + fuzzy)) / LEVELS


def highlight(matcher: Matcher, text: str) -> Content:
    """`text` (never parsed as markup) with the letters the query matched highlighted."""
    content = Content(text)
    found, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if found:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
