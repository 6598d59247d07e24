"""The goals screen, C-level's view: each goal's KPI, ROI, status, sign-off and cards.

The list reads `planning.goals.goal_progress` on the database thread; enter drills into
a goal's cards by team and sprint (`GoalCardsScreen`), where enter opens a card.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sprintboard.errors import UserError
from sprintboard.planning.goals import GoalProgress, goal_progress
from sprintboard.screens.dialog_fit import ScreenFitsTerminal
from sprintboard.screens.live import ListCursor, LiveScreen
from sprintboard.views.text import printable
from sprintboard.vocabulary import GoalStatus
from sprintboard.widgets.footer import KeyFooter
from sprintboard.widgets.goal_rows import card_groups, goal_content
from sprintboard.widgets.sync_badge import HeaderRow
from sprintboard.widgets.team_rows import readable_on, safe_colour

SPONSOR_TEAM = "EXEC"


def fetch_goals(store: Any) -> dict[str, Any]:
    """Everything the goals list shows, read in one go on the database thread."""
    # The version first: a commit landing during the reads below then makes it look
    # older than what is shown (one extra reload), never newer (a change hidden).
    version = store.version()
    members = store.members.list()
    c_level = [m["name"] for m in members if m["team"] == SPONSOR_TEAM]
    return {
        "goals": goal_progress(store),
        "teams": store.teams.list(include_archived=True),
        "names": c_level + [m["name"] for m in members if m["team"] != SPONSOR_TEAM],
        "version": version,
        "today": store.today(),
    }


def fetch_goal_cards(store: Any, goal_id: int) -> dict[str, Any]:
    """One goal's progress, its cards, and the sprints and teams to group them by."""
    # The version first: a commit landing during the reads below then makes it look
    # older than what is shown (one extra reload), never newer (a change hidden).
    version = store.version()
    return {
        "goal": goal_progress(store, goal_id)[0],
        "cards": store.cards.query(goal=goal_id),
        "sprints": store.sprints.list(),
        "teams": store.teams.list(include_archived=True),
        "version": version,
    }


def team_colours(teams: list[dict[str, Any]], listing: OptionList) -> dict[str, str]:
    """Each team's colour for its code as text: readable on the list's rows and on its
    selected row (`goals.tcss`: $primary 35% over the list) in this theme."""
    back = listing.background_colors[1]
    primary = Color.parse(listing.app.current_theme.primary)
    backgrounds = [back, back.blend(primary, 0.35)]
    return {
        t["code"]: readable_on(colour, backgrounds)
        for t in teams
        if (colour := safe_colour(t["colour"]))
    }


def list_width(listing: OptionList) -> int:
    """Cells a line of the list has: its width less the scrollbar (the screen's width
    before the first layout)."""
    width = listing.size.width or listing.app.size.width
    return max(20, width - listing.styles.scrollbar_size_vertical)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def bar_header(title: str, *parts: str) -> Content:
    return Content.styled(" sprintboard ", "bold reverse") + Content(
        " " + " · ".join([title, *parts])
    )


