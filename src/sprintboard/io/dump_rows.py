"""The values of a JSON export checked before a restore writes them: the same pydantic
records (`sprintboard.models`) every other way into the store uses, plus the columns only
the store writes (ids, keys, timestamps, positions, counters).

A value the records would refuse stops the restore with one line naming its JSON path,
and so does what the CLI refuses across rows: a team code not written as the CLI writes
it (`IT`, not `it`), a key counter for a team the file does not have or past
MAX_CARD_NUMBER, dependencies that close a cycle. Text the records clean (control
characters removed, lone surrogates replaced) is written cleaned, and counted. A sprint
named `current` or `backlog` (words every sprint argument reads as the active sprint and
the backlog) is restored as `NAME (imported)`, with a note, as the other imports do.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from graphlib import CycleError, TopologicalSorter
from typing import Any

from pydantic import BaseModel, ValidationError

from sprintboard.errors import UserError
from sprintboard.models import (
    Card,
    ChecklistItem,
    Comment,
    Feedback,
    Goal,
    Measure,
    Member,
    Moment,
    Sprint,
    StockItem,
    Team,
    TeamCode,
    Title,
    describe_validation_error,
)
from sprintboard.money import CURRENCY, MAX_CENTS
from sprintboard.store.sprints import is_reserved_name
from sprintboard.vocabulary import (
    CARD_KEY,
    INT64_MAX,
    MAX_CAPACITY,
    MAX_CARD_NUMBER,
    MAX_COUNT,
    Triage,
    replace_surrogates,
)

Row = dict[str, Any]
_PLACEHOLDER_TEAM = "X"
"""A team code for records whose team is a foreign key here (checked by the database)."""
_UUID = re.compile(r"^[0-9a-fA-F-]{1,64}$")

# Columns written by the store itself, not by a person: checked for shape and range.
_MOMENTS = {
    "goals": ("signed_off_at", "created_at", "updated_at"),
    "sprints": ("started_at", "closed_at"),
    "cards": ("created_at", "updated_at", "done_at"),
    "dependencies": ("created_at",),
    "feedback": ("triaged_at", "informed_at"),
    "comments": ("created_at", "edited_at"),
    "checklist_items": ("created_at", "done_at"),
    "measures": ("recorded_at",),
}
_COUNTS = {
    "sprints": ("committed_points", "completed_points", "scope_added", "scope_removed"),
}
_CENTS = {
    "teams": ("rate_cents",),
    "cards": ("cost_cents",),
    "goals": ("budget_cents", "return_cents"),
    "sprints": ("budget_cents",),
}
"""Amounts: whole cents (sprintboard.money), 0 to MAX_CENTS, or null."""
RATE_UNITS = ("point", "day")
PLAN_SETTINGS = ("currency",)


def _path(table: str, index: int, column: str) -> str:
    return f"$.tables.{table}[{index}].{column}"


def _scalar(at: str, value: Any) -> None:
    """Any column: a value SQLite stores and Python reads back."""
    if isinstance(value, bool):
        raise UserError(f"{at}: expected text, a number or null (got {value!r})")
    if isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise UserError(f"{at}: {value} does not fit a 64-bit integer; numbers up to {INT64_MAX}")
    if isinstance(value, float) and not math.isfinite(value):
        raise UserError(f"{at}: {value} is not a finite number")


def _int_in(at: str, value: Any, low: int, high: int, *, null: bool = True) -> None:
    if value is None and null:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise UserError(f"{at}: must be a whole number {low}-{high:,} (got {value!r})")


def _cents(at: str, value: Any) -> None:
    """An amount: whole cents, 0 to MAX_CENTS, or null (money is never a float)."""
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_CENTS:
        raise UserError(
            f"{at}: an amount in whole cents, 0 to {MAX_CENTS:,}, or null (got {value!r:.60})"
        )


def _json_column(at: str, value: Any, kind: type) -> Any:
    if not isinstance(value, str):
        raise UserError(f"{at}: expected JSON text (got {value!r:.60})")
    try:
        parsed = json.loads(value)
    except (json.JSONDecodeError, RecursionError):
        raise UserError(f"{at}: not valid JSON (got {value!r:.60})") from None
    if not isinstance(parsed, kind):
        raise UserError(f"{at}: expected a JSON {kind.__name__} (got {value!r:.60})")
    return parsed


def _record(table: str, index: int, model: type[BaseModel], given: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        column = str(first["loc"][0]) if first["loc"] else ""
        message = describe_validation_error(exc)
        # `received_at: ...` -> `$.tables.feedback[3].received_at: ...`
        shown = message[len(column) + 2 :] if column and message.startswith(column) else message
        raise UserError(f"{_path(table, index, column or '?')}: {shown}") from None


class Cleaner:
    """Checks rows table by table; counts the text values it had to clean."""

    def __init__(self) -> None:
        self.cleaned: set[str] = set()
        """The JSON paths of the values cleaned."""
        self.notes: list[str] = []
        """What was restored otherwise than written (a renamed sprint), one line each."""

    def _take(
        self, at: tuple[str, int], row: Row, model: BaseModel, columns: dict[str, str]
    ) -> None:
        """Write the record's (cleaned) values back into `row`: column -> model field."""
        for column, name in columns.items():
            if column not in row:
                continue
            new = getattr(model, name)
            if isinstance(new, list):
                new = json.dumps(new, ensure_ascii=False)
                if json.loads(row[column]) == json.loads(new):
                    continue
            elif not isinstance(new, str) or not isinstance(row[column], str):
                continue
            if new != row[column]:
                self.cleaned.add(_path(*at, column))
                row[column] = new

    def team(self, i: int, row: Row) -> None:
        names = ("code", "name", "format", "colour", "capacity")
        given: dict[str, Any] = {k: row[k] for k in names if k in row}
        given["throughput_per_day"] = row.get("throughput_per_day")
        model = _record("teams", i, Team, given)
        if row.get("code") != getattr(model, "code", None):
            # The CLI upper-cases what it is given: a code stored otherwise is never found.
            raise UserError(
                f"{_path('teams', i, 'code')}: not written as a team code (got "
                f"{row.get('code')!r}); 1-8 capital letters or digits, e.g. "
                f"{getattr(model, 'code', 'IT')!r}"
            )
        self._take(("teams", i), row, model, {"name": "name", "colour": "colour"})
        _int_in(_path("teams", i, "archived"), row.get("archived", 0), 0, 1)
        unit = row.get("rate_unit", "point")
        if unit not in RATE_UNITS:
            raise UserError(
                f"{_path('teams', i, 'rate_unit')}: a rate is per 'point' or per 'day' "
                f"(got {unit!r:.60})"
            )

    def key_counter(self, i: int, row: Row) -> None:
        _record("key_counters", i, _CounterCode, {"code": row.get("team_code")})
        last = _path("key_counters", i, "last")
        _int_in(last, row.get("last"), 0, MAX_CARD_NUMBER, null=False)

    def member(self, i: int, row: Row) -> None:
        given = {"team": _PLACEHOLDER_TEAM, "name": row.get("name"), "role": row.get("role", "")}
        if "onboarding" in row:
            given["onboarding"] = _json_column(
                _path("members", i, "onboarding"), row["onboarding"], dict
            )
        model = _record("members", i, Member, given)
        self._take(("members", i), row, model, {"name": "name", "role": "role"})

    def goal(self, i: int, row: Row) -> None:
        fields = ("title", "kpi", "unit", "baseline", "target", "current", "expected_roi")
        given = {k: row[k] for k in (*fields, "sponsor", "status") if k in row}
        model = _record("goals", i, Goal, given)
        self._take(("goals", i), row, model, {k: k for k in ("title", "kpi", "unit", "sponsor")})

    def sprint(self, i: int, row: Row) -> None:
        names = ("name", "goal", "start", "end", "state")
        given: dict[str, Any] = {k: row[k] for k in names if k in row}
        model = _record("sprints", i, Sprint, given)
        self._take(("sprints", i), row, model, {"name": "name", "goal": "goal"})
        name = getattr(model, "name", "")
        if is_reserved_name(name):
            renamed = f"{name} (imported)"
            _record("sprints", i, Sprint, {**given, "name": renamed})
            row["name"] = renamed
            self.notes.append(
                f"sprint {name!r} ({_path('sprints', i, 'name')}) restored as {renamed!r}: "
                "'current' and 'backlog' mean the active sprint and the backlog here"
            )

    def sprint_capacity(self, i: int, row: Row) -> None:
        at = _path("sprint_capacity", i, "capacity")
        _int_in(at, row.get("capacity"), 0, MAX_CAPACITY, null=False)

    def card(self, i: int, row: Row) -> None:
        at = _path("cards", i, "key")
        key = row.get("key")
        if not isinstance(key, str) or not CARD_KEY.match(key):
            raise UserError(f"{at}: must be a card key like IT-42 (got {key!r:.60})")
        given: dict[str, Any] = {"team": _PLACEHOLDER_TEAM}
        for column in (
            "title",
            "description",
            "status",
            "points",
            "priority",
            "assignee",
            "due",
            "expected_orders",
        ):
            if column in row:
                given[column] = row[column]
        for column in ("labels", "skus"):
            if column in row:
                given[column] = _json_column(_path("cards", i, column), row[column], list)
        model = _record("cards", i, Card, given)
        names = ("title", "description", "assignee", "labels", "skus")
        self._take(("cards", i), row, model, {k: k for k in names})
        position = row.get("position", 0.0)
        if not isinstance(position, int | float) or abs(position) > 1e15:
            raise UserError(f"{_path('cards', i, 'position')}: not a board position")

    def feedback(self, i: int, row: Row) -> None:
        names = ("text", "source", "customer", "category", "reported_by", "reports")
        given = {k: row[k] for k in names if k in row}
        given["received_at"] = row.get("received_at")
        model = _record("feedback", i, Feedback, given)
        self._take(("feedback", i), row, model, {k: k for k in ("text", "customer", "reported_by")})
        _record("feedback", i, _Triage, {"state": row.get("state", "new")})
        if row.get("snoozed_until") is not None:
            _record("feedback", i, _Snoozed, {"snoozed_until": row["snoozed_until"]})
        _int_in(_path("feedback", i, "urgent"), row.get("urgent", 0), 0, 1)
        # Who told the customer: a person's name, as a comment's author; both or neither.
        by, at = row.get("informed_by"), row.get("informed_at")
        if (by is None) != (at is None):
            missing = "informed_at" if at is None else "informed_by"
            raise UserError(
                f"{_path('feedback', i, missing)}: informed_by and informed_at go together "
                "(both set or both null)"
            )
        if by is not None:
            if row.get("state") not in ("accepted", "duplicate"):
                raise UserError(
                    f"{_path('feedback', i, 'informed_by')}: only accepted or duplicate feedback "
                    f"is marked informed (state {row.get('state')!r})"
                )
            who = _record("feedback", i, _Informed, {"informed_by": by})
            self._take(("feedback", i), row, who, {"informed_by": "informed_by"})

    def stock(self, i: int, row: Row) -> None:
        names = ("sku", "name", "on_hand", "threshold", "restock_date")
        model = _record("stock", i, StockItem, {k: row[k] for k in names if k in row})
        self._take(("stock", i), row, model, {"sku": "sku", "name": "name"})

    def comment(self, i: int, row: Row) -> None:
        model = _record("comments", i, Comment, {"body": row.get("body")})
        self._take(("comments", i), row, model, {"body": "body"})
        author = _record("comments", i, _Author, {"author": row.get("author")})
        self._take(("comments", i), row, author, {"author": "author"})
        if row.get("created_at") is None:
            raise UserError(f"{_path('comments', i, 'created_at')}: a comment needs its time")

    def checklist_item(self, i: int, row: Row) -> None:
        given = {"text": row.get("text"), "done": row.get("done", 0)}
        _int_in(_path("checklist_items", i, "done"), row.get("done", 0), 0, 1, null=False)
        model = _record("checklist_items", i, ChecklistItem, given)
        self._take(("checklist_items", i), row, model, {"text": "text"})
        position = row.get("position", 0.0)
        if not isinstance(position, int | float) or abs(position) > 1e15:
            raise UserError(f"{_path('checklist_items', i, 'position')}: not a list position")
        if row.get("created_at") is None:
            raise UserError(f"{_path('checklist_items', i, 'created_at')}: an item needs its time")

    def measure(self, i: int, row: Row) -> None:
        _record("measures", i, Measure, {"day": row.get("day"), "value": row.get("value")})
        if row.get("recorded_at") is None:
            raise UserError(f"{_path('measures', i, 'recorded_at')}: a value needs its time")

    def plan_setting(self, i: int, row: Row) -> None:
        name, value = row.get("name"), row.get("value")
        if name not in PLAN_SETTINGS:
            raise UserError(
                f"{_path('plan_settings', i, 'name')}: not a plan setting (got {name!r:.60}); "
                f"known: {', '.join(PLAN_SETTINGS)}"
            )
        if not isinstance(value, str) or not CURRENCY.fullmatch(value):
            raise UserError(
                f"{_path('plan_settings', i, 'value')}: a currency code, three capital letters "
                f"such as EUR or USD (got {value!r:.60})"
            )


