"""Checklists: what is still to do on a card, each item optionally a team's part.

A cross-team card gets one item per contributing team ('WH: confirm stock') when the team
joins it; the item goes again when the team leaves, unless someone ticked or reworded it.
Items are records with uuids, logged under the card's key like the card's own fields.
"""

from __future__ import annotations

from typing import Any, Protocol

from sprintboard.errors import NotFound, UserError
from sprintboard.store.database import Rows, StoreCore, Tx
from sprintboard.vocabulary import TEAM_PARTS

SELECT = """SELECT i.id, i.uuid, c.key AS card, i.text, i.done, t.code AS team, i.position,
    i.created_at, i.done_at, i.external_id FROM checklist_items i
    JOIN cards c ON c.id = i.card_id LEFT JOIN teams t ON t.id = i.team_id"""


class CardRows(Protocol):
    def _raw(self, key: str) -> dict[str, Any]: ...


def team_part(code: str) -> str:
    """A contributing team's default checklist item: 'WH: confirm stock'."""
    return f"{code}: {TEAM_PARTS.get(code, 'do its part')}"


def _shape(rows: Rows) -> Rows:
    for row in rows:
        row["done"] = bool(row["done"])
    return rows


class Checklists:
    def __init__(self, core: StoreCore, cards: CardRows) -> None:
        self.core = core
        self.cards = cards

    # -- reading -------------------------------------------------------------------------

    def for_card(self, key: str) -> Rows:
        card = self.cards._raw(key)
        return _shape(
            self.core.rows(SELECT + " WHERE i.card_id = ? ORDER BY i.position, i.id", [card["id"]])
        )

    def get(self, item_id: int) -> dict[str, Any]:
        row = self.core.row(SELECT + " WHERE i.id = ?", [item_id])
        if row is None:
            raise NotFound(f"checklist: no checklist item {item_id}")
        return _shape([row])[0]

    def progress(self, card_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
        """(done, total) per card id, for cards with a checklist."""
        sql = "SELECT card_id, SUM(done), COUNT(*) FROM checklist_items"
        params: list[int] = []
        if card_ids is not None:
            sql += f" WHERE card_id IN ({', '.join('?' for _ in card_ids)})"
            params = card_ids
        rows = self.core.conn.execute(sql + " GROUP BY card_id", params).fetchall()
        return {cid: (int(done), int(total)) for cid, done, total in rows}

    def open_on_done(self) -> dict[str, list[str | None]]:
        """Done cards whose checklist still has open items: card key -> the team code of
        each open item (None for an item of no team), in checklist order."""
        found: dict[str, list[str | None]] = {}
        with self.core._lock:
            rows = self.core.conn.execute(
                """SELECT c.key, t.code FROM checklist_items i
                   JOIN cards c ON c.id = i.card_id LEFT JOIN teams t ON t.id = i.team_id
                   WHERE i.done = 0 AND c.status = 'done'
                   ORDER BY c.id, i.position, i.id"""
            ).fetchall()
        for key, code in rows:
            found.setdefault(key, []).append(code)
        return found

    # -- writing -------------------------------------------------------------------------

    def add(self, key: str, text: str, *, team: str | None = None) -> dict[str, Any]:
        with self.core.transaction("checklist.add") as tx:
            card = self.cards._raw(key)
            rowid = self.insert(tx, card, text, team=team)
        return self.get(rowid)

    def insert(
        self,
        tx: Tx,
        card: dict[str, Any],
        text: str,
        *,
        team: str | None = None,
        done: bool = False,
        created_at: str | None = None,
        external_id: str | None = None,
    ) -> int:
        """Add an item at the end of the card's checklist inside an open transaction."""
        from sprintboard.models import MAX_CHECKLIST_ITEMS, ChecklistItem, validate

        item = validate(ChecklistItem, {"text": text, "team": team, "done": done})
        count = self.core.scalar(
            "SELECT COUNT(*) FROM checklist_items WHERE card_id = ?", [card["id"]]
        )
        if count >= MAX_CHECKLIST_ITEMS:
            raise UserError(
                f"checklist: {card['key']} has {count} items; at most {MAX_CHECKLIST_ITEMS}"
            )
        team_id = None
        if item.team is not None:
            found = self.core.row("SELECT id FROM teams WHERE code = ?", [item.team])
            if found is None:
                raise NotFound(f"team: no team {item.team}")
            team_id = found["id"]
        position = self.core.scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM checklist_items WHERE card_id = ?",
            [card["id"]],
        )
        at = created_at or tx.now
        return tx.insert(
            "checklist_item",
            {
                "card_id": card["id"],
                "text": item.text,
                "done": int(item.done),
                "team_id": team_id,
                "position": float(position),
                "created_at": at,
                "done_at": at if item.done else None,
                "external_id": external_id,
            },
            key=card["key"],
        )

    def _row(self, item_id: int) -> tuple[dict[str, Any], str]:
        row = self.core.row("SELECT * FROM checklist_items WHERE id = ?", [item_id])
        if row is None:
            raise NotFound(f"checklist: no checklist item {item_id}")
        key = self.core.scalar("SELECT key FROM cards WHERE id = ?", [row["card_id"]])
        return row, str(key)

    def tick(self, item_id: int, done: bool = True) -> dict[str, Any]:
        """Mark an item done (or not done again). An item already so stays as it is: its
        done time is when it was done, and the log gains no change for undo to take."""
        with self.core.transaction("checklist.tick") as tx:
            row, key = self._row(item_id)
            if bool(row["done"]) == done:
                return self.get(item_id)
            tx.update(
                "checklist_item",
                row,
                {"done": int(done), "done_at": tx.now if done else None},
                key=key,
            )
        return self.get(item_id)

    def edit(self, item_id: int, text: str) -> dict[str, Any]:
        from sprintboard.models import ChecklistItem, validate  # pydantic: only when writing

        wording = validate(ChecklistItem, {"text": text}).text
        with self.core.transaction("checklist.edit") as tx:
            row, key = self._row(item_id)
            tx.update("checklist_item", row, {"text": wording}, key=key)
        return self.get(item_id)

    def remove(self, item_id: int) -> dict[str, Any]:
        with self.core.transaction("checklist.remove") as tx:
            shown = self.get(item_id)
            row, key = self._row(item_id)
            tx.delete("checklist_item", row, key=key)
        return shown

    # -- contributing teams --------------------------------------------------------------

    def teams_joined(self, tx: Tx, card: dict[str, Any], team_ids: list[int]) -> None:
        """Give each team that joined the card its default item, unless it has one."""
        for team_id in team_ids:
            code = self.core.scalar("SELECT code FROM teams WHERE id = ?", [team_id])
            has = self.core.scalar(
                "SELECT EXISTS (SELECT 1 FROM checklist_items WHERE card_id = ? AND team_id = ?)",
                [card["id"], team_id],
            )
            if code is not None and not has:
                self.insert(tx, card, team_part(str(code)), team=str(code))

    def teams_left(self, tx: Tx, card: dict[str, Any], team_ids: list[int]) -> None:
        """Remove the default item of each team that left the card, if nobody ticked or
        reworded it (work someone recorded stays)."""
        for team_id in team_ids:
            code = self.core.scalar("SELECT code FROM teams WHERE id = ?", [team_id])
            for row in self.core.rows(
                "SELECT * FROM checklist_items WHERE card_id = ? AND team_id = ? AND done = 0",
                [card["id"], team_id],
            ):
                if code is not None and row["text"] == team_part(str(code)):
                    tx.delete("checklist_item", row, key=card["key"])
