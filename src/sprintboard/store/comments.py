"""Comments: a card's conversation, with `@name` mentions of people.

A comment is a record with a uuid like every other, logged under its card's key, so a
card's history shows it and undo puts back what was deleted. Only its author edits or
deletes it; a deleted comment stays in the activity log.
"""

from __future__ import annotations

from typing import Any, overload

from sprintboard.errors import NotFound, UserError
from sprintboard.store.cards import Cards
from sprintboard.store.database import Rows, StoreCore, Tx
from sprintboard.store.people import mentioned, same_person

SELECT = """SELECT m.id, m.uuid, c.key AS card, m.author, m.body, m.created_at, m.edited_at,
    m.external_id FROM comments m JOIN cards c ON c.id = m.card_id"""


class Comments:
    def __init__(self, core: StoreCore, cards: Cards) -> None:
        self.core = core
        self.cards = cards

    # -- reading -------------------------------------------------------------------------

    def members(self) -> list[str]:
        return [r["name"] for r in self.core.rows("SELECT name FROM members ORDER BY id")]

    def _shape(self, rows: Rows, members: list[str] | None = None) -> Rows:
        names = self.members() if members is None else members
        for row in rows:
            row["mentions"] = mentioned(row["body"], [*names, row["author"]])
        return rows

    @overload
    def for_card(self, key: str) -> Rows: ...

    @overload
    def for_card(self, key: str, *, newest: int) -> tuple[Rows, int]: ...

    def for_card(self, key: str, *, newest: int | None = None) -> Rows | tuple[Rows, int]:
        """The card's comments, oldest first (the newest is last, as a thread reads).

        With `newest`: only the newest that many, still oldest first, and how many the card
        has in all (a thread of thousands is read and shown in part)."""
        card = self.cards._raw(key)
        if newest is None:
            rows = self.core.rows(
                SELECT + " WHERE m.card_id = ? ORDER BY m.created_at, m.id", [card["id"]]
            )
            return self._shape(rows)
        if isinstance(newest, bool) or not isinstance(newest, int) or newest < 1:
            raise UserError(f"newest: a whole number of 1 or more, not {newest!r}")
        total = int(
            self.core.scalar("SELECT COUNT(*) FROM comments WHERE card_id = ?", [card["id"]])
        )
        rows = self.core.rows(
            SELECT + " WHERE m.card_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT ?",
            [card["id"], newest],
        )
        rows.reverse()
        return self._shape(rows), total

    def get(self, comment_id: int) -> dict[str, Any]:
        row = self.core.row(SELECT + " WHERE m.id = ?", [comment_id])
        if row is None:
            raise NotFound(f"comment: no comment {comment_id}")
        return self._shape([row])[0]

    def mentioning(self, person: str, *, limit: int = 200) -> Rows:
        """Comments that name `person` with @ (by first name or whole name), newest first."""
        return self.mentions_of(person, limit=limit, count_more=False)[0]

    def mentions_of(
        self, person: str, *, limit: int = 200, count_more: bool = True
    ) -> tuple[Rows, int]:
        """The newest `limit` comments that name `person` with @, and how many more do
        (counted only with `count_more`; else 0)."""
        members = self.members()
        names = [*members, person]
        found: Rows = []
        more = 0
        for row in self.core.rows(
            SELECT + " WHERE instr(m.body, '@') > 0 ORDER BY m.created_at DESC, m.id DESC"
        ):
            if any(same_person(p, person) for p in mentioned(row["body"], names)):
                if len(found) < limit:
                    found.append(row)
                elif count_more:
                    more += 1
                else:
                    break
        return self._shape(found, members), more

    def counts(self, card_ids: list[int] | None = None) -> dict[int, int]:
        """Comments per card id (cards without comments are left out)."""
        if card_ids is None:
            pairs = self.core.conn.execute(
                "SELECT card_id, COUNT(*) FROM comments GROUP BY card_id"
            ).fetchall()
        else:
            marks = ", ".join("?" for _ in card_ids)
            pairs = self.core.conn.execute(
                f"SELECT card_id, COUNT(*) FROM comments WHERE card_id IN ({marks})"
                " GROUP BY card_id",
                card_ids,
            ).fetchall()
        return dict(pairs)

    # -- writing -------------------------------------------------------------------------

    def add(
        self,
        key: str,
        body: str,
        *,
        author: str | None = None,
        created_at: str | None = None,
    ) -> dict[str, Any]:
        """Add a comment to a card, by the person at the keyboard (or `author`, imported)."""
        with self.core.transaction("comment.add") as tx:
            card = self.cards._raw(key)
            who = self.core.person(author) if author else None
            rowid = self.insert(tx, card, body, author=who, created_at=created_at)
        return self.get(rowid)

    def insert(
        self,
        tx: Tx,
        card: dict[str, Any],
        body: str,
        *,
        author: str | None = None,
        created_at: str | None = None,
        external_id: str | None = None,
    ) -> int:
        """Add a comment inside an open transaction (`card`: its cards row); returns its id.
        `author` is recorded as given (an import matches its authors to members once, for
        all its comments); without one, the person at the keyboard."""
        from sprintboard.models import Comment, validate  # pydantic: only when writing

        text = validate(Comment, {"body": body}).body
        return tx.insert(
            "comment",
            {
                "card_id": card["id"],
                "author": author or self.core.actor,
                "body": text,
                "created_at": created_at or tx.now,
                "edited_at": None,
                "external_id": external_id,
            },
            key=card["key"],
        )

    def _own(self, comment_id: int, verb: str) -> dict[str, Any]:
        row = self.core.row("SELECT * FROM comments WHERE id = ?", [comment_id])
        if row is None:
            raise NotFound(f"comment: no comment {comment_id}")
        if not same_person(row["author"], self.core.actor):
            raise UserError(
                f"comment {comment_id}: written by {row['author']}; you ({self.core.actor}) "
                f"can {verb} only your own comments"
            )
        return row

    def edit(self, comment_id: int, body: str) -> dict[str, Any]:
        """Change the text of one of your own comments."""
        from sprintboard.models import Comment, validate  # pydantic: only when writing

        text = validate(Comment, {"body": body}).body
        with self.core.transaction("comment.edit") as tx:
            row = self._own(comment_id, "edit")
            key = self._card_key(row)
            if tx.update("comment", row, {"body": text}, key=key):
                tx.update("comment", row, {"edited_at": tx.now}, key=key)
        return self.get(comment_id)

    def delete(self, comment_id: int) -> dict[str, Any]:
        """Delete one of your own comments (the activity log keeps it; undo puts it back)."""
        with self.core.transaction("comment.delete") as tx:
            row = self._own(comment_id, "delete")
            shown = self.get(comment_id)
            tx.delete("comment", row, key=self._card_key(row))
        return shown

    def _card_key(self, row: dict[str, Any]) -> str:
        return str(self.core.scalar("SELECT key FROM cards WHERE id = ?", [row["card_id"]]))