class _Author(BaseModel):
    author: Title


class _Informed(BaseModel):
    informed_by: Title


class _CounterCode(BaseModel):
    code: TeamCode


class _Triage(BaseModel):
    state: Triage


class _Snoozed(BaseModel):
    snoozed_until: Moment


class _Moments(BaseModel):
    at: Moment | None


_CHECKS: dict[str, Callable[[Cleaner, int, Row], None]] = {
    "teams": Cleaner.team,
    "key_counters": Cleaner.key_counter,
    "members": Cleaner.member,
    "goals": Cleaner.goal,
    "sprints": Cleaner.sprint,
    "sprint_capacity": Cleaner.sprint_capacity,
    "cards": Cleaner.card,
    "feedback": Cleaner.feedback,
    "stock": Cleaner.stock,
    "comments": Cleaner.comment,
    "checklist_items": Cleaner.checklist_item,
    "measures": Cleaner.measure,
    "plan_settings": Cleaner.plan_setting,
}


_KINDS: dict[str, tuple[type, ...]] = {
    "INTEGER": (int,),
    "REAL": (int, float),
    "TEXT": (str,),
}
_KIND_NAMES = {"INTEGER": "a whole number", "REAL": "a number", "TEXT": "text"}


def check_rows(
    tables: dict[str, list[Row]],
    types: dict[str, dict[str, str]],
    notes: list[str] | None = None,
) -> int:
    """Check (and clean, in place) every row of an export; returns how many text values
    were cleaned. `types` gives each table's declared column types (INTEGER, REAL, TEXT):
    a value must be of its column's kind (or null). Raises UserError naming the first bad
    value's JSON path. What is restored otherwise than written is added to `notes`."""
    cleaner = Cleaner()
    for table, rows in tables.items():
        check = _CHECKS.get(table)
        declared = types.get(table, {})
        for index, row in enumerate(rows):
            for column, value in row.items():
                at = _path(table, index, column)
                _scalar(at, value)
                kind = declared.get(column, "").upper()
                if value is not None and kind in _KINDS and not isinstance(value, _KINDS[kind]):
                    raise UserError(
                        f"{at}: expected {_KIND_NAMES[kind]} or null (got {value!r:.60})"
                    )
                if isinstance(value, str):
                    _text(cleaner, row, column, at)
            if check is not None:
                check(cleaner, index, row)
            for column in _MOMENTS.get(table, ()):
                if row.get(column) is not None:
                    try:
                        _Moments.model_validate({"at": row[column]})
                    except ValidationError as exc:
                        shown = describe_validation_error(exc).removeprefix("at: ")
                        raise UserError(f"{_path(table, index, column)}: {shown}") from None
            for column in _COUNTS.get(table, ()):
                _int_in(_path(table, index, column), row.get(column), 0, MAX_COUNT)
            for column in _CENTS.get(table, ()):
                _cents(_path(table, index, column), row.get(column))
            uuid = row.get("uuid")
            if uuid is not None and not (isinstance(uuid, str) and _UUID.match(uuid)):
                raise UserError(f"{_path(table, index, 'uuid')}: not a UUID (got {uuid!r:.60})")
    _check_counters(tables)
    _check_references(tables)
    _check_sprint_names(tables)
    _check_cycles(tables)
    if notes is not None:
        notes.extend(cleaner.notes)
    return len(cleaner.cleaned)


