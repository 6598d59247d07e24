"""Teams and their members."""

from __future__ import annotations

import builtins
import json
import uuid as uuidlib
from typing import TYPE_CHECKING, Any

from sprintboard.errors import NotFound, UserError
from sprintboard.store.database import Rows, StoreCore
from sprintboard.vocabulary import MAX_ONBOARDING_STEPS, ONBOARDING_STEPS

if TYPE_CHECKING:
    from sprintboard.models import Member, Team

SEED_NAMESPACE = uuidlib.UUID("6c1b7f0e-5a52-4c8e-9a43-2f1d0b8e4a11")


def seed_team_uuid(code: str) -> str:
    """The uuid of a seeded team: the same on every laptop, so plans merged by sync keep
    nine teams, not eighteen."""
    return str(uuidlib.uuid5(SEED_NAMESPACE, f"team:{code}"))


SEED_TEAMS: list[dict[str, Any]] = [
    {
        "code": "MKT",
        "name": "Marketing",
        "format": "co-located",
        "colour": "#e4572e",
        "capacity": 20,
    },
    {"code": "IT", "name": "IT", "format": "co-located", "colour": "#2e86de", "capacity": 40},
    {
        "code": "CS",
        "name": "Customer Service",
        "format": "co-located",
        "colour": "#17a589",
        "capacity": 10,
    },
    {
        "code": "ECOM",
        "name": "Ecommerce",
        "format": "co-located",
        "colour": "#f4a261",
        "capacity": 30,
    },
    {
        "code": "WH",
        "name": "Warehouse",
        "format": "co-located",
        "colour": "#8d6e63",
        "capacity": 15,
        "throughput_per_day": 1200,
    },
    {"code": "EXEC", "name": "C-level", "format": "remote", "colour": "#9b59b6", "capacity": 8},
    {"code": "CNT", "name": "Content", "format": "remote", "colour": "#e84393", "capacity": 20},
    {"code": "DATA", "name": "Data", "format": "remote", "colour": "#00b8d4", "capacity": 15},
    {"code": "FIN", "name": "Finance", "format": "co-located", "colour": "#7cb342", "capacity": 8},
]

TEAM_FIELDS = ("code", "name", "format", "colour", "capacity", "throughput_per_day", "archived")


def _validate_team(data: dict[str, Any]) -> Team:
    from sprintboard.models import Team, validate  # pydantic: only when writing

    return validate(Team, data)


class Teams:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def list(self, *, include_archived: bool = False) -> Rows:
        where = "" if include_archived else "WHERE archived = 0"
        rows = self.core.rows(f"SELECT * FROM teams {where} ORDER BY position, code")
        for row in rows:
            row["archived"] = bool(row["archived"])
        return rows

    def codes(self, *, include_archived: bool = True) -> builtins.list[str]:
        return [t["code"] for t in self.list(include_archived=include_archived)]

    def get(self, code: str) -> dict[str, Any]:
        row = self.core.row("SELECT * FROM teams WHERE code = ?", [code.strip().upper()])
        if row is None:
            known = ", ".join(self.codes()) or "none yet"
            raise NotFound(f"team: unknown team {code!r} (known: {known})")
        row["archived"] = bool(row["archived"])
        return row

    def seed(self) -> None:
        """Give a new database the nine teams of an e-commerce organisation."""
        with self.core.transaction("seed") as tx:
            if self.core.scalar("SELECT COUNT(*) FROM teams"):
                return  # another process seeded it first
            for position, team in enumerate(SEED_TEAMS):
                # The same uuid on every laptop: plans merged by sync keep nine teams.
                self._insert(tx, _validate_team(team), position, uuid=seed_team_uuid(team["code"]))

    def add(self, team: Team) -> dict[str, Any]:
        with self.core.transaction("team.add") as tx:
            if self.core.scalar("SELECT 1 FROM teams WHERE code = ?", [team.code]):
                raise UserError(f"code: team {team.code} already exists")
            position = self.core.scalar("SELECT COALESCE(MAX(position), -1) + 1 FROM teams")
            self._insert(tx, team, position)
        return self.get(team.code)

    def _insert(self, tx: Any, team: Team, position: int, *, uuid: str | None = None) -> None:
        row = team.model_dump(mode="json")
        row["archived"] = int(row["archived"])
        if uuid is not None:
            row["uuid"] = uuid
        tx.insert("team", {**row, "position": position}, key=team.code)

    def edit(self, code: str, changes: dict[str, Any]) -> dict[str, Any]:
        with self.core.transaction("team.edit") as tx:
            row = self.get(code)
            merged = {f: row[f] for f in TEAM_FIELDS} | changes
            team = _validate_team(merged)
            if team.code != row["code"]:
                raise UserError("code: a team's code cannot change (card keys use it)")
            new = team.model_dump(mode="json")
            new["archived"] = int(new["archived"])
            row["archived"] = int(row["archived"])
            tx.update("team", row, {f: new[f] for f in changes}, key=row["code"])
        return self.get(code)

    def archive(self, code: str, *, move_cards_to: str | None = None) -> dict[str, Any]:
        """Archive a team; its open cards move to another team first, never deleted."""
        with self.core.transaction("team.archive") as tx:
            row = self.get(code)
            open_cards = self.core.rows(
                "SELECT * FROM cards WHERE team_id = ? AND status != 'done'", [row["id"]]
            )
            if open_cards and move_cards_to is None:
                raise UserError(
                    f"team {row['code']} has {len(open_cards)} open cards; say where they go "
                    "with --move-cards-to TEAM"
                )
            if move_cards_to is not None:
                target = self.get(move_cards_to)
                if target["id"] == row["id"] or target["archived"]:
                    raise UserError("move-cards-to: must be another, active team")
                for card in open_cards:
                    tx.update(
                        "card",
                        card,
                        {"team_id": target["id"], "updated_at": tx.now},
                        key=card["key"],
                    )
            row["archived"] = int(row["archived"])
            tx.update("team", row, {"archived": 1}, key=row["code"])
        return self.get(code)

    def capacity(self, code: str, sprint_id: int | None) -> int:
        """The team's capacity for a sprint: the sprint's override, else the default."""
        team = self.get(code)
        if sprint_id is not None:
            override = self.core.scalar(
                "SELECT capacity FROM sprint_capacity WHERE sprint_id = ? AND team_id = ?",
                [sprint_id, team["id"]],
            )
            if override is not None:
                return int(override)
        return int(team["capacity"])


