"""The planning screen's top line: the sprint, its plan against capacity, filters, goal."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static

from sprintboard.planning.capacity import SprintCapacity
from sprintboard.views.board import Filters
from sprintboard.views.text import printable


class PlanningHeader(Static):
    """Sprint names and goals are user text: shown literally, never as markup."""

    def show(
        self,
        sprint: dict[str, Any] | None,
        plan: SprintCapacity | None,
        filters: Filters,
        read_only: bool,
    ) -> None:
        parts = [Content.styled(" sprintboard ", "bold reverse"), Content(" Sprint planning · ")]
        if sprint is None:
            parts.append(Content("no sprint planned yet"))
        else:
            dates = f"{sprint['start']} → {sprint['end']}"
            parts.append(Content(f"{printable(sprint['name'])} · {sprint['state']} · {dates}"))
        if plan is not None:
            parts.append(Content(f" · {plan.planned}/{plan.capacity} pt"))
        if read_only:
            parts.append(Content.styled(" · READ-ONLY", "bold"))
        if filters.active():
            parts.append(Content.styled(f" · backlog filtered: {filters.describe()}", "italic"))
        if sprint is not None and sprint["goal"]:
            parts += [Content(" · goal: "), Content(printable(sprint["goal"]))]
        self.update(Content("").join(parts))
