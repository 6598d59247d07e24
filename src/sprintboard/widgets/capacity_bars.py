"""One capacity bar per team: planned points against capacity and recent velocity; and the
planning screen's right-hand panel that shows them or a chart.

A bar is filled up to the points planned, on a scale wide enough for the plan, the
capacity and the velocity; `│` marks the capacity and `┊` the velocity. Over capacity the
bar turns red and its line says by how much ("+7 over"). The second line names the
teams the team's cross-team cards also load, and its share of customer feedback against
the organisation's target. Drawn line by line (Line API); team names are user text, shown
as plain segments.

On a narrow screen the panel gives the lists its room: `CapacityStrip` keeps every
team's planned/capacity in a line or two under them, and the panel shows in place of the
lists when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from sprintboard.money import format_amount
from sprintboard.planning.capacity import SprintCapacity, TeamCapacity
from sprintboard.planning.costs import CostLine
from sprintboard.views.planning import PersonLoad, person_words
from sprintboard.views.text import fit, printable
from sprintboard.widgets.component_styles import ComponentStyles

LABEL = 6  # team code column


def number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def figures(team: TeamCapacity) -> str:
    """The bar line's words: planned / capacity, and how far over, if over."""
    text = f"{team.planned}/{team.capacity} pt"
    if team.capacity_source == "sprint":
        text += "*" if team.usual is None else f"* (usual {team.usual})"
    if team.over_capacity:
        text += f"  +{team.over} over"
    return text


def velocity_words(team: TeamCapacity, loading: bool) -> str:
    if team.velocity is None:
        return "velocity …" if loading else "velocity: no closed sprint yet"
    words = f"velocity {number(team.velocity)}"
    over = team.over_velocity
    if over:
        words += f" (+{number(over)} over)"
    return words


def load_words(team: TeamCapacity) -> str:
    """Which teams its cross-team cards also load, e.g. "also loads ECOM (IT-4, IT-6)"."""
    loads: dict[str, list[str]] = {}
    for card in team.cross_team:
        for other in card.contributors:
            loads.setdefault(other, []).append(card.key)
    if not loads:
        return ""
    return "also loads " + ", ".join(f"{t} ({' '.join(keys)})" for t, keys in loads.items())


def cost_words(line: CostLine | None, currency: str) -> str:
    """ "EUR 2,860 planned, 190 spent" for a team whose cards are priced; "" when none is
    (no rate, no card costs)."""
    if line is None or not line.planned:
        return ""
    planned = format_amount(line.planned, currency, whole=True)
    return f"{planned} planned, {format_amount(line.spent, whole=True)} spent"


def feedback_words(team: TeamCapacity) -> str:
    share = team.feedback_share
    shown = "–" if share is None else f"{share:.0f}%"
    return f"feedback {shown} / {team.feedback_target}%"


