"""The findings panel: the seam checks (`sprintboard check`) as a list, errors first.

Choosing a finding dismisses the panel with its first card's key, so the screen below can
show that card. The checks run on the database thread; the panel says "checking…" meanwhile.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from sprintboard.planning.checks import Finding, Plan, Severity, check_plan, summary
from sprintboard.planning.graph import gc_paused
from sprintboard.screens.host import host

SHOWN = 1_000
"""At most this many findings are listed (the count in the title is the full one)."""

BADGES = {
    Severity.ERROR: ("✗ error  ", "bold $error"),
    Severity.WARNING: ("⚠ warning", "bold $warning"),
    Severity.INFO: ("· info   ", "$text-muted"),
}
"""Each severity's word, with a symbol so colour is never the only signal."""


def read_plan(store: Any, settings: Any) -> Plan:
    """What the checks read, in a few bulk reads (on the database thread)."""
    with gc_paused():
        return Plan.load(
            store,
            today=date.fromisoformat(store.today()),
            urgent_feedback_days=settings.urgent_feedback_days,
        )


def _check(plan: Plan) -> list[Finding]:
    with gc_paused():
        return check_plan(plan)


async def check_seams(backend: Any, settings: Any) -> list[Finding]:
    """Every finding, as `sprintboard check` lists them: the plan is read on the database
    thread and the rules run on another, so the database is free again sooner."""
    plan = await backend.run(read_plan, backend.store, settings)
    return await asyncio.to_thread(_check, plan)


def finding_prompt(finding: Finding) -> Content:
    """One finding: severity, rule and cards (or what it is about); below them, why."""
    word, style = BADGES[finding.severity]
    cards = ", ".join(finding.cards[:3])
    if len(finding.cards) > 3:
        cards += f" +{len(finding.cards) - 3}"
    return Content.assemble(
        (word, style),
        "  ",
        (f"{finding.rule:<18}", "bold"),
        cards or finding.subject or "-",
        "\n           ",
        Content(finding.why),  # names user text (titles, sprint names): never markup
    )


def count_line(findings: list[Finding], *, short: bool = False) -> Content:
    """'5 errors, 14 warnings, 0 info' (`short`: without the zeros), styled by the worst
    severity."""
    if not findings:
        return Content("none" if short else summary(findings))
    text = summary(findings)
    if short:
        text = ", ".join(part for part in text.split(", ") if not part.startswith("0 "))
    worst = min(f.severity.rank for f in findings)
    return Content.styled(text, {0: "bold $error", 1: "bold $warning"}.get(worst, ""))


class FindingsScreen(ModalScreen[str | None]):
    """Dismisses with the chosen finding's first card key, or None."""

    CSS_PATH = "dependencies.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,exclamation_mark", "close", "Close"),
    ]

    def __init__(self, findings: list[Finding] | None = None) -> None:
        """`findings`: already checked; None runs the checks when the panel opens."""
        super().__init__()
        self.findings = findings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog findings"):
            yield Label(Content.styled("Findings · checking…", "bold"), id="findings-title")
            yield Label(
                Content(
                    "Warnings before a seam between teams breaks: every sprint not closed, "
                    "the feedback inbox and the goals. enter shows the finding's card; "
                    "esc closes."
                ),
                id="findings-hint",
            )
            yield OptionList(id="findings-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        if self.findings is None:
            self.run_worker(self._check(), group="findings")
        else:
            self.show(self.findings)

    async def _check(self) -> None:
        app = host(self)
        self.show(await check_seams(app.backend, app.settings))

    def show(self, findings: list[Finding]) -> None:
        self.findings = findings
        title = Content.styled("Findings · ", "bold") + count_line(findings)
        if len(findings) > SHOWN:
            title += Content(f" (the first {SHOWN:,} listed)")
        self.query_one("#findings-title", Label).update(title)
        listing = self.query_one(OptionList)
        listing.clear_options()
        if not findings:
            listing.add_option(
                Option(Content("Every seam holds: nothing to report."), disabled=True)
            )
            return
        listing.add_options([Option(finding_prompt(f)) for f in findings[:SHOWN]])
        listing.highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        assert self.findings is not None
        finding = self.findings[event.option_index]
        if finding.cards:
            self.dismiss(finding.cards[0])
        else:
            about = finding.subject or finding.rule
            self.notify(f"{about} names no card to show", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
