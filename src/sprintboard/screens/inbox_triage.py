"""The inbox's triage keys: accept, duplicate, decline, snooze, reopen, undo and redo, open
the card; and the keys that add an item (new feedback) and close the loop (the customer
informed).

`TriageActions` is mixed into `InboxScreen` (inbox.py), whose `reads` hold what it shows.
A triage key takes the item out of the view at once and the write follows on the database
thread; a refused write says why in one line and reloads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from typing import Any, TypeVar

from sprintboard.planning.triage import InboxItem
from sprintboard.screens.live import LiveScreen
from sprintboard.screens.triage_dialogs import (
    AcceptChoice,
    AcceptScreen,
    DeclineScreen,
    SnoozeScreen,
    TriageDialog,
)
from sprintboard.screens.undo_keys import undo_or_redo
from sprintboard.store.feedback_triage import fb_key
from sprintboard.views import inbox as model
from sprintboard.views.inbox_reads import InboxReads

D = TypeVar("D", bound=TriageDialog)


class TriageActions(LiveScreen):
    """Triage of the selected feedback item, and its card."""

    # The inbox's: what it shows, how it draws it, and its reads of the store.
    reads: InboxReads
    redraw: Callable[[], None]
    refresh_counts: Callable[[], Awaitable[None]]
    load: Callable[..., Awaitable[None]]
    show: Callable[[model.Query], Awaitable[None]]

    def __init__(self) -> None:
        super().__init__()
        self._dialogs: dict[type[TriageDialog], TriageDialog] = {}

    def _target(self, verb: str) -> InboxItem | None:
        item = self.reads.page.selected()
        if item is None:
            self.notify(f"nothing to {verb} here", markup=False)
        elif item.state not in ("new", "snoozed") and verb != "reopen":
            self.notify(model.refusal(item, verb), severity="warning", markup=False)
            return None
        return item

    def triage(
        self, item: InboxItem, to: str, fn: Callable[..., Any], *args: Any, **kw: Any
    ) -> None:
        """Take the item out of the view now; the write follows on the database thread.

        `to`: the view the item moves to ("?" when only the store knows: reload after).
        """
        page, counts = self.reads.page, self.reads.counts
        view = self.reads.query.view
        stays = to == view
        if not stays:
            page.take(item.id)
            counts[view] = max(0, counts[view] - 1)
            if to in counts:
                counts[to] += 1
            self.redraw()

        async def run() -> None:
            settled = partial(page.gone.discard, item.id)
            row = await self.write(fn, item.id, *args, settled=settled, **kw)
            if row is not None:
                self.notify(model.triaged_message(row), markup=False)
                await (self.load() if stays or to == "?" else self.refresh_counts())

        self.run_worker(run(), group="writes")

    async def saved(self) -> None:
        """The item left the view before the write: the triage refreshes what it changed."""

    def _ask(
        self, verb: str, dialog: Callable[[InboxItem], Any], then: Callable[..., None]
    ) -> None:
        """Open a triage dialog for the selected item; `then(item, answer)` unless cancelled."""
        item = self._target(verb)
        if item is not None:
            self.app.push_screen(dialog(item), lambda got: None if got is None else then(item, got))

    def dialog(self, kind: type[D]) -> D:
        """The inbox's one dialog of this kind, made (and installed, to be kept) once."""
        found = self._dialogs.get(kind)
        if found is None:
            found = self._dialogs[kind] = kind()
            self.app.install_screen(found, f"{kind.__name__}-{id(self)}")
        assert isinstance(found, kind)
        return found

    def action_accept(self) -> None:
        def accept(item: InboxItem, c: AcceptChoice) -> None:
            fn = self.store.feedback.accept
            self.triage(item, "accepted", fn, c.team, c.sprint_id, c.title)

        dialog = self.dialog(AcceptScreen).offer(self.reads.teams, self.reads.sprints)
        self._ask("accept", dialog.prepare, accept)

    def action_decline(self) -> None:
        def decline(item: InboxItem, reason: str) -> None:
            self.triage(item, "declined", self.store.feedback.decline, reason)

        dialog = self.dialog(DeclineScreen).suggest(self.reads.reasons)
        self._ask("decline", dialog.prepare, decline)

    def action_snooze(self) -> None:
        def snooze(item: InboxItem, day: date) -> None:
            self.triage(item, "snoozed", self.store.feedback.snooze, day.isoformat())

        self._ask("snooze", self.dialog(SnoozeScreen).starting(self.reads.today).prepare, snooze)

    async def action_merge(self) -> None:
        from sprintboard.screens.card_picker import CardPickerScreen

        item = self._target("merge")
        if item is None:
            return
        candidates = await self.backend.run(model.merge_candidates, self.store, item)
        status = {c["key"]: c["status"] for c in candidates if "feedback" not in c}
        items = {c["key"]: c["feedback"] for c in candidates if "feedback" in c}

        def merge(key: str | None) -> None:
            fn = self.store.feedback.duplicate
            if key is None:
                return
            if key in items:  # another feedback item: its count and order change
                self.triage(item, "?", fn, of_feedback=items[key])
            else:
                to = "shipped" if status.get(key) == "done" else "duplicate"
                self.triage(item, to, fn, card=key)

        title = f"{item.key} duplicates… (a card, or FB-id of feedback)"
        self.app.push_screen(CardPickerScreen(title, candidates), merge)

    def action_reopen(self) -> None:
        item = self._target("reopen")
        if item is not None and item.state == "new":
            self.notify(f"{item.key} is already new", markup=False)
        elif item is not None:
            self.triage(item, "new", self.store.feedback.reopen)

    async def action_undo(self) -> None:
        await self._undo_or_redo(redo=False)

    async def action_redo(self) -> None:
        await self._undo_or_redo(redo=True)

    async def _undo_or_redo(self, *, redo: bool) -> None:
        """Undo my last change (or redo my last undo), keeping its feedback item selected."""
        done = await undo_or_redo(self, redo=redo)
        if done is not None:
            key = done["key"] or ""
            keep = int(key[3:]) if key.startswith("FB-") and key[3:].isdigit() else None
            await self.load(keep=keep)

    def action_inform(self) -> None:
        """The customer was told their fix shipped: the item leaves `shipped` for `informed`."""
        item = self.reads.page.selected()
        if item is None:
            self.notify("nothing to mark informed here", markup=False)
        elif item.view != "shipped":
            self.notify(model.inform_refusal(item), severity="warning", markup=False)
        else:
            self.triage(item, "informed", self.store.feedback.inform)

    def action_new_feedback(self) -> None:
        """Type in feedback (a call, a chat) and see it selected in the new view."""
        from sprintboard.screens.feedback_form import NewFeedbackScreen

        def typed(record: Any) -> None:
            if record is not None:
                self.run_worker(self._add(record), group="writes")

        self.app.push_screen(NewFeedbackScreen(self.reads.today), typed)

    async def _add(self, record: Any) -> None:
        ok, row = await self.try_write(model.add_feedback, self.store, record)
        if not ok:
            return
        key = fb_key(row["id"])
        self.notify(f"{key} added to the inbox ({row['category']})", markup=False)
        if self.reads.query != model.Query():
            await self.show(model.Query())
        await self.load(keep=row["id"])

    def action_open_card(self) -> None:
        item = self.reads.page.selected()
        if item is None or not item.card:
            self.notify("no card is linked to this item (a accepts it as one)", markup=False)
            return
        self.open_card_detail(item.card)