def _text(cleaner: Cleaner, row: Row, column: str, at: str) -> None:
    """Every text column: lone surrogates (which SQLite cannot store) become U+FFFD."""
    value: str = row[column]
    fixed = replace_surrogates(value)
    if len(value) > 1_000_000:
        raise UserError(f"{at}: text of {len(value):,} characters; at most 1,000,000")
    if fixed != value:
        cleaner.cleaned.add(at)
        row[column] = fixed


def _check_counters(tables: dict[str, list[Row]]) -> None:
    """Each team's key counter must be past its highest card key, or the next card added
    would get a key already taken."""
    highest: dict[str, int] = {}
    for card in tables.get("cards") or []:
        match = CARD_KEY.match(card["key"])
        if match:
            code, number = match.group(1), int(match.group(2))
            highest[code] = max(highest.get(code, 0), number)
    teams = {row.get("code") for row in tables.get("teams") or []}
    for index, row in enumerate(tables.get("key_counters") or []):
        if row.get("team_code") not in teams:
            raise UserError(
                f"{_path('key_counters', index, 'team_code')}: no such team in $.tables.teams "
                f"(got {row.get('team_code')!r}); a key counter belongs to a team of the file"
            )
    counters = {row.get("team_code"): row.get("last") for row in tables.get("key_counters") or []}
    for code, number in sorted(highest.items()):
        last = counters.get(code)
        if last is None or last < number:
            raise UserError(
                f"$.tables.key_counters: {code} is at {last if last is not None else 'none'}, "
                f"below card {code}-{number}; a counter must be at least its highest card key"
            )


