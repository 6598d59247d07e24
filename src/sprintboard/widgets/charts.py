"""The planning charts in the terminal (textual-plotext): burndown, velocity, cumulative flow.

Each chart is a title line, the plot, and a few lines of notes under it (the figures the
plot cannot label, such as every scope change). The data arrive computed (planning/charts.py,
replayed from the activity log in a worker); these widgets only draw. Plots have no
notion of "now": the x axis is the sprint's days, so the output is stable for snapshots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, cast

from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static
from textual_plotext import PlotextPlot

from sprintboard.planning.charts import Burndown, CumulativeFlow
from sprintboard.planning.velocity import Velocity
from sprintboard.plotting import stable_plotext
from sprintboard.views.board import COLUMNS, LABELS
from sprintboard.views.goal_kpi import GoalKpi
from sprintboard.views.text import printable

MAX_CHANGES = 6  # scope changes listed under the burndown; the rest are counted


stable_plotext()


def _day(day: date) -> str:
    return day.strftime("%m-%d")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}".removesuffix(".0")


def _ticks(days: Sequence[date], room: int) -> tuple[list[float], list[str]]:
    """Day labels every few days, as many as fit in `room` cells (6 cells a label)."""
    step = max(1, -(-len(days) * 6 // max(room, 6)))
    xs = list(range(0, len(days), step))
    return [float(x) for x in xs], [_day(days[i]) for i in xs]


def y_axis(plt: Any, top: float) -> None:
    """Whole-number ticks from 0 on a round step, a little headroom above `top`."""
    raw = max(1.0, top / 5)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks = [int(step * i) for i in range(int(top // step) + 2)]
    plt.ylim(0, ticks[-1])
    plt.yticks(ticks, [str(t) for t in ticks])


def steps(values: Sequence[float]) -> tuple[list[float], list[float]]:
    """A series drawn as steps: each day's change is a vertical jump at that day."""
    xs: list[float] = []
    ys: list[float] = []
    for i, value in enumerate(values):
        if i:
            xs.append(i)
            ys.append(values[i - 1])
        xs.append(i)
        ys.append(value)
    return xs, ys


