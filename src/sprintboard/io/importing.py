"""From parsed import items to a plan (io/import_plan.py), applied by io/import_apply.py.

Each format module (trello, jira, github, cards_csv) reads its file into `Parsed` (see
items.py): items that carry their source id and only the fields the source really has.
`plan_import` maps them onto this database (teams, columns, sprints, cards imported
before) without writing anything, which is the dry run (import_summary.py shows it);
`apply_plan` (import_apply.py) writes the plan inside the caller's one transaction.

Comments and checklist items of the cards are planned by import_threads.py, matched by
their own source ids.

Re-importing a file updates the cards it made before in the fields the source owns,
instead of adding them again. A row is matched by its UUID first (sprintboard's own CSV
export carries it: a file exported from this database updates the very cards it came
from), then by `cards.external_id`; a new card keeps the row's UUID, so a file that went
to another database and back matches too.
"""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from sprintboard.errors import UserError
from sprintboard.io.import_links import plan_links
from sprintboard.io.import_plan import (
    CardClose,
    CardUpdate,
    ImportOptions,
    NewCard,
    NewGoal,
    Plan,
)
from sprintboard.io.import_threads import plan_threads
from sprintboard.io.items import (
    MAX_IMPORT_ITEMS,
    SPRINT_DAYS,
    Item,
    Parsed,
    Skip,
    normalise_name,
    priority_for,
    status_for,
)
from sprintboard.models import Card, Goal, Sprint, describe_validation_error
from sprintboard.store import Store
from sprintboard.store.bulk import (
    cards_by_external_id,
    cards_where,
)
from sprintboard.store.people import Members
from sprintboard.store.sprints import is_reserved_name
from sprintboard.vocabulary import (
    Priority,
    SprintState,
    Status,
    needs_cleaning,
    replace_surrogates,
    stored_day,
    strip_control,
    title_key,
)