_REFERENCES = (
    ("measures", "goal_id", "goals", False),
    ("comments", "card_id", "cards", False),
    ("checklist_items", "card_id", "cards", False),
    ("checklist_items", "team_id", "teams", True),
)
"""(table, column, the table it names by id, may it be null?) checked before writing, so a
comment or item is never restored onto a card the file does not have, nor a measured KPI
value onto a goal it does not have."""


def _check_references(tables: dict[str, list[Row]]) -> None:
    for table, column, target, null in _REFERENCES:
        rows = tables.get(table) or []
        if not rows:
            continue
        ids = {row.get("id") for row in tables.get(target) or []}
        for index, row in enumerate(rows):
            value = row.get(column)
            if value is None and null:
                continue
            if value is None or value not in ids:
                raise UserError(
                    f"{_path(table, index, column)}: no such id in $.tables.{target} "
                    f"(got {value!r:.60}); each belongs to a {target[:-1]} of the file"
                )


def _check_sprint_names(tables: dict[str, list[Row]]) -> None:
    """Sprint names are unique (a renamed `Current` may meet a `Current (imported)`)."""
    seen: set[Any] = set()
    for index, row in enumerate(tables.get("sprints") or []):
        name = row.get("name")
        if name in seen:
            raise UserError(
                f"{_path('sprints', index, 'name')}: another sprint has this name (got "
                f"{name!r}); each sprint needs a name of its own"
            )
        seen.add(name)


def _check_cycles(tables: dict[str, list[Row]]) -> None:
    """Dependencies that close a loop are refused, as the CLI refuses adding one: every
    card in it would wait on itself."""
    waits_on: dict[Any, set[Any]] = {}
    for row in tables.get("dependencies") or []:
        waits_on.setdefault(row.get("dependent_id"), set()).add(row.get("blocker_id"))
    try:
        TopologicalSorter(waits_on).prepare()
    except CycleError as exc:
        cycle: list[Any] = exc.args[1]  # each blocks the next; the first comes back at the end
        keys = {row.get("id"): row.get("key") for row in tables.get("cards") or []}
        shown = " > ".join(str(keys.get(card, f"card id {card}")) for card in cycle)
        closing = (cycle[0], cycle[1])
        index = next(
            i
            for i, row in enumerate(tables.get("dependencies") or [])
            if (row.get("blocker_id"), row.get("dependent_id")) == closing
        )
        raise UserError(
            f"$.tables.dependencies[{index}]: these dependencies form a cycle (got {shown}); "
            "a card cannot wait on itself, even through others: remove one of them"
        ) from None
