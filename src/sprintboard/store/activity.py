"""The activity log: history of a record, and undo and redo, personal by default.

Undo is personal: it takes the last change of the person at the keyboard that is not
undone yet, and refuses, in one line and changing nothing, when a later change (by anyone)
left a value that undo would overwrite. Redo reverts one's own undos, newest first, until
one makes a new change. Undoing someone else's change is possible on purpose (`any_person`,
or one chosen change by its id in the log).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sprintboard.errors import NotFound, UserError
from sprintboard.store.cards import Cards
from sprintboard.store.database import ENTITY_TABLES, Rows, StoreCore, Tx
from sprintboard.store.people import possessive, same_person
from sprintboard.store.schema import BOOKKEEPING as BOOKKEEPING
from sprintboard.store.schema import FOREIGN_KEYS as FOREIGN_KEYS
from sprintboard.vocabulary import summary_line

# Not changes a user means to undo with one key: loading the seed or demo organisation,
# undo itself, and snoozed feedback waking up on its day (it would only snooze again).
NOT_UNDOABLE = ("seed", "demo", "undo", "feedback.wake", "sync.publish", "sync.repair")
NOT_FRESH = (*NOT_UNDOABLE, "redo")
"""Changes that leave one's redo list as it was: undo and redo themselves, and what
sprintboard does on its own."""

ACTION_WORDS = {
    "card.add": "new card {key}",
    "card.edit": "edit of {key}",
    "card.move": "move of {key}",
    "card.reorder": "reorder of {key}",
    "card.delete": "deletion of {key}",
    "dependency.add": "dependency {key}",
    "dependency.remove": "removal of dependency {key}",
    "dependency.import": "dependency import",
    "sprint.add": "new sprint {key}",
    "sprint.edit": "edit of sprint {key}",
    "sprint.start": "start of sprint {key}",
    "sprint.close": "close of sprint {key}",
    "sprint.capacity": "capacity change in sprint {key}",
    "goal.add": "new goal {key}",
    "goal.edit": "edit of goal {key}",
    "goal.signoff": "sign-off of goal {key}",
    "team.add": "new team {key}",
    "team.edit": "edit of team {key}",
    "team.archive": "archiving of team {key}",
    "member.add": "new member {key}",
    "member.onboard": "onboarding step of {key}",
    "feedback.add": "new feedback {key}",
    "feedback.accept": "acceptance of {key}",
    "feedback.duplicate": "{key} marked as a duplicate",
    "feedback.decline": "decline of {key}",
    "feedback.snooze": "snooze of {key}",
    "feedback.reopen": "reopening of {key}",
    "feedback.inform": "marking {key} informed",
    "feedback.import": "feedback import",
    "stock.import": "stock import",
    "comment.add": "comment on {key}",
    "comment.edit": "edit of a comment on {key}",
    "comment.delete": "deletion of a comment on {key}",
    "checklist.add": "new checklist item on {key}",
    "checklist.tick": "checklist tick on {key}",
    "checklist.edit": "checklist edit on {key}",
    "checklist.remove": "checklist removal on {key}",
    "undo": "undo on {key}",
}
"""What a change was, in words, for undo and redo messages."""

_NOUNS = {
    "card": ("card",),
    "sprint": ("sprint",),
    "goal": ("goal",),
    "team": ("team",),
    "member": ("member",),
    "feedback": ("feedback",),
    "dependency": ("dependency",),
    "comment": ("comment",),
    "checklist": ("checklist_item",),
}
PLAN_REPLACED = "plan_replaced"
"""The meta key noting the last time the whole plan was replaced (demo --force): the
transaction, when, and the copy of the plan from before. Undo stops there."""


def describe_change(entry: dict[str, Any], team_codes: dict[int, str], arrow: str = "→") -> str:
    """One log entry in words: 'status: todo → doing', 'IT-6 now blocks ECOM-4', 'added
    contributing team FIN', 'created card IT-7'. `team_codes`: team id -> code."""
    op, entity = entry["op"], entry["entity"]
    row = (entry["after"] if op == "create" else entry["before"]) or {}
    if entity == "comment":
        if op == "update":
            return "edited a comment" if entry["field"] == "body" else "comment touched"
        first = summary_line(str(row.get("body", "")), 60)
        verb = "comment" if op == "create" else "deleted a comment"
        return f"{verb} by {row.get('author', '?')}: {first}"
    if entity == "checklist_item":
        if op == "update" and entry["field"] == "done":
            return "ticked a checklist item" if entry["after"] else "unticked a checklist item"
        if op == "update":
            return f"checklist item {entry['field']}: {entry['before']} {arrow} {entry['after']}"
        verb = "added checklist item" if op == "create" else "removed checklist item"
        return f"{verb} {summary_line(str(row.get('text', '')), 60)!r}"
    if op == "update":
        return f"{entry['field']}: {entry['before']} {arrow} {entry['after']}"
    if entity == "card_team":
        team = team_codes.get(row.get("team_id", 0), "a team")
        return f"{'added' if op == 'create' else 'removed'} contributing team {team}"
    key = entry["entity_key"] or ""
    if entity == "dependency" and ">" in key:
        blocker, dependent = key.split(">", 1)
        return f"{blocker} {'now blocks' if op == 'create' else 'no longer blocks'} {dependent}"
    return f"{op}d {entity.replace('_', ' ')} {key}".rstrip()


