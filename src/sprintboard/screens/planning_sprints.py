"""The planning screen's keys on the sprint itself: new, edit, delete, start, close, its
report, and this sprint's capacity for a team.

`SprintActions` is mixed into `PlanningScreen` (planning.py), which owns the sprint on
screen; each action opens its dialog, which writes on the database thread. Coming back,
the screen reloads (on_screen_resume), so the lists and bars show the change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from textual.content import Content

from sprintboard.errors import UserError
from sprintboard.planning.capacity import SprintCapacity
from sprintboard.screens.live import LiveScreen
from sprintboard.views.planning import PlanningModel
from sprintboard.views.text import printable

SPRINT_DAYS = 14
"""A new sprint's suggested length, when no sprint before it says otherwise."""


def suggest_dates(sprints: list[dict[str, Any]], today: str) -> tuple[str, str]:
    """A new sprint's suggested dates: the day after the last open sprint ends (else
    today), as long as the last sprint."""
    last = max((s for s in sprints if s["state"] != "closed"), key=lambda s: s["end"], default=None)
    start, days = date.fromisoformat(today), SPRINT_DAYS
    if last is not None:
        first, end = date.fromisoformat(last["start"]), date.fromisoformat(last["end"])
        start, days = max(start, end + timedelta(days=1)), (end - first).days + 1
    return start.isoformat(), (start + timedelta(days=days - 1)).isoformat()


class SprintActions(LiveScreen):
    """Dialogs and writes for the sprint the planning screen shows."""

    # The planning screen's: the sprint on screen and how to follow another one.
    model: PlanningModel
    plan: SprintCapacity | None
    sprints: list[dict[str, Any]]
    sprint_id: int | None
    sprint_chosen: bool
    load: Callable[[], Awaitable[None]]

    def follow(self, sprint_name: str) -> None:
        """Show the sprint of that name once the screen reloads."""

        async def pick() -> None:
            found = await self.backend.run(self.store.sprints.get, sprint_name)
            self.sprint_id, self.sprint_chosen = found["id"], True
            await self.load()

        self.run_worker(pick(), group="writes")

    async def action_new_sprint(self) -> None:
        from sprintboard.screens.sprint_form import SprintFormScreen

        sprints = await self.backend.run(self.store.sprints.list)
        today = await self.backend.run(self.store.today)
        suggested = suggest_dates(sprints, today)

        def saved(name: str | None) -> None:
            if name is not None:
                self.notify(f"{name} added", markup=False)
                self.follow(name)

        self.app.push_screen(SprintFormScreen(None, sprints, suggested=suggested), saved)

    async def action_edit_sprint(self) -> None:
        from sprintboard.screens.sprint_form import SprintFormScreen

        sprint = self.model.sprint_row
        if sprint is None:
            self.notify("no sprint to edit: add one with N", severity="warning")
            return
        if sprint["state"] == "closed":
            self.notify(f"{sprint['name']} is closed: closed sprints are history", markup=False)
            return
        sprints = await self.backend.run(self.store.sprints.list)

        def saved(name: str | None) -> None:
            if name is not None:
                self.notify(f"{name} updated", markup=False)
                self.follow(name)

        self.app.push_screen(SprintFormScreen(dict(sprint), sprints), saved)

    async def action_delete_sprint(self) -> None:
        from sprintboard.screens.dialogs import ConfirmScreen

        sprint = self.model.sprint_row
        if sprint is None:
            self.notify("no sprint to delete", severity="warning")
            return
        cards = len(self.model.sprint.cards)
        if cards or sprint["state"] == "closed":
            # Refused: the store says why, in its own words.
            await self.write(self.store.sprints.delete, sprint["name"], refused="not deleted")
            return
        name = sprint["name"]

        async def delete() -> None:
            ok, _ = await self.try_write(self.store.sprints.delete, name, refused="not deleted")
            if ok:
                self.notify(f"{name} deleted", markup=False)
                self.sprint_chosen = False  # follow the plan on: the active or next sprint
            await self.load()

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(delete(), group="writes")

        question = Content("Delete the empty sprint ") + Content(printable(name)) + "?"
        self.app.push_screen(ConfirmScreen(question, yes="Delete"), answered)

    async def action_start_sprint(self) -> None:
        from sprintboard.screens.sprint_dialogs import StartSprintScreen

        sprint = self.model.sprint_row
        if sprint is None:
            self.notify("no sprint to start: add one first", severity="warning")
            return
        if sprint["state"] != "planned" or any(s["state"] == "active" for s in self.sprints):
            # Refused: the store says why, in its own words.
            await self.write(self.store.sprints.start, sprint["name"], refused="not started")
            return
        if self.plan is None:
            return
        today = await self.backend.run(self.store.today)

        # The dialogs write themselves; coming back, on_screen_resume reloads (a callback
        # runs before the screen resumes).
        def started(yes: bool | None) -> None:
            if yes:
                self.notify(f"{sprint['name']} started", markup=False)

        cards = len(self.model.sprint.cards)
        self.app.push_screen(StartSprintScreen(sprint, self.plan, cards, today), started)

    async def action_close_sprint(self) -> None:
        from sprintboard.screens.sprint_close import CloseSprintScreen

        data = await self.backend.run(CloseSprintScreen.fetch, self.store)
        if data is None:
            self.notify("no active sprint to close", severity="warning")
            return
        name = data["sprint"]["name"]

        def closed(outcome: str | None) -> None:
            if outcome is not None:
                self.notify(outcome, markup=False)
                if self.sprint_id == data["sprint"]["id"]:
                    self.sprint_chosen = False  # follow the plan on: the next sprint
                self.run_worker(self.show_report(name), group="report")

        self.app.push_screen(CloseSprintScreen(data), closed)

    async def show_report(self, name: str) -> None:
        from sprintboard.planning.sprint_report import load_report
        from sprintboard.screens.sprint_close import SprintReportScreen

        try:
            report = await self.backend.run(load_report, self.store, name)
        except UserError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.app.push_screen(SprintReportScreen(report))

    async def action_sprint_report(self) -> None:
        sprint = self.model.sprint_row
        if sprint is None:
            self.notify("no sprint to report on", severity="warning")
            return
        await self.show_report(sprint["name"])

    def action_set_capacity(self) -> None:
        from sprintboard.screens.sprint_form import CapacityScreen

        sprint = self.model.sprint_row
        if sprint is None or self.plan is None:
            self.notify("no sprint to set a capacity in", severity="warning")
            return
        if sprint["state"] == "closed":
            self.notify(f"{sprint['name']} is closed: closed sprints are history", markup=False)
            return

        def saved(found: tuple[str, int] | None) -> None:
            if found is not None:
                team, points = found
                self.notify(f"{team} capacity in {sprint['name']}: {points}", markup=False)

        card = self.model.current().selected()  # opens on the selected card's team
        team = str(card["team"]) if card is not None else None
        self.app.push_screen(CapacityScreen(self.plan, team), saved)
