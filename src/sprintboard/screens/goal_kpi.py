"""A goal's money and KPI trend ($ on the goals screen): return, cost, ROI, what is still
uncertain, the forecast, and the measured KPI against its baseline -> target line with the
days its cards shipped; a records a measured value."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from sprintboard.errors import UserError
from sprintboard.numbers import decimal_number
from sprintboard.screens.dialog_fit import FitsTerminal, ScreenFitsTerminal
from sprintboard.screens.host import host
from sprintboard.screens.live import LiveScreen
from sprintboard.views.goal_kpi import GoalKpi, fetch_goal_kpi
from sprintboard.views.text import printable
from sprintboard.widgets.charts import ChartPanel
from sprintboard.widgets.footer import KeyFooter
from sprintboard.widgets.sync_badge import HeaderRow

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def bar_header(title: str, *parts: str) -> Content:
    """The header as the goals screen draws it (not imported: goals.py opens this one)."""
    return Content.styled(" sprintboard ", "bold reverse") + Content(
        " " + " · ".join([title, *parts])
    )


class GoalKpiScreen(ScreenFitsTerminal, LiveScreen):
    """One goal's money and KPI trend."""

    CSS_PATH = "goals.tcss"
    PALETTE_SKIP = ("cursor", "pane")
    HELP_TITLE = "Goal's KPI and money"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_measure", "Record value"),
        Binding("escape", "back", "Back to goals"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, goal_id: int) -> None:
        super().__init__()
        self.goal_id = goal_id
        self.kpi: GoalKpi | None = None

    def compose(self) -> ComposeResult:
        yield HeaderRow(Static(id="goal-kpi-header", classes="screen-header"))
        yield ChartPanel(id="goal-kpi-chart")
        yield KeyFooter()

    async def on_mount(self) -> None:
        await self.load()
        self.start_polling()

    async def load(self) -> None:
        try:
            data = await self.backend.run(fetch_goal_kpi, self.store, self.goal_id)
        except UserError as exc:  # the goal is gone (another process, an undo)
            self.notify(str(exc), severity="error", markup=False)
            self.app.pop_screen()
            return
        self.version = data["version"]
        self.kpi = kpi = data["kpi"]
        self.loaded = True
        self.query_one("#goal-kpi-header", Static).update(
            bar_header(
                "Goals",
                f"G{self.goal_id} {printable(str(kpi.goal['title']))}",
                f"{len(kpi.measures)} measured",
                f"amounts in {kpi.currency}",
            )
        )
        self.query_one(ChartPanel).show_kpi_trend(kpi)

    def action_add_measure(self) -> None:
        if self.kpi is None:
            return

        def chosen(value: tuple[float, str] | None) -> None:
            if value is not None:
                self.run_worker(self._measure(*value), group="writes")

        self.app.push_screen(MeasureScreen(self.kpi.goal, self.kpi.today), chosen)

    async def _measure(self, value: float, day: str) -> None:
        row = await self.write(self.store.finance.measure, self.goal_id, value, day)
        if row is not None:
            self.notify(f"G{self.goal_id}: {value:g} on {day} recorded", markup=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    async def action_reload(self) -> None:
        await self.load()


class MeasureScreen(FitsTerminal, ModalScreen[tuple[float, str] | None]):
    """Record a measured KPI value: the value and the day it was measured."""

    CSS_PATH = "goals.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Record"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, goal: dict[str, Any], today: str) -> None:
        super().__init__()
        self.goal = goal
        self.today = today

    def compose(self) -> ComposeResult:
        goal = self.goal
        with Vertical(classes="dialog signoff"):
            yield Label(Content.styled(f"Record G{goal['id']}'s KPI", "bold"))
            yield Label(Content(printable(f"{goal['kpi'] or 'KPI'} (now {goal['current']:g})")))
            yield Label("Value")
            yield Input(id="measure-value")
            yield Label("Measured on (YYYY-MM-DD)")
            yield Input(self.today, id="measure-day")
            yield Label("", classes="dialog-error")
            yield Label(Content.styled("enter records · esc cancels", "dim"), classes="hint")

    def on_mount(self) -> None:
        frozen = host(self).frozen
        for box in self.query(Input):
            box.cursor_blink = not frozen
        self.query_one("#measure-value", Input).focus()

    @on(Input.Submitted)
    def action_save(self) -> None:
        text = self.query_one("#measure-value", Input).value.strip()
        day = self.query_one("#measure-day", Input).value.strip()
        error = ""
        try:
            value = decimal_number(text)
        except ValueError:
            error = f"value: must be a number with a dot, e.g. 2.75 (got {text!r})"
        if not error and not _DAY.match(day):
            error = f"day: must be YYYY-MM-DD (got {day!r})"
        if error:
            self.query_one(".dialog-error", Label).update(Content(error))
            return
        self.dismiss((value, day))

    def action_cancel(self) -> None:
        self.dismiss(None)
