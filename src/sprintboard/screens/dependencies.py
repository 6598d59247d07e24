"""The dependency screen: which card waits on which across teams (IT <-> Ecommerce first),
as a list grouped by team pair, a layered graph with the critical path, or a team-by-team
matrix; dependencies are added and removed here (and on the board) with the card finder.

The graph is read and built on the database thread and each team view is worked out on
another thread, so a pair with thousands of links never stalls the screen: it says
"loading…" meanwhile, and the widgets draw only the lines on screen.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static

from sprintboard.errors import UserError
from sprintboard.planning.graph import (
    DEFAULT_TEAMS,
    INTERNAL_DEFAULT,
    LEGEND,
    DependencyGraph,
    path_scope,
)
from sprintboard.screens.dependency_dialogs import add_dependency, remove_dependency
from sprintboard.screens.host import host
from sprintboard.screens.live import LiveScreen
from sprintboard.views.board import LABELS
from sprintboard.views.dependencies import (
    CRITICAL,
    TeamView,
    build_view,
    fetch_dependencies,
    pair_choices,
)
from sprintboard.views.text import fit, printable
from sprintboard.widgets.dependency_view import DependencyView
from sprintboard.widgets.footer import KeyFooter
from sprintboard.widgets.sync_badge import HeaderRow
from sprintboard.widgets.team_matrix import TeamMatrix

THEME_COLOURS = {"red": "$error", "amber": "$warning", "green": "$success"}
NARROW = 120
"""Screen width under which the header, legend and path line take their short forms."""
LEGEND_NOTES = {
    "late": " = blocker in a later sprint or the backlog",
    "ok": " = blocker in an earlier sprint",
}


# -- the screen ----------------------------------------------------------------------------


class DependencyScreen(LiveScreen):
    """Links between two teams (or all), as a list or a graph; or the team matrix."""

    CSS_PATH = "dependencies.tcss"

    HELP_TITLE = "Dependencies"
    PALETTE_SKIP = ("cursor", "side", "page", "home")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("left,h", "side(-1)", "Left (dependent)", show=False),
        Binding("right,l", "side(1)", "Right (blocker)", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "home(False)", "First", show=False),
        Binding("end", "home(True)", "Last", show=False),
        Binding("enter", "open", "Open"),
        Binding("t", "pick_pair", "Teams"),
        Binding("asterisk", "all_teams", "All teams", key_display="*"),
        Binding("v", "toggle_graph", "List/graph"),
        Binding("M", "toggle_matrix", "Matrix"),
        Binding("I", "toggle_internal", "Links inside a team", show=False),
        Binding("plus", "add_dependency", "Add dependency", key_display="+"),
        Binding("minus", "remove_dependency", "Remove dependency", key_display="-"),
        Binding("escape", "close_matrix", "Back from the matrix", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.teams: tuple[str, ...] | None = DEFAULT_TEAMS
        self.internal = INTERNAL_DEFAULT
        self.graph_mode = False  # False: the list
        self.matrix_shown = False
        self.graph: DependencyGraph | None = None
        self.team_view: TeamView | None = None
        self.team_names: dict[str, str] = {}

    @property
    def view(self) -> DependencyView:
        return self.query_one(DependencyView)

    @property
    def matrix(self) -> TeamMatrix:
        return self.query_one(TeamMatrix)

    def compose(self) -> ComposeResult:
        yield HeaderRow(Static(id="deps-header"))
        yield Static(id="deps-legend")
        yield Static(id="deps-path")
        yield DependencyView(id="deps-view")
        yield TeamMatrix(id="deps-matrix")
        yield Static(id="deps-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.matrix.display = False
        self.query_one("#deps-legend", Static).update(self._legend(self.app.size.width))
        self.update_header()
        # Once "loading…" is on screen: the graph's threads then share the interpreter with
        # an idle UI, not with the new screen's first layout.
        self.call_after_refresh(self.reload)
        self.start_polling()

    def reload(self) -> None:
        self.run_worker(self.load(), group="deps-load", exclusive=True)

    # -- loading --------------------------------------------------------------------------

    async def load(self) -> None:
        """Read the graph again, then redraw the team view, keeping the selection."""
        try:
            data = await self.backend.run(fetch_dependencies, self.store)
        except (UserError, sqlite3.Error) as exc:
            self.notify(f"could not read the plan: {exc}", severity="error", markup=False)
            self.view.empty_text = "Could not read the plan; r tries again."
            self.view.show([])
            return
        self.graph, self.version = data["graph"], data["version"]
        self.loaded = True
        teams = [t for t in data["teams"] if not t["archived"]]
        self.team_names = {t["code"]: t["name"] for t in data["teams"]}
        self.matrix.show([(t["code"], t["name"]) for t in teams], data["matrix"], self.internal)
        await self.rebuild()

    async def rebuild(self) -> None:
        """Work out the team view off the UI thread ("loading…" meanwhile) and show it."""
        graph, teams, internal = self.graph, self.teams, self.internal
        if graph is None:
            return
        keep = self.view.selection
        self.view.set_pending()
        self.update_header()
        built = await asyncio.to_thread(build_view, graph, teams, internal)
        if (graph, teams, internal) != (self.graph, self.teams, self.internal):
            return  # the pair changed meanwhile; its own rebuild follows
        self.team_view = built
        self.view.empty_text = (
            f"No links between {self._pair_name()}. + adds one from a card; "
            "t picks another pair; * shows all teams; I adds links inside a team."
        )
        self.show_rows(keep)

    def show_rows(self, keep: tuple[tuple[str, ...], int] | None = None) -> None:
        tv = self.team_view
        # While another pair is worked out, its rebuild shows it (in the mode chosen by then).
        if tv is not None and (tv.teams, tv.internal) == (self.teams, self.internal):
            self.view.findings = host(self).findings.worst
            self.view.show(tv.graph_rows if self.graph_mode else tv.list_rows, keep)
        self.update_header()

    def _rebuild_soon(self) -> None:
        self.run_worker(self.rebuild(), group="deps-view", exclusive=True)

    # -- the lines around the drawing -----------------------------------------------------

    def _pair_name(self) -> str:
        if self.teams is None:
            return "all teams"
        if len(self.teams) == 1:
            return f"{self.teams[0]} and every other team"
        return " ↔ ".join(self.teams)

    @staticmethod
    def _legend(width: int = 200) -> Content:
        """Each link state's symbol, word and meaning on one line; where the meanings do
        not fit, the symbols and words alone (the help screen has the meanings)."""
        full = [Content.styled(" legend:", "bold")]
        short = [Content.styled(" legend:", "bold")]
        for style in LEGEND:
            label = Content.styled(f" {style.label}", f"bold {THEME_COLOURS[style.colour]}")
            full += [label, Content(f"{LEGEND_NOTES.get(style.word, '')} ·")]
            short += [label, Content(" ·")]
        star = Content.styled(f" {CRITICAL} critical path", "bold $secondary")
        shown = Content("").join([*full, star])
        return shown if shown.cell_length <= width else Content("").join([*short, star])

    def on_resize(self) -> None:
        self.query_one("#deps-legend", Static).update(self._legend(self.size.width))
        self.update_header()

    @property
    def narrow(self) -> bool:
        """Under `NARROW` cells: the lines above the drawing take one row each."""
        return self.size.width < NARROW

    def _counts(self, tv: TeamView) -> str:
        """How many links, and of which state: every state where there is room, the
        states that have links where there is not."""
        if not self.narrow:
            return tv.describe()
        noun = "link" if len(tv.links) == 1 else "links"
        states = [f"{tv.counts[s]:,} {s.label}" for s in LEGEND if tv.counts[s]]
        return " · ".join([f"{len(tv.links):,} {noun}", *states])

    def update_header(self) -> None:
        if self.matrix_shown:
            what = "team-by-team matrix"
        else:
            both = "" if self.narrow else ", both directions"
            what = f"{self._pair_name()}{both} · {'graph' if self.graph_mode else 'list'}"
        tv = self.team_view
        loading = self.view.pending or tv is None
        counts = "loading…" if loading or tv is None else self._counts(tv)
        parts = [
            Content.styled(" sprintboard ", "bold reverse"),
            Content(f" Dependencies · {what}"),
        ]
        if not self.matrix_shown:
            parts.append(Content(f" · {counts}"))
        if self.internal:
            parts.append(Content.styled(" · with links inside a team", "italic"))
        if self.store.read_only:
            parts.append(Content.styled(" · READ-ONLY", "bold"))
        self.query_one("#deps-header", Static).update(Content("").join(parts))
        path = self._path_line(None if loading or self.matrix_shown else tv)
        self.query_one("#deps-path", Static).update(path)
        self.update_detail()

    def _path_line(self, tv: TeamView | None) -> Content:
        """The critical path and cycles, then how the path is counted; on a narrow screen
        the first line alone, shorter."""
        if tv is None:
            return Content("")
        narrow = self.narrow
        star = Content.styled(f" {CRITICAL} critical path", "bold $secondary")
        if tv.path.cards and narrow:
            path = Content(f" ({tv.path.points} pts): " + " → ".join(tv.path.cards))
        elif tv.path.cards:
            path = Content(f" (open cards, {tv.path.points} points): " + " → ".join(tv.path.cards))
        else:
            path = Content(": none" if narrow else ": none (no open card waits on another here)")
        if tv.cycle:
            cycle = Content.styled(" · ⟲ cycle: " + " → ".join(tv.cycle), "bold $error")
        else:
            cycle = Content(" · no cycles" if narrow else " · cycles: none (refused on entry)")
        if narrow:
            return star + cycle + path if tv.cycle else star + path + cycle
        scope = Content.styled(f"\n   {path_scope(tv.internal)} (I changes that)", "dim")
        return star + path + cycle + scope

    def update_detail(self) -> None:
        """The selected card(s) in full, under the drawing."""
        detail = self.query_one("#deps-detail", Static)
        row = self.view.selected_row
        graph = self.graph
        if self.matrix_shown or row is None or graph is None:
            detail.update(Content(""))
            return
        width = max(20, detail.size.width - 2 or self.size.width - 4)
        lines = []
        for i, key in enumerate(row.keys):
            card = graph.nodes[key]
            points = "?" if card.points is None else str(card.points)
            head = Content.styled(f"{'▶' if i == self.view.side else ' '} {key} ", "bold")
            where = Content.styled(
                f"  ({card.team} · {card.sprint or 'backlog'} · "
                f"{LABELS.get(card.status, card.status)} · {points} points)",
                "dim",
            )
            # One line a card: the title gives way, so where the card is stays in sight.
            room = max(8, width - head.cell_length - where.cell_length)
            title = Content(fit(printable(" ".join(card.title.split())), room).rstrip())
            lines.append(head + title + where)
        if row.link is not None and len(row.keys) == 1:
            lines.append(Content(f"  waits on {row.link.blocker.key} ({row.link.style.label})"))
        detail.update(Content("\n").join(lines))

    # -- moving ---------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        if self.matrix_shown:
            self.matrix.move(delta, 0)
        else:
            self.view.move(delta)
            self.update_detail()

    def action_side(self, delta: int) -> None:
        if self.matrix_shown:
            self.matrix.move(0, delta)
        else:
            self.view.set_side(delta)
            self.update_detail()

    def action_page(self, delta: int) -> None:
        if not self.matrix_shown:
            self.view.page(delta)
            self.update_detail()

    def action_home(self, end: bool) -> None:
        if not self.matrix_shown:
            self.view.home(end)
            self.update_detail()

    @on(DependencyView.Clicked)
    def _clicked(self, event: DependencyView.Clicked) -> None:
        self.view.cursor, self.view.side = event.index, event.side
        self.view.refresh_list()
        self.update_detail()
        if event.chain >= 2:
            self.action_open()

    # -- choosing what is shown -----------------------------------------------------------

    def show_teams(self, teams: tuple[str, ...] | None) -> None:
        self.teams = teams
        self._show_matrix(False)
        self._rebuild_soon()

    def action_all_teams(self) -> None:
        self.show_teams(None)

    def action_pick_pair(self) -> None:
        from sprintboard.screens.dialogs import PickerScreen

        choices = pair_choices(self.matrix.teams, self.matrix.cells)

        def chosen(teams: Any) -> None:
            if teams is not PickerScreen.CANCELLED:
                self.show_teams(teams)

        self.app.push_screen(PickerScreen("Show the links between", choices), chosen)

    def action_toggle_graph(self) -> None:
        keep = self.view.selection
        self.graph_mode = not self.graph_mode
        self._show_matrix(False)
        self.show_rows(keep)

    def action_toggle_matrix(self) -> None:
        self._show_matrix(not self.matrix_shown)

    def action_close_matrix(self) -> None:
        self._show_matrix(False)

    def _show_matrix(self, shown: bool) -> None:
        if shown and not self.matrix_shown and self.teams is not None and len(self.teams) == 2:
            self.matrix.select(*self.teams)
        self.matrix_shown = shown
        self.matrix.display, self.view.display = shown, not shown
        self.query_one("#deps-detail").display = not shown
        self.query_one("#deps-path").display = not shown
        self.update_header()

    @on(TeamMatrix.PairChosen)
    def _pair_chosen(self, event: TeamMatrix.PairChosen) -> None:
        self.show_teams(tuple(dict.fromkeys((event.blocker, event.dependent))))

    def action_toggle_internal(self) -> None:
        self.internal = not self.internal
        self.matrix.internal = self.internal
        self.matrix.refresh()
        self._rebuild_soon()

    async def action_reload(self) -> None:
        await self.load()

    # -- cards and links ------------------------------------------------------------------

    def action_open(self) -> None:
        from sprintboard.screens.card_detail import CardDetailScreen

        if self.matrix_shown:
            self.matrix.choose()
            return
        key = self.view.selected_key
        if key is not None:

            def closed(changed: str | None) -> None:
                if changed is not None:
                    self.reload()

            self.app.push_screen(CardDetailScreen(key), closed)

    def action_add_dependency(self) -> None:
        key = None if self.matrix_shown else self.view.selected_key  # None: pick both cards
        self.run_worker(self._edit(add_dependency(self, key)), group="deps-edit")

    def action_remove_dependency(self) -> None:
        key, row = self.view.selected_key, self.view.selected_row
        if self.matrix_shown or key is None or row is None:
            self.notify("select a card in the list or the graph first", markup=False)
            return
        link = row.link  # the selected link heads the choices
        first = None if link is None else (link.blocker.key, link.dependent.key)
        self.run_worker(self._edit(remove_dependency(self, key, first)), group="deps-edit")

    async def _edit(self, change: Awaitable[bool]) -> None:
        if await change:
            await self.load()
