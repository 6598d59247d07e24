"""Values two records cannot share (a card's key, a sprint's name, a team's code, the
active state of a sprint), settled the same way on every laptop.

Merging can bring a value that a record here holds already: two laptops numbered a card
IT-43 offline, or both named a sprint 'Spring'. Who keeps it, and what the other gets,
must come out the same on every laptop whatever order the operations arrived in. A
repair chosen here from what this laptop holds, sent as a change of its own, does not:
another laptop repairs the same clash from what it holds, the two repairs clash in turn,
and with three laptops a card's key changes on every sync. So nothing is sent: each
laptop works the values out from the claims alone, every change that set such a value
in the shared log (the plan's own changes since it joined, and every one received), and
logs what it changed without a clock (history shows it; it never travels).

- Card keys, never handed out twice: a card claims the key it was first created with (a
  card deleted and brought back by undo claims nothing new). The earliest claim to a key
  keeps it, even when that card was deleted since. Each later claim, oldest first, takes
  the lowest number above its own that no card claimed and no earlier one took; its old
  key stays an alias.
- Sprint names and team codes, replayed in clock order: a claim takes the value when
  nobody holds it at that moment, else the first free 'Spring (2)' ('IT2' for a team); a
  rename or a delete frees the old value (a record renamed for it keeps its new name).
- The active sprint, replayed the same way: a sprint started while another is active
  takes over; the other goes back to planned and stays so.
A change to a record deleted before it (by the clock) claims nothing: the delete won.

Changes made on this laptop come after everything it has seen (its clock is past every
claim it merged), so after each one the plan still is what these rules give: settling
is needed after a merge only.
"""

from __future__ import annotations

import json
from typing import Any

from sprintboard.store.database import Tx
from sprintboard.store.sync_log import JOINED_UPTO, PUBLISH, REPAIR

RENAMED = {"sprints": ("sprint", "name"), "teams": ("team", "code")}
"""Tables whose unique value a clash renames: table -> (entity, column)."""
_PLACEHOLDER = "~"


def placeholder(uuid: str) -> str:
    """What a record holds, while a merge is under way, when the value it claims is held
    here: unique, never typed by anyone, and settled before the merge ends."""
    return _PLACEHOLDER + uuid


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_PLACEHOLDER)


def key_number(key: str) -> tuple[str, int | None]:
    """A card key as (team prefix, number): 'IT-42' -> ('IT', 42)."""
    prefix, _, number = key.rpartition("-")
    return prefix, int(number) if number.isdigit() else None


def _shared(tx: Tx) -> tuple[str, list[Any]]:
    """Log entries every laptop has: received ones, and this plan's own since it joined.
    Changes from before it joined carry clocks of this laptop alone (they were published
    anew, under one clock, when it joined)."""
    # By log position, not device: a plan copied or restored goes on as a new device, and
    # what it wrote under the old one since joining still goes out (and is a claim).
    upto = tx.core.scalar("SELECT value FROM meta WHERE key = ?", [JOINED_UPTO])
    if upto is None:
        first = tx.core.scalar("SELECT MIN(id) FROM activity WHERE action = ?", [PUBLISH])
        upto = 0 if first is None else int(first) - 1
    return "(origin IS NOT NULL OR id > ?)", [int(upto)]


def _key_range(prefix: str) -> list[str]:
    # Every key 'PREFIX-...' sorts between 'PREFIX-' and 'PREFIX.' ('.' follows '-').
    return [f"{prefix}-", f"{prefix}."]


