"""Small modal dialogs: confirm, pick one, pick teams, the first-start offer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, OptionList, SelectionList
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.views.text import printable

KEY_HOLD_S = 0.4
"""How long keys are held back after a question is answered with a key: a double tap."""
ANSWER_KEYS = frozenset({"y", "n", "escape", "enter"})
"""The keys a yes/no question is answered with, held back after it is."""


class ConfirmScreen(FitsTerminal, ModalScreen[bool]):
    """A yes/no question; y or enter says yes, n or escape says no."""

    # All priority: keys act in the order they were typed. A button press travels through
    # the button first, so `enter` (on Cancel) then `y` answered yes and then tried to
    # close the dialog a second time, closing the board under it.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", priority=True),
        Binding("n,escape", "answer(False)", "No", priority=True),
        Binding("enter", "press_focused", "Answer", show=False, priority=True),
    ]

    # Cancel has the focus from the first moment: an enter typed right after the key that
    # opened the question must never land on the other button.
    AUTO_FOCUS = "#no"

    def __init__(self, question: Content, *, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.answered = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "yes")

    def action_press_focused(self) -> None:
        focused = self.focused
        self.action_answer(isinstance(focused, Button) and focused.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """The first answer counts; whatever arrives after it is too late."""
        if self.answered:
            return
        self.answered = True
        # An answer typed twice (n n, enter enter) must not reach the screen beneath: `n`
        # there makes a new card. Other keys pass at once: `d y u` deletes and undoes.
        host(self).hold_keys(KEY_HOLD_S, ANSWER_KEYS)
        self.dismiss(yes)


class PickerScreen(FitsTerminal, ModalScreen[Any]):
    """Pick one of several options (type to jump, enter to choose, escape to cancel)."""

    CANCELLED: ClassVar[object] = object()
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.title_text = title
        self.values = [value for _, value in options]
        self.labels = [label for label, _ in options]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.styled(self.title_text, "bold"))
            # Labels may hold card titles, stored as given (a tab, U+2028): one line each.
            yield OptionList(*(Option(Content(printable(label))) for label in self.labels))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.values[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(self.CANCELLED)


class TeamFilterScreen(FitsTerminal, ModalScreen[frozenset[str] | None]):
    """Choose which teams' cards the board shows (space toggles, enter applies)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: the selection list would otherwise take enter as "toggle".
        Binding("enter", "apply", "Apply", priority=True),
        Binding("asterisk", "all", "All teams", key_display="*"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, teams: list[tuple[str, str]], chosen: frozenset[str]) -> None:
        super().__init__()
        self.teams = teams
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Content.styled("Show cards of teams (space toggles, enter applies)", "bold")
            )
            yield SelectionList[str](
                *(
                    Selection(Content(f"{code:<5} {name}"), code, code in self.chosen)
                    for code, name in self.teams
                )
            )

    def action_apply(self) -> None:
        # A priority binding acts as the key arrives, maybe before the toggles typed just
        # ahead of it reached the list: read the choice once the list has handled them.
        # (Dismissed from the screen's own queue: the list's is only passed through.)
        chosen = self.query_one(SelectionList)
        chosen.call_later(self.call_later, self._apply_now)

    def _apply_now(self) -> None:
        self.dismiss(frozenset(self.query_one(SelectionList).selected))

    def action_all(self) -> None:
        self.dismiss(frozenset())

    def action_cancel(self) -> None:
        self.dismiss(None)


class FirstStartScreen(ModalScreen[bool]):
    """An empty database: load the demo organisation, or start with just the teams.

    Its keys are ones the board gives no meaning to (y) or harmless ones, and every key is
    held back for a moment once it is answered: a double tap must not reach the board (a
    second "d" there would ask to delete a card).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "choose(True)", "Load the demo"),
        Binding("n,escape", "choose(False)", "Start empty"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.styled("Welcome to sprintboard", "bold"))
            yield Label(
                "This database holds only the nine teams. Load a demo e-commerce organisation "
                "(goals, three sprints, ~60 cards, feedback) to see a living board, or start "
                "with your own plan."
            )
            with Horizontal(classes="buttons"):
                yield Button("Load the demo (y)", variant="primary", id="demo")
                yield Button("Start empty (n)", id="empty")

    def on_mount(self) -> None:
        # Enter means "start empty": it must not press a focused "Load the demo" button.
        self.query_one("#empty", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id == "demo")

    def action_choose(self, demo: bool) -> None:
        if self.is_active:  # answered once: a key typed twice answers nothing more
            host(self).hold_keys(KEY_HOLD_S)
            self.dismiss(demo)


def pick_teams(
    screen: Screen[Any],
    teams: list[dict[str, Any]],
    chosen: frozenset[str],
    then: Callable[[frozenset[str]], object],
) -> None:
    """Ask which active teams to show; `then(codes)` runs with the choice (not on cancel)."""
    active = [(t["code"], t["name"]) for t in teams if not t["archived"]]

    def done(codes: frozenset[str] | None) -> None:
        if codes is not None:
            then(codes)

    screen.app.push_screen(TeamFilterScreen(active, chosen), done)


async def pick_goal(screen: Screen[Any], title: str, then: Callable[[int | None], object]) -> None:
    """Ask for a goal (or all goals: None); `then(goal_id)` runs with the choice."""
    backend = host(screen).backend
    goals = await backend.run(backend.store.goals.list)
    options = [("all goals", None)] + [(f"{g['id']}  {g['title']}", g["id"]) for g in goals]

    def done(goal: Any) -> None:
        if goal is not PickerScreen.CANCELLED:
            then(goal)

    screen.app.push_screen(PickerScreen(title, options), done)