class _Planner:
    def __init__(self, store: Store, parsed: Parsed, options: ImportOptions) -> None:
        self.store = store
        self.parsed = parsed
        self.options = options
        self.plan = Plan(parsed, skipped=list(parsed.skipped))
        every = store.teams.list(include_archived=True)
        self.code_of = {int(t["id"]): str(t["code"]) for t in every}
        self.team_by_name: dict[str, dict[str, Any]] = {}
        for team in every:
            if not team["archived"]:
                self.team_by_name.setdefault(normalise_name(team["name"]), team)
        for team in every:  # a code beats a name
            if not team["archived"]:
                self.team_by_name[normalise_name(team["code"])] = team
        self.default_team: dict[str, Any] | None = None
        if options.team:
            self.default_team = store.teams.get(options.team)
            if self.default_team["archived"]:
                raise UserError(
                    f"team: {self.default_team['code']} is archived; pick an active team"
                )
        self.sprints = {str(s["name"]): s for s in store.sprints.list()}
        self.sprint_by_id = {int(s["id"]): str(s["name"]) for s in self.sprints.values()}
        self.default_sprint: str | None = None
        if options.sprint is not None:
            found = store.sprints.resolve(options.sprint)
            self.default_sprint = None if found is None else str(found["name"])
        self.new_sprint_names: list[str] = []
        self.existing = cards_by_external_id(store, parsed.prefix)
        if parsed.source == "github":
            # GitHub names are case-insensitive and its ids are kept in lower case now:
            # a card imported under another spelling ('Acme/Shop#12') is the same one.
            for external_id, row in list(self.existing.items()):
                self.existing.setdefault(external_id.lower(), row)
        others = [
            i.external_id for i in parsed.items if not i.external_id.startswith(parsed.prefix)
        ]
        self.existing.update(cards_where(store, "external_id", others))
        self.by_uuid = cards_where(store, "uuid", [i.uuid for i in parsed.items if i.uuid])
        self.matched: dict[str, dict[str, Any]] = {}
        """Item.identity -> the card here it updates."""
        self.members = Members(
            r["name"] for r in store.rows("SELECT name FROM members ORDER BY id")
        )

    def _match(self, item: Item) -> dict[str, Any] | None:
        """The card here that `item` is: the one with its UUID, else its external id."""
        if item.uuid and item.uuid in self.by_uuid:
            return self.by_uuid[item.uuid]
        return self.existing.get(item.external_id)

    def run(self) -> Plan:
        self._plan_goals()
        seen: dict[str, str] = {}
        kept: dict[str, Item] = {}
        closed: dict[str, Item] = {}
        """Items whose cards the import closes: their comments and checklists still come in."""
        for item in self.parsed.items:
            row = self._match(item)
            marks = [item.identity] + ([f"card:{row['id']}"] if row is not None else [])
            twice = next((seen[m] for m in marks if m in seen), None)
            if twice is not None:
                self.plan.skipped.append(
                    Skip(item.where, f"the same card as {twice} (skipped)", title=item.title)
                )
                continue
            seen.update(dict.fromkeys(marks, item.where))
            if item.archived is not None:
                self._plan_archived(item, row)
                if row is not None:
                    closed[item.identity] = item
                continue
            if row is not None:
                self.matched[item.identity] = row
            if self._plan_item(item):
                kept[item.identity] = item
        self._plan_sprints()
        plan_links(self.store, self.parsed, self.plan, self.matched, self.existing, kept)
        closed_rows = {ident: self._match(item) for ident, item in closed.items()}
        self._plan_checklists({**kept, **closed})
        plan_threads(
            self.store,
            self.plan,
            {**kept, **closed},
            {**self.matched, **{k: r for k, r in closed_rows.items() if r is not None}},
        )
        return self.plan

    def _plan_checklists(self, kept: dict[str, Item]) -> None:
        """Tick checklist items by their status (--map-status counts); leave out those
        whose own card is in the file or here; plan the removal of checklist items that a
        card of the file replaces (a Jira sub-task that gained points since)."""
        cards = {item.external_id for item in kept.values()} | set(self.existing)
        unknown: Counter[str] = Counter()
        for item in kept.values():
            checklist = []
            for check in item.checklist:
                if check.replaced_by is not None and check.replaced_by in cards:
                    ref = check.replaced_by.removeprefix(self.parsed.prefix)
                    reason = f"checklist item {ref}: a card of its own (skipped)"
                    self.plan.threads.skipped.append(
                        ("checklist_item", Skip(check.where, reason, ref))
                    )
                    continue
                if check.status_name is not None and check.status_name.strip():
                    status = self._status(check.status_name)
                    check.done = status == Status.DONE
                    if status is None:
                        unknown[check.status_name.strip()] += 1
                checklist.append(check)
            item.checklist = checklist  # what plan_threads plans
        for name, n in unknown.items():
            self.plan.parsed.notes.append(
                f"status {name!r} means nothing here: {n} checklist item(s) left unticked; "
                f"map it with --map-status {shlex.quote(name + '=STATUS')}"
            )

    # -- goals and archived items --------------------------------------------------------

    def _plan_goals(self) -> None:
        """Each goal the source describes is the goal an earlier import made of it (found
        by the source id it remembered), else a goal of the same title (white space and case
        aside), else a new one."""
        if not self.parsed.goals:
            return
        made = {
            str(r["key"]).removeprefix(GOAL_MEMORY): str(r["value"])
            for r in self.store.rows(
                "SELECT key, value FROM meta WHERE key >= ? AND key < ?",
                [GOAL_MEMORY, GOAL_MEMORY[:-1] + chr(ord(GOAL_MEMORY[-1]) + 1)],
            )
        }
        goals = self.store.rows("SELECT id, uuid, title FROM goals ORDER BY id")
        by_uuid = {str(g["uuid"]): int(g["id"]) for g in goals}
        by_title: dict[str, int] = {}
        for row in goals:
            # Titles are stored as given; 'Grow  repeat orders' still finds 'grow repeat orders'.
            by_title.setdefault(title_key(str(row["title"])), int(row["id"]))
        for ident, source in self.parsed.goals.items():
            found = by_uuid.get(made.get(ident, ""))
            if found is None:
                found = by_title.get(title_key(source.title))
            if found is not None:
                self.plan.goal_of[ident] = found
                self.plan.goals_found += 1
                continue
            try:
                goal = Goal.model_validate({"title": source.title})
            except ValidationError as exc:
                self.plan.skipped.append(
                    Skip(source.where, f"goal: {describe_validation_error(exc)}", ident)
                )
                continue
            self.plan.new_goals.append(NewGoal(source, goal))
            self.plan.goal_of[ident] = ident

    def _plan_archived(self, item: Item, row: dict[str, Any] | None) -> None:
        """An item the source no longer shows: a card imported before is closed (done,
        and out of a sprint that is not closed); a new one is not imported."""
        assert item.archived is not None
        if row is None:
            ref = item.link_name(self.parsed.prefix)
            self.plan.skipped.append(Skip(item.where, item.archived, ref, item.title))
            return
        state = None
        if row["sprint_id"] is not None:
            name = self.sprint_by_id.get(int(row["sprint_id"]))
            state = self.sprints[name]["state"] if name in self.sprints else None
        leaves = state in (SprintState.PLANNED, SprintState.ACTIVE)
        if row["status"] == Status.DONE and not leaves:
            self.plan.unchanged += 1
            return
        self.plan.closes.append(CardClose(item, row, item.archived, leaves))

    def _status(self, name: str) -> Status | None:
        """The column a source's status or list name means: a --map-status mapping, else
        the names other tools use (items.STATUS_BY_NAME)."""
        key = normalise_name(name)
        mapped = self.options.map_status.get(key)
        if mapped is None:
            return status_for(name)
        self.plan.mappings_used.add(key)
        return mapped

    # -- one card ---------------------------------------------------------------------------

    def _teams(self, item: Item, labels: list[str]) -> tuple[list[dict[str, Any]], list[str], str]:
        """The teams an item names (owner first), its labels without team names, and the
        name the source used for the owning team."""
        found: list[dict[str, Any]] = []
        owner_name = ""
        kept_labels: list[str] = []
        if self.parsed.source == "csv":
            # The generic CSV (sprintboard's own export) names teams in its own columns:
            # its labels are labels, kept exactly as written (a CSV round trip changes none).
            kept_labels, labels = list(labels), []
        for name, is_label in [(n, False) for n in item.team_refs] + [(n, True) for n in labels]:
            team = self.team_by_name.get(normalise_name(name))
            if team is None:
                if is_label:
                    kept_labels.append(name)
                elif name.strip():
                    self.plan.not_teams[name.strip()] += 1
                    kept_labels.append(name)
            elif all(t["id"] != team["id"] for t in found):
                owner_name = owner_name or name
                found.append(team)
        if self.parsed.source == "csv":
            return found, kept_labels, owner_name
        return found, list(dict.fromkeys(kept_labels)), owner_name

    def _plan_item(self, item: Item) -> bool:
        existing = self.matched.get(item.identity)
        fields = dict(item.fields)
        if fields.get("assignee"):
            # As card add/edit store it: a member's own spelling where it names one, so the
            # board's "mine" filter and the people load count the card ('sanne', 'SANNE').
            fields["assignee"] = self._assignee(str(fields["assignee"]))
        teams, labels, owner_name = self._teams(item, list(fields.get("labels", [])))
        if existing is None and not teams and self.default_team is None:
            self.plan.no_team.append(item)
            return False
        if "labels" in fields or labels:
            fields["labels"] = labels
        counts: list[tuple[Counter[Any], Any]] = []
        if item.status_name is not None:
            status = self._status(item.status_name)
            fields["status"] = (status or self.options.unknown_column).value
            counts.append((self.plan.columns, (item.status_name, fields["status"], status is None)))
        if item.priority_name is not None and item.priority_name.strip():
            priority = source_priority(item.priority_name)
            counts.append((self.plan.priorities, (item.priority_name, priority or "")))
            if priority is not None:
                fields["priority"] = priority.value
                # A label that gave the priority (GitHub's 'priority: high') has done its job.
                if self.parsed.source != "csv" and item.priority_name in fields.get("labels", ()):
                    fields["labels"] = [n for n in fields["labels"] if n != item.priority_name]
        sprint, sprint_given, how = self._sprint(item)
        if sprint_given or existing is None:
            counts.append((self.plan.sprints, (sprint or "", how)))
        if teams:
            counts.append((self.plan.teams, (owner_name, str(teams[0]["code"]))))
        elif existing is None and self.default_team is not None:
            counts.append((self.plan.teams, ("", str(self.default_team["code"]))))
        goal = self.plan.goal_of.get(item.goal) if item.goal is not None else None
        if existing is None:
            kept = self._plan_new(item, fields, teams, sprint, goal)
        else:
            kept = self._plan_update(item, existing, fields, teams, sprint, sprint_given, goal)
        if kept:
            for counter, key in counts:
                counter[key] += 1
            new_sprint = sprint is not None and sprint not in self.sprints
            if new_sprint and sprint not in self.new_sprint_names:
                self.new_sprint_names.append(str(sprint))
        return kept

    def _assignee(self, name: str) -> str:
        """The member `name` names. Trello and GitHub list several people as 'sanne, kees':
        there each one (elsewhere a comma may be part of a name: 'de Vries, Sanne')."""
        found = self.members.canonical(name)
        if found == name and ", " in name and self.parsed.source in ("trello", "github"):
            return ", ".join(self.members.canonical(part) for part in name.split(", "))
        return found

    def _sprint(self, item: Item) -> tuple[str | None, bool, str]:
        """The sprint the card goes to, whether the import says so (else the card stays
        where it is) and how it was chosen: 'existing', 'new' or 'default'."""
        if item.sprint is not None and _line(item.sprint):
            name = _line(item.sprint)
            if is_reserved_name(name):
                name = self._renamed_sprint(name)
            return name, True, "existing" if name in self.sprints else "new"
        if self.options.sprint is not None:
            return self.default_sprint, True, "default"
        return None, False, "default"

    def _renamed_sprint(self, name: str) -> str:
        """A source's sprint named 'current' or 'backlog' would be unreachable here (those
        words mean the active sprint and the backlog): it is imported under a new name."""
        renamed = f"{name} (imported)"
        if name in self.parsed.sprint_dates:
            self.parsed.sprint_dates[renamed] = self.parsed.sprint_dates[name]
        note = (
            f"sprint {name!r} imported as {renamed!r}: 'current' and 'backlog' mean the "
            "active sprint and the backlog here"
        )
        if note not in self.plan.parsed.notes:
            self.plan.parsed.notes.append(note)
        return renamed

    def _validate(self, item: Item, data: dict[str, Any]) -> Card | None:
        texts = [v for v in data.values() if isinstance(v, str)]
        texts += [t for v in data.values() if isinstance(v, list) for t in v if isinstance(t, str)]
        repaired = self.parsed.repaired
        self.parsed.cleaned += sum(1 for t in texts if needs_cleaning(t) or t in repaired)
        try:
            return Card.model_validate(data)
        except ValidationError as exc:
            ref = item.link_name(self.parsed.prefix)
            self.plan.skipped.append(
                Skip(item.where, describe_validation_error(exc), ref, item.title)
            )
            return None

    def _plan_new(
        self,
        item: Item,
        fields: dict[str, Any],
        teams: list[dict[str, Any]],
        sprint: str | None,
        goal: int | str | None,
    ) -> bool:
        owner = teams[0] if teams else self.default_team
        assert owner is not None
        others = [t for t in teams if t["id"] != owner["id"]]
        card = self._validate(
            item,
            {
                "title": item.title,
                **fields,
                "team": owner["code"],
                "teams": [t["code"] for t in others],
            },
        )
        if card is None:
            return False
        self.plan.creates.append(
            NewCard(item, card, sprint, int(owner["id"]), [int(t["id"]) for t in others], goal)
        )
        return True

    def _plan_update(
        self,
        item: Item,
        row: dict[str, Any],
        fields: dict[str, Any],
        teams: list[dict[str, Any]],
        sprint: str | None,
        sprint_given: bool,
        goal: int | str | None,
    ) -> bool:
        owner_code = self.code_of[int(row["team_id"])]
        current = {
            "title": row["title"],
            "description": row["description"],
            "status": row["status"],
            "points": row["points"],
            "priority": row["priority"],
            "assignee": row["assignee"],
            "due": row["due"],
            "labels": _json_list_of(row["labels"]),
            "skus": _json_list_of(row["skus"]),
            "expected_orders": row["expected_orders"],
            "team": owner_code,
            "teams": [self.code_of[t] for t in row["contributing"]],
        }
        merged = {**current, "title": item.title, **fields}
        contributing: list[int] | None = None
        if teams:
            merged["team"] = teams[0]["code"]
            merged["teams"] = [t["code"] for t in teams[1:]]
            wanted = [int(t["id"]) for t in teams[1:]]
            if sorted(wanted) != sorted(row["contributing"]):
                contributing = wanted
        current_sprint = self.sprint_by_id.get(row["sprint_id"]) if row["sprint_id"] else None
        sprint_changed = sprint_given and sprint != current_sprint
        same = all(_stored(merged[name]) == current[name] for name in ("title", *fields))
        same = same and merged["team"] == owner_code and contributing is None
        goal_changed = goal is not None and goal != row["goal_id"]
        # What is stored was validated: nothing to check.
        if same and not sprint_changed and not goal_changed:
            self.plan.unchanged += 1
            return True
        card = self._validate(item, merged)
        if card is None:
            return False
        data = card.model_dump(mode="json")
        changes: dict[str, Any] = {}
        for name in ("title", *fields):
            if data[name] != current[name]:
                value = data[name]
                if name in ("labels", "skus"):
                    value = json.dumps(value, ensure_ascii=False)
                changes[name] = value
        if teams and teams[0]["code"] != owner_code:
            changes["team_id"] = int(teams[0]["id"])
        if not changes and contributing is None and not sprint_changed and not goal_changed:
            self.plan.unchanged += 1
            return True
        self.plan.updates.append(
            CardUpdate(
                item,
                row,
                changes,
                sprint,
                sprint_changed,
                contributing,
                goal if goal_changed else None,
            )
        )
        return True

    # -- sprints and links ---------------------------------------------------------------------

    def _plan_sprints(self) -> None:
        used = {c.sprint for c in self.plan.creates} | {
            u.sprint for u in self.plan.updates if u.sprint_changed
        }
        stored = (stored_day(s["end"]) for s in self.sprints.values())
        ends = [end for end in stored if end is not None]  # out of range: not a sprint
        cursor = max(
            [date.fromisoformat(self.store.today()), *(e + timedelta(days=1) for e in ends)]
        )
        # One after another in name order, so 'Sprint 9' comes before 'Sprint 10'.
        for name in sorted(self.new_sprint_names, key=_natural):
            if name not in used:
                continue
            dates = {_line(n): span for n, span in self.parsed.sprint_dates.items()}
            if name in dates:
                start, end = dates[name]
            else:
                start, end = cursor, cursor + timedelta(days=SPRINT_DAYS - 1)
                cursor = end + timedelta(days=1)
            try:
                sprint = Sprint.model_validate({"name": name, "start": start, "end": end})
            except ValidationError as exc:
                self._without_sprint(name, describe_validation_error(exc))
                continue
            self.plan.new_sprints.append(sprint)

    def _without_sprint(self, name: str, reason: str) -> None:
        """A sprint the file names but that cannot be made (its dates are out of range):
        its new cards go to the backlog, cards already stored stay in their sprint, and the
        summary says so; the rest of the import goes on."""
        moved = 0
        for new in self.plan.creates:
            if new.sprint == name:
                new.sprint, moved = None, moved + 1
        for update in self.plan.updates:
            if update.sprint == name:
                update.sprint, update.sprint_changed, moved = None, False, moved + 1
        count = self.plan.sprints.pop((name, "new"), 0)
        if count:
            self.plan.sprints[("", "default")] += count
        self.plan.parsed.notes.append(
            f"sprint {name!r} not created ({reason}): its {moved} card(s) go without it"
        )


