"""`sprintboard serve`: the board in web browsers, for the people given its URL and no one else.

textual-serve 1.1.3 provides the page, its script and the app protocol; this module is the
web server around them. Every request must name this server in its Host header and carry
the server's token (in the URL first, then in an HttpOnly, SameSite=Strict cookie); the
WebSocket that drives an app must also come from the board's own page (Origin). At most
`max_sessions` apps run at once, an app with no input for `idle_timeout_s` is ended, and
each app runs in its own process group, tied to the server (see `processes`): none
outlives the server, however it stops. The page is textual-serve's, with its web font
taken from the package (it works offline) and no host name in it: its asset and
WebSocket addresses are relative to wherever the browser loaded it from.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import textual_serve
from aiohttp import WSMsgType, web
from aiohttp.web_runner import GracefulExit
from textual_serve.download_manager import DownloadManager

from sprintboard.io.processes import stop_descendants
from sprintboard.io.serve_access import Access, open_urls, token_matches
from sprintboard.io.serve_app import SessionApp, app_argv
from sprintboard.io.serve_log import QuietAccessLogger, quiet_server_errors

SHUTDOWN_S = 2.0
"""How long open browser sessions get to finish when the server stops."""
HEARTBEAT_S = 15.0
MAX_MESSAGE_BYTES = 64 * 1024
"""The largest WebSocket message a page may send (a paste of a few pages of text); a
larger one ends the session before anything parses it."""
INPUT_BURST_BYTES = 256 * 1024
INPUT_RATE_BYTES_S = 32 * 1024
"""What a session's page may send (keys, pastes, resizes): a burst, then this much a
second. A human types a few bytes a second; a page that sends megabytes, or resizes
thousands of times, would keep its app busy for minutes with work queued in its memory,
so the session is ended instead."""
MESSAGE_COST_BYTES = 256
"""What each message costs besides its length: a resize makes the app redraw."""
MAX_SIZE = 1000
"""The largest terminal width or height, in cells; the smallest is 1."""
TOO_MUCH_CLOSE_CODE = 1009  # WebSocket "message too big": more input than a person sends
IDLE_CLOSE_CODE = 4000  # an application-defined WebSocket close code: "ended for being idle"
PACKAGE = Path(textual_serve.__file__).parent

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
_WEBSOCKET_ATTRIBUTE = 'data-session-websocket-url="{{ app_websocket_url }}"'
_WEBSOCKET_FROM_PAGE = """<script>
      // Back to the server this page came from: ws: or, behind a TLS proxy, wss:.
      document.getElementById("terminal").dataset.sessionWebsocketUrl =
        (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    </script>
  </body>"""
_SAFE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the page's URL holds the token
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def offline_page(template: str) -> str:
    """textual-serve's page template with its web font taken from the package itself, and
    its WebSocket address worked out in the browser rather than from the request."""
    page = _FONT_LINK.sub(lambda _: _LOCAL_FONTS, template)
    page = page.replace(_WEBSOCKET_ATTRIBUTE, 'data-session-websocket-url=""')
    return page.replace("</body>", _WEBSOCKET_FROM_PAGE, 1)


@dataclass
class ServeOptions:
    db_path: Path
    bind: str
    port: int
    access: Access
    max_sessions: int = 8
    idle_timeout_s: float = 3600.0
    """0 for never."""
    log_requests: bool = False
    warning: str | None = None
    """One line for stderr once the server listens (it listens beyond loopback)."""


@dataclass(eq=False)
class Session:
    last_input: float = field(default_factory=lambda: asyncio.get_running_loop().time())
    input_budget: float = INPUT_BURST_BYTES
    input_at: float = field(default_factory=lambda: asyncio.get_running_loop().time())
    stopping: asyncio.Future[None] | None = None
    """Ending the app, once the browser has gone: the slot is free when this is done."""

    def touch(self) -> None:
        self.last_input = asyncio.get_running_loop().time()

    def take_input(self, size: int) -> bool:
        """Spend `size` bytes of the input budget (refilled with time); False if the
        session has sent more than a person could."""
        now = asyncio.get_running_loop().time()
        refill = (now - self.input_at) * INPUT_RATE_BYTES_S
        self.input_budget = min(INPUT_BURST_BYTES, self.input_budget + refill) - size
        self.input_at = now
        return self.input_budget >= 0


def _page(status: int, title: str, text: str) -> web.Response:
    body = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
    return web.Response(status=status, text=body, content_type="text/html")


class BoardServer:
    """The aiohttp application: the checks, the page, the sessions and their apps."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.access = options.access
        self.cookie = f"sprintboard-token-{options.port}"  # cookies are shared across ports
        self.sessions: set[Session] = set()
        self.download_manager = DownloadManager()
        template = (PACKAGE / "templates" / "app_index.html").read_text(encoding="utf-8")
        self.page = jinja2.Environment(autoescape=True).from_string(offline_page(template))

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get("/ws", self.handle_websocket),
                web.get("/download/{key}", self.handle_download),
                web.static("/static", PACKAGE / "static", show_index=False),
            ]
        )
        app.on_response_prepare.append(self.add_headers)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def guard(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Host first (a page on another site that points its own name at this machine),
        then the token; nothing from a refused request is repeated in the answer."""
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        local = sockname[0] if isinstance(sockname, tuple) else None
        if not self.access.host_allowed(request.headers.get("Host"), local):
            return web.Response(
                status=400, text="sprintboard: this server does not answer to that host name\n"
            )
        if not (
            token_matches(request.query.get("token"), self.access.token)
            or token_matches(request.cookies.get(self.cookie), self.access.token)
        ):
            return _page(
                403,
                "sprintboard: access token needed",
                "Open the address printed by `sprintboard serve` when it started "
                "(it ends in ?token=…), or ask whoever runs it for that address.",
            )
        return await handler(request)

    async def add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        for name, value in _SAFE_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith("/static/") and response.status == 200:
            # textual-serve's own script, styles and fonts: the same for everyone.
            response.headers["Cache-Control"] = "private, max-age=3600"

    def full_message(self) -> str:
        n = self.options.max_sessions
        return (
            f"sprintboard: all {n} sessions are in use; "
            "close a tab or ask the host to raise --max-sessions"
        )

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if not self.options.db_path.exists():
            return _page(503, "sprintboard: no database", self.gone_message())
        if len(self.sessions) >= self.options.max_sessions:
            return _page(503, "sprintboard: no free session", self.full_message())
        try:
            font_size = min(max(int(request.query.get("fontsize", "16")), 6), 64)
        except ValueError:
            font_size = 16
        text = self.page.render(
            font_size=font_size,
            app_websocket_url="",
            ping_url="",
            config={"static": {"url": "/static/"}},
            application={"name": f"sprintboard — {self.options.db_path.name}"},
        )
        response = web.Response(text=text, content_type="text/html")
        if token_matches(request.query.get("token"), self.access.token):
            # The page's script, styles and WebSocket then need no token in their URLs.
            response.set_cookie(
                self.cookie, self.access.token, httponly=True, samesite="Strict", path="/"
            )
        return response

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        if not self.access.origin_allowed(
            request.headers.get("Origin"), request.headers.get("Host")
        ):
            return web.Response(
                status=403, text="sprintboard: only the board's own page may open a session\n"
            )
        if not self.options.db_path.exists():
            return web.Response(status=503, text=self.gone_message() + "\n")
        # No await between the count and the add: parallel attempts cannot both pass.
        if len(self.sessions) >= self.options.max_sessions:
            return web.Response(status=503, text=self.full_message() + "\n")
        session = Session()
        self.sessions.add(session)
        try:
            return await self._run_session(request, session)
        finally:
            # The slot is free once the app has exited, not when the browser has gone.
            if session.stopping is None:
                self.sessions.discard(session)
            else:
                session.stopping.add_done_callback(lambda _: self.sessions.discard(session))

    def gone_message(self) -> str:
        return (
            f"sprintboard: the database {self.options.db_path.name} is no longer there; "
            "ask whoever runs the server to restore it"
        )

    async def _run_session(self, request: web.Request, session: Session) -> web.StreamResponse:
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_MESSAGE_BYTES)
        await websocket.prepare(request)
        service = SessionApp(
            app_argv(self.options.db_path, os.getpid()),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        idle: asyncio.Task[None] | None = None
        try:
            await service.start(_size(request, "width", 80), _size(request, "height", 24))
            if self.options.idle_timeout_s > 0:
                idle = asyncio.create_task(self._end_when_idle(websocket, session))
            await self._relay_input(websocket, service, session)
        finally:
            if idle is not None:
                idle.cancel()
            # Shielded: a session cut off by the server stopping still ends its app.
            session.stopping = asyncio.ensure_future(service.stop())
            await asyncio.shield(session.stopping)
        return websocket

    async def _relay_input(
        self, websocket: web.WebSocketResponse, service: SessionApp, session: Session
    ) -> None:
        async for message in websocket:
            size = len(message.data) if isinstance(message.data, (str, bytes)) else 0
            if not session.take_input(size + MESSAGE_COST_BYTES):
                await websocket.close(
                    code=TOO_MUCH_CLOSE_CODE, message=b"more input than a person sends"
                )
                return
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
            except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                session.touch()
                await service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                session.touch()
                width, height = data.get("width"), data.get("height")
                if isinstance(width, int) and isinstance(height, int):
                    await service.set_terminal_size(clamp_size(width), clamp_size(height))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _end_when_idle(self, websocket: web.WebSocketResponse, session: Session) -> None:
        loop = asyncio.get_running_loop()
        while (left := session.last_input + self.options.idle_timeout_s - loop.time()) > 0:
            await asyncio.sleep(left)
        minutes = self.options.idle_timeout_s / 60
        await websocket.close(
            code=IDLE_CLOSE_CODE, message=f"no input for {minutes:g} minutes".encode()
        )

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """A file the app offers (textual-serve's download, behind the same checks)."""
        key = request.match_info["key"]
        try:
            meta = await self.download_manager.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="no such download\n") from None
        response = web.StreamResponse()
        response.content_type = meta.mime_type
        if meta.encoding:
            response.charset = meta.encoding
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        response.headers["Content-Disposition"] = (
            f'{disposition}; filename="{meta.file_name.replace(chr(34), "")}"'
        )
        await response.prepare(request)
        async for chunk in self.download_manager.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.to_thread(stop_descendants)


def clamp_size(cells: int) -> int:
    """A terminal width or height from a browser, within 1..MAX_SIZE: the app allocates
    its screen from it (a huge one eats memory, a negative one crashes it)."""
    return min(max(cells, 1), MAX_SIZE)


def _size(request: web.Request, name: str, default: int) -> int:
    try:
        return clamp_size(int(request.query.get(name, default)))
    except ValueError:
        return default


def serve(options: ServeOptions) -> None:
    """Serve the board until SIGINT, SIGTERM or SIGHUP; then end every app. OSError if the
    address cannot be bound."""
    logging.basicConfig(
        level=logging.INFO if options.log_requests else logging.WARNING,
        format="%(message)s",
        stream=sys.stderr,
    )
    quiet_server_errors(options.log_requests)
    server = BoardServer(options)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def request_exit() -> None:
        raise GracefulExit()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, request_exit)

    def listening(*_: object) -> None:
        if options.warning:
            print(options.warning, file=sys.stderr, flush=True)
        first, *others = open_urls(options.bind, options.port, options.access.token)
        also = f"on this machine: {others[0]}; " if others else ""
        print(
            f"sprintboard: serving {options.db_path} at {first} ({also}Ctrl+C to stop)",
            flush=True,
        )

    try:
        web.run_app(
            server.make_app(),
            host=options.bind,
            port=options.port,
            handle_signals=False,
            loop=loop,
            print=listening,
            shutdown_timeout=SHUTDOWN_S,
            access_log=logging.getLogger("sprintboard.requests") if options.log_requests else None,
            access_log_class=QuietAccessLogger,
        )
    finally:
        stop_descendants()
        with contextlib.suppress(RuntimeError):
            loop.close()
