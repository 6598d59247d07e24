"""The card form: a new card, or edits to one. Dismisses with the card's key when saved."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from sprintboard.backend import Backend
from sprintboard.errors import UserError
from sprintboard.models import Card, validate
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.store.people import canonical
from sprintboard.views.board import LABELS
from sprintboard.views.sku_entry import PRELOAD_LIMIT, StockLine, split_skus, stock_lines
from sprintboard.views.text import printable
from sprintboard.vocabulary import Priority, Status
from sprintboard.widgets.sku_suggester import SkuSuggester

NO_GOAL = -1
BACKLOG = -1


class CardFormScreen(FitsTerminal, ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self, key: str | None, data: dict[str, Any], *, sprint_id: int | None = None
    ) -> None:
        """`data` comes from `CardFormScreen.fetch()`, run on the database thread."""
        super().__init__()
        self.key = key
        self.data = data
        self.sprint_id = sprint_id
        self.title_given: tuple[str, str] | None = None
        """(as the box shows it, as stored): the stored title is saved while the box
        still holds what it was given."""
        self.team_options = [
            (Content(f"{t['code']}  {t['name']}"), t["code"]) for t in data["teams"]
        ]
        self.sprint_options: list[tuple[Content, int]] = [(Content("Backlog"), BACKLOG)] + [
            (Content(f"{s['name']} ({s['state']})"), s["id"]) for s in data["sprints"]
        ]
        self.goal_options = [(Content("No goal"), NO_GOAL)] + [
            (Content(f"{g['id']}  {printable(g['title'])}"), g["id"]) for g in data["goals"]
        ]
        # SKU -> stock row. The whole table when it is small; otherwise (stock_complete
        # False) the rows read so far, by prefix or for the SKUs entered.
        self.stock_complete = data.get("stock") is not None
        self.stock: dict[str, dict[str, Any]] = {row["sku"]: row for row in data.get("stock") or []}
        self.stock_order = sorted(self.stock)

    @property
    def members(self) -> list[dict[str, Any]]:
        return list(self.data.get("members", []))

    @staticmethod
    def fetch(store: Any, key: str | None) -> dict[str, Any]:
        """What the form offers: teams, open sprints, goals, and the card being edited."""
        return {
            "teams": store.teams.list(),
            "sprints": [s for s in store.sprints.list() if s["state"] != "closed"],
            "goals": store.goals.list(),
            "members": store.members.list(),
            "stock": store.stock.list() if store.stock.count() <= PRELOAD_LIMIT else None,
            "card": store.cards.get(key) if key else None,
        }

    @property
    def backend(self) -> Backend:
        return host(self).backend

    def compose(self) -> ComposeResult:
        heading = f"Edit {self.key}" if self.key else "New card"
        with VerticalScroll(classes="dialog form"):
            yield Label(Content.styled(heading, "bold"))
            yield Label("Title")
            yield Input(id="title", placeholder="What needs doing")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Team")
                    yield Select[str](self.team_options, id="team", allow_blank=False)
                with Vertical(classes="field"):
                    yield Label("Points")
                    yield Input(id="points", type="integer", placeholder="e.g. 3")
                with Vertical(classes="field"):
                    yield Label("With teams")
                    yield Input(id="with", placeholder="e.g. ECOM, CNT")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Sprint")
                    yield Select[int](self.sprint_options, id="sprint", allow_blank=False)
                with Vertical(classes="field"):
                    yield Label("Status")
                    yield Select[str](
                        [(LABELS[s.value], s.value) for s in Status],
                        id="status",
                        allow_blank=False,
                    )
                with Vertical(classes="field"):
                    yield Label("Priority")
                    yield Select[str](
                        [(p.value, p.value) for p in Priority],
                        id="priority",
                        allow_blank=False,
                        value="medium",
                    )
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Goal")
                    yield Select[int](self.goal_options, id="goal", allow_blank=False)
                with Vertical(classes="field"):
                    yield Label("Due (YYYY-MM-DD)")
                    yield Input(id="due")
                with Vertical(classes="field"):
                    yield Label("Expected orders")
                    yield Input(id="orders", type="integer", placeholder="e.g. 500")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Assignee")
                    yield Input(
                        id="assignee",
                        placeholder="a member or anyone",
                        suggester=SuggestFromList(
                            [m["name"] for m in self.members], case_sensitive=False
                        ),
                    )
                with Vertical(classes="field wide"):
                    yield Static(id="assignee-who")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Labels")
                    yield Input(id="labels", placeholder="e.g. promotion, checkout")
                with Vertical(classes="field wide"):
                    yield Label("SKUs (→ completes from stock)")
                    yield Input(
                        id="skus",
                        placeholder="e.g. GF-1001, GF-1002",
                        suggester=SkuSuggester(self._sku_candidates),
                    )
            yield Static(id="sku-stock")
            yield Label("Description")
            yield TextArea(id="description", soft_wrap=True)
            yield Static(id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        frozen = host(self).frozen
        for box in self.query(Input):
            box.cursor_blink = not frozen
        self.query_one(TextArea).cursor_blink = not frozen
        card = self.data["card"]
        if card is None:
            self.query_one("#sprint", Select).value = (
                self.sprint_id if self.sprint_id is not None else BACKLOG
            )
            self.query_one("#status", Select).value = "todo" if self.sprint_id else "backlog"
        else:
            self._fill(card)
        self._show_who(self.query_one("#assignee", Input).value)
        self._show_stock(self.query_one("#skus", Input).value)
        self.query_one("#title", Input).focus()

    def _fill(self, card: dict[str, Any]) -> None:
        # A title is stored as given; an input box draws its value raw, so a tab or U+2028
        # in it is shown as a space (and kept unless the title is edited).
        self.title_given = (printable(card["title"]), card["title"])
        self.query_one("#title", Input).value = self.title_given[0]
        self.query_one("#team", Select).value = card["team"]
        self.query_one("#points", Input).value = (
            "" if card["points"] is None else str(card["points"])
        )
        self.query_one("#with", Input).value = ", ".join(card["teams"][1:])
        sprint = self.query_one("#sprint", Select)
        if card["sprint"] is None:
            sprint.value = BACKLOG
        else:
            # A closed sprint is not offered for new work, but an old card may sit in one.
            if card["sprint_id"] not in [value for _, value in self.sprint_options]:
                self.sprint_options.append((Content(card["sprint"]), card["sprint_id"]))
                sprint.set_options(self.sprint_options)
            sprint.value = card["sprint_id"]
        self.query_one("#status", Select).value = card["status"]
        self.query_one("#priority", Select).value = card["priority"]
        self.query_one("#goal", Select).value = NO_GOAL if card["goal"] is None else card["goal"]
        self.query_one("#due", Input).value = card["due"] or ""
        self.query_one("#orders", Input).value = (
            "" if card["expected_orders"] is None else str(card["expected_orders"])
        )
        self.query_one("#labels", Input).value = ", ".join(card["labels"])
        self.query_one("#skus", Input).value = ", ".join(card["skus"])
        self.query_one("#assignee", Input).value = card["assignee"]
        self.query_one(TextArea).text = card["description"]

    def _values(self) -> tuple[dict[str, Any], int | None, int | None]:
        def text(selector: str) -> str:
            return self.query_one(selector, Input).value.strip()

        def listed(selector: str) -> list[str]:
            return [part.strip() for part in text(selector).split(",") if part.strip()]

        points = text("#points")
        orders = text("#orders")
        fields = {
            # Stored as given: leading, trailing and repeated white space is not edited away.
            "title": self._title(),
            "team": self.query_one("#team", Select).value,
            "teams": listed("#with"),
            # The record reads the text (ASCII digits only, 0-1000) and names what is wrong.
            "points": points or None,
            "status": self.query_one("#status", Select).value,
            "priority": self.query_one("#priority", Select).value,
            "due": text("#due") or None,
            "labels": listed("#labels"),
            "skus": listed("#skus"),
            # Read by the record like points: a whole number, 0-1000000000.
            "expected_orders": orders or None,
            "assignee": text("#assignee"),
            "description": self.query_one(TextArea).text,
        }
        sprint = self.query_one("#sprint", Select).value
        goal = self.query_one("#goal", Select).value
        sprint_id = sprint if isinstance(sprint, int) and sprint != BACKLOG else None
        goal_id = goal if isinstance(goal, int) and goal != NO_GOAL else None
        return fields, sprint_id, goal_id

    def _title(self) -> str:
        shown = self.query_one("#title", Input).value
        if self.title_given is not None and shown == self.title_given[0]:
            return self.title_given[1]
        return shown

    async def _sku_candidates(self, typed: str) -> list[str]:
        """SKUs that may complete `typed`: the stock list, or a prefix read from the store."""
        if self.stock_complete:
            return self.stock_order
        rows = await self.backend.run(self.backend.store.stock.starting_with, typed)
        self.stock.update((row["sku"], row) for row in rows)
        return [row["sku"] for row in rows]

    @on(Input.Changed, "#skus")
    async def _skus_typed(self, event: Input.Changed) -> None:
        if not self.stock_complete:
            wanted = [sku for sku in split_skus(event.value) if sku not in self.stock]
            if wanted:
                rows = await self.backend.run(self.backend.store.stock.some, wanted)
                self.stock.update((row["sku"], row) for row in rows)
        # The field may have changed while the rows were read: show what it holds now.
        self._show_stock(self.query_one("#skus", Input).value)

    def _show_stock(self, value: str) -> None:
        """A line per SKU entered: its name, on hand, threshold, restock date, or that the
        stock table does not know it."""
        lines = stock_lines(value, self.stock) or [
            StockLine("no SKUs: type one (→ completes from stock)", False)
        ]
        shown = [
            # A low SKU's line in the warning colour: a promotion on it is a finding.
            Content.styled(printable(line.text), "$warning" if line.low else "")
            for line in lines
        ]
        self.query_one("#sku-stock", Static).update(Content("\n").join(shown))

    @on(Input.Changed, "#assignee")
    def _assignee_typed(self, event: Input.Changed) -> None:
        self._show_who(event.value)

    def _show_who(self, value: str) -> None:
        """Name the member the assignee will be stored as, with their team and role."""
        typed = value.strip()
        names = [m["name"] for m in self.members]
        person = canonical(typed, names) if typed else ""
        member = next((m for m in self.members if m["name"] == person), None)
        lead = ""
        if member is None and typed:
            # What the suggestion offers (→ takes it): the first name it completes.
            folded = typed.casefold()
            member = next(
                (m for m in self.members if m["name"].casefold().startswith(folded)), None
            )
            lead = "→ "
        if member is not None:
            who = f"{lead}{member['name']} · {member['team']}"
            if member["role"]:
                who += f" · {member['role']}"
        elif typed:
            who = "not a team member: kept as typed"
        else:
            who = "nobody yet: type a name (→ completes a team member's)"
        self.query_one("#assignee-who", Static).update(Content(printable(who)))

    @on(Button.Pressed, "#save")
    async def action_save(self) -> None:
        fields, sprint_id, goal_id = self._values()
        error = self.query_one("#form-error", Static)
        try:
            validate(Card, fields)  # checks here first: the error shows in the form at once
            key = await self.backend.write(self._save, fields, sprint_id, goal_id)
        except UserError as exc:
            error.update(Content(f"⚠ {exc}"))
            error.scroll_visible(animate=False)  # below the fields, maybe out of view
            return
        self.dismiss(key)

    def _save(self, fields: dict[str, Any], sprint_id: int | None, goal_id: int | None) -> str:
        cards = self.backend.store.cards
        if self.key is None:
            card = validate(Card, fields)
            return str(cards.add(card, sprint_id=sprint_id, goal_id=goal_id)["key"])
        changes = {**fields, "sprint_id": sprint_id, "goal_id": goal_id}
        return str(cards.edit(self.key, changes)["key"])

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
