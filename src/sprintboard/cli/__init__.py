"""The `sprintboard` command: a click group with one sub-group per noun.

Never imports Textual unless the TUI is opened. User mistakes print one line
(`error: ...`) to stderr and exit with status 2.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys
from typing import TYPE_CHECKING

import click

from sprintboard import __version__
from sprintboard.errors import UserError

if TYPE_CHECKING:
    from sprintboard.store import Store


class Context:
    """What every command shares: where the database is, opened on first use."""

    def __init__(self, db_option: str | None) -> None:
        from sprintboard.config import resolve_db_path

        self.db_path, self.is_default = resolve_db_path(db_option)
        self._store: Store | None = None

    def store(self) -> Store:
        if self._store is None:
            from sprintboard.store import Store

            self._store = Store(self.db_path, create_parent=self.is_default)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_ctx = click.make_pass_decorator(Context)


# command -> the modules that define it (first) and attach sub-commands to it. Modules are
# imported only for the command being run, so `card list` does not pay for `serve`.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "team": ("organisation",),
    "member": ("organisation",),
    "goal": ("organisation", "reports"),
    "sprint": ("organisation", "reports"),
    "card": ("cards",),
    "dep": ("cards", "checks"),
    "feedback": ("records",),
    "stock": ("records",),
    "demo": ("work",),
    "undo": ("work",),
    "history": ("work",),
    "check": ("checks",),
    "report": ("reports",),
    "import": ("exchange",),
    "export": ("exchange",),
    "backup": ("exchange",),
    "serve": ("exchange",),
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command runs."""

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
@click.version_option(__version__, prog_name="sprintboard")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Plan sprints across the teams of an e-commerce organisation.

    Run with no command to open the board.
    """
    ctx.obj = Context(db)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        from sprintboard.app import run_app

        run_app(ctx.obj.db_path, create_parent=ctx.obj.is_default)


def _refuse_undecodable(args: list[str]) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates, which SQLite cannot store."""
    for number, arg in enumerate(args, start=1):
        if any("\ud800" <= char <= "\udfff" for char in arg):
            shown = arg.encode("utf-8", "replace").decode("utf-8")
            raise UserError(f"argument {number} ({shown!r}) is not valid UTF-8 text")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn user mistakes into one line and exit status 2."""
    try:
        _refuse_undecodable(sys.argv[1:] if argv is None else argv)
        code = cli.main(args=argv, prog_name="sprintboard", standalone_mode=False)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        click.echo(f"error: {exc.format_message()}{hint}", err=True)
        sys.exit(2)
    except OverflowError:
        # Options and ids are bounded where they are read (cli/params.py); this keeps any
        # number that still slips past from ending in a traceback. Nothing was written.
        click.echo("error: a number is too large; whole numbers go up to 2**63 - 1", err=True)
        sys.exit(2)
    except sqlite3.OperationalError as exc:
        # Not the user's mistake, but not a crash either: e.g. another writer held the
        # database longer than the busy timeout. Nothing was half-written.
        click.echo(f"error: database: {exc}; nothing was changed, try again", err=True)
        sys.exit(1)
    except sqlite3.DatabaseError as exc:
        # A damaged page is found when it is read, not when the file is opened. A write
        # that met it was rolled back.
        click.echo(
            f"error: database: {exc}; the file may be damaged (see README: Data safety)", err=True
        )
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # `sprintboard card list | head`: the reader went away; that is not an error.
        sys.stderr.close()
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