class ChartPanel(Vertical):
    """One chart at a time; the screen calls show_*() with the computed data."""

    DEFAULT_CSS = """
    ChartPanel { height: 1fr; }
    ChartPanel > #chart-title { height: 1; text-style: bold; padding: 0 1; }
    ChartPanel > PlotextPlot { height: 1fr; }
    ChartPanel > #chart-notes { height: auto; max-height: 12; padding: 0 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="chart-title")
        yield PlotextPlot(id="chart-plot")
        yield Static(id="chart-notes")

    @property
    def plot(self) -> PlotextPlot:
        return self.query_one(PlotextPlot)

    def _colour(self, variable: str) -> tuple[int, int, int]:
        """A theme colour as plotext takes it: RGB, any transparency blended onto the surface."""
        variables = self.app.theme_variables
        surface = Color.parse(variables.get("surface", "#000000"))
        return (surface + Color.parse(variables.get(variable, "#888888"))).rgb

    def _begin(self, title: Content, notes: list[Content]) -> None:
        self.query_one("#chart-title", Static).update(title)
        self.query_one("#chart-notes", Static).update(Content("\n").join(notes))
        self.plot.display = True
        plt = self.plot.plt
        plt.clear_figure()

    @staticmethod
    def _key(*series: tuple[str, tuple[int, int, int]]) -> Content:
        """A legend: a swatch in each series' colour, then its name."""
        return Content("  ").join(
            Content.styled("▇", Color(*rgb).hex) + Content(f" {name}") for name, rgb in series
        )

    def show_message(self, title: str, message: str) -> None:
        self.query_one("#chart-title", Static).update(Content(title))
        self.query_one("#chart-notes", Static).update(Content(message))
        self.plot.plt.clear_figure()
        self.plot.display = False

    # -- burndown ------------------------------------------------------------------------

    def show_burndown(self, b: Burndown) -> None:
        reached = [d for d in b.days if d.remaining is not None]
        last = reached[-1] if reached else None
        state = f"{b.state}, " if b.state != "closed" else "closed, "
        title = Content.styled("Burndown · ", "bold") + Content(
            f"{printable(b.sprint)} ({state}{_day(b.start)} → {_day(b.end)})"
        )
        remaining, scope, ideal = (
            self._colour("primary"),
            self._colour("warning"),
            self._colour("foreground-muted"),
        )
        notes = [
            self._key(("remaining", remaining), ("scope", scope), ("ideal", ideal))
            + Content.styled("  ┆ scope change", Color(*scope).hex),
            Content(
                f"committed {b.committed} · added {b.scope_added} · removed {b.scope_removed}"
                f" · done {b.completed}"
            ),
            Content(
                (
                    f"left {last.remaining} on {_day(last.day)} (ideal {last.ideal:.0f})"
                    if last
                    else ""
                )
                + (f" · carried over {b.carried_over}" if b.carried_over is not None else "")
            ),
        ]
        if b.changes:
            for change in b.changes[:MAX_CHANGES]:
                sign = "+" if change.scope >= 0 else ""
                what = f"{sign}{change.scope} pt" if change.scope else "reopened"
                notes.append(Content(f"  {_day(change.day)}  {change.key} {change.kind} ({what})"))
            if len(b.changes) > MAX_CHANGES:
                notes.append(Content(f"  … and {len(b.changes) - MAX_CHANGES} more scope changes"))
        else:
            notes.append(Content("  no scope change since the start"))
        self._begin(title, notes)
        plt = self.plot.plt
        xs = list(range(len(b.days)))
        plt.plot(xs, [d.ideal for d in b.days], marker="braille", color=ideal)
        if reached:
            for i in sorted({(c.day - b.start).days for c in b.changes}):
                plt.vline(i, color=scope)
            sx, sy = steps([d.scope or 0 for d in reached])
            plt.plot(sx, sy, marker="hd", color=scope)
            rx, ry = steps([d.remaining or 0 for d in reached])
            plt.plot(rx, ry, marker="hd", color=remaining)
        top = max([b.committed, b.start_remaining, *(d.scope or 0 for d in b.days)]) or 1
        y_axis(plt, top)
        plt.xlim(0, max(1, len(b.days) - 1))
        plt.xticks(*_ticks([d.day for d in b.days], self.plot.size.width - 8))
        self.plot.refresh()

    # -- velocity ------------------------------------------------------------------------

    def show_velocity(self, v: Velocity, team_order: Sequence[str]) -> None:
        title = Content.styled("Velocity · ", "bold") + Content(
            f"committed vs done, last {len(v.sprints)} closed sprint"
            + ("s" if len(v.sprints) != 1 else "")
        )
        if not v.sprints:
            self.show_message("Velocity", "No closed sprint yet: velocity starts with the first.")
            return
        # Every team, those with nothing done too; then any archived one that still had work.
        teams = [*team_order, *(t for t in v.teams if t not in team_order)]
        n = len(v.sprints)
        committed = [sum(r.committed.get(t, 0) for r in v.sprints) / n for t in teams]
        done = [sum(r.done.get(t, 0) for r in v.sprints) / n for t in teams]
        shown = v.sprints[-4:]
        head = "  team " + "".join(f"{printable(r.sprint)[-9:]:>10}" for r in shown)
        committed_c, done_c = self._colour("secondary"), self._colour("success")
        notes = [
            self._key(("committed", committed_c), ("done", done_c))
            + Content(" (average per sprint)"),
            Content.styled(head + "   avg done   (done/committed)", "bold"),
        ]
        for t in teams:
            cells = "".join(f"{r.done.get(t, 0):>5}/{r.committed.get(t, 0):<4}" for r in shown)
            notes.append(Content(f"  {t:<5}{cells}   {_num(v.average_done(t))}"))
        self._begin(title, notes)
        plt = self.plot.plt
        plt.multiple_bar(teams, [committed, done], color=cast(Any, [committed_c, done_c]))
        y_axis(plt, max([*committed, *done, 1]))
        self.plot.refresh()

    # -- cumulative flow -----------------------------------------------------------------

    def show_flow(self, f: CumulativeFlow) -> None:
        title = Content.styled("Cumulative flow · ", "bold") + Content(
            f"{printable(f.sprint)} · cards per column, end of day"
        )
        reached = [i for i, _ in enumerate(f.days) if f.cards[COLUMNS[0]][i] is not None]
        colours = {
            "backlog": self._colour("foreground-muted"),
            "todo": self._colour("secondary"),
            "doing": self._colour("warning"),
            "review": self._colour("primary"),
            "done": self._colour("success"),
        }
        notes = [self._key(*((LABELS[s], colours[s]) for s in COLUMNS))]
        if reached:
            i = reached[-1]
            counts = " · ".join(f"{LABELS[s]} {f.cards[s][i]}" for s in COLUMNS)
            notes.append(Content(f"{_day(f.days[i])}: {counts}"))
        self._begin(title, notes)
        plt = self.plot.plt
        # Stacked from the bottom: done, review, doing, to do, backlog.
        order = list(reversed(COLUMNS))
        labels = [_day(f.days[i]) for i in reached]
        if reached:
            plt.stacked_bar(
                labels,
                [[f.cards[s][i] or 0 for i in reached] for s in order],
                color=cast(Any, [colours[s] for s in order]),
            )
            tops = [sum(f.cards[s][i] or 0 for s in COLUMNS) for i in reached]
            y_axis(plt, max([*tops, 1]))
            xs, names = _ticks([f.days[i] for i in reached], self.plot.size.width - 8)
            plt.xticks([x + 1 for x in xs], names)  # the bars stand at 1, 2, 3...
        self.plot.refresh()

    # -- a goal's KPI trend ----------------------------------------------------------------

    def show_kpi_trend(self, kpi: GoalKpi, *, laid_out: bool = False) -> None:
        """Measured values against the baseline -> target line; a rule where a card shipped."""
        if not laid_out and self.plot.size.width == 0:
            # Shown as the page mounts: the day labels are spaced to the plot's width, so
            # draw once it has one (else a single label would stand at the left).
            self.call_after_refresh(self.show_kpi_trend, kpi, laid_out=True)
        goal = kpi.goal
        name = printable(str(goal["kpi"] or "KPI"))
        title = Content.styled("KPI trend · ", "bold") + Content(
            f"{name} {goal['baseline']:g} → {goal['target']:g} {printable(str(goal['unit']))}"
        )
        measured, line, shipped = (
            self._colour("primary"),
            self._colour("foreground-muted"),
            self._colour("success"),
        )
        notes = [
            self._key(("measured", measured), ("baseline → target", line))
            + Content.styled("  ┆ a card shipped", Color(*shipped).hex),
            *(Content(text) for text in kpi.money_lines()),
        ]
        if not kpi.measures:
            self.show_message("KPI trend", "No value measured yet: a records one.")
            self.query_one("#chart-notes", Static).update(Content("\n").join(notes[1:]))
            return
        self._begin(title, notes)
        plt = self.plot.plt
        first = kpi.measures[0][0]
        last = max(kpi.measures[-1][0], *(d for d, _ in kpi.shipped[-1:]))
        span = max(1, (last - first).days)
        plt.plot([0, span], [goal["baseline"], goal["target"]], marker="braille", color=line)
        for day, _ in kpi.shipped:
            if first <= day <= last:
                plt.vline((day - first).days, color=shipped)
        xs = [(d - first).days for d, _ in kpi.measures]
        plt.plot(xs, [v for _, v in kpi.measures], marker="hd", color=measured)
        values = [v for _, v in kpi.measures] + [goal["baseline"], goal["target"]]
        low, high = min(values), max(values)
        pad = (high - low) / 10 or 1
        plt.ylim(low - pad, high + pad)
        plt.xlim(0, span)
        days = [first + timedelta(days=i) for i in range(span + 1)]
        xs_t, names = _ticks(days, self.plot.size.width - 8)
        plt.xticks(xs_t, names)
        self.plot.refresh()
