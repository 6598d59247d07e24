"""New feedback, typed in the inbox: text, category, source, customer, received, reports.

The form checks its fields with the record the CLI uses (`models.Feedback`), so a mistake is
shown in the form, one line, and nothing is written; it dismisses with the checked record
and the inbox writes it on the database thread.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from sprintboard.errors import UserError
from sprintboard.models import Feedback, validate
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.vocabulary import URGENT_CATEGORIES, FeedbackCategory, FeedbackSource


def feedback_fields(
    text: str, category: Any, source: Any, customer: str, received: str, reports: str, today: date
) -> dict[str, Any]:
    """The form's values as the record reads them; `received` on `today` means now."""
    day = received.strip()
    if day:
        try:
            given = date.fromisoformat(day)
        except ValueError:
            given = None  # the record names what is wrong with it
        if given is not None and given > today:
            raise UserError(f"received: must be today ({today}) or earlier (got {day})")
        if given == today:
            day = ""
    return {
        "text": text,
        "category": category,
        "source": source,
        "customer": customer,
        # The record reads the text (digits only, at least 1) and names what is wrong.
        "reports": reports.strip() or "1",
        "received_at": day or None,
    }


class NewFeedbackScreen(FitsTerminal, ModalScreen[Feedback | None]):
    """Dismisses with the checked record, or None when cancelled."""

    CSS_PATH = "inbox.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        categories = [
            (f"{c.value}{'  (urgent)' if c in URGENT_CATEGORIES else ''}", c.value)
            for c in FeedbackCategory
        ]
        with VerticalScroll(classes="dialog form new-feedback"):
            yield Label(Content.styled("New feedback", "bold"))
            yield Label("What the customer said (several lines are fine)")
            yield TextArea(id="feedback-text", soft_wrap=True)
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Category")
                    yield Select[str](
                        categories, id="feedback-category", allow_blank=False, value="other"
                    )
                with Vertical(classes="field"):
                    yield Label("Source")
                    yield Select[str](
                        [(s.value, s.value) for s in FeedbackSource],
                        id="feedback-source",
                        allow_blank=False,
                        value="email",
                    )
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Customer")
                    yield Input(id="feedback-customer", placeholder="name or e-mail (optional)")
                with Vertical(classes="field"):
                    yield Label("Received (YYYY-MM-DD)")
                    yield Input(id="feedback-received")
                with Vertical(classes="field"):
                    yield Label("Reports")
                    yield Input(id="feedback-reports", type="integer")
            yield Static(id="form-error")
            yield Label(
                Content.styled("ctrl+s saves · tab next field · esc cancels", "dim"),
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        frozen = host(self).frozen
        for box in self.query(Input):
            box.cursor_blink = not frozen
        area = self.query_one(TextArea)
        area.cursor_blink = not frozen
        self.query_one("#feedback-received", Input).value = self.today.isoformat()
        self.query_one("#feedback-reports", Input).value = "1"
        area.focus()

    def values(self) -> dict[str, Any]:
        def text(selector: str) -> str:
            return self.query_one(selector, Input).value

        return feedback_fields(
            self.query_one(TextArea).text,
            self.query_one("#feedback-category", Select).value,
            self.query_one("#feedback-source", Select).value,
            text("#feedback-customer"),
            text("#feedback-received"),
            text("#feedback-reports"),
            self.today,
        )

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            record = validate(Feedback, self.values())
        except UserError as exc:
            self.query_one("#form-error", Static).update(Content(f"⚠ {exc}"))
            return
        self.dismiss(record)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
