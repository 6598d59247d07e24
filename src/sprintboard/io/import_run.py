"""One import from start to end: read the file, apply the mappings given and remembered
for its source, plan, and write in one transaction; a dry run does all of it and rolls
the transaction back, so it refuses what the real run refuses, with the same message.

Mappings (`--map-status NAME=STATUS`, `--map-column HEADER=FIELD`) are remembered per
source (a Trello board, a Jira project, GitHub repositories: `Parsed.origin`) in `meta`,
so the next import of the same source maps the same way without the options.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sprintboard.errors import UserError
from sprintboard.io.import_apply import apply_plan
from sprintboard.io.import_plan import ImportOptions, Plan
from sprintboard.io.importing import plan_import
from sprintboard.io.items import Parsed, normalise_name
from sprintboard.store import Store
from sprintboard.vocabulary import Status, strip_control

MAPPING_MEMORY = "import.mapping "
"""Meta key prefix: 'import.mapping trello 5f2b…' holds the mappings last used for that
source, as JSON {"status": {name: column}, "column": {header: field}}."""

Parser = Callable[[Mapping[str, str]], Parsed]
"""Reads the file with the given column mapping (header -> field)."""


@dataclass
class ImportRequest:
    source: str
    file: Path
    parse: Parser
    options: ImportOptions
    map_status: dict[str, Status] = field(default_factory=dict)
    """Given on the command line: source name (as written) -> column."""
    map_column: dict[str, str] = field(default_factory=dict)
    """Given on the command line: header (as written) -> field."""
    dry_run: bool = False
    on_planned: Callable[[Plan], None] | None = None
    """Called with the plan once it is written (a real run: inside the transaction, so a
    failure there, such as a report that cannot be written, rolls the import back; a dry
    run: after the rollback)."""


@dataclass
class ImportResult:
    plan: Plan
    counts: dict[str, int]
    remembered: list[str]
    """The remembered mappings used ('status 完了=done'), for the summary."""


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def parse_mapping(given: tuple[str, ...], option: str, what: str) -> dict[str, str]:
    """NAME=VALUE pairs of a repeatable option; one line for a pair without '='."""
    found: dict[str, str] = {}
    for pair in given:
        name, sep, value = pair.rpartition("=")
        if not sep or not name.strip() or not value.strip():
            raise UserError(f"{option}: expected {what} (got {pair!r:.80})")
        found[name.strip()] = value.strip()
    return found


def parse_status_mapping(given: tuple[str, ...]) -> dict[str, Status]:
    """NAME=STATUS pairs; a name given twice (as the import compares names: case and
    punctuation ignored) for two different columns is refused, not decided silently."""
    statuses = ", ".join(s.value for s in Status)
    found: dict[str, Status] = {}
    by_name: dict[str, tuple[str, Status]] = {}
    for pair in given:
        name, status = next(iter(parse_mapping((pair,), "--map-status", "NAME=STATUS").items()))
        try:
            column = Status(status.casefold())
        except ValueError:
            raise UserError(
                f"--map-status: {status!r:.40} is not a status (one of: {statuses})"
            ) from None
        before = by_name.get(normalise_name(name))
        if before is not None and before[1] != column:
            raise UserError(
                f"--map-status: {before[0]!r:.80} is mapped to both {before[1].value} and "
                f"{column.value}; give it once"
            )
        by_name[normalise_name(name)] = (name, column)
        found[name] = column
    return found


def _memory_key(parsed: Parsed) -> str:
    origin = parsed.origin or parsed.file
    return f"{MAPPING_MEMORY}{parsed.source} {origin}"


def _file_key(source: str, file: Path) -> str:
    """Column mappings are remembered by the file's name too: a file whose columns can
    only be read through its mapping (no title column but under another name) is read
    with it before its source is known."""
    return f"{MAPPING_MEMORY}{source} file:{_file_name(file)}"


def _remembered(store: Store, key: str) -> tuple[dict[str, str], dict[str, str]]:
    """(status name -> column, header -> field) remembered under `key`."""
    text = store.scalar("SELECT value FROM meta WHERE key = ?", [key])
    try:
        document = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        document = {}
    if not isinstance(document, dict):
        document = {}
    parts = []
    for part in ("status", "column"):
        values = document.get(part)
        parts.append(
            {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}
        )
    return parts[0], parts[1]


def run_import(open_store: Callable[[], Store], request: ImportRequest) -> ImportResult:
    """Import (or dry-run) the request against the store `open_store` gives."""
    store = open_store()
    given = dict(request.map_column)
    by_file = {
        h: f
        for h, f in _remembered(store, _file_key(request.source, request.file))[1].items()
        if h not in given
    }
    columns = {**by_file, **given}
    parsed = request.parse(columns)
    status_memory, column_memory = _remembered(store, _memory_key(parsed))
    extra = {h: f for h, f in column_memory.items() if h not in columns}
    if extra:
        columns = {**extra, **columns}
        parsed = request.parse(columns)
    remembered = [f"column {h!r} -> {f}" for h, f in {**by_file, **extra}.items()]
    statuses: dict[str, Status] = {}
    for name, value in status_memory.items():
        if name not in request.map_status and value in {s.value for s in Status}:
            statuses[name] = Status(value)
            remembered.append(f"status {name!r} -> {value}")
    statuses.update(request.map_status)
    request.options.map_status = {normalise_name(n): s for n, s in statuses.items()}
    action = f"import.{request.source}:{_file_name(request.file)}"
    plan: Plan | None = None
    counts: dict[str, int] = {}
    if request.dry_run and store.read_only_reason is not None:
        # A database this process may not write is planned against without a transaction.
        plan = plan_import(store, parsed, request.options)
        _refuse_without_team(request.file, plan)
        _note_unused(request, plan)
        if request.on_planned is not None:
            request.on_planned(plan)
        return ImportResult(plan, counts, remembered)
    try:
        with store.transaction(action) as tx:
            plan = plan_import(store, parsed, request.options)
            _refuse_without_team(request.file, plan)
            _note_unused(request, plan)
            counts = apply_plan(store, tx, plan)
            if statuses or columns:
                document = {
                    "status": {n: s.value for n, s in statuses.items()},
                    "column": columns,
                }
                for key in (_memory_key(parsed), _file_key(request.source, request.file)):
                    tx.conn.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                        [key, json.dumps(document, ensure_ascii=False)],
                    )
            if request.dry_run:
                raise _DryRun
            if request.on_planned is not None:
                request.on_planned(plan)
    except _DryRun:
        pass
    assert plan is not None
    if request.dry_run:
        plan.created_keys = {}
        if request.on_planned is not None:
            request.on_planned(plan)
    return ImportResult(plan, counts, remembered)


def _note_unused(request: ImportRequest, plan: Plan) -> None:
    """A `--map-status` name no status or list of the file has is named, so a typo does not
    pass for a mapping that worked."""
    for name in request.map_status:
        if normalise_name(name) not in plan.mappings_used:
            plan.parsed.notes.append(
                f"--map-status {name!r} matched no status or list name in this file"
            )


def _refuse_without_team(file: Path, plan: Plan) -> None:
    if plan.no_team:
        raise UserError(
            f"{len(plan.no_team)} card(s) name no team (first: {file}: "
            f"{plan.no_team[0].where}); give --team CODE for them; nothing was written"
        )


def _file_name(file: Path) -> str:
    """The file's name as the log keeps it: one line, no control characters."""
    return strip_control(file.name, one_line=True)[:200] or "-"


def remembered_lines(result: ImportResult) -> list[str]:
    if not result.remembered:
        return []
    return ["  mappings remembered for this source: " + ", ".join(result.remembered)]
