"""Sharing a planning session: the board served to browsers, and consistent backups.

`serve` runs textual-serve: each browser tab gets its own `python -m sprintboard --db …`
process, all on the same database. textual-serve's page asks Google Fonts for Roboto
Mono although the font ships inside the package; the page is served with a local
@font-face instead, so a session works with no network at all. When the server stops,
every process it started is ended (SIGTERM, then SIGKILL for any that ignore it): an app
whose browser went away uncleanly must not keep running.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError

if TYPE_CHECKING:
    from sprintboard.store import Store

SHUTDOWN_S = 2.0
"""How long open browser sessions get to finish when the server stops."""
TERM_GRACE_S = 3.0
QUIT_GRACE_S = 5.0  # a closed browser session's app gets this long to quit on its own
"""How long a served app gets to exit on SIGTERM before it is killed."""

_FONT_LINK = re.compile(r"<link\b[^>]*fonts\.googleapis\.com[^>]*>", re.DOTALL)
_LOCAL_FONTS = """<style>
      @font-face {
        font-family: "Roboto Mono";
        font-style: normal;
        font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf")
          format("truetype");
      }
      @font-face {
        font-family: "Roboto Mono";
        font-style: italic;
        font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf")
          format("truetype");
      }
    </style>"""


def offline_page(template: str) -> str:
    """textual-serve's page template with its web font taken from the package itself."""
    return _FONT_LINK.sub(lambda _: _LOCAL_FONTS, template)


def is_loopback(host: str) -> bool:
    if host.strip().casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def app_command(db_path: Path) -> str:
    """The shell command textual-serve runs per browser session (`exec`: no shell left
    between the server and the app, so signals reach the app itself)."""
    return (
        f"exec {shlex.quote(sys.executable)} -m sprintboard "
        f"--db {shlex.quote(str(db_path.resolve()))}"
    )


# -- child processes ---------------------------------------------------------------------------


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) for every process we can see."""
    table: dict[int, tuple[int, str]] = {}
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            # "pid (command) state ppid ...": the command may hold spaces and parentheses
            fields = stat[stat.rfind(")") + 2 :].split()
            table[int(entry.name)] = (int(fields[1]), fields[0])
        return table
    listing = subprocess.run(
        ["ps", "-A", "-o", "pid=,ppid=,stat="], capture_output=True, text=True, check=False
    ).stdout
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            table[int(parts[0])] = (int(parts[1]), parts[2])
    return table


def descendants(root: int) -> list[int]:
    """Living processes below `root` (children, their children, …); zombies left out."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found: list[int] = []
    frontier = [root]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if not table[child][1].startswith("Z"):
                found.append(child)
            frontier.append(child)
    return found


def stop_descendants(root: int | None = None, grace: float = TERM_GRACE_S) -> list[int]:
    """End every process below `root` (default: this one): SIGTERM, then SIGKILL whatever
    still runs after `grace` seconds. Returns the pids that had to be killed."""
    root = os.getpid() if root is None else root
    for pid in descendants(root):
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while descendants(root) and time.monotonic() < deadline:
        time.sleep(0.05)
    stubborn = descendants(root)
    for pid in stubborn:
        _signal(pid, signal.SIGKILL)
    return stubborn


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


# -- serving -----------------------------------------------------------------------------------


def reaping_app_service() -> type[Any]:
    """textual-serve's AppService, but a session's app that will not quit is ended.

    When a browser goes away without closing its websocket, textual-serve notices (its
    heartbeat) and asks the app to quit, then waits for it for ever; an app that is stuck
    (TRAPS: seen spinning, deaf to SIGTERM) stayed until the server stopped. Here it gets
    QUIT_GRACE_S, then SIGTERM, then SIGKILL, with anything it started.
    """
    from textual_serve.app_service import AppService

    class ReapingAppService(AppService):
        async def stop(self) -> None:
            process = self._process
            try:
                await asyncio.wait_for(asyncio.shield(super().stop()), QUIT_GRACE_S)
            except TimeoutError:
                if process is not None and process.returncode is None:
                    await end_process(process)

    return ReapingAppService


async def end_process(process: asyncio.subprocess.Process) -> None:
    """End a child process and everything below it: SIGTERM, then SIGKILL after TERM_GRACE_S."""
    grace = TERM_GRACE_S
    await asyncio.to_thread(stop_descendants, process.pid, grace)
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def serve(db_path: Path, host: str, port: int) -> None:
    """Serve the board on host:port until SIGINT, SIGTERM or SIGHUP; then end every app."""
    import aiohttp_jinja2
    import jinja2
    from aiohttp import web
    from textual_serve import server as textual_server
    from textual_serve.server import Server

    # Every browser session's app is started through this name in textual-serve's module.
    textual_server.AppService = reaping_app_service()  # type: ignore[misc]

    class BoardServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            page = (Path(self.templates_path) / "app_index.html").read_text(encoding="utf-8")
            aiohttp_jinja2.setup(
                app, loader=jinja2.DictLoader({"app_index.html": offline_page(page)})
            )
            return app

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            # The page's asset and websocket URLs use the address the browser asked for,
            # so a board served on 0.0.0.0 works from another machine too.
            self.public_url = f"{request.scheme}://{request.host}"
            response: web.StreamResponse = await super().handle_index(request)
            return response

        async def on_startup(self, app: web.Application) -> None:
            pass  # no banner: the address is printed once the port is really open

        def listening(self, *_: object) -> None:
            print(
                f"sprintboard: serving {db_path} at {self.public_url} (Ctrl+C to stop)", flush=True
            )

        async def on_shutdown(self, app: web.Application) -> None:
            await asyncio.to_thread(stop_descendants)

        def serve(self, debug: bool = False) -> None:
            # Server.serve() with a short shutdown and SIGHUP handled too.
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(sig, self.request_exit)
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=self.listening,
                shutdown_timeout=SHUTDOWN_S,
            )

    server = BoardServer(
        app_command(db_path), host=host, port=port, title=f"sprintboard — {db_path.name}"
    )
    try:
        server.serve()
    except OSError as exc:
        raise UserError(
            f"cannot serve on {host}:{port} ({exc.strerror or exc}); try --port"
        ) from None
    finally:
        stop_descendants()


# -- backup ------------------------------------------------------------------------------------


def backup_database(store: Store, target: Path, *, force: bool = False) -> int:
    """A consistent copy of the open database at `target` (SQLite's backup API: one read
    snapshot, while other processes may write). Returns the copy's size in bytes.

    The target rules are io/output's (never the database or its companion files; a
    symlink is followed); an older backup may be replaced with `force`. The copy is
    written beside the target and renamed: a failed backup leaves no file behind.
    """
    from sprintboard.io.output import check_target, is_special
    from sprintboard.store.backups import copy_database

    real = check_target(target, store.path, databases_ok=True)
    if is_special(target):
        raise UserError(f"{target}: is not a regular file; name a file for the backup")
    if real.exists() and not force:
        raise UserError(f"{target} already exists; use --force to replace it")
    try:
        copy_database(store.conn, real, database=store.path)
    except (OSError, sqlite3.Error) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise UserError(f"{target}: cannot write the backup ({why})") from None
    return real.stat().st_size


def describe_size(size: int) -> str:
    value: float = size
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
