"""Feedback triage: the verbs that decide what becomes of an item (accept, duplicate,
decline, snooze, reopen), telling the customer once the fix ships (inform) and the
wake-up of snoozed items, as a mixin of
`store.feedback.FeedbackItems`, with the helpers only they need.
"""

from __future__ import annotations

import builtins
from datetime import date
from typing import TYPE_CHECKING, Any

from sprintboard.errors import NotFound, UserError
from sprintboard.numbers import whole_number
from sprintboard.store.cards import Cards
from sprintboard.store.database import StoreCore
from sprintboard.vocabulary import INT64_MAX

UNTRIAGED = ("new", "snoozed")
CARD_DESCRIPTION_TEXT = 90_000
"""Feedback text copied into a card's description beyond this is cut (descriptions hold 100k)."""


def fb_key(feedback_id: int) -> str:
    """How sprintboard names a feedback item everywhere: `FB-12`."""
    return f"FB-{feedback_id}"


def parse_id(feedback_id: int | str) -> int:
    """A feedback id from `12`, `'12'`, `'FB-12'` or `'fb-12'`."""
    try:
        ident = whole_number(str(feedback_id).strip().upper().removeprefix("FB-"))
    except ValueError:
        raise UserError(
            f"feedback: must be a feedback id like FB-12 (got {feedback_id!r})"
        ) from None
    if not 1 <= ident <= INT64_MAX:
        raise UserError(f"feedback: must be a feedback id like FB-12 (got {feedback_id!r})")
    return ident


def card_description(row: dict[str, Any]) -> str:
    """A new card's description: the customer's words, then where they came from."""
    text = row["text"].strip()
    if len(text) > CARD_DESCRIPTION_TEXT:
        text = text[:CARD_DESCRIPTION_TEXT] + "…"
    reports = row["reports"]
    lines = [
        text,
        "",
        f"Customer feedback {fb_key(row['id'])}: {row['category']}, via {row['source']}, "
        f"{reports} report{'s' if reports != 1 else ''}",
    ]
    if row["customer"]:
        lines.append(f"Customer: {row['customer']}")
    if row["reported_by"]:
        lines.append(f"Reported by: {row['reported_by']}")
    lines.append(f"Received: {row['received_at']}")
    return "\n".join(lines)