def settle_card_keys(tx: Tx, prefix: str) -> list[tuple[str, str]]:
    """Give the cards numbered PREFIX-n the keys the claims say; returns (old, new) for each
    card renumbered here."""
    core = tx.core
    shared, params = _shared(tx)
    claims: dict[str, tuple[str, str]] = {}  # uuid -> (clock, key) of its first creation
    order: dict[str, tuple[str, int]] = {}
    for row in core.rows(
        f"""SELECT entity_uuid, hlc, id, json_extract(after, '$.key') AS key FROM activity
            WHERE entity_key >= ? AND entity_key < ? AND entity = 'card' AND op = 'create'
              AND hlc IS NOT NULL AND action != ? AND {shared}""",
        [*_key_range(prefix), REPAIR, *params],
    ):
        key = row["key"]
        if not isinstance(key, str) or key_number(key)[0] != prefix:
            continue
        seen = order.get(row["entity_uuid"])
        if seen is None or (row["hlc"], row["id"]) < seen:
            order[row["entity_uuid"]] = (row["hlc"], row["id"])
            claims[row["entity_uuid"]] = (row["hlc"], key)
    live = {
        r["uuid"]: r["key"]
        for r in core.rows(
            "SELECT uuid, key FROM cards WHERE (key >= ? AND key < ?) OR key GLOB ?",
            [*_key_range(prefix), _PLACEHOLDER + "*"],
        )
        if not is_placeholder(r["key"]) or r["uuid"] in claims
    }
    for uuid, key in live.items():
        if uuid not in claims:  # loaded from a snapshot, or kept from before sync
            claims[uuid] = (_snapshot_clock(tx, uuid), key)
    first: dict[str, tuple[str, str]] = {}
    for uuid, (hlc, key) in claims.items():
        if key not in first or (hlc, uuid) < first[key]:
            first[key] = (hlc, uuid)
    claimed = {n for _, key in claims.values() if (n := key_number(key)[1]) is not None}
    taken: set[int] = set()
    target: dict[str, str] = {}
    for _, uuid in sorted((hlc, uuid) for uuid, (hlc, _) in claims.items()):
        key = claims[uuid][1]
        if first[key][1] == uuid:
            target[uuid] = key
            continue
        n = (key_number(key)[1] or max(claimed | taken | {0})) + 1
        while n in claimed or n in taken:
            n += 1
        taken.add(n)
        target[uuid] = f"{prefix}-{n}"
    renumbered = []
    changes = {uuid: target[uuid] for uuid, key in live.items() if target[uuid] != key}
    before = {u: claims[u][1] if is_placeholder(key) else key for u, key in live.items()}
    for uuid, new in write_settled(tx, "card", "cards", "key", before, changes).items():
        old = before[uuid]
        for alias in sorted({old, claims[uuid][1]} - {new}):
            tx.conn.execute(
                "INSERT OR IGNORE INTO card_aliases(alias, card_uuid) VALUES (?, ?)", [alias, uuid]
            )
        if old != new:
            renumbered.append((old, new))
    if taken or claimed:
        tx.conn.execute(
            """INSERT INTO key_counters(team_code, last) VALUES (?, ?)
               ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)""",
            [prefix, max(taken | claimed)],
        )
    return renumbered


def settle_names(tx: Tx, table: str) -> None:
    """Give every sprint (or team) the name (code) the replay of the claims says."""
    entity, column = RENAMED[table]
    live = {r["uuid"]: r[column] for r in tx.core.rows(f"SELECT uuid, [{column}] FROM [{table}]")}
    events = _replayed(tx, entity, column, live)
    claimed = {uuid: value for _, uuid, _, value in events if value is not None}
    holder: dict[str, str] = {}  # value -> uuid
    holds: dict[str, str] = {}  # uuid -> value
    # Records without a claim in the shared log (kept from before sync, or loaded from a
    # snapshot) hold their value from the start.
    for uuid, value in live.items():
        if uuid not in claimed and not is_placeholder(value):
            holder[value], holds[uuid] = uuid, value
    for _, uuid, _, value in events:
        old = holds.pop(uuid, None)
        if old is not None:
            del holder[old]
        if value is not None:
            free = value if value not in holder else _first_free(table, value, holder)
            holder[free], holds[uuid] = uuid, free
    changes = {}
    for uuid, value in live.items():
        new = holds.get(uuid)
        if new is None:  # a delete refused here: it keeps what it has, if it can
            new = value if value not in holder else _first_free(table, value, holder)
            holder[new], holds[uuid] = uuid, new
        if new != value:
            changes[uuid] = new
    before = {u: claimed.get(u, v) if is_placeholder(v) else v for u, v in live.items()}
    write_settled(tx, entity, table, column, before, changes)