class CapacityBars(ComponentStyles):
    """Draws a SprintCapacity; the screen calls show() whenever the plan changes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "capacity--title",
        "capacity--team",
        "capacity--fill",
        "capacity--over",
        "capacity--warn",
        "capacity--empty",
        "capacity--mark",
        "capacity--muted",
    }

    DEFAULT_CSS = """
    CapacityBars { height: 1fr; background: $background; }
    CapacityBars > .capacity--title { color: $text; text-style: bold; }
    CapacityBars > .capacity--team { color: $text; text-style: bold; }
    CapacityBars > .capacity--fill { color: $success; }
    CapacityBars > .capacity--over { color: $error; text-style: bold; }
    CapacityBars > .capacity--warn { color: $warning; }
    CapacityBars > .capacity--empty { color: $border-blurred; }
    CapacityBars > .capacity--mark { color: $text; text-style: bold; }
    CapacityBars > .capacity--muted { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan: SprintCapacity | None = None
        self.velocity_loading = False
        self.people: dict[str, list[PersonLoad]] = {}
        self.costs: dict[str, CostLine] = {}
        self.currency = ""
        self.empty_text = "No sprint yet: add one with 'sprintboard sprint add'."
        self._lines: list[Strip] = []
        self._lines_key: tuple[Any, ...] | None = None

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    def show(
        self,
        plan: SprintCapacity | None,
        *,
        velocity_loading: bool = False,
        people: dict[str, list[PersonLoad]] | None = None,
        costs: Mapping[str, CostLine] | None = None,
        currency: str = "",
    ) -> None:
        """Draw `plan`; `people` (views.planning.person_load) adds each team's points per
        assignee under its bar, `costs` each priced team's planned and spent cost."""
        self.plan = plan
        self.velocity_loading = velocity_loading
        self.people = people or {}
        self.costs = dict(costs or {})
        self.currency = currency
        self._lines_key = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        # Built once per plan, width and theme: a frame only looks the lines up.
        key = (self.size.width, self.app.theme)
        if key != self._lines_key:
            self._lines, self._lines_key = self._build(self.size.width), key
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    # -- building the lines -------------------------------------------------------------

    def component_style(self, name: str) -> Style:
        return self.rich_style + super().component_style(name)

    def _build(self, width: int) -> list[Strip]:
        plan = self.plan
        if plan is None:
            muted = self.get_style("capacity--muted")
            said = Content(self.empty_text).wrap(max(1, width - 1))
            return [self._line([Segment(f" {line.plain}", muted)], width) for line in said]
        over = len(plan.over_capacity)
        head = f" {plan.planned}/{plan.capacity} pt planned" + (
            f" · {over} team{'s' if over != 1 else ''} over capacity" if over else ""
        )
        window = ", ".join(plan.velocity_sprints) or "no closed sprint yet"
        muted = self.get_style("capacity--muted")
        lines = [
            self._line([Segment(head, self.get_style("capacity--title"))], width),
            self._line([Segment(f" │ capacity  ┊ velocity: {window}", muted)], width),
            self._line([Segment(" * this sprint's capacity override", muted)], width),
            Strip.blank(width, self.get_style()),
        ]
        room = max((cell_len(figures(t)) for t in plan.teams), default=0) + 1
        # A plan nobody is assigned in yet gets no "unassigned" line under every bar.
        named = any(p.person for loads in self.people.values() for p in loads)
        for team in plan.teams:
            lines.append(self._bar_line(team, width, room))
            lines.append(self._detail(team, width, self._details(team)))
            cost = cost_words(self.costs.get(team.team), self.currency)
            if cost:
                lines.append(self._detail(team, width, [("cost " + cost, muted)]))
            people = self.people.get(team.team)
            if people and named:
                words = "people: " + person_words(people)
                lines.append(self._detail(team, width, [(words, muted)]))
            loads = load_words(team)
            if loads:
                lines.append(self._detail(team, width, [(loads, muted)]))
        return lines

    def _line(self, segments: list[Segment], width: int) -> Strip:
        return Strip(segments).adjust_cell_length(width, self.get_style())

    def _bar_line(self, team: TeamCapacity, width: int, room: int) -> Strip:
        bar_width = max(4, width - LABEL - room)
        scale = max(team.capacity, team.planned, team.velocity or 0, 1)

        def cells(points: float) -> int:
            return min(bar_width, round(points * bar_width / scale))

        filled = cells(team.planned)
        marks = {cells(team.capacity) - 1: "│"}
        if team.velocity is not None:
            marks.setdefault(cells(team.velocity) - 1, "┊")
        if team.over_capacity:
            fill = self.get_style("capacity--over")
        elif team.over_velocity:
            fill = self.get_style("capacity--warn")
        else:
            fill = self.get_style("capacity--fill")
        empty, mark_style = self.get_style("capacity--empty"), self.get_style("capacity--mark")
        colour = Style(color=_colour(team.colour), bold=True)
        segments = [
            Segment("▌", self.get_style() + colour),
            Segment(fit(printable(team.team), LABEL - 1), self.get_style("capacity--team")),
        ]
        for i in range(bar_width):
            mark = marks.get(i)
            if i < filled:
                # A mark inside the filled part: the bar's colour behind it, so it shows.
                cell = Segment(mark or "█", fill + Style(reverse=True) if mark else fill)
            else:
                cell = Segment(mark or "░", mark_style if mark else empty)
            if segments[-1].style == cell.style and not mark:
                segments[-1] = Segment(segments[-1].text + cell.text, cell.style)
            else:
                segments.append(cell)
        words = self.get_style("capacity--over" if team.over_capacity else "capacity--team")
        segments.append(Segment(" " + figures(team), words))
        return self._line(segments, width)

    def _details(self, team: TeamCapacity) -> list[tuple[str, Style]]:
        muted = self.get_style("capacity--muted")
        speed = self.get_style("capacity--warn") if team.over_velocity else muted
        parts = [(velocity_words(team, self.velocity_loading), speed)]
        parts.append((" · " + feedback_words(team), muted))
        if team.unpointed:
            parts.append((f" · {team.unpointed} unpointed", self.get_style("capacity--warn")))
        return parts

    def _detail(self, team: TeamCapacity, width: int, parts: list[tuple[str, Style]]) -> Strip:
        """An indented line under the bar, cropped with an ellipsis when it is too long."""
        muted = self.get_style("capacity--muted")
        segments = [Segment(" " * LABEL, muted), *(Segment(t, s) for t, s in parts)]
        strip = Strip(segments)
        if strip.cell_length > width:
            strip = Strip([*strip.crop(0, width - 1), Segment("…", muted)])
        return strip.adjust_cell_length(width, self.get_style())


def _colour(colour: str) -> str:
    """A team's colour as Rich takes it; a broken one falls back to grey."""
    from rich.color import Color, ColorParseError

    try:
        Color.parse(colour)
    except ColorParseError:
        return "#888888"
    return colour


class PlanningPanel(Vertical):
    """The planning screen's right-hand panel: the capacity bars, or one chart.

    The chart widget (and plotext with it) is mounted the first time a chart is shown.
    """

    def compose(self) -> ComposeResult:
        yield Static(id="planning-side-title")
        yield CapacityBars(id="planning-capacity")

    @property
    def bars(self) -> CapacityBars:
        return self.query_one(CapacityBars)

    def show_title(self, view: str, views: Sequence[str]) -> None:
        parts = [Content.styled(f" {v} ", "bold reverse" if v == view else "dim") for v in views]
        title = Content("").join([*parts, Content.styled("  v: next", "dim")])
        self.query_one("#planning-side-title", Static).update(title)

    async def show_view(self, view: str, views: Sequence[str]) -> None:
        from sprintboard.widgets.charts import ChartPanel

        if view != "capacity" and not self.query(ChartPanel):
            await self.mount(ChartPanel(id="planning-chart"))
        self.bars.display = view == "capacity"
        for panel in self.query(ChartPanel):
            panel.display = view != "capacity"
        self.show_title(view, views)

    def show_chart(self, view: str, data: Any, team_order: Sequence[str]) -> None:
        """Draw a chart's data (or, given an exception, say why there is none)."""
        from sprintboard.widgets.charts import ChartPanel

        panel = self.query_one(ChartPanel)
        if isinstance(data, Exception):
            panel.show_message(view.capitalize(), str(data))
        elif view == "burndown":
            panel.show_burndown(data)
        elif view == "velocity":
            panel.show_velocity(data, team_order)
        else:
            panel.show_flow(data)


class CapacityStrip(Widget):
    """Each team's planned/capacity points in as few lines as the width allows, over
    capacity in red with how much: "▌IT 26/40  ▌ECOM 35/30 +5". A team's figures are never
    split across two lines."""

    DEFAULT_CSS = """
    CapacityStrip { height: auto; background: $panel; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan: SprintCapacity | None = None

    def show(self, plan: SprintCapacity | None) -> None:
        self.plan = plan
        self.refresh(layout=True)

    def chunks(self) -> list[Content]:
        plan = self.plan
        if plan is None:
            return [Content.styled("no sprint: no capacity to plan against", "dim")]
        over = "bold $error"
        head = Content.styled(f"{plan.planned}/{plan.capacity} pt", "bold")
        found = [Content.styled(" capacity ", "dim") + head]
        for team in plan.teams:
            chunk = Content.styled("▌", _colour(team.colour)) + Content.styled(
                printable(team.team), "bold"
            )
            figures = f" {team.planned}/{team.capacity}"
            if team.over_capacity:
                chunk += Content.styled(f"{figures} +{team.over}", over)
            else:
                chunk += Content(figures)
            found.append(chunk)
        return found

    def lines(self, width: int) -> list[Content]:
        """The chunks two cells apart, wrapped between chunks; a chunk wider than the line
        is cut with an ellipsis."""
        lines: list[Content] = []
        line = Content("")
        for chunk in self.chunks():
            if chunk.cell_length > width:
                chunk = chunk.truncate(max(1, width - 1)) + Content("…")
            if line and line.cell_length + 2 + chunk.cell_length > width:
                lines.append(line)
                line = Content("")
            line = line + Content("  ") + chunk if line else chunk
        lines.append(line)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(max(1, width)))

    def render(self) -> Content:
        return Content("\n").join(self.lines(max(1, self.size.width)))
