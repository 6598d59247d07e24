"""The plan as the tools reach it: one store per assistant (its changes are logged under
`agent:<client name>`), arguments checked into one-line refusals, refusals turned into
tool errors."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from sprintboard.errors import UserError
from sprintboard.planning.findings import Finding
from sprintboard.store import ALL, Store
from sprintboard.store.database import Clock

if TYPE_CHECKING:
    from sprintboard.planning.findings_index import IncrementalFindings

from sprintboard.vocabulary import (
    FeedbackCategory,
    Priority,
    Status,
    Triage,
    has_control,
    show_control,
    strip_control,
)

F = TypeVar("F", bound=Callable[..., Any])

STATUSES = [s.value for s in Status]
PRIORITIES = [p.value for p in Priority]
CATEGORIES = [c.value for c in FeedbackCategory]
TRIAGE_STATES = [t.value for t in Triage]
MAX_CLIENT_NAME = 60
MAX_REFUSAL = 600
"""A refusal echoing a huge argument keeps its start and its end (what is allowed)."""


def _choice(description: str, allowed: Sequence[str]) -> Any:
    """A text argument whose schema lists the values allowed; checked by `choice` so a wrong
    one is refused in the same one line as everywhere else."""
    return Field(description=description, json_schema_extra={"enum": list(allowed)})


StatusArg = Annotated[str, _choice("Board column.", STATUSES)]
OptStatusArg = Annotated[str | None, _choice("Board column.", STATUSES)]
OptPriorityArg = Annotated[str | None, _choice("Priority.", PRIORITIES)]
OptCategoryArg = Annotated[str | None, _choice("Feedback category.", CATEGORIES)]
OptTriageArg = Annotated[str | None, _choice("Triage state.", TRIAGE_STATES)]
TeamArg = Annotated[str, Field(description="Team code, e.g. IT, ECOM, MKT.")]
OptTeamArg = Annotated[str | None, Field(description="Team code, e.g. IT, ECOM, MKT.")]
KeyArg = Annotated[str, Field(description="Card key, e.g. IT-42.")]
FeedbackArg = Annotated[str | int, Field(description="Feedback id: FB-12, fb-12 or 12.")]
SprintArg = Annotated[
    str | None, Field(description="Sprint name, 'current' (the active sprint) or 'backlog'.")
]
LimitArg = Annotated[int, Field(ge=1, le=1000, description="At most this many items.")]


def choice(field: str, value: str | None, allowed: Sequence[str]) -> str | None:
    """`value` when it is one of `allowed` (None stays None); else a one-line refusal worded
    as the records word theirs."""
    if value is None or value in allowed:
        return value
    words = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
    raise UserError(f"{field}: must be one of {words} (got {value!r})")


def one_line(message: str) -> str:
    """A refusal as the command line prints it (after `error: `): one line, control
    characters shown as escapes, a huge argument it echoes cut in the middle."""
    line = show_control(message).replace("\n", "\\n").replace("\t", "\\t")
    if len(line) <= MAX_REFUSAL:
        return line
    head, tail = line[:360], line[-200:]
    return f"{head}...({len(line) - 560:,} characters cut)...{tail}"


def refusal(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=one_line(message))], is_error=True)


def refusals_as_errors(fn: F) -> F:
    """A refused action (UserError) is the tool's error result, worded as the CLI's line."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            return refusal(str(exc))

    return run  # type: ignore[return-value]


def client_name(ctx: Context | None) -> str:
    """The name the assistant's client gave in its initialize request, cleaned to one
    short line; '' when it gave none."""
    try:
        params = ctx.session.client_params if ctx is not None else None
    except (AttributeError, RuntimeError, ValueError):
        params = None
    name = params.client_info.name if params is not None else ""
    shown = strip_control(name or "", one_line=True)
    # Bidirectional controls would reorder the history's columns around the name.
    shown = "".join(c for c in shown if not has_control(c))
    return " ".join(shown.split())[:MAX_CLIENT_NAME]


def actor_of(ctx: Context | None) -> str:
    return f"agent:{client_name(ctx) or 'unknown'}"


class AgentPlan:
    """The database the server serves, opened once per assistant that writes or reads."""

    def __init__(
        self,
        db_path: Path,
        *,
        read_only: bool = False,
        create_parent: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self.db_path = db_path
        self.read_only = read_only
        self.create_parent = create_parent
        self.clock = clock
        self._stores: dict[str, Store] = {}
        self._lock = threading.Lock()
        self._findings: dict[str | None, tuple[Any, list[Finding]]] = {}
        self._incremental: dict[int, IncrementalFindings] = {}
        """The whole plan's findings per client's store (`id(store)`: stores live as long
        as the server)."""

    def findings(self, store: Store, sprint: str | None) -> list[Finding]:
        """`run_checks` of the plan, reused while nothing changed: an assistant narrowing
        the findings by team, card and severity checks the plan once. Any commit (from any
        connection), another day or another feedback limit checks it again."""
        from sprintboard.config import Settings
        from sprintboard.planning.checks import run_checks

        settings = Settings.load()
        if sprint is None:
            # The whole plan: kept up to date change by change, as the board keeps it (a
            # move re-checks only what it touched).
            from sprintboard.planning.findings_index import IncrementalFindings

            with self._lock:
                seams = self._incremental.get(id(store))
                if seams is None or seams.urgent_feedback_days != settings.urgent_feedback_days:
                    seams = self._incremental[id(store)] = IncrementalFindings(
                        settings.urgent_feedback_days
                    )
                return seams.refresh(store)
        stamp = (store.version(), store.today(), settings.urgent_feedback_days)
        with self._lock:
            cached = self._findings.get(sprint)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        found = run_checks(store, sprint=sprint, settings=settings)
        with self._lock:
            self._findings[sprint] = (stamp, found)
        return found

    def check_file(self) -> None:
        """Refuse, before serving, a path that holds no plan: a missing file (created only
        at the default path, never read-only), a folder, a file that is not SQLite."""
        from sprintboard.store.database import DatabaseError

        if not self.db_path.exists() and (self.read_only or not self.create_parent):
            raise DatabaseError(
                f"no database at {self.db_path}; give the path of a sprintboard plan"
                " ('sprintboard --db PATH demo' makes a demo one)"
            )
        Store(self.db_path, actor="agent:unknown", create_parent=self.create_parent).close()

    def store(self, ctx: Context | None) -> Store:
        """The store whose changes are logged under this assistant's name."""
        actor = actor_of(ctx)
        with self._lock:
            found = self._stores.get(actor)
            if found is None:
                found = Store(
                    self.db_path, actor=actor, create_parent=self.create_parent, clock=self.clock
                )
                self._stores[actor] = found
            return found

    def close(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()


def sprint_ref(store: Store, ref: str | None) -> Any:
    """A sprint argument as the card queries take it: ALL when not given, None for the
    backlog, else the sprint's id."""
    if ref is None:
        return ALL
    if not ref.strip():
        raise UserError(
            f"sprint: the sprint is empty (got {ref!r}); give a sprint name, 'current' or 'backlog'"
        )
    found = store.sprints.resolve(ref)
    return None if found is None else int(found["id"])


def goal_ref(store: Store, ref: int | str | None) -> int | None:
    if ref is None or str(ref).lower() in ("none", ""):
        return None
    return int(store.goals.get(str(ref))["id"])