def _replayed(
    tx: Tx, entity: str, column: str, live: dict[str, str]
) -> list[tuple[str, str, int, str | None]]:
    """The changes that set `column` of every record of a kind (here now, or deleted), from
    the shared log, in clock order: (clock, uuid, log id, value; None for a delete). A
    change to a record that was deleted then (by a change with an older clock) is left
    out: the delete won over it."""
    core = tx.core
    shared, params = _shared(tx)
    gone = [
        r["entity_uuid"]
        for r in core.rows(
            "SELECT DISTINCT entity_uuid FROM activity WHERE entity = ? AND op = 'delete'",
            [entity],
        )
    ]
    found: list[tuple[str, str, int, str, str | None]] = []
    for uuid in dict.fromkeys([*live, *gone]):
        for row in core.rows(
            f"""SELECT hlc, id, op, after FROM activity WHERE entity_uuid = ?
                AND hlc IS NOT NULL AND action != ? AND {shared}
                AND (op IN ('create', 'delete') OR field = ?)""",
            [uuid, REPAIR, *params, column],
        ):
            value = None if row["after"] is None else json.loads(row["after"])
            if row["op"] == "create":
                value = value.get(column) if isinstance(value, dict) else None
            if row["op"] != "delete" and not isinstance(value, str):
                continue  # a change refused whole: it claimed nothing
            found.append((row["hlc"], uuid, row["id"], row["op"], value))
    created = {uuid for _, uuid, _, op, _ in found if op == "create"}
    exists = {uuid for uuid in live if uuid not in created}  # from before the log
    events: list[tuple[str, str, int, str | None]] = []
    for hlc, uuid, ident, op, value in sorted(found):
        if op == "delete":
            exists.discard(uuid)
            value = None
        elif op == "create":
            exists.add(uuid)
        elif uuid not in exists:
            continue
        events.append((hlc, uuid, ident, value))
    return events


def _first_free(table: str, value: str, holder: dict[str, str]) -> str:
    for n in range(2, 10_000):
        fresh = f"{value[: 8 - len(str(n))]}{n}" if table == "teams" else f"{value} ({n})"
        if fresh not in holder:
            return fresh
    raise AssertionError("ten thousand records claimed one value")


def _snapshot_clock(tx: Tx, uuid: str) -> str:
    found = tx.core.scalar("SELECT MAX(hlc) FROM sync_clock WHERE entity_uuid = ?", [uuid])
    return str(found or "")


def settle_active_sprint(tx: Tx) -> None:
    """At most one active sprint, the same on every laptop: the starts (and every other
    change of a sprint's state, and deletes) replayed in clock order; a sprint started
    while another is active takes over, the other goes back to planned and stays so (it
    does not start again when the newer one closes)."""
    live = {r["uuid"]: r["state"] for r in tx.core.rows("SELECT uuid, state FROM sprints")}
    events = _replayed(tx, "sprint", "state", live)
    state: dict[str, str] = {}
    active: str | None = None
    for _, uuid, _, value in events:
        if value is None:
            state.pop(uuid, None)
        elif value == "active" and active not in (None, uuid):
            state[active] = "planned"
        if active == uuid and value != "active":
            active = None
        if value is not None:
            state[uuid] = value
            active = uuid if value == "active" else active
    changes = {
        uuid: state[uuid] for uuid, now in live.items() if uuid in state and state[uuid] != now
    }
    # One active at a time, at every step: the ones that stop first.
    ordered = dict(sorted(changes.items(), key=lambda item: item[1] == "active"))
    write_settled(tx, "sprint", "sprints", "state", live, ordered, through_placeholder=False)


def write_settled(
    tx: Tx,
    entity: str,
    table: str,
    column: str,
    before: dict[str, str],
    changes: dict[str, str],
    through_placeholder: bool = True,
) -> dict[str, str]:
    """Write the settled values (through a placeholder first, unless told not to: two
    records may swap values) and log each change without a clock (sync's own, never
    sent)."""
    for uuid in changes if through_placeholder else ():
        tx.conn.execute(
            f"UPDATE [{table}] SET [{column}] = ? WHERE uuid = ?", [placeholder(uuid), uuid]
        )
    saved = tx.action, tx.hlc
    tx.action, tx.hlc = REPAIR, None  # type: ignore[assignment]
    try:
        for uuid, new in changes.items():
            tx.conn.execute(f"UPDATE [{table}] SET [{column}] = ? WHERE uuid = ?", [new, uuid])
            tx.log(entity, uuid, "update", key=new, field=column, before=before[uuid], after=new)
    finally:
        tx.action, tx.hlc = saved
    return changes