GOAL_MEMORY = "import.goal "
"""Meta key prefix: 'import.goal jira:SHOP-1' holds the uuid of the goal an import made
of that source goal, so a re-import finds it again after either side renamed it."""

# 'Priority: High', 'priority/high', 'High priority': the word says what the value is.
_PRIORITY_WORD = re.compile(r"^(?:priority|prio)\s+|\s+(?:priority|prio)$")


def _line(text: str) -> str:
    """A name from the source as one line of text, cleaned as the records clean it (so a
    sprint it names is found again under the name it is stored as)."""
    return strip_control(replace_surrogates(text), one_line=True)


def source_priority(name: str) -> Priority | None:
    """A source's priority name mapped onto ours; a 'priority' word around it is ignored."""
    found = priority_for(name)
    if found is None:
        found = priority_for(_PRIORITY_WORD.sub("", normalise_name(name)))
    return found


def _natural(name: str) -> list[Any]:
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", name)
    ]


def _stored(value: Any) -> Any:
    """A source value as the database holds it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def _json_list_of(text: str) -> list[Any]:
    return [] if text == "[]" else list(json.loads(text))


def plan_import(store: Store, parsed: Parsed, options: ImportOptions) -> Plan:
    """Map parsed items onto the database: what would be created, updated and skipped."""
    if len(parsed.items) > MAX_IMPORT_ITEMS:
        raise UserError(
            f"{parsed.described}: {len(parsed.items):,} cards; one import takes at most "
            f"{MAX_IMPORT_ITEMS:,}: split the file"
        )
    return _Planner(store, parsed, options).run()
