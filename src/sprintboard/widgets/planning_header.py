"""The planning screen's top line: the sprint, its plan against capacity, filters, goal.

What matters in a planning meeting comes first and is never cut: the sprint's name, its
state and the points planned against capacity; read-only and the backlog's filter next;
the dates and the goal last, cut with an ellipsis when the line is full. A long sprint
name is itself cut so its state and points stay in sight.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.content import Content
from textual.widgets import Static

from sprintboard.planning.capacity import SprintCapacity
from sprintboard.views.board import Filters
from sprintboard.views.text import fit, printable

NAME_MIN = 8
"""Cells a sprint name keeps however narrow the line."""


class PlanningHeader(Static):
    """Sprint names and goals are user text: shown literally, never as markup."""

    DEFAULT_CSS = """
    PlanningHeader { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[Any, ...] | None = None

    def show(
        self,
        sprint: dict[str, Any] | None,
        plan: SprintCapacity | None,
        filters: Filters,
        read_only: bool,
    ) -> None:
        self._shown = (sprint, plan, filters, read_only)
        self.update(self.line(self.size.width or 80))

    def on_resize(self) -> None:
        if self._shown is not None:
            self.update(self.line(self.size.width))

    def line(self, width: int) -> Content:
        assert self._shown is not None
        sprint, plan, filters, read_only = self._shown
        lead = [Content.styled(" sprintboard ", "bold reverse"), Content(" Sprint planning · ")]
        points = "" if plan is None else f" · {plan.planned}/{plan.capacity} pt"
        parts: list[Content] = []
        if sprint is None:
            parts.append(Content("no sprint planned yet" + points))
        else:
            state = f" · {sprint['state']}"
            used = sum(c.cell_length for c in lead) + cell_len(state + points)
            name = printable(sprint["name"])
            room = max(NAME_MIN, width - used)
            if cell_len(name) > room:
                name = fit(name, room)
            parts.append(Content.styled(name, "bold") + Content(state + points))
        if read_only:
            parts.append(Content.styled(" · READ-ONLY", "bold"))
        if filters.active():
            parts.append(Content.styled(f" · backlog filtered: {filters.describe()}", "italic"))
        if sprint is not None:
            parts.append(Content(f" · {sprint['start']} → {sprint['end']}"))
            if sprint["goal"]:
                parts += [Content(" · goal: "), Content(printable(sprint["goal"]))]
        return Content("").join([*lead, *parts])
