"""The findings panel: the seam checks (`sprintboard check`) as a list, errors first.

Each row says what resolves the finding, where its rule knows. `s` shows one severity at a
time and `t` one team's findings; the title says which. Choosing a finding dismisses the
panel with its first card's key, so the screen below can show that card. The checks run on
the database thread; the panel says "checking…" meanwhile.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from sprintboard.planning.checks import Finding, Severity, summary
from sprintboard.planning.findings import finding_teams
from sprintboard.planning.findings_index import IncrementalFindings
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.store.seam_reads import card_teams

SHOWN = 1_000
"""At most this many findings are listed (the count in the title is the full one)."""

BADGES = {
    Severity.ERROR: ("✗ error  ", "bold $error"),
    Severity.WARNING: ("⚠ warning", "bold $warning"),
    Severity.INFO: ("· info   ", "$text-muted"),
}
"""Each severity's word, with a symbol so colour is never the only signal."""


def current_findings(backend: Any, settings: Any) -> list[Finding]:
    """Every finding, as `sprintboard check` lists them (on the database thread): the
    app's `IncrementalFindings` brought up to date, after a change of a few records by
    re-checking only what they touch."""
    seams = backend.seams
    if seams is None or seams.urgent_feedback_days != settings.urgent_feedback_days:
        seams = backend.seams = IncrementalFindings(settings.urgent_feedback_days)
    found: list[Finding] = seams.refresh(backend.store)
    return found


async def check_seams(backend: Any, settings: Any) -> list[Finding]:
    """Every finding, up to date with the store (see `current_findings`)."""
    found: list[Finding] = await backend.run(current_findings, backend, settings)
    return found


async def check_seams_with_teams(
    backend: Any, settings: Any
) -> tuple[list[Finding], dict[str, str]]:
    """The findings, and the owning team of each card they name (card key -> team code)
    for the team filter."""

    def read() -> tuple[list[Finding], dict[str, str]]:
        found = current_findings(backend, settings)
        # A capacity finding's cards all belong to the team it names: no need to look.
        keys = {k for f in found if f.rule != "capacity" for k in f.cards}
        return found, card_teams(backend.store, keys)

    found: tuple[list[Finding], dict[str, str]] = await backend.run(read)
    return found


def finding_prompt(finding: Finding) -> Content:
    """One finding: severity, rule and cards (or what it is about); below them, why."""
    word, style = BADGES[finding.severity]
    cards = ", ".join(finding.cards[:3])
    if len(finding.cards) > 3:
        cards += f" +{len(finding.cards) - 3}"
    prompt = Content.assemble(
        (word, style),
        "  ",
        (f"{finding.rule:<18}", "bold"),
        cards or finding.subject or "-",
        "\n           ",
        Content(finding.why),  # names user text (titles, sprint names): never markup
    )
    if finding.fix:
        prompt += Content("\n           ") + Content.styled("fix: ", "bold $success")
        prompt += Content(finding.fix)
    return prompt


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


class FindingsScreen(FitsTerminal, ModalScreen[str | None]):
    """Dismisses with the chosen finding's first card key, or None."""

    CSS_PATH = "dependencies.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,exclamation_mark", "close", "Close"),
        Binding("v", "cycle_severity", "Severity"),
        Binding("t", "pick_team", "Team"),
        Binding("asterisk", "show_all", "All findings", key_display="*"),
    ]

    def __init__(self, findings: list[Finding] | None = None) -> None:
        """`findings`: already checked; None runs the checks when the panel opens."""
        super().__init__()
        self.findings = findings
        self.teams_of: dict[str, str] = {}
        self.severity: Severity | None = None  # None: every severity
        self.team: str | None = None  # None: every team
        self.shown: list[Finding] = []  # the findings listed, in their order

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog findings"):
            yield Label(Content.styled("Findings · checking…", "bold"), id="findings-title")
            yield Label(
                Content(
                    "Warnings before a seam between teams breaks: every sprint not closed, "
                    "the feedback inbox and the goals. enter shows the finding's card; "
                    "v: one severity · t: one team · *: all · esc closes."
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
        findings, self.teams_of = await check_seams_with_teams(app.backend, app.settings)
        self.show(findings)

    def _keep(self, finding: Finding) -> bool:
        if self.severity is not None and finding.severity is not self.severity:
            return False
        return self.team is None or self.team in finding_teams(finding, self.teams_of)

    def filter_text(self) -> str:
        """'error · team IT', or '' when every finding is listed."""
        parts = []
        if self.severity is not None:
            parts.append(self.severity.value)
        if self.team is not None:
            parts.append(f"team {self.team}")
        return " · ".join(parts)

    def show(self, findings: list[Finding]) -> None:
        self.findings = findings
        shown = [f for f in findings if self._keep(f)]
        self.shown = shown[:SHOWN]
        title = Content.styled("Findings · ", "bold") + count_line(findings)
        chosen = self.filter_text()
        if chosen:
            title += Content.styled(f" · showing {chosen}: {len(shown):,}", "italic")
        if len(shown) > SHOWN:
            title += Content(f" (the first {SHOWN:,} listed)")
        self.query_one("#findings-title", Label).update(title)
        listing = self.query_one(OptionList)
        listing.clear_options()
        if not shown:
            text = "Every seam holds: nothing to report."
            if findings:
                text = f"No {chosen} findings; a lists them all."
            listing.add_option(Option(Content(text), disabled=True))
            return
        listing.add_options([Option(finding_prompt(f)) for f in self.shown])
        listing.highlighted = 0

    def _refilter(self) -> None:
        if self.findings is not None:
            self.show(self.findings)

    def action_cycle_severity(self) -> None:
        """Every severity, then error, warning, info in turn."""
        order: list[Severity | None] = [None, *Severity]
        self.severity = order[(order.index(self.severity) + 1) % len(order)]
        self._refilter()

    def action_show_all(self) -> None:
        self.severity = self.team = None
        self._refilter()

    def action_pick_team(self) -> None:
        from sprintboard.screens.dialogs import PickerScreen

        found: set[str] = set()
        for finding in self.findings or ():
            found |= finding_teams(finding, self.teams_of)
        options: list[tuple[str, Any]] = [("every team", None)]
        options += [(code, code) for code in sorted(found)]

        def chosen(team: Any) -> None:
            if team is not PickerScreen.CANCELLED:
                self.team = team
                self._refilter()

        self.app.push_screen(PickerScreen("Findings of one team", options), chosen)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        finding = self.shown[event.option_index]
        if finding.cards:
            self.dismiss(finding.cards[0])
        else:
            about = finding.subject or finding.rule
            self.notify(f"{about} names no card to show", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
