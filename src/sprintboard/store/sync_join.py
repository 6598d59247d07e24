"""A plan joining the shared log: its device id, its seeded teams, its records published.

A plan that was never shared has a history written before there were clocks, in integer
ids only this database knows. Rather than translate years of it, joining publishes the
records as they are now (one 'create' per record, under this device's clock); history
from before stays this laptop's. The nine seeded teams take the uuids every laptop gives
them, and are published only when someone changed them here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sprintboard.store.bulk import entity_key_sql, sql_uuid
from sprintboard.store.database import ENTITY_TABLES, StoreCore, Tx
from sprintboard.store.sync_log import DEVICE, JOINED_UPTO, PUBLISH, SHARED_UPTO, set_meta
from sprintboard.store.teams import SEED_TEAMS, seed_team_uuid

PUBLISH_ORDER = (
    "team",
    "member",
    "goal",
    "sprint",
    "sprint_capacity",
    "card",
    "card_team",
    "dependency",
    "feedback",
    "stock",
    "comment",
    "checklist_item",
    "measure",
    "plan_setting",
)
"""Parents before the records that refer to them."""
_KEYS = {
    "card": "key",
    "team": "code",
    "sprint": "name",
    "stock": "sku",
    "plan_setting": "name",
}
_SEED_COLUMNS = ("code", "name", "format", "colour", "capacity")


@dataclass
class Published:
    records: int
    teams_renamed: int


def new_device_id() -> str:
    """A short random id naming this plan's files in the shared folder."""
    return os.urandom(6).hex()


def own_records(core: StoreCore) -> int:
    """Records of this plan beyond the nine seeded teams as seeded."""
    count = 0
    for entity in PUBLISH_ORDER:
        table = ENTITY_TABLES[entity]
        count += int(core.scalar(f"SELECT COUNT(*) FROM [{table}]"))
    return count - _unchanged_seeds(core)


def _unchanged_seeds(core: StoreCore) -> int:
    found = 0
    defaults = _team_defaults(core)
    for position, team in enumerate(SEED_TEAMS):
        row = core.row("SELECT * FROM teams WHERE code = ?", [team["code"]])
        if row is not None and _is_seed(row, team, position, defaults):
            found += 1
    return found


def _team_defaults(core: StoreCore) -> dict[str, object]:
    """Each column of `teams` with its default: a seeded team holds its seed's values and
    these defaults for the rest, so one given a cost rate, say, is no longer as seeded and
    is published with it."""
    defaults: dict[str, object] = {}
    for _, name, _, _, default, _ in core.conn.execute("PRAGMA table_info(teams)"):
        if name in ("id", "uuid", "position", "archived"):
            continue
        text = None if default is None else str(default)
        if text is None or text.upper() == "NULL":
            defaults[name] = None
        elif text[:1] == "'" and text[-1:] == "'":
            defaults[name] = text[1:-1].replace("''", "'")
        else:
            try:
                defaults[name] = int(text)
            except ValueError:
                defaults[name] = float(text)
    return defaults


def _is_seed(
    row: dict[str, object],
    team: dict[str, object],
    position: int,
    defaults: dict[str, object],
) -> bool:
    return (
        all(row.get(c) == team.get(c) for c in _SEED_COLUMNS if c in team)
        and all(row.get(c) == team.get(c, value) for c, value in defaults.items())
        and row.get("position") == position
        and not row.get("archived")
    )


def join(tx: Tx, device: str) -> Published:
    """Give the plan its device id, its seeded teams their shared uuids, and log every
    record as published (shared from the next sync on). One transaction (the caller's)."""
    core = tx.core
    set_meta(tx, DEVICE, device)
    core.device = device
    tx.hlc = core.tick()
    renamed = _share_seed_uuids(tx)
    upto = str(core.scalar("SELECT COALESCE(MAX(id), 0) FROM activity"))
    set_meta(tx, SHARED_UPTO, upto)
    set_meta(tx, JOINED_UPTO, upto)
    return Published(records=_publish(tx), teams_renamed=renamed)


def _share_seed_uuids(tx: Tx) -> int:
    """Seeded teams made before their uuids were fixed take the shared ones (with every
    log entry that names them), so the same team is one record on every laptop."""
    changed = 0
    for team in SEED_TEAMS:
        shared = seed_team_uuid(str(team["code"]))
        row = tx.core.row("SELECT uuid FROM teams WHERE code = ?", [team["code"]])
        if row is None or row["uuid"] == shared:
            continue
        seeded = tx.core.scalar(
            "SELECT 1 FROM activity WHERE entity_uuid = ? AND op = 'create' AND action = 'seed'",
            [row["uuid"]],
        )
        if not seeded or tx.core.scalar("SELECT 1 FROM teams WHERE uuid = ?", [shared]):
            continue
        tx.conn.execute("UPDATE teams SET uuid = ? WHERE uuid = ?", [shared, row["uuid"]])
        tx.conn.execute(
            "UPDATE activity SET entity_uuid = ? WHERE entity_uuid = ?", [shared, row["uuid"]]
        )
        changed += 1
    return changed


def _publish(tx: Tx) -> int:
    core = tx.core
    before = int(core.scalar("SELECT COUNT(*) FROM activity"))
    defaults = _team_defaults(core)
    seeds = [
        seed_team_uuid(str(team["code"]))
        for position, team in enumerate(SEED_TEAMS)
        if (row := core.row("SELECT * FROM teams WHERE code = ?", [team["code"]])) is not None
        and _is_seed(row, team, position, defaults)
    ]
    for entity in PUBLISH_ORDER:
        table = ENTITY_TABLES[entity]
        columns = [r[1] for r in tx.conn.execute(f"PRAGMA table_info([{table}])")]
        record = ", ".join(f"'{c}', [{c}]" for c in columns)
        skip = ""
        if entity == "team" and seeds:
            skip = f"WHERE uuid NOT IN ({', '.join('?' for _ in seeds)})"
        tx.conn.execute(
            f"""INSERT INTO activity(uuid, txn, at, actor, device, action, entity, entity_uuid,
                    entity_key, op, after, hlc)
                SELECT {sql_uuid()}, ?, ?, ?, ?, ?, ?, uuid,
                    {entity_key_sql(entity, _KEYS.get(entity))}, 'create',
                    json_object({record}), ?
                FROM [{table}] {skip} ORDER BY rowid""",
            [
                tx.txn,
                tx.now,
                core.actor,
                core.device,
                PUBLISH,
                entity,
                tx.hlc,
                *(seeds if entity == "team" else []),
            ],
        )
    return int(core.scalar("SELECT COUNT(*) FROM activity")) - before