class Activity:
    def __init__(self, core: StoreCore, cards: Cards) -> None:
        self.core = core
        self.cards = cards

    def _shape(self, row: dict[str, Any]) -> dict[str, Any]:
        for f in ("before", "after"):
            row[f] = None if row[f] is None else json.loads(row[f])
        return row

    def recent(self, limit: int = 50, *, person: str | None = None) -> Rows:
        """The newest entries (of one person, when given), newest first."""
        if person is None:
            rows = self.core.rows("SELECT * FROM activity ORDER BY id DESC LIMIT ?", [limit])
        else:
            rows = self.core.rows(
                "SELECT * FROM activity WHERE actor = ? ORDER BY id DESC LIMIT ?",
                [self.core.person(person), limit],
            )
        return [self._shape(r) for r in rows]

    def for_feedback(self, feedback_id: int | str) -> Rows:
        """Every entry that touched a feedback item (`FB-12`, `12`), in time order, marked as
        `for_card` marks them. Found by the item's uuid; an item no longer stored (its
        creation undone) by its key, which a later item may have taken over since."""
        from sprintboard.store.feedback_triage import fb_key, parse_id

        ident = parse_id(feedback_id)
        uuid = self.core.scalar("SELECT uuid FROM feedback WHERE id = ?", [ident])
        where = "entity_uuid = :uuid" if uuid else "entity = 'feedback' AND entity_key = :key"
        rows = self.core.rows(
            f"""SELECT a.*, (SELECT u.actor FROM activity u WHERE u.undoes = a.txn
                             ORDER BY u.id DESC LIMIT 1) AS undone_by
                FROM activity a WHERE {where} ORDER BY a.at, a.id""",
            {"uuid": uuid, "key": fb_key(ident)},
        )
        return [self._shape(r) for r in rows]

    def for_card(
        self, key: str, *, newest: int | None = None, skip_fields: tuple[str, ...] = ()
    ) -> Rows:
        """Every entry that touched the card (its fields, team links, dependencies, comments
        and checklist), in time order: a demo or an import logs backdated entries after
        later ones. Each entry says whether its change was undone (`undone_by`: the undo's
        person) and whether it is itself an undo or a redo. `newest`: only the last N (a
        card's page shows the end of a long life); `skip_fields`: leave out entries that
        change only these fields."""
        key = self.cards.current_key(key)
        uuid = self.core.scalar("SELECT uuid FROM cards WHERE key = ?", [key]) or self.core.scalar(
            "SELECT entity_uuid FROM activity WHERE entity = 'card' AND entity_key = ? "
            "AND op = 'create' ORDER BY id DESC LIMIT 1",
            [key],
        )
        params: dict[str, Any] = {
            "uuid": uuid,
            "key": key,
            "blocks": f"{key}>*",
            "waits": f"*>{key}",
        }
        # Publishing a plan to the shared log re-logs each record as created: not news.
        skip = "AND a.action != 'sync.publish'"
        if skip_fields:
            names = {f"f{i}": field for i, field in enumerate(skip_fields)}
            skip += (
                f" AND (a.field IS NULL OR a.field NOT IN ({', '.join(':' + n for n in names)}))"
            )
            params.update(names)
        # Card keys hold letters, digits and '-' only: nothing GLOB would read as a wildcard.
        sql = f"""SELECT a.*, (SELECT u.actor FROM activity u WHERE u.undoes = a.txn
                              ORDER BY u.id DESC LIMIT 1) AS undone_by
                  FROM activity a WHERE a.id IN (
                      SELECT id FROM activity WHERE entity_uuid = :uuid
                      UNION SELECT id FROM activity WHERE entity_key = :key
                      UNION SELECT id FROM activity WHERE entity_key GLOB :blocks
                      UNION SELECT id FROM activity
                            WHERE entity = 'dependency' AND entity_key GLOB :waits) {skip}"""
        if newest is None:
            rows = self.core.rows(sql + " ORDER BY a.at, a.id", params)
        else:
            params["newest"] = max(0, newest)
            rows = self.core.rows(
                f"SELECT * FROM ({sql} ORDER BY a.at DESC, a.id DESC LIMIT :newest)"
                " ORDER BY at, id",
                params,
            )
        return [self._shape(r) for r in rows]

    def plan_replaced(self) -> dict[str, Any] | None:
        """When the whole plan was last replaced (demo --force), and where the plan from
        before was copied; None if it never was (in this database's log)."""
        found = self.core.scalar("SELECT value FROM meta WHERE key = ?", [PLAN_REPLACED])
        if found is None:
            return None
        note: dict[str, Any] = json.loads(found)
        last = self.core.scalar("SELECT MAX(id) FROM activity WHERE txn = ?", [note["txn"]])
        return None if last is None else {**note, "last_id": int(last)}

    def gone_with_replaced_plan(self, key: str) -> str:
        """For a card or feedback item this plan has no trace of: where to look when the
        whole plan was replaced (its records and their history went to the copy), as a
        clause to add to the 'no such card' line; '' when the plan never was."""
        replaced = self.plan_replaced()
        if replaced is None:
            return ""
        code, _, number = key.upper().rpartition("-")
        last = self.core.scalar("SELECT last FROM key_counters WHERE team_code = ?", [code])
        if number.isdigit() and last is not None and int(number) > int(last):
            return ""  # a card key never handed out: no plan ever held it
        backup = replaced["backup"]
        return (
            f"; the whole plan was replaced at {replaced['at']} ({replaced['by']}): what it "
            f"held before, history included, is in {backup} "
            f"(sprintboard --db {backup} history {key})"
        )

    # -- what undo and redo would take -----------------------------------------------------

    def last_undoable(self, person: str | None = None) -> dict[str, Any] | None:
        """The newest change not undone yet: of `person` (a name), or of anyone (None)."""
        marks = ", ".join("?" for _ in NOT_UNDOABLE)
        mine = "AND actor = ?" if person is not None else ""
        params: list[Any] = list(NOT_UNDOABLE)
        if person is not None:
            params.append(self.core.person(person))
        return self.core.row(
            f"""SELECT id, txn, action, at, actor, entity_key FROM activity a
                WHERE action NOT IN ({marks}) {mine}
                  AND NOT EXISTS (SELECT 1 FROM activity u WHERE u.undoes = a.txn)
                ORDER BY id DESC LIMIT 1""",
            params,
        )

    def last_redoable(self, person: str) -> dict[str, Any] | None:
        """The person's newest undo that is not redone yet, if they made no new change
        since (a new change starts a new line of work, as in any editor)."""
        names = {f"a{i}": action for i, action in enumerate(NOT_FRESH)}
        marks = ", ".join(f":{name}" for name in names)
        return self.core.row(
            f"""SELECT id, txn, action, at, actor, entity_key, undoes FROM activity a
                WHERE actor = :me AND action = 'undo'
                  AND id > COALESCE((SELECT MAX(id) FROM activity
                                     WHERE actor = :me AND action NOT IN ({marks})), 0)
                  AND NOT EXISTS (SELECT 1 FROM activity r WHERE r.undoes = a.txn)
                ORDER BY id DESC LIMIT 1""",
            {"me": self.core.person(person), **names},
        )

    def change(self, change_id: int) -> dict[str, Any]:
        """One entry of the log by its id (as `history` lists it)."""
        row = self.core.row(
            "SELECT id, txn, action, at, actor, entity_key, undoes FROM activity WHERE id = ?",
            [change_id],
        )
        if row is None:
            # The log holds every change since it began but those of a replaced plan.
            self._refuse_before_replacement({"id": change_id}, "undo")
            raise NotFound(
                f"undo: no change {change_id} in the log (ids are in 'sprintboard history KEY')"
            )
        return row

    def describe(self, txn: str, action: str | None = None) -> str:
        """What a transaction was, in words: 'move of IT-4', 'close of sprint Sprint 14'."""
        rows = self.core.rows(
            "SELECT action, entity, entity_uuid, entity_key, op, undoes FROM activity "
            "WHERE txn = ? ORDER BY id",
            [txn],
        )
        if not rows:
            return action or "change"
        action = action or rows[0]["action"]
        if action == "redo":
            undone = rows[0]["undoes"]
            original = self.core.scalar(
                "SELECT undoes FROM activity WHERE txn = ? LIMIT 1", [undone]
            )
            return "redo of " + (self.describe(original) if original else "a change")
        if action == "undo":
            original = rows[0]["undoes"]
            return "undo of " + (self.describe(original) if original else "a change")
        if action.startswith("import."):
            return _import_text(action, rows)
        nouns = _NOUNS.get(action.split(".")[0], ())
        key = next(
            (r["entity_key"] for r in rows if r["entity"] in nouns and r["entity_key"]),
            next((r["entity_key"] for r in rows if r["entity_key"]), ""),
        )
        words = ACTION_WORDS.get(action, action + " {key}")
        return words.format(key=key).strip()

    # -- undo and redo ---------------------------------------------------------------------

    def undo(self, *, any_person: bool = False, change: int | None = None) -> dict[str, Any]:
        """Revert a change as a new (logged) change: the last one of the person at the
        keyboard, the last one of anyone (`any_person`), or the one whose log id is
        `change`. Refused, changing nothing, when a later change would be overwritten."""
        with self.core.transaction("undo") as tx:
            me = self.core.actor
            if change is not None:
                target: dict[str, Any] | None = self._chosen(change)
            else:
                target = self.last_undoable(None if any_person else me)
            self._refuse_before_replacement(target, "undo")
            if target is None:
                raise UserError(self._nothing_to_undo(me, any_person))
            return self._revert_txn(tx, target, me, undoing=True)

    def redo(self) -> dict[str, Any]:
        """Put back what the person's last undo reverted (their undos, newest first)."""
        with self.core.transaction("redo") as tx:
            me = self.core.actor
            target = self.last_redoable(me)
            self._refuse_before_replacement(target, "redo")
            if target is None:
                raise UserError(f"redo: nothing of yours to redo ({me})")
            return self._revert_txn(tx, target, me, undoing=False)

    def _chosen(self, change_id: int) -> dict[str, Any]:
        target = self.change(change_id)
        what = self.describe(target["txn"])
        if target["action"] == "undo":
            raise UserError(
                f"undo: change {change_id} is an {what}; to put it back, redo "
                "('sprintboard redo') or undo the change it reverted again"
            )
        if target["action"] in NOT_UNDOABLE:
            raise UserError(
                f"undo: change {change_id} is '{target['action']}', which undo does not revert"
            )
        undone = self.core.row(
            "SELECT actor, at FROM activity WHERE undoes = ? ORDER BY id DESC LIMIT 1",
            [target["txn"]],
        )
        if undone is not None:
            raise UserError(
                f"undo: change {change_id} ({what}) was already undone by "
                f"{undone['actor']} at {undone['at']}"
            )
        return target

    def _refuse_before_replacement(self, target: dict[str, Any] | None, verb: str) -> None:
        replaced = self.plan_replaced()
        if replaced is not None and (target is None or target["id"] < replaced["last_id"]):
            # What came before lies in a plan that is gone: reverting it would claim to
            # restore what it cannot, or fail for good.
            if target is None and verb == "redo":
                return
            raise UserError(
                f"{verb}: the whole plan was replaced at {replaced['at']} "
                f"({replaced['by']}); nothing before that can be {verb}ne. The plan from "
                f"before is in {replaced['backup']}: sprintboard restore "
                f"{replaced['backup']}"
            )

    def _nothing_to_undo(self, me: str, any_person: bool) -> str:
        if any_person:
            return "undo: nothing to undo"
        other = self.last_undoable(None)
        if other is None:
            return "undo: nothing to undo"
        return (
            f"undo: nothing of yours to undo ({me}); the last change is "
            f"{possessive(other['actor'])} ({self.describe(other['txn'])}): "
            "'sprintboard undo --any' undoes it"
        )

    def _revert_txn(
        self, tx: Tx, target: dict[str, Any], me: str, *, undoing: bool
    ) -> dict[str, Any]:
        entries = [
            self._shape(e)
            for e in self.core.rows(
                "SELECT * FROM activity WHERE txn = ? ORDER BY id DESC", [target["txn"]]
            )
        ]
        what = self.describe(target["txn"])
        if not undoing:
            # Redo puts back what the undo reverted: a change, or a change redone before.
            what = what.removeprefix("undo of ").removeprefix("redo of ")
        verb = "undo" if undoing else "redo"
        clash = self._clash(entries, me)
        if clash is not None:
            raise UserError(f"{verb}: not {verb}ne: {clash}; {what} stays as it is")
        tx.undoes = target["txn"]
        moved: dict[tuple[str, int], int] = {}
        try:
            for entry in entries:
                self._revert(tx, entry, moved)
        except sqlite3.IntegrityError:
            raise UserError(
                f"{verb}: not {verb}ne: {what} refers to a record deleted since; "
                "nothing was changed"
            ) from None
        return {
            "action": target["action"],
            "what": what,
            "at": target["at"],
            "actor": target["actor"],
            "key": target["entity_key"],
            "changes": len(entries),
            "records": len({e["entity_uuid"] for e in entries}),
            "mine": same_person(target["actor"], me),
        }

    def _clash(self, entries: Rows, me: str) -> str | None:
        """Why reverting `entries` (one transaction) would overwrite someone's later work,
        in words; None when it would not."""
        last_id = max(e["id"] for e in entries)
        created: dict[str, dict[str, Any]] = {}
        for entry in entries:
            table = ENTITY_TABLES[entry["entity"]]
            current = self.core.row(
                f"SELECT * FROM [{table}] WHERE uuid = ?", [entry["entity_uuid"]]
            )
            name = _record_name(entry)
            if entry["op"] == "update":
                if entry["field"] in BOOKKEEPING:
                    continue
                if current is None:
                    later = self._later(entry, last_id, op="delete")
                    return f"{name} was deleted since{_by(later, me)}"
                if current[entry["field"]] != _stored(entry["after"]):
                    later = self._later(entry, last_id, field=entry["field"])
                    return f"{name}'s {entry['field']} was changed since{_by(later, me)}"
            elif entry["op"] == "create" and current is not None:
                created[entry["entity_uuid"]] = entry
        if created:
            return self._changed_by_others(created, last_id, me)
        return None

    def _changed_by_others(
        self, created: dict[str, dict[str, Any]], after_id: int, me: str
    ) -> str | None:
        """A change by someone else, after `after_id`, to a record that undo would delete:
        the record itself or, for a card, what hangs on it (comments, checklist, teams,
        links). One pass over the later log, however many records the change created."""
        cards = {e["entity_key"]: e for e in created.values() if e["entity"] == "card"}
        hanging = ("comment", "checklist_item", "card_team")
        for later in self.core.rows(
            """SELECT actor, action, at, entity, entity_uuid, entity_key, field FROM activity
               WHERE id > ? AND actor != ? AND action NOT IN ('undo', 'redo')
               ORDER BY id DESC""",
            [after_id, me],
        ):
            if later["field"] in BOOKKEEPING:
                continue
            entry = created.get(later["entity_uuid"])
            key = later["entity_key"] or ""
            if entry is None and later["entity"] in hanging:
                entry = cards.get(key)
            if entry is None and later["entity"] == "dependency" and ">" in key:
                blocker, dependent = key.split(">", 1)
                entry = cards.get(blocker) or cards.get(dependent)
            if entry is not None:
                return f"{_record_name(entry)} was changed since{_by(later, me)}"
        return None

    def _later(
        self,
        entry: dict[str, Any],
        after_id: int,
        *,
        op: str | None = None,
        field: str | None = None,
    ) -> dict[str, Any] | None:
        sql = "SELECT actor, action, at FROM activity WHERE entity_uuid = ? AND id > ?"
        params: list[Any] = [entry["entity_uuid"], after_id]
        if op is not None:
            sql += " AND op = ?"
            params.append(op)
        if field is not None:
            sql += " AND field = ?"
            params.append(field)
        return self.core.row(sql + " ORDER BY id DESC LIMIT 1", params)

    def _revert(self, tx: Tx, entry: dict[str, Any], moved: dict[tuple[str, int], int]) -> None:
        """Revert one entry. `moved`: records put back under another id than they had (a
        later record took theirs), so the records that refer to them follow."""
        entity, op = entry["entity"], entry["op"]
        table = ENTITY_TABLES[entity]
        current = self.core.row(f"SELECT * FROM [{table}] WHERE uuid = ?", [entry["entity_uuid"]])
        key = entry["entity_key"]
        if op == "update":
            if current is None:
                raise UserError(f"undo: {key or entity} no longer exists; cannot undo")
            value = _stored(entry["before"])
            parent = FOREIGN_KEYS.get(table, {}).get(entry["field"])
            if parent is not None and isinstance(value, int):
                value = moved.get((parent, value), value)
            tx.update(entity, current, {entry["field"]: value}, key=key)
        elif op == "create":
            if current is not None and entity == "card":
                self.cards.remove(tx, current)
            elif current is not None:
                tx.delete(entity, current, key=key)
        elif op == "delete" and current is None:
            row = self._refer_again(table, dict(entry["before"]), key, moved)
            old_id = row.get("id")
            if old_id is not None and self.core.scalar(
                f"SELECT EXISTS (SELECT 1 FROM [{table}] WHERE id = ?)", [old_id]
            ):
                del row["id"]  # a later record has its id: it comes back under a new one
                moved[(table, old_id)] = tx.insert(entity, row, key=key)
            else:
                tx.insert(entity, row, key=key)
            from sprintboard.store.sync_merge import Merger  # a shared plan's only

            # What another laptop linked to it meanwhile (sync could not apply it while it
            # was gone) comes back with it, as it does on the laptops this undo reaches.
            Merger(tx).restore_children(table, entry["entity_uuid"])

    def _refer_again(
        self, table: str, row: dict[str, Any], key: str | None, moved: dict[tuple[str, int], int]
    ) -> dict[str, Any]:
        """A deleted row's references as they are now: to records put back under new ids in
        this undo, and to cards by the key the entry names (a card keeps its key forever,
        not always its id)."""
        for column, parent in FOREIGN_KEYS.get(table, {}).items():
            value = row.get(column)
            if isinstance(value, int) and (parent, value) in moved:
                row[column] = moved[(parent, value)]
        ends: list[tuple[str, str]] = []
        if table in ("comments", "checklist_items", "card_teams") and key:
            ends = [("card_id", key)]
        elif table == "dependencies" and key and ">" in key:
            blocker, dependent = key.split(">", 1)
            ends = [("blocker_id", blocker), ("dependent_id", dependent)]
        for column, card_key in ends:
            found = self.core.scalar("SELECT id FROM cards WHERE key = ?", [card_key])
            if found is not None:
                row[column] = found
        return row


