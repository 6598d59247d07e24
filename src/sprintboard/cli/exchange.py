"""`import`, `export`, `backup`, `restore`, `serve`: meeting teams where their data already is."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.params import SPRINT, FilePath, Whole
from sprintboard.errors import UserError
from sprintboard.vocabulary import Status

if TYPE_CHECKING:
    from sprintboard.store import Store

SOURCES = ("trello", "jira", "github", "csv", "json")
FORMATS = ("json", "csv", "md", "ics")
STATUSES = click.Choice([s.value for s in Status])


def _parser(
    source: str, file: Path, repo: str | None, include_pulls: bool
) -> Callable[[Mapping[str, str]], Any]:
    """Reads FILE in its format with a column mapping (header -> field); its errors name
    the file."""
    from sprintboard.io.cards_csv import parse_cards_csv
    from sprintboard.io.github import parse_github
    from sprintboard.io.jira import parse_jira
    from sprintboard.io.trello import parse_trello

    def parse(columns: Mapping[str, str]) -> Any:
        try:
            if source == "trello":
                parsed = parse_trello(file)
            elif source == "jira":
                parsed = parse_jira(file, columns)
            elif source == "github":
                parsed = parse_github(file, repo, include_pulls=include_pulls)
            else:
                parsed = parse_cards_csv(file, columns)
        except UserError as exc:
            message = str(exc)
            raise UserError(
                message if message.startswith(f"{file}:") else f"{file}: {message}"
            ) from None
        parsed.file = file.name
        return parsed

    return parse


@click.command("import")
@click.argument("file", type=FilePath())
@click.option(
    "--from", "source", required=True, type=click.Choice(SOURCES), help="The file's format."
)
@click.option(
    "--team", metavar="CODE", help="Owning team for new cards whose source names no team."
)
@click.option(
    "--sprint",
    type=SPRINT,
    metavar="NAME",
    help="Sprint for cards whose source names none: a name, 'current' or 'backlog' "
    "(default: new cards go to the backlog; cards imported before stay where they are).",
)
@click.option(
    "--unknown-column",
    type=STATUSES,
    default="backlog",
    show_default=True,
    help="Column for cards whose list or status name means nothing here.",
)
@click.option(
    "--map-status",
    "map_status",
    multiple=True,
    metavar="NAME=STATUS",
    help="Put cards of the source's list or status NAME in STATUS (repeatable); "
    "remembered for the next import of the same source.",
)
@click.option(
    "--map-column",
    "map_column",
    multiple=True,
    metavar="HEADER=FIELD",
    help="Jira and CSV: read column HEADER as FIELD (repeatable); remembered per source.",
)
@click.option(
    "--repo", metavar="OWNER/NAME", help="GitHub: the repository, if issues carry no url."
)
@click.option(
    "--include-pulls", is_flag=True, help="GitHub: import pull requests too (skipped, counted)."
)
@click.option(
    "--report",
    type=FilePath(),
    metavar="FILE",
    help="Write every item created, updated, closed, skipped or dropped, with its reason "
    "(FILE ending .csv or .json).",
)
@click.option("--dry-run", is_flag=True, help="Do the whole import, then roll it back.")
@pass_ctx
def import_(
    ctx: Context,
    file: Path,
    source: str,
    team: str | None,
    sprint: str | None,
    unknown_column: str,
    map_status: tuple[str, ...],
    map_column: tuple[str, ...],
    repo: str | None,
    include_pulls: bool,
    report: Path | None,
    dry_run: bool,
) -> None:
    """Import cards from FILE: a Trello board (JSON), a Jira CSV export, GitHub issues
    (gh issue list --json, or the REST API's list), a CSV of cards, or a sprintboard JSON
    export (--from json).

    Prints what is created, mapped and skipped. The import is one transaction, and
    importing the same file again updates the cards it made before. --dry-run does the
    same work and checks, and writes nothing.
    """
    if source == "json":
        given = [
            n
            for n, v in (
                ("--team", team),
                ("--sprint", sprint),
                ("--repo", repo),
                ("--map-status", map_status),
                ("--map-column", map_column),
                ("--include-pulls", include_pulls),
                ("--report", report),
            )
            if v
        ]
        if given:
            raise click.UsageError(f"{given[0]} does not apply to --from json (a whole database)")
        with ctx.refused_leaves_nothing():
            _restore(ctx, file, dry_run)
        return
    if repo is not None and source != "github":
        raise click.UsageError("--repo applies to --from github only")
    if include_pulls and source != "github":
        raise click.UsageError("--include-pulls applies to --from github only")
    if map_column and source not in ("jira", "csv"):
        raise click.UsageError("--map-column applies to --from jira and --from csv only")
    from sprintboard.io.import_plan import ImportOptions, Plan
    from sprintboard.io.import_report import report_bytes, report_format
    from sprintboard.io.import_run import (
        ImportRequest,
        parse_mapping,
        parse_status_mapping,
        remembered_lines,
        run_import,
    )
    from sprintboard.io.import_summary import summary_lines
    from sprintboard.io.output import check_target, write_output

    fmt = report_format(report) if report is not None else ""
    if report is not None:
        check_target(report, ctx.db_path)
        if _same_file(report, file):
            raise UserError(f"{report}: is the file being imported; name another report file")

    def write_report(plan: Plan) -> None:
        # A real import writes its report before it commits: a report that cannot be
        # written leaves the database as it was, as the error says.
        if report is not None:
            write_output(report, ctx.db_path, report_bytes(plan, fmt, dry_run=dry_run))

    request = ImportRequest(
        source=source,
        file=file,
        parse=_parser(source, file, repo, include_pulls),
        options=ImportOptions(team=team, sprint=sprint, unknown_column=Status(unknown_column)),
        map_status=parse_status_mapping(map_status),
        map_column=parse_mapping(map_column, "--map-column", "HEADER=FIELD"),
        dry_run=dry_run,
        on_planned=write_report,
    )
    with ctx.refused_leaves_nothing(), _dry_run_store(ctx, dry_run) as store:
        result = run_import(lambda: store, request)
    for line in summary_lines(result.plan) + remembered_lines(result):
        click.echo(line)
    if report is not None:
        click.echo(f"report: every item and what became of it written to {report}")
    if dry_run:
        click.echo("dry run: nothing was written")
        return
    counts = result.counts
    extra = "".join(
        f"; {counts[name]} {what}"
        for name, what in (("closed", "closed"), ("goals", "goals added"))
        if counts[name]
    )
    click.echo(
        f"imported in one transaction: {counts['created']} cards created, {counts['updated']} "
        f"updated, {counts['sprints']} sprints and {counts['dependencies']} dependencies added, "
        f"{counts.get('comments', 0)} comments and {counts.get('checklist items', 0)} "
        f"checklist items added or updated{extra}"
    )


def _same_file(one: Path, other: Path) -> bool:
    """Whether two paths name one file (links followed); a missing one is no file."""
    try:
        return os.path.samefile(one.expanduser(), other.expanduser())
    except OSError:
        return False


@contextmanager
def _dry_run_store(ctx: Context, dry_run: bool = True) -> Iterator[Store]:
    """The database to plan a dry run against; a database that does not exist yet is not
    created for it (a new one, seeded the same way, stands in, in a temporary folder).
    Not a dry run: the database itself."""
    if not dry_run or ctx.db_path.exists():
        yield ctx.store()
        return
    from sprintboard.store import Store

    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "new.db") as stand_in:
        yield stand_in


def _restore(ctx: Context, file: Path, dry_run: bool) -> None:
    from sprintboard.io.dump import restore_dump
    from sprintboard.io.items import parse_json_file

    document = parse_json_file(file)  # restore_dump cleans and counts the text itself
    notes: list[str] = []
    try:
        if dry_run:
            with _dry_run_store(ctx) as dry_store:
                counts = restore_dump(dry_store, document, dry_run=True, notes=notes)
        else:
            counts = restore_dump(ctx.store(), document, notes=notes)
    except UserError as exc:
        message = str(exc)  # a JSON path is about the file; other problems are not
        raise UserError(f"{file}: {message}" if message.startswith("$") else message) from None
    shown = ", ".join(f"{n} {table}" for table, n in counts.items()) or "nothing"
    for note in notes:
        click.echo(f"  note: {note}")
    if dry_run:
        click.echo(f"restore from {file}: {shown}")
        click.echo("dry run: nothing was written")
    else:
        click.echo(f"restored from {file} in one transaction: {shown}")


@click.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS), help="Output format.")
@click.option(
    "--sprint",
    type=SPRINT,
    help="csv, ics: only this sprint's cards; md: this sprint's board (default: the active "
    "one). A name, 'current' or 'backlog'.",
)
@click.option(
    "-o",
    "--output",
    type=FilePath(),
    help="Write to FILE (default, or -: standard output). Never the database or another "
    "SQLite file.",
)
@pass_ctx
def export(ctx: Context, fmt: str, sprint: str | None, output: Path | None) -> None:
    """Export the plan: json (the whole database, restorable with import --from json),
    csv (cards, for spreadsheets), md (a sprint's board for meeting notes) or ics
    (sprints and due dates for calendars)."""
    from sprintboard.io.output import check_target, open_output, write_output

    if output is not None and str(output) == "-":
        output = None  # as for most tools, '-' is standard output
    if output is not None:
        check_target(output, ctx.db_path)  # before any work: a refusal costs nothing
    store = ctx.store()
    data: bytes
    if fmt == "json":
        if sprint is not None:
            raise click.UsageError("--sprint does not apply to --format json (the whole database)")
        from sprintboard.io.dump import write_dump

        # Streamed a row at a time: memory stays flat however big the plan is.
        with open_output(output, ctx.db_path) as file:
            write_dump(store, lambda text: file.write(text.encode("utf-8")))
            size = file.tell() if output is not None and file.seekable() else None
        if output is not None:
            shown = f" ({size} bytes)" if size is not None else ""
            click.echo(f"exported json to {output}{shown}")
        return
    if fmt == "csv":
        from sprintboard.io.cards_csv import cards_csv
        from sprintboard.store import ALL

        sprint_id: Any = ALL
        if sprint is not None:
            found = store.sprints.resolve(sprint)
            sprint_id = None if found is None else found["id"]
        text = cards_csv(store.cards.query(sprint=sprint_id))
        # A BOM tells spreadsheet programs the file is UTF-8; a pipe does not want one.
        data = (("\ufeff" if output else "") + text).encode("utf-8")
    elif fmt == "md":
        from sprintboard.io.markdown import board_markdown

        if sprint is None and store.sprints.active() is None:
            raise UserError("sprint: there is no active sprint; give --sprint NAME (or backlog)")
        data = board_markdown(store, store.sprints.resolve(sprint or "current")).encode("utf-8")
    else:
        from sprintboard.io.ics import plan_calendar

        if sprint is None:
            data = plan_calendar(store)
        else:
            data = plan_calendar(store, store.sprints.resolve(sprint), whole=False)
    size = write_output(output, ctx.db_path, data)
    if output is not None:
        click.echo(f"exported {fmt} to {output} ({size} bytes)")


@click.command("backup")
@click.argument("file", type=FilePath())
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_ctx
def backup(ctx: Context, file: Path, force: bool) -> None:
    """Copy the database to FILE, consistently, even while sprintboard is in use."""
    from sprintboard.io.sharing import backup_database, describe_size

    if not ctx.db_path.exists():
        raise UserError(f"no database at {ctx.db_path} to back up")
    size = backup_database(ctx.store(), file, force=force)
    click.echo(f"backed up {ctx.db_path} to {file} ({describe_size(size)})")


@click.command("restore")
@click.argument("backup_file", metavar="BACKUP", type=FilePath())
@click.option("--yes", is_flag=True, help="Replace the plan without asking.")
@pass_ctx
def restore(ctx: Context, backup_file: Path, yes: bool) -> None:
    """Replace the whole plan with BACKUP (a file made by `sprintboard backup`).

    The current database is copied to <name>.before-restore-<time>.bak first.
    """
    import sys

    from sprintboard.io.dump import check_database_values
    from sprintboard.store.restore import check_backup_file, restore_database

    check_backup_file(backup_file, ctx.db_path)  # a bad file is refused before asking
    if not yes:
        if not sys.stdin.isatty():
            raise UserError(
                f"restore: replaces the whole plan in {ctx.db_path}; give --yes to confirm "
                "(there is no terminal to ask)"
            )
        click.confirm(
            f"Replace the whole plan in {ctx.db_path} with {backup_file}? (a copy of the "
            "current plan is kept)",
            abort=True,
        )
    ctx.close()  # no connection of ours may hold the database meanwhile
    done = restore_database(backup_file, ctx.db_path, check_values=check_database_values)
    if done.before is not None:
        click.echo(f"the plan it replaced is kept in {done.before}")
    ctx.store()  # an older backup is upgraded now, so any problem shows here
    click.echo(f"restored {ctx.db_path} from {backup_file} ({done.cards} cards)")


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on: loopback by default; a LAN address, 0.0.0.0, :: or '' "
    "(every interface) to share the board.",
)
@click.option("--port", type=Whole(1, 65535), default=8000, show_default=True)
@click.option(
    "--token",
    envvar="SPRINTBOARD_SERVE_TOKEN",
    help="The access token (default: a new random one per start). The environment "
    "variable SPRINTBOARD_SERVE_TOKEN keeps it out of the process list.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="Another host name browsers may use for this server (e.g. behind a proxy); repeatable.",
)
@click.option(
    "--max-sessions",
    type=Whole(1, 200),
    default=8,
    show_default=True,
    help="Browser sessions (each one app process) at once.",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0),
    default=60,
    show_default=True,
    metavar="MINUTES",
    help="End a session after this long without a key press, click or resize (0: never; "
    "a finite number).",
)
@click.option("--log-requests", is_flag=True, help="Log one line per HTTP request on stderr.")
@pass_ctx
def serve(
    ctx: Context,
    host: str,
    port: int,
    token: str | None,
    allow_hosts: tuple[str, ...],
    max_sessions: int,
    idle_timeout: float,
    log_requests: bool,
) -> None:
    """Serve the board to web browsers (for a shared screen or a stakeholder's laptop).

    Every browser tab runs its own sprintboard on this database. Open the address it
    prints (it holds the access token). Works offline.
    """
    from sprintboard.io.serve_access import (
        WILDCARDS,
        Access,
        check_token,
        is_loopback,
        new_token,
        parse_bind_host,
    )

    bind = parse_bind_host(host)
    allowed = tuple(parse_bind_host(name) for name in allow_hosts if name.strip())
    # An empty --token is a mistake (an unset variable in a script), not "pick one for me".
    chosen = check_token(token) if token is not None else new_token()
    if not math.isfinite(idle_timeout):
        raise UserError(
            f"idle-timeout: not a number of minutes (got {idle_timeout}); "
            "use a number of minutes, 0 for never"
        )
    access = Access.for_bind(bind, port, chosen, allowed)
    ctx.store()  # create or migrate the database now: errors show here, not in a browser
    ctx.close()
    # Each browser's app is a process of its own: it records changes under the person who
    # started the server (--as included), not under whatever its environment would say.
    os.environ["SPRINTBOARD_USER"] = ctx.person().name
    warning = None
    if not is_loopback(bind):
        where = "every interface" if bind in WILDCARDS else bind
        warning = (
            f"warning: listening on {where}: anyone who can reach this machine and has the "
            "address with its token can change the plan, unencrypted; see README: Security"
        )
    from sprintboard.io.serve import ServeOptions
    from sprintboard.io.serve import serve as serve_board

    options = ServeOptions(
        db_path=ctx.db_path.resolve(),
        bind=bind,
        port=port,
        access=access,
        max_sessions=max_sessions,
        idle_timeout_s=idle_timeout * 60,
        log_requests=log_requests,
        warning=warning,
    )
    try:
        serve_board(options)
    except OSError as exc:
        raise UserError(_bind_error(host, bind, port, exc)) from None


def _bind_error(host: str, bind: str, port: int, exc: OSError) -> str:
    import errno
    import socket

    from sprintboard.io.serve_access import url_host

    if isinstance(exc, socket.gaierror):
        return (
            f"host: no such name here (got {host!r}); use an address of this machine such "
            "as 127.0.0.1"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"host: not an address of this machine (got {host!r}); use 127.0.0.1, "
            "one of this machine's LAN addresses, or 0.0.0.0 for all"
        )
    why = exc.strerror or str(exc)
    return f"cannot serve on {url_host(bind) if bind else '*'}:{port} ({why}); try --port"


COMMANDS = [import_, export, backup, restore, serve]