class Members:
    def __init__(self, core: StoreCore, teams: Teams) -> None:
        self.core = core
        self.teams = teams

    def _shape(self, row: dict[str, Any]) -> dict[str, Any]:
        row["onboarding"] = json.loads(row["onboarding"])
        done = sum(row["onboarding"].values())
        row["onboarded"] = f"{done}/{len(row['onboarding'])}"
        return row

    def list(self, team: str | None = None) -> Rows:
        sql = (
            "SELECT m.*, t.code AS team FROM members m JOIN teams t ON t.id = m.team_id"
            + (" WHERE t.code = ?" if team else "")
            + " ORDER BY t.position, m.name"
        )
        params = [self.teams.get(team)["code"]] if team else []
        return [self._shape(r) for r in self.core.rows(sql, params)]

    def get(self, member_id: int) -> dict[str, Any]:
        row = self.core.row(
            "SELECT m.*, t.code AS team FROM members m JOIN teams t ON t.id = m.team_id"
            " WHERE m.id = ?",
            [member_id],
        )
        if row is None:
            raise NotFound(f"member: no member with id {member_id}")
        return self._shape(row)

    def add(self, member: Member) -> dict[str, Any]:
        with self.core.transaction("member.add") as tx:
            team = self.teams.get(member.team)
            rowid = tx.insert(
                "member",
                {
                    "team_id": team["id"],
                    "name": member.name,
                    "role": member.role,
                    "onboarding": json.dumps(member.onboarding, ensure_ascii=False),
                },
                key=member.name,
            )
        return self.get(rowid)

    def onboard(self, member_id: int, step: str, done: bool = True) -> dict[str, Any]:
        """Tick (or untick) a step on the member's checklist: one of ONBOARDING_STEPS or
        one added with `add_step` (any case). Any other text is refused, never added."""
        with self.core.transaction("member.onboard") as tx:
            row, checklist = self._checklist(member_id)
            wanted = " ".join(step.split()).casefold()
            known = list(dict.fromkeys([*checklist, *ONBOARDING_STEPS]))
            found = next((name for name in known if name.casefold() == wanted), None)
            if found is None:
                shown = repr(step) if len(step) <= 60 else repr(step[:57]) + "..."
                raise UserError(
                    f"step: not an onboarding step (got {shown}); one of " + ", ".join(known)
                )
            checklist[found] = done
            self._write_checklist(tx, row, checklist)
        return self.get(member_id)

    def add_step(self, member_id: int, step: str) -> dict[str, Any]:
        """Add a step (not done) to one member's checklist, e.g. 'warehouse safety training'."""
        from sprintboard.models import OnboardingStep, validate  # pydantic: only when writing

        name = validate(OnboardingStep, {"step": step}).step
        with self.core.transaction("member.onboard") as tx:
            row, checklist = self._checklist(member_id)
            if name.casefold() in {known.casefold() for known in checklist}:
                raise UserError(f"step: {name!r} is already on the checklist")
            if len(checklist) >= MAX_ONBOARDING_STEPS:
                raise UserError(
                    f"step: the checklist holds {len(checklist)} steps; at most "
                    f"{MAX_ONBOARDING_STEPS}"
                )
            checklist[name] = False
            self._write_checklist(tx, row, checklist)
        return self.get(member_id)

    def _checklist(self, member_id: int) -> tuple[dict[str, Any], dict[str, bool]]:
        row = self.core.row("SELECT * FROM members WHERE id = ?", [member_id])
        if row is None:
            raise NotFound(f"member: no member with id {member_id}")
        return row, json.loads(row["onboarding"])

    def _write_checklist(self, tx: Any, row: dict[str, Any], checklist: dict[str, bool]) -> None:
        tx.update(
            "member",
            row,
            {"onboarding": json.dumps(checklist, ensure_ascii=False)},
            key=row["name"],
        )