_SOURCE_NAMES = {"trello": "Trello", "jira": "Jira", "github": "GitHub", "csv": "CSV"}


def _import_text(action: str, rows: list[dict[str, Any]]) -> str:
    """An import as one batch: 'the Trello import of board.json: 45 cards created'. The
    action is 'import.SOURCE' or 'import.SOURCE:FILE' (the file's name)."""
    source, _, file = action.removeprefix("import.").partition(":")
    named = _SOURCE_NAMES.get(source, source.upper())
    created = sum(1 for r in rows if r["entity"] == "card" and r["op"] == "create")
    updated = len({r["entity_uuid"] for r in rows if r["entity"] == "card" and r["op"] == "update"})
    counts = [
        f"{n} card{'s' if n != 1 else ''} {verb}"
        for n, verb in ((created, "created"), (updated, "updated"))
        if n
    ]
    what = f"the {named} import" + (f" of {file}" if file else "")
    return what + (": " + ", ".join(counts) if counts else "")


def _stored(value: Any) -> Any:
    """A logged value as the column holds it (the log keeps JSON; a bool is 0 or 1)."""
    return int(value) if isinstance(value, bool) else value


def _record_name(entry: dict[str, Any]) -> str:
    key = str(entry["entity_key"] or "")
    entity = str(entry["entity"]).replace("_", " ")
    if entry["entity"] in ("comment", "checklist_item") and key:
        return f"a {entity} on {key}"
    if entry["entity"] in ("card", "feedback", "dependency") and key:
        return key
    return f"{entity} {key}" if key else entity


def _by(later: dict[str, Any] | None, me: str) -> str:
    if later is None:
        return ""
    who = "you" if same_person(later["actor"], me) else later["actor"]
    return f" by {who} ({later['action']} at {later['at']})"


def undo_message(done: dict[str, Any], verb: str = "undone") -> str:
    """The one line that says what undo (or redo) did: 'undone: move of IT-4', 'undone:
    Sanne de Vries' close of sprint Sprint 14 (23 records reverted)'."""
    whose = "" if done["mine"] else f"{possessive(done['actor'])} "
    line = f"{verb}: {whose}{done['what']}"
    if done["records"] > 1:
        line += f" ({done['records']} records reverted)"
    return line
