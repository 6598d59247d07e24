"""The `sprintboard` command: a click group with one sub-group per noun.

Never imports Textual unless the TUI is opened. User mistakes print one line
(`error: ...`) to stderr and exit with status 2.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sprintboard import __version__
from sprintboard.errors import FileProblem, Unavailable, UserError

if TYPE_CHECKING:
    from sprintboard.config import Person
    from sprintboard.store import Store


class Context:
    """What every command shares: where the database is, opened on first use."""

    current: Context | None = None
    """The command's context, for main() to name the database in an error line."""

    def __init__(self, db_option: str | None, as_option: str | None = None) -> None:
        from sprintboard.config import person_name, resolve_db_path

        self.db_path, self.is_default = resolve_db_path(db_option)
        self.as_option = as_option
        self._store: Store | None = None
        self._person: Person | None = None
        Context.current = self
        if as_option is not None and person_name(as_option) is None:
            self.person()  # refuses a bad --as before anything is opened

    def person(self) -> Person:
        """Who is at the keyboard (config.resolve_person), found on first use."""
        if self._person is None:
            from sprintboard.config import resolve_person

            self._person = resolve_person(self.as_option)
        return self._person

    def actor(self) -> str:
        return self.person().name

    def store(self) -> Store:
        if self._store is None:
            from sprintboard.store import Store

            self._store = Store(self.db_path, create_parent=self.is_default, actor=self.actor)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @contextmanager
    def refused_leaves_nothing(self) -> Iterator[None]:
        """A command refused (any error) on a database that did not exist removes the file
        its store created: a refused import leaves no empty plan behind."""
        existed = self.db_path.exists()
        try:
            yield
        except Exception:
            if not existed and self._store is not None:
                self.close()  # the transaction was rolled back: the file holds only seeds
                for end in ("", "-wal", "-shm", "-journal"):
                    Path(f"{self.db_path}{end}").unlink(missing_ok=True)
            raise


pass_ctx = click.make_pass_decorator(Context)


# command -> the modules that define it (first) and attach sub-commands to it. Modules are
# imported only for the command being run, so `card list` does not pay for `serve`.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "team": ("organisation", "finance"),
    "member": ("organisation",),
    "goal": ("goals", "reports", "finance"),
    "sprint": ("sprints", "reports", "finance"),
    "card": ("cards", "comments", "finance"),
    "comment": ("comments",),
    "checklist": ("checklists",),
    "dep": ("cards", "checks"),
    "feedback": ("records",),
    "stock": ("records",),
    "demo": ("work",),
    "undo": ("work",),
    "history": ("work",),
    "redo": ("work",),
    "whoami": ("work",),
    "check": ("checks",),
    "report": ("reports",),
    "import": ("exchange",),
    "export": ("exchange",),
    "backup": ("exchange",),
    "restore": ("exchange",),
    "serve": ("exchange",),
    "config": ("settings",),
    "currency": ("finance",),
    "sync": ("sync",),
    "mcp": ("assistants",),
}


class OutputClosed(Exception):
    """The reader of our output went away (`sprintboard card list | head -1`)."""


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command runs."""

    def invoke(self, ctx: click.Context) -> object:
        # click turns a broken pipe into exit status 1; a reader that stopped early is not
        # an error, so it is handed to main() instead.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise OutputClosed from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found: click.Command | None = None
        for module_name in COMMAND_MODULES.get(cmd_name, ()):
            module = importlib.import_module(f"sprintboard.cli.{module_name}")
            for command in module.COMMANDS:
                if command.name == cmd_name and found is None:
                    found = command
        return found


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db",
    metavar="PATH",
    help="Database file (default: $SPRINTBOARD_DB, else sprintboard.db in your data directory).",
)
@click.option(
    "--as",
    "as_person",
    metavar="NAME",
    help="Who is at the keyboard (default: $SPRINTBOARD_USER, config 'user', git's "
    "user.name, else your account).",
)
@click.version_option(__version__, prog_name="sprintboard")
@click.pass_context
def cli(ctx: click.Context, db: str | None, as_person: str | None) -> None:
    """Plan sprints across the teams of an e-commerce organisation.

    Run with no command to open the board.
    """
    ctx.obj = Context(db, as_person)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        from sprintboard.app import run_app

        # The terminal is checked once the database opened: a bad file is named first.
        opened = run_app(
            ctx.obj.db_path,
            create_parent=ctx.obj.is_default,
            before_ui=_need_terminal,
            actor=ctx.obj.actor,
        )
        if opened != 0:
            click.echo(
                "error: the board stopped on an unexpected error (shown above); changes "
                "saved before it are in the database",
                err=True,
            )
            ctx.exit(1)


def _need_terminal() -> None:
    """The board draws on a terminal: without one (a pipe, CI, `< /dev/null`) it would wait
    for keys that never come. `sprintboard serve` runs it with a driver of its own."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "the board needs a terminal; use a command such as `sprintboard card list`, "
            "or run in a terminal"
        )


def _refuse_undecodable(args: list[str]) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates, which SQLite cannot store."""
    for number, arg in enumerate(args, start=1):
        if any("\ud800" <= char <= "\udfff" for char in arg):
            shown = arg.encode("utf-8", "replace").decode("utf-8")
            raise UserError(f"argument {number} ({shown!r}) is not valid UTF-8 text")


def _sqlite_line(exc: sqlite3.DatabaseError) -> str:
    """What went wrong with the database, as specific as the error allows."""
    from sprintboard.store import file_problems

    context = Context.current
    if context is not None:
        damage = file_problems.schema_damage(exc)
        if damage is not None:
            return file_problems.damaged_schema(context.db_path, damage)
        cause = file_problems.explain(context.db_path, exc)
        if cause is not None:
            return cause
    if isinstance(exc, sqlite3.OperationalError):
        # e.g. another writer held the database longer than the busy timeout
        return f"{exc}; nothing was changed, try again"
    # A damaged page is found when it is read, not when the file is opened.
    return f"{exc}; the file may be damaged (see README: Data safety)"


def _error(message: str) -> None:
    """The one line a refusal prints: a file name or value holding a newline or an escape
    sequence is shown escaped, so the line stays one line and cannot restyle the terminal."""
    from sprintboard.vocabulary import show_control

    one_line = show_control(message).replace("\n", "\\n").replace("\t", "\\t")
    click.echo(f"error: {one_line}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn user mistakes into one line and exit status 2."""
    try:
        _refuse_undecodable(sys.argv[1:] if argv is None else argv)
        code = cli.main(args=argv, prog_name="sprintboard", standalone_mode=False)
        sys.stdout.flush()  # here, so a reader gone before the last lines counts as gone
    except FileProblem as exc:
        _error(f"database: {exc}")
        sys.exit(1)
    except Unavailable as exc:
        _error(str(exc))
        sys.exit(1)
    except UserError as exc:
        _error(str(exc))
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        _error(f"{exc.format_message()}{hint}")
        sys.exit(2)
    except OverflowError:
        # Options and ids are bounded where they are read (cli/params.py); this keeps any
        # number that still slips past from ending in a traceback. Nothing was written.
        click.echo("error: a number is too large; whole numbers go up to 2**63 - 1", err=True)
        sys.exit(2)
    except sqlite3.DatabaseError as exc:
        # Not the user's mistake, but not a crash either; a write that met it was rolled
        # back, so nothing was half-written.
        _error(f"database: {_sqlite_line(exc)}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except (OutputClosed, BrokenPipeError):
        # `sprintboard card list | head`: the reader went away; that is not an error. What
        # is still buffered for stdout goes nowhere instead of failing again at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