class FeedbackTriage:
    """The triage writes of `FeedbackItems` (which holds capture and reading)."""

    core: StoreCore
    cards: Cards

    if TYPE_CHECKING:

        def get(self, feedback_id: int | str) -> dict[str, Any]: ...

        def _today(self, today: date | str | None) -> str: ...

    def _raw(self, feedback_id: int | str) -> dict[str, Any]:
        ident = parse_id(feedback_id)
        row = self.core.row("SELECT * FROM feedback WHERE id = ?", [ident])
        if row is None:
            raise NotFound(f"feedback: no feedback {fb_key(ident)}")
        return row

    def _refuse_triaged(self, row: dict[str, Any], verb: str) -> None:
        """Refuse a verb that would overwrite an earlier triage decision."""
        state = row["state"]
        if state in UNTRIAGED:
            return
        if state == "declined":
            detail = f" ({row['decline_reason']})"
        elif row["card_id"] is not None:
            key = self.core.scalar("SELECT key FROM cards WHERE id = ?", [row["card_id"]])
            detail = f" as {key}" if state == "accepted" else f" of {key}"
        elif row["duplicate_of"] is not None:
            detail = f" of {fb_key(row['duplicate_of'])}"
        else:
            detail = ""
        raise UserError(
            f"feedback: {fb_key(row['id'])} is already {state}{detail}; "
            f"reopen it first to {verb} it"
        )

    def accept(
        self,
        feedback_id: int | str,
        team: str,
        sprint_id: int | None = None,
        title: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Make a card for `team` from the item and link them; returns the item.

        The card's title is the feedback's first line, its description the whole text and
        where it came from; it is labelled `feedback`, urgent categories get priority high;
        in a sprint it starts in To do, else in the backlog.
        """
        from sprintboard.models import Card, validate  # pydantic: only when writing
        from sprintboard.vocabulary import summary_line

        with self.core.transaction("feedback.accept") as tx:
            row = self._raw(feedback_id)
            self._refuse_triaged(row, "accept")
            if sprint_id is not None:
                sprint = self.core.row("SELECT name, state FROM sprints WHERE id = ?", [sprint_id])
                if sprint is None:
                    raise NotFound(f"sprint: no sprint with id {sprint_id}")
                if sprint["state"] == "closed":
                    raise UserError(
                        f"sprint: {sprint['name']} is closed; pick a planned or active sprint "
                        "or the backlog"
                    )
            card = validate(
                Card,
                {
                    "title": title
                    if title is not None
                    else summary_line(row["text"]) or f"Customer feedback {fb_key(row['id'])}",
                    "description": description
                    if description is not None
                    else card_description(row),
                    "team": team,
                    "status": "todo" if sprint_id is not None else "backlog",
                    "priority": "high" if row["urgent"] else "medium",
                    "labels": ["feedback"],
                },
            )
            key = self.cards.insert(tx, card, sprint_id=sprint_id)
            card_id = self.core.scalar("SELECT id FROM cards WHERE key = ?", [key])
            tx.update(
                "feedback",
                row,
                {
                    "state": "accepted",
                    "card_id": card_id,
                    "snoozed_until": None,
                    "triaged_at": tx.now,
                },
                key=fb_key(row["id"]),
            )
        return self.get(row["id"])

    def _root(self, row: dict[str, Any]) -> dict[str, Any]:
        """The item a chain of duplicates ends at (the one whose count holds them all)."""
        seen = {row["id"]}
        while row["duplicate_of"] is not None and row["duplicate_of"] not in seen:
            row = self._raw(row["duplicate_of"])
            seen.add(row["id"])
        return row

    def duplicate(
        self,
        feedback_id: int | str,
        *,
        card: str | None = None,
        of_feedback: int | str | None = None,
    ) -> dict[str, Any]:
        """Merge the item as a duplicate of a card or of another feedback item.

        Of a card: the item links to it, so the card's reports (the sum over its feedback)
        count it. Of an item: its reports are added to that item's (or, when that one is a
        duplicate itself, to the item its chain ends at), so the original's count rolls up.
        """
        if (card is None) == (of_feedback is None):
            raise UserError(
                "duplicate: name either a card (like IT-42) or another feedback id, not both"
            )
        with self.core.transaction("feedback.duplicate") as tx:
            row = self._raw(feedback_id)
            self._refuse_triaged(row, "merge")
            changes: dict[str, Any] = {
                "state": "duplicate",
                "snoozed_until": None,
                "triaged_at": tx.now,
            }
            if card is not None:
                changes |= {"card_id": self.cards._raw(card)["id"], "duplicate_of": None}
            elif of_feedback is not None:
                target = self._raw(of_feedback)
                if target["id"] == row["id"]:
                    raise UserError(f"duplicate: {fb_key(row['id'])} cannot duplicate itself")
                root = self._root(target)
                if root["id"] == row["id"]:
                    raise UserError(
                        f"duplicate: {fb_key(target['id'])} is already merged into "
                        f"{fb_key(row['id'])}; merge it the other way round"
                    )
                tx.update(
                    "feedback",
                    root,
                    {"reports": root["reports"] + row["reports"]},
                    key=fb_key(root["id"]),
                )
                changes |= {"card_id": None, "duplicate_of": root["id"]}
            tx.update("feedback", row, changes, key=fb_key(row["id"]))
        return self.get(row["id"])

    def decline(self, feedback_id: int | str, reason: str) -> dict[str, Any]:
        """Decline the item; the reason (one line) is required."""
        from sprintboard.models import Decline, validate  # pydantic: only when writing

        why = validate(Decline, {"reason": reason}).reason
        with self.core.transaction("feedback.decline") as tx:
            row = self._raw(feedback_id)
            self._refuse_triaged(row, "decline")
            tx.update(
                "feedback",
                row,
                {
                    "state": "declined",
                    "decline_reason": why,
                    "snoozed_until": None,
                    "triaged_at": tx.now,
                },
                key=fb_key(row["id"]),
            )
        return self.get(row["id"])

    def snooze(self, feedback_id: int | str, until: date | str) -> dict[str, Any]:
        """Put the item away until a day after today; it is back in `new` on that day."""
        from sprintboard.models import Snooze, validate  # pydantic: only when writing

        day = validate(Snooze, {"until": until}).until
        today = date.fromisoformat(self.core.today())
        if day <= today:
            raise UserError(f"until: must be after today, {today} (got {day})")
        with self.core.transaction("feedback.snooze") as tx:
            row = self._raw(feedback_id)
            self._refuse_triaged(row, "snooze")
            tx.update(
                "feedback",
                row,
                {"state": "snoozed", "snoozed_until": day.isoformat(), "triaged_at": tx.now},
                key=fb_key(row["id"]),
            )
        return self.get(row["id"])

    def reopen(self, feedback_id: int | str) -> dict[str, Any]:
        """Put a triaged item back in `new`, undoing what its triage did to other records.

        A merged duplicate takes its reports back from the items they were added to. An
        accepted item is unlinked from its card; the card itself stays (delete it as a card).
        """
        with self.core.transaction("feedback.reopen") as tx:
            row = self._raw(feedback_id)
            if row["state"] == "new":
                raise UserError(f"feedback: {fb_key(row['id'])} is already new")
            seen = {row["id"]}
            parent_id = row["duplicate_of"] if row["state"] == "duplicate" else None
            while parent_id is not None and parent_id not in seen:
                parent = self._raw(parent_id)
                seen.add(parent_id)
                tx.update(
                    "feedback",
                    parent,
                    {"reports": max(1, parent["reports"] - row["reports"])},
                    key=fb_key(parent_id),
                )
                parent_id = parent["duplicate_of"] if parent["state"] == "duplicate" else None
            tx.update(
                "feedback",
                row,
                {
                    "state": "new",
                    "snoozed_until": None,
                    "decline_reason": None,
                    "card_id": None,
                    "duplicate_of": None,
                    "triaged_at": None,
                    "informed_by": None,
                    "informed_at": None,
                },
                key=fb_key(row["id"]),
            )
        return self.get(row["id"])

    def inform(self, feedback_id: int | str) -> dict[str, Any]:
        """Record that the customer was told their fix shipped: by the person at the keyboard
        (the store's actor), now. Only an item in the `shipped` view: accepted or a duplicate,
        its card done, and nobody has told the customer yet."""
        with self.core.transaction("feedback.inform") as tx:
            row = self._raw(feedback_id)
            key = fb_key(row["id"])
            if row["informed_at"] is not None:
                raise UserError(
                    f"feedback: {key} was already marked informed by {row['informed_by']} "
                    f"at {row['informed_at']}"
                )
            shown = self.get(row["id"])
            if row["state"] not in ("accepted", "duplicate"):
                raise UserError(
                    f"feedback: {key} is {row['state']}; only accepted or duplicate feedback "
                    "whose card is done can be marked informed"
                )
            if not shown["shipped"]:
                card = shown["card"]
                where = f"its card {card} is {shown['card_status']}" if card else "it has no card"
                raise UserError(
                    f"feedback: {key} has not shipped yet ({where}); mark it informed once the "
                    "card is done"
                )
            tx.update(
                "feedback", row, {"informed_by": self.core.actor, "informed_at": tx.now}, key=key
            )
        return self.get(row["id"])

    def wake_snoozed(self, today: date | str | None = None) -> builtins.list[int]:
        """Bring snoozed items whose day has come back to `new`; returns their ids.

        One transaction logs every wake-up. A read-only database wakes nothing (the views
        count due snoozes as new anyway).
        """
        day = self._today(today)
        due_sql = "SELECT * FROM feedback WHERE state = 'snoozed' AND snoozed_until <= ?"
        if self.core.read_only or not self.core.scalar(f"SELECT EXISTS ({due_sql})", [day]):
            return []
        with self.core.transaction("feedback.wake") as tx:
            due = self.core.rows(due_sql + " ORDER BY id", [day])
            for row in due:
                tx.update(
                    "feedback",
                    row,
                    {"state": "new", "snoozed_until": None, "triaged_at": None},
                    key=fb_key(row["id"]),
                )
        return [row["id"] for row in due]
