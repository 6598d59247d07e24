"""The key map: what each key means, the same on every screen.

A key does one kind of thing wherever it is pressed: `n` makes something new, `d` deletes,
`t` chooses teams, `enter` opens. Each row names the actions a key may run (a screen's
binding action, without its arguments); a test reads every screen's bindings and fails
when a key runs an action its row does not name, unless `LOCAL_KEYS` gives the reason.
The help screen (`?`) and the README show the same table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyMeaning:
    """One row of the key map: keys as typed, what they mean, the actions they run."""

    keys: tuple[str, ...]
    """Textual key names ("n", "shift+up", "question_mark")."""
    shown: str
    """The keys as the table shows them ("K / shift+↑")."""
    meaning: str
    actions: frozenset[str]


def _row(keys: str, shown: str, meaning: str, actions: str) -> KeyMeaning:
    return KeyMeaning(tuple(keys.split()), shown, meaning, frozenset(actions.split()))


KEY_MAP: tuple[KeyMeaning, ...] = (
    # Everywhere
    _row("question_mark", "?", "the keys of this screen and this table", "help close"),
    _row("ctrl+p", "ctrl+p", "the command palette: every action by name", "command_palette"),
    _row("exclamation_mark", "!", "findings: the seam checks over the plan", "findings close"),
    _row("at", "@", "comments that mention you", "mentions"),
    _row("Y", "Y", "sync: exchange changes with the other laptops (git)", "sync"),
    _row("ampersand", "&", "sync conflicts: what merging overrode", "conflicts close"),
    _row(
        "1 2 3 4 5 6 7",
        "1 … 7",
        "screens: board, planning, dependencies, inbox, goals, "
        "teams, stock (7 on a card's page: the stock of its SKUs)",
        "switch_screen_to stock",
    ),
    _row("q", "q", "quit from a screen; close a page or panel", "quit close dismiss_report"),
    _row(
        "escape",
        "esc",
        "back: clear filters, close, cancel",
        "clear_filters close close_matrix back cancel answer choose dismiss_report",
    ),
    _row("u", "u", "undo my last change (on a card's history: that change)", "undo undo_entry"),
    _row("U", "U", "redo what my last undo reverted", "redo"),
    _row("r", "r", "read the screen again", "reload"),
    # Moving around
    _row("up down k j", "↑ ↓ / k j", "the previous / next item", "cursor up down"),
    _row(
        "left right h l",
        "← → / h l",
        "the previous / next column, side or list",
        "cursor side pane",
    ),
    _row("pageup pagedown", "pgup pgdn", "a page up / down", "cursor page"),
    _row("home end", "home end", "the first / last item", "cursor home jump"),
    _row(
        "tab shift+tab left_square_bracket right_square_bracket",
        "tab shift+tab [ ]",
        "the next / previous part, list or view",
        "part switch_side cycle_view",
    ),
    _row(
        "enter",
        "enter",
        "open the selected item; in a dialog, answer it",
        "open open_card open_goal apply press_focused dismiss_report",
    ),
    # Making and changing things
    _row(
        "n",
        "n",
        "new: a card, feedback item, goal or team; in a question, no",
        "new_card new_feedback new_goal new_team answer choose",
    ),
    _row(
        "a",
        "a",
        "add to the selected item: a checklist item, a member, a step; accept feedback into a "
        "team, a sync conflict's other value",
        "add_item add_member add_step accept take add_measure",
    ),
    _row("e", "e", "edit the selected item", "edit edit_card edit_goal edit_team"),
    _row("d", "d", "delete the selected card (asks first)", "delete_card"),
    _row(
        "x",
        "x",
        "put aside: decline feedback, archive a team, remove a checklist item, a sync "
        "conflict (the plan kept as it is)",
        "decline archive_team remove_item keep",
    ),
    _row("c", "c", "comment on the card", "add_comment"),
    _row("y", "y", "yes: confirm, sign a goal off", "answer choose close signoff"),
    _row("space", "space", "tick / untick", "tick toggle_step"),
    _row("ctrl+s", "ctrl+s", "save the form", "save accept"),
    _row(
        "H L shift+left shift+right",
        "H L / shift+← →",
        "move the card to the previous / next column",
        "move",
    ),
    _row(
        "K J shift+up shift+down",
        "K J / shift+↑ ↓",
        "move the card up / down its list (in planning: its priority)",
        "reorder priority",
    ),
    _row(
        "greater_than_sign less_than_sign",
        "> <",
        "into the sprint / back to the backlog",
        "move_in move_out",
    ),
    _row("plus minus", "+ -", "add / remove a dependency", "add_dependency remove_dependency"),
    # What is shown
    _row("slash", "/", "filter by text", "filter_text"),
    _row(
        "t",
        "t",
        "choose teams: which teams' cards, which pair, which team's findings",
        "filter_teams pick_pair pick_team",
    ),
    _row("asterisk", "*", "all: every team, every finding", "all all_teams show_all"),
    _row("s", "s", "choose the sprint shown", "switch_sprint pick_sprint"),
    _row("g", "g", "cards of one goal", "filter_goal"),
    _row("dollar_sign", "$", "a goal's KPI trend, cost, ROI and forecast", "goal_trend"),
    _row("f", "f", "cards that answer customer feedback", "filter_feedback"),
    _row("m", "m", "mine: cards assigned to me", "filter_mine"),
    _row("w", "w", "swimlanes by team", "swimlanes"),
    _row(
        "v",
        "v",
        "the view: chart, list or graph, inbox view, severity",
        "cycle_view toggle_graph pick_view cycle_severity",
    ),
    _row("M", "M", "the team-by-team matrix of dependencies", "toggle_matrix"),
    _row("I", "I", "dependencies inside a team too", "toggle_internal"),
    _row("A", "A", "archived teams too", "toggle_archived"),
    # One screen's own
    _row(
        "S C N E D R",
        "S C N E D R",
        "planning's sprint: start, close, new, edit, delete (empty), report; on a card's "
        "page E and D edit and delete your comment",
        "start_sprint close_sprint new_sprint edit_sprint delete_sprint sprint_report "
        "edit_comment delete_comment choose_all",
    ),
    _row("p", "p", "a team's capacity in this sprint", "set_capacity answer"),
    _row("i", "i", "mark feedback's reporter as informed", "inform"),
    _row("equals_sign", "=", "feedback is a duplicate of another", "merge"),
    _row("z", "z", "snooze feedback", "snooze"),
    _row("backspace", "⌫", "reopen triaged feedback", "reopen"),
    _row("o", "o", "set a goal's status", "set_status"),
    _row("ctrl+o", "ctrl+o", "import a stock CSV", "import_stock"),
)

LOCAL_KEYS: dict[tuple[str, str], str] = {
    ("InboxScreen", "c"): "the inbox has no comments: c chooses a category of feedback",
    ("InboxScreen", "space"): "nothing in the inbox is ticked: space reads on in a long text",
    ("CloseSprintScreen", "n"): "closing a sprint: n sends the card to the next sprint",
    ("CloseSprintScreen", "b"): "closing a sprint: b sends the card back to the backlog",
    ("CloseSprintScreen", "l"): "closing a sprint: l leaves the card in the closed sprint",
    ("CloseSprintScreen", "N"): "closing a sprint: N sends every open card to the next one",
    ("CloseSprintScreen", "B"): "closing a sprint: B sends every open card to the backlog",
    ("SnoozeScreen", "1"): "snoozing: the digits pick the numbered choices",
    ("SnoozeScreen", "2"): "snoozing: the digits pick the numbered choices",
    ("SnoozeScreen", "3"): "snoozing: the digits pick the numbered choices",
    ("StartSprintScreen", "p"): "starting a sprint: p keeps its planned dates",
}
"""Keys that mean something else in one screen or dialog, and why."""


def meaning_of(key: str) -> KeyMeaning | None:
    """The key map's row for a Textual key name, or None."""
    return next((row for row in KEY_MAP if key in row.keys), None)


def markdown_table() -> str:
    """The key map as a Markdown table (the README's)."""
    lines = ["| key | means |", "|---|---|"]
    for row in KEY_MAP:
        lines.append(f"| `{row.shown}` | {row.meaning} |")
    return "\n".join(lines)
