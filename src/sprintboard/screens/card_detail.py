"""One card in full: description, dependencies both ways, linked feedback, history."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from sprintboard.backend import Backend
from sprintboard.screens.host import host
from sprintboard.store.activity import describe_change
from sprintboard.views.board import LABELS

# Book-keeping fields every change touches; the history shows what a person changed.
QUIET_FIELDS = frozenset({"updated_at", "position", "done_at"})


def _history_line(entry: dict[str, Any], team_codes: dict[int, str]) -> str:
    who = f"{entry['at'].replace('T', ' ').rstrip('Z')}  {entry['actor']}"
    if entry["action"] == "undo":
        who += "  (undo)"
    return f"{who}  {describe_change(entry, team_codes)}"


class CardDetailScreen(ModalScreen[str | None]):
    """Dismisses with the card's key when something changed (so the board reloads)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit"),
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.changed = False

    @property
    def backend(self) -> Backend:
        return host(self).backend

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog detail"):
            yield Static(id="detail-body")
        yield Footer()

    async def on_mount(self) -> None:
        await self.refresh_detail()

    def _fetch(self) -> dict[str, Any]:
        store = self.backend.store
        card = store.cards.get(self.key)
        return {
            "card": card,
            "deps": store.deps.list(card=self.key),
            "feedback": store.feedback.list(card=self.key),
            "history": [
                e for e in store.activity.for_card(self.key) if e["field"] not in QUIET_FIELDS
            ][-40:],
            "teams": {t["id"]: t["code"] for t in store.teams.list(include_archived=True)},
        }

    async def refresh_detail(self) -> None:
        data = await self.backend.run(self._fetch)
        card = data["card"]
        bold = "bold"
        lines: list[Content] = [
            Content.styled(f"{card['key']}  ", bold) + Content(card["title"]),
            Content(
                f"team {card['team']}"
                + (f" with {', '.join(card['teams'][1:])}" if len(card["teams"]) > 1 else "")
                + f" · {LABELS[card['status']]} · {card['sprint'] or 'backlog'}"
                + f" · {card['points'] if card['points'] is not None else '?'} points"
                + f" · {card['priority']}"
                + (f" · due {card['due']}" if card["due"] else "")
                + (f" · goal {card['goal']}" if card["goal"] else "")
            ),
        ]
        if card["labels"] or card["skus"]:
            lines.append(
                Content(
                    f"labels: {', '.join(card['labels']) or '-'} · SKUs: "
                    f"{', '.join(card['skus']) or '-'}"
                )
            )
        lines += [Content(""), Content.styled("Description", bold)]
        lines.append(Content(card["description"] or "(none)"))
        lines += [Content(""), Content.styled("Waits on", bold)]
        waits = [d for d in data["deps"] if d["dependent"] == card["key"]]
        blocks = [d for d in data["deps"] if d["blocker"] == card["key"]]
        lines += [
            Content(
                f"  {'⊘' if d['open'] else '✓'} {d['blocker']} ({d['blocker_team']}, "
                f"{LABELS[d['blocker_status']]})"
            )
            for d in waits
        ] or [Content("  nothing")]
        lines += [Content.styled("Blocks", bold)]
        lines += [
            Content(
                f"  → {d['dependent']} ({d['dependent_team']}, {LABELS[d['dependent_status']]})"
            )
            for d in blocks
        ] or [Content("  nothing")]
        lines += [Content(""), Content.styled("Customer feedback", bold)]
        lines += [
            Content(f"  #{f['id']} {f['category']} ×{f['reports']} ({f['state']}): ")
            + Content(" ".join(f["text"].split()))
            for f in data["feedback"]
        ] or [Content("  none linked")]
        lines += [Content(""), Content.styled("History", bold)]
        lines += [Content("  " + _history_line(e, data["teams"])) for e in data["history"]] or [
            Content("  no changes recorded")
        ]
        self.query_one("#detail-body", Static).update(Content("\n").join(lines))

    async def action_edit(self) -> None:
        from sprintboard.screens.card_form import CardFormScreen

        data = await self.backend.run(CardFormScreen.fetch, self.backend.store, self.key)

        def edited(key: str | None) -> None:
            if key is not None:
                self.changed = True
                self.run_worker(self.refresh_detail())

        self.app.push_screen(CardFormScreen(self.key, data), edited)

    def action_close(self) -> None:
        self.dismiss(self.key if self.changed else None)