class GoalsScreen(ListCursor, LiveScreen):
    """Every goal: KPI progress, ROI, sponsor, status (set and suggested), sign-off, cards."""

    CSS_PATH = "goals.tcss"
    PALETTE_SKIP = ("cursor", "pane")

    HELP_TITLE = "Goals"

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: the list would take enter as its own "select".
        Binding("enter", "open_goal", "Cards", priority=True),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        Binding("o", "set_status", "Status"),
        Binding("y", "signoff", "Sign off"),
        Binding("e", "edit_goal", "Edit"),
        Binding("n", "new_goal", "New goal"),
        Binding("dollar_sign", "goal_trend", "KPI & money"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.goals: list[GoalProgress] = []
        self.colours: dict[str, str] = {}
        self.names: list[str] = []
        self.shown_width = 0

    def compose(self) -> ComposeResult:
        yield HeaderRow(Static(id="goals-header", classes="screen-header"))
        yield OptionList(id="goals-list")
        yield KeyFooter()

    @property
    def goal_list(self) -> OptionList:
        return self.query_one("#goals-list", OptionList)

    async def on_mount(self) -> None:
        self.goal_list.focus()
        await self.load()
        self.start_polling()

    async def load(self, select: int | None = None) -> None:
        data = await self.backend.run(fetch_goals, self.store)
        current = self.selected()
        keep = select if select is not None else (current.id if current else None)
        self.version = data["version"]
        self.goals = data["goals"]
        self.colours = team_colours(data["teams"], self.goal_list)
        self.names = data["names"]
        self.loaded = True
        self.show_goals(keep)
        self.update_header(data["today"])

    def show_goals(self, keep: int | None) -> None:
        """Fill the list, each goal laid out for the list's width (see `goal_lines`)."""
        listing = self.goal_list
        width = list_width(listing)
        self.shown_width = width
        listing.clear_options()
        if not self.goals:
            listing.add_option(Option(Content("No goals yet: n adds one."), disabled=True))
            return
        for goal in self.goals:
            listing.add_option(
                Option(goal_content(goal, self.colours, width=width), id=str(goal.id))
            )
            listing.add_option(None)
        ids = [g.id for g in self.goals]
        listing.highlighted = ids.index(keep) if keep in ids else 0

    def on_resize(self) -> None:
        if self.loaded and list_width(self.goal_list) != self.shown_width:
            current = self.selected()
            self.show_goals(current.id if current else None)

    def update_header(self, today: str) -> None:
        signed = sum(1 for g in self.goals if g.signed_off_by)
        off = sum(1 for g in self.goals if g.status is GoalStatus.OFF_TRACK)
        risk = sum(1 for g in self.goals if g.status is GoalStatus.AT_RISK)
        parts = [
            plural(len(self.goals), "goal"),
            f"{signed} signed off",
            f"{risk} at risk",
            f"{off} off track",
            f"today {today}",
        ]
        if self.store.read_only:
            parts.append("READ-ONLY")
        self.query_one("#goals-header", Static).update(bar_header("Goals", *parts))

    def selected(self) -> GoalProgress | None:
        if not self.goals or not self.is_mounted:
            return None
        index = self.goal_list.highlighted
        if index is None:
            return None
        option_id = self.goal_list.get_option_at_index(index).id
        return next((g for g in self.goals if str(g.id) == option_id), None)

    def _target(self) -> GoalProgress | None:
        goal = self.selected()
        if goal is None:
            self.notify("no goal here yet: n adds one", markup=False)
        return goal

    # -- actions ---------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#goals-list")
    def action_open_goal(self) -> None:
        goal = self._target()
        if goal is not None:
            self.app.push_screen(GoalCardsScreen(goal.id))

    def action_goal_trend(self) -> None:
        from sprintboard.screens.goal_kpi import GoalKpiScreen

        goal = self._target()
        if goal is not None:
            self.app.push_screen(GoalKpiScreen(goal.id))

    def action_set_status(self) -> None:
        from sprintboard.screens.goal_dialogs import StatusScreen

        goal = self._target()
        if goal is None:
            return

        def chosen(status: str | None) -> None:
            if status is not None and status != goal.status.value:
                self.run_worker(self._set_status(goal, status), group="writes")

        self.app.push_screen(StatusScreen(goal), chosen)

    async def _set_status(self, goal: GoalProgress, status: str) -> None:
        if await self.write(self.store.goals.edit, goal.id, {"status": status}) is not None:
            self.notify(f"G{goal.id} is now {status}", markup=False)

    def action_signoff(self) -> None:
        from sprintboard.screens.goal_dialogs import SignoffScreen

        goal = self._target()
        if goal is None:
            return

        def chosen(who: str | None) -> None:
            if who is not None:
                self.run_worker(self._signoff(goal, who), group="writes")

        self.app.push_screen(SignoffScreen(goal, self.names), chosen)

    async def _signoff(self, goal: GoalProgress, who: str) -> None:
        row = await self.write(self.store.goals.signoff, goal.id, who)
        if row is not None:
            self.notify(f"G{goal.id} signed off by {row['signed_off_by']}", markup=False)

    def action_edit_goal(self) -> None:
        goal = self._target()
        if goal is not None:
            self._open_form(goal)

    def action_new_goal(self) -> None:
        self._open_form(None)

    def _open_form(self, goal: GoalProgress | None) -> None:
        from sprintboard.screens.goal_dialogs import GoalFormScreen

        def saved(goal_id: int | None) -> None:
            if goal_id is not None:
                self.notify(f"goal G{goal_id} saved", markup=False)
                self.run_worker(self.load(select=goal_id), group="writes")

        self.app.push_screen(GoalFormScreen(goal, self.names), saved)

    async def action_reload(self) -> None:
        await self.load()


class GoalCardsScreen(ScreenFitsTerminal, ListCursor, LiveScreen):
    """One goal drilled into: its cards by owning team, then by sprint."""

    CSS_PATH = "goals.tcss"
    PALETTE_SKIP = ("cursor", "pane")

    HELP_TITLE = "Goal's cards"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_card", "Open card", priority=True),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        Binding("escape", "back", "Back to goals"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, goal_id: int) -> None:
        super().__init__()
        self.goal_id = goal_id
        self.goal: GoalProgress | None = None
        self.colours: dict[str, str] = {}
        self.data: dict[str, Any] = {}
        self.shown_width = 0
        self.cards_width = 0

    def compose(self) -> ComposeResult:
        yield HeaderRow(Static(id="goal-cards-header", classes="screen-header"))
        yield Static(id="goal-summary")
        yield OptionList(id="goal-cards")
        yield KeyFooter()

    @property
    def card_list(self) -> OptionList:
        return self.query_one("#goal-cards", OptionList)

    async def on_mount(self) -> None:
        self.card_list.focus()
        await self.load()
        self.start_polling()

    async def load(self) -> None:
        try:
            data = await self.backend.run(fetch_goal_cards, self.store, self.goal_id)
        except UserError as exc:  # the goal is gone (another process, an undo)
            self.notify(str(exc), severity="error", markup=False)
            self.app.pop_screen()
            return
        self.version = data["version"]
        self.goal = goal = data["goal"]
        self.loaded = True
        colours = team_colours(data["teams"], self.card_list)
        self.query_one("#goal-cards-header", Static).update(
            bar_header("Goals", f"G{goal.id} {printable(goal.title)}", plural(goal.cards, "card"))
        )
        self.colours = colours
        self.show_summary()
        self.data = data
        self.show_cards()

    def show_cards(self) -> None:
        """The goal's cards, each line laid out for the list's width."""
        data = self.data
        listing = self.card_list
        width = list_width(listing)
        self.cards_width = width
        index = listing.highlighted
        keep = listing.get_option_at_index(index).id if index is not None else None
        listing.clear_options()
        lines = card_groups(data["cards"], data["sprints"], data["teams"], self.colours, width)
        listing.add_options(
            Option(prompt, id=ident, disabled=ident is None or ident.startswith("team:"))
            for prompt, ident in lines
        )
        ids = [option.id for option in listing.options]
        cards = [i for i, option in enumerate(listing.options) if not option.disabled]
        if keep is not None and keep in ids:
            listing.highlighted = ids.index(keep)
        elif cards:
            listing.highlighted = cards[0]

    def show_summary(self) -> None:
        """The goal's five lines, laid out for the screen's width."""
        if self.goal is None:
            return
        summary = self.query_one("#goal-summary", Static)
        width = max(20, (summary.size.width or self.app.size.width))
        self.shown_width = width
        summary.update(goal_content(self.goal, self.colours, hint=False, width=width))

    def on_resize(self) -> None:
        summary = self.query_one("#goal-summary", Static)
        if self.goal is not None and summary.size.width != self.shown_width:
            self.show_summary()
        if self.goal is not None and list_width(self.card_list) != self.cards_width:
            self.show_cards()

    @on(OptionList.OptionSelected, "#goal-cards")
    def action_open_card(self) -> None:
        index = self.card_list.highlighted
        if index is None:
            return
        option = self.card_list.get_option_at_index(index)
        if not option.disabled and option.id is not None:
            self.open_card_detail(option.id)

    def action_back(self) -> None:
        self.app.pop_screen()

    async def action_reload(self) -> None:
        await self.load()
