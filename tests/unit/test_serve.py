"""`sprintboard serve` for real: a server process on a loopback port, browsers played by
aiohttp's client. Slow tests (each starts a server, some start apps) are marked `serial`."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, TypeVar, Unpack, cast

import aiohttp
import pytest
from yarl import URL

from sprintboard.io import processes, serve, serve_app, serve_log
from sprintboard.io.processes import descendants, is_running

TOKEN = "test-token-0123456789abcdef"
START_TIMEOUT_S = 30.0
TestFunction = TypeVar("TestFunction", bound=Callable[..., None])


def slow(test: TestFunction) -> TestFunction:
    """A test that starts a real server: run apart from the others, and bounded in time."""
    # A mark applied to a function gives the same function back, typed Any by pytest.
    return cast(TestFunction, pytest.mark.serial(pytest.mark.timeout(120)(test)))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return self.base

    def stop(self) -> int:
        """SIGTERM; the exit status once it and its output are done."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def _drain(stream: Iterable[str], into: list[str]) -> None:
    for line in stream:
        into.append(line)


@contextmanager
def serving(db_path: Path, *args: str) -> Iterator[Served]:
    """`sprintboard serve` on a free loopback port with a known token (given through the
    environment); ended whatever the test does."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sprintboard",
            "--db",
            str(db_path),
            "serve",
            "--port",
            str(port),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SPRINTBOARD_SERVE_TOKEN": TOKEN},
        start_new_session=True,  # so the test can always end everything it started
    )
    served = Served(process, port)
    assert process.stdout is not None and process.stderr is not None
    readers = [
        threading.Thread(target=_drain, args=(process.stdout, served.out), daemon=True),
        threading.Thread(target=_drain, args=(process.stderr, served.err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not served.out:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not start on port {port}: {served.err}")
            time.sleep(0.05)
        yield served
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        for reader in readers:
            reader.join(timeout=5)
        for pid in descendants(process.pid):
            os.kill(pid, signal.SIGKILL)


def _apps(served: Served) -> list[int]:
    return descendants(served.process.pid)


def _wait_until(condition: Callable[[], object], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Handshake(TypedDict, total=False):
    """What a browser sends with a WebSocket handshake."""

    origin: str
    headers: dict[str, str]


async def _handshake(served: Served, **kwargs: Unpack[Handshake]) -> int:
    """The status of a WebSocket handshake (101: accepted, then closed at once)."""
    async with aiohttp.ClientSession() as client:
        try:
            websocket = await client.ws_connect(
                f"{served.base}/ws?width=80&height=24",
                timeout=aiohttp.ClientWSTimeout(30),
                origin=kwargs.get("origin"),
                headers=kwargs.get("headers"),
            )
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status
        await websocket.close()
        return 101


async def _first_output(websocket: aiohttp.ClientWebSocketResponse) -> bytes:
    """The app's first screen bytes: proof that an app started and talks to this browser."""
    while True:
        message = await websocket.receive(timeout=START_TIMEOUT_S)
        if message.type == aiohttp.WSMsgType.BINARY:
            return bytes(message.data)
        assert message.type == aiohttp.WSMsgType.TEXT, message


def _client() -> aiohttp.ClientSession:
    # unsafe: keep cookies of an IP-address host, as a browser does.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


@slow
def test_the_page_needs_the_token_then_a_strict_cookie_carries_it(db_path: Path) -> None:

    async def browse(served: Served) -> None:
        async with _client() as anonymous:
            for url in ("/", "/?token=wrong-token-0123456789", "/static/js/textual.js", "/ws"):
                async with anonymous.get(served.base + url) as response:
                    assert response.status == 403, url
                    assert "printed by `sprintboard serve`" in await response.text()
            assert not anonymous.cookie_jar.filter_cookies(URL(served.base))
        async with _client() as browser:
            async with browser.get(f"{served.base}/?token={TOKEN}") as response:
                assert response.status == 200
                page = await response.text()
                cookie = response.headers["Set-Cookie"]
                assert response.headers["Referrer-Policy"] == "no-referrer"
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
            assert 'class="textual-terminal"' in page
            assert "googleapis" not in page
            assert "127.0.0.1" not in page  # the request's host is never written into the page
            # Every stylesheet, script, image and font comes from this server, and needs
            # no token in its URL: the cookie carries it.
            urls = [a or b for a, b in re.findall(r'(?:href|src)="([^"]+)"|url\("([^"]+)"\)', page)]
            assert any(u.endswith(".ttf") for u in urls)
            for url in urls:
                assert url.startswith("/static/"), url
                async with browser.get(served.base + url) as response:
                    assert response.status == 200, url
            async with browser.get(f"{served.base}/") as response:
                assert response.status == 200  # the cookie alone
            async with browser.get(f"{served.base}/static/") as response:
                assert response.status != 200  # no directory listings
            # DNS rebinding: another site's name pointed at 127.0.0.1 sends that name.
            for host in (f"evil.example:{served.port}", "127.0.0.1.evil.example"):
                async with browser.get(
                    f"{served.base}/?token={TOKEN}", headers={"Host": host}
                ) as response:
                    assert response.status == 400
                    assert "evil" not in await response.text()

    with serving(db_path) as served:
        asyncio.run(browse(served))
        assert served.stop() == 0
    # Quiet by default: the address once, no line per request.
    assert len(served.out) == 1, served.out
    assert served.out[0].startswith(f"sprintboard: serving {db_path}")
    assert f"http://127.0.0.1:{served.port}/?token={TOKEN} " in served.out[0]
    assert served.err == []


@slow
def test_requests_are_logged_when_asked_without_token_or_user_agent(db_path: Path) -> None:

    async def browse(served: Served) -> None:
        async with _client() as browser:
            headers = {"User-Agent": "AgentOfChaos/1.0"}
            for url in (f"/?token={TOKEN}", "/static/css/xterm.css"):
                async with browser.get(served.base + url, headers=headers) as response:
                    assert response.status == 200

    with serving(db_path, "--log-requests") as served:
        asyncio.run(browse(served))
        assert served.stop() == 0
    logged = "".join(served.err)
    assert '"GET /" 200' in logged and '"GET /static/css/xterm.css" 200' in logged
    assert TOKEN not in logged and "AgentOfChaos" not in logged


@slow
def test_only_the_board_s_own_page_with_the_token_starts_an_app(db_path: Path) -> None:

    async def connect(served: Served) -> None:
        good = f"{served.origin}"
        cookie = {"Cookie": f"sprintboard-token-{served.port}={TOKEN}"}
        refused: dict[str, Handshake] = {
            "another site": dict(origin="http://evil.example", headers=cookie),
            "no origin": dict(headers=cookie),
            "no token": dict(origin=good),
            "a wrong token": dict(
                origin=good, headers={"Cookie": f"sprintboard-token-{served.port}=x" * 2}
            ),
            "another port's origin": dict(
                origin=f"http://127.0.0.1:{served.port + 1}", headers=cookie
            ),
        }
        for why, kwargs in refused.items():
            assert await _handshake(served, **kwargs) == 403, why
        rebound = {"Host": f"evil.example:{served.port}", **cookie}
        assert (
            await _handshake(served, origin=f"http://evil.example:{served.port}", headers=rebound)
            == 400
        )
        assert _apps(served) == []  # nothing was started for any of them

        # As a browser: load the page (the cookie is set), then open the WebSocket.
        async with _client() as browser:
            async with browser.get(f"{served.base}/?token={TOKEN}") as response:
                assert response.status == 200
            async with browser.ws_connect(
                f"{served.base}/ws?width=80&height=24", origin=good
            ) as ws:
                assert await _first_output(ws)
                assert len(_apps(served)) >= 1

    with serving(db_path) as served:
        asyncio.run(connect(served))


@slow
def test_the_session_cap_holds_under_parallel_attempts(db_path: Path) -> None:
    cap, attempts = 2, 6

    async def crowd(served: Served) -> list[int]:
        query = f"{served.base}/ws?width=80&height=24&token={TOKEN}"
        async with aiohttp.ClientSession() as client:

            async def attempt() -> aiohttp.ClientWebSocketResponse | int:
                try:
                    return await client.ws_connect(query, origin=served.origin)
                except aiohttp.WSServerHandshakeError as refused:
                    return refused.status

            results = await asyncio.gather(*(attempt() for _ in range(attempts)))
            sockets = [r for r in results if not isinstance(r, int)]
            statuses = sorted(r for r in results if isinstance(r, int))
            assert len(sockets) == cap and statuses == [503] * (attempts - cap)
            for websocket in sockets:
                assert await _first_output(websocket)
            async with client.get(f"{served.base}/?token={TOKEN}") as response:
                assert response.status == 503
                assert (
                    f"sprintboard: all {cap} sessions are in use; close a tab or ask the host "
                    "to raise --max-sessions" in await response.text()
                )
            apps = _apps(served)
            # A closed tab frees its session.
            await sockets[0].close()
            deadline = time.monotonic() + 20
            while (
                again := await _handshake(
                    served,
                    origin=served.origin,
                    headers={"Cookie": f"sprintboard-token-{served.port}={TOKEN}"},
                )
            ) == 503:
                assert time.monotonic() < deadline, "the closed session's slot stayed taken"
                await asyncio.sleep(0.2)
            assert again == 101
            return apps

    with serving(db_path, "--max-sessions", str(cap)) as served:
        apps = asyncio.run(crowd(served))
        assert len(apps) == cap
        assert served.stop() == 0
        _wait_until(lambda: not any(is_running(p) for p in apps), "the apps to end")


@slow
def test_no_app_outlives_a_server_killed_with_sigkill(db_path: Path) -> None:

    async def session(served: Served) -> list[int]:
        query = f"{served.base}/ws?width=80&height=24&token={TOKEN}"
        async with (
            aiohttp.ClientSession() as client,
            client.ws_connect(query, origin=served.origin) as websocket,
        ):
            assert await _first_output(websocket)
            apps = _apps(served)
            assert apps
            os.kill(served.process.pid, signal.SIGKILL)  # the server alone, not its group
            served.process.wait(timeout=10)
            return apps

    with serving(db_path) as served:
        apps = asyncio.run(session(served))
        _wait_until(lambda: not any(is_running(p) for p in apps), "the orphaned apps to die", 10)


@slow
def test_an_idle_session_is_ended(db_path: Path) -> None:

    async def session(served: Served) -> tuple[int | None, list[int]]:
        query = f"{served.base}/ws?width=80&height=24&token={TOKEN}"
        async with (
            aiohttp.ClientSession() as client,
            client.ws_connect(query, origin=served.origin) as websocket,
        ):
            # The app may still be starting when the session is ended (a loaded machine
            # can take longer than the timeout to start it): that ends it too.
            await asyncio.to_thread(_wait_until, lambda: _apps(served), "the app to start")
            apps = _apps(served)
            ended = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            while (await websocket.receive(timeout=30)).type not in ended:
                pass
            return websocket.close_code, apps

    with serving(db_path, "--idle-timeout", "0.02") as served:  # 1.2 seconds
        code, apps = asyncio.run(session(served))
        assert code == serve.IDLE_CLOSE_CODE
        _wait_until(lambda: not any(is_running(p) for p in apps), "the idle app to end")
        assert served.process.poll() is None  # the server itself goes on


def test_a_port_in_use_is_one_error_line(db_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "sprintboard",
                "--db",
                str(db_path),
                "serve",
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: cannot serve on 127.0.0.1:{port}")
    assert done.stderr.count("\n") == 1
    assert "serving" not in done.stdout  # nothing claims to be listening


def test_a_session_app_that_will_not_quit_is_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    # A browser that vanished: textual-serve asks its app to quit and used to wait for ever.
    # This one ignores the request and SIGTERM, and has a child of its own.
    from textual_serve.download_manager import DownloadManager

    monkeypatch.setattr(serve_app, "QUIT_GRACE_S", 0.5)
    monkeypatch.setattr(processes, "TERM_GRACE_S", 0.5)
    stubborn = "trap '' TERM; sleep 300 & while :; do sleep 0.1; done"

    async def session() -> tuple[int, list[int], int | None]:
        async def ignore(*_: object) -> None:
            return None

        service = serve_app.SessionApp(
            ["sh", "-c", stubborn],
            write_bytes=ignore,
            write_str=ignore,
            close=ignore,
            download_manager=DownloadManager(),
        )
        await service.start(80, 24)
        process = service._process
        assert process is not None
        assert os.getpgid(process.pid) == process.pid  # a process group of its own
        deadline = time.monotonic() + 10
        while not descendants(process.pid):  # its `sleep 300` started
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        children = descendants(process.pid)
        await asyncio.wait_for(service.stop(), 10)
        return process.pid, children, process.returncode

    pid, children, code = asyncio.run(session())
    assert code == -signal.SIGKILL  # SIGTERM was ignored
    assert [p for p in [pid, *children] if is_running(p)] == []


def test_the_page_template_uses_the_packaged_font_and_no_host() -> None:
    page = serve.offline_page((serve.PACKAGE / "templates" / "app_index.html").read_text())
    assert "fonts.googleapis.com" not in page
    fonts = re.findall(r"fonts/([\w-]+\.ttf)", page)
    assert fonts and all((serve.PACKAGE / "static" / "fonts" / f).is_file() for f in fonts)
    assert "{{ app_websocket_url }}" not in page
    assert "location.host" in page


def test_the_app_is_started_without_a_shell(tmp_path: Path) -> None:
    db = tmp_path / "it's a plan; rm -rf x.db"
    argv = serve_app.app_argv(db, 4242)
    assert argv[:4] == [sys.executable, "-m", "sprintboard.session_app", "4242"]
    assert argv[-2:] == ["--db", str(db.resolve())]


def test_a_session_app_that_closed_its_output_but_runs_on_is_ended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # textual-serve's stop returns once the app's output has ended; the process itself
    # (here: output closed, deaf to quit and SIGTERM) must still be gone when stop returns.
    from textual_serve.download_manager import DownloadManager

    monkeypatch.setattr(serve_app, "QUIT_GRACE_S", 0.5)
    monkeypatch.setattr(processes, "TERM_GRACE_S", 0.5)
    deaf = "exec >&-; trap '' TERM; while :; do sleep 0.1; done"

    async def session() -> tuple[int, int | None]:
        async def ignore(*_: object) -> None:
            return None

        service = serve_app.SessionApp(
            ["sh", "-c", deaf],
            write_bytes=ignore,
            write_str=ignore,
            close=ignore,
            download_manager=DownloadManager(),
        )
        await service.start(80, 24)
        process = service._process
        assert process is not None and service._task is not None
        # Its output has ended (the relay may end cancelled: its stderr reader races it).
        await asyncio.wait([service._task], timeout=10)
        assert service._task.done()
        assert process.returncode is None
        await asyncio.wait_for(service.stop(), 10)
        return process.pid, process.returncode

    pid, code = asyncio.run(session())
    assert code == -signal.SIGKILL
    assert not is_running(pid)


@dataclass
class FakeApp:
    """What the relay tells an app: key bytes and terminal sizes."""

    keys: list[bytes] = field(default_factory=list)
    sizes: list[tuple[int, int]] = field(default_factory=list)

    async def send_bytes(self, data: bytes) -> bool:
        self.keys.append(data)
        return True

    async def set_terminal_size(self, width: int, height: int) -> None:
        self.sizes.append((width, height))


@dataclass
class FakeSocket:
    """A browser's messages, in order; then the connection ends."""

    texts: list[str]
    closed: int | None = None

    def __aiter__(self) -> AsyncIterator[aiohttp.WSMessage]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[aiohttp.WSMessage]:
        for text in self.texts:
            if self.closed is not None:
                return
            yield aiohttp.WSMessage(aiohttp.WSMsgType.TEXT, text, None)

    async def close(self, code: int, message: bytes = b"") -> None:
        self.closed = code


def _relay(tmp_path: Path, texts: list[str]) -> tuple[FakeApp, FakeSocket]:
    from sprintboard.io.serve_access import Access

    options = serve.ServeOptions(
        tmp_path / "plan.db", "127.0.0.1", 8000, Access.for_bind("127.0.0.1", 8000, TOKEN)
    )
    app, websocket = FakeApp(), FakeSocket(texts)

    async def run() -> None:
        session = serve.Session()
        await serve.BoardServer(options)._relay_input(websocket, app, session)  # type: ignore[arg-type]

    asyncio.run(run())
    return app, websocket


def test_every_terminal_size_from_a_browser_is_clamped(tmp_path: Path) -> None:
    sizes = [(80, -1_000_000_000_000), (-5, -10), (10**12, 0), (120, 40)]
    texts = [f'["resize", {{"width": {w}, "height": {h}}}]' for w, h in sizes]
    app, _ = _relay(tmp_path, texts)
    assert app.sizes == [(80, 1), (1, 1), (1000, 1), (120, 40)]


def test_deeply_nested_json_is_ignored_and_the_session_goes_on(tmp_path: Path) -> None:
    nested = "[" * 30_000 + "]" * 30_000  # within a message's size, past the stack
    app, websocket = _relay(tmp_path, [nested, '["stdin", "j"]'])
    assert app.keys == [b"j"] and websocket.closed is None


def test_more_input_than_a_person_sends_ends_the_session(tmp_path: Path) -> None:
    chunk = '["stdin", "' + "j" * 60_000 + '"]'
    app, websocket = _relay(tmp_path, ['["stdin", "k"]', *[chunk] * 20])
    assert websocket.closed == serve.TOO_MUCH_CLOSE_CODE
    assert sum(map(len, app.keys)) <= serve.INPUT_BURST_BYTES  # the rest never reached it
    assert app.keys[0] == b"k"


def test_a_flood_of_resizes_ends_the_session(tmp_path: Path) -> None:
    resize = '["resize", {"width": 80, "height": 24}]'
    app, websocket = _relay(tmp_path, [resize] * 5000)
    assert websocket.closed == serve.TOO_MUCH_CLOSE_CODE
    assert 0 < len(app.sizes) < 5000


def test_logged_paths_show_control_characters_as_escapes() -> None:
    forged = '/x\n127.0.0.1 "GET /admin" 200 1 ms'
    assert "\n" not in serve_log.logged_path(forged) and '"' not in serve_log.logged_path(forged)
    assert serve_log.logged_path("/x\x1b[31m") == "/x%1B%5B31m"
    assert serve_log.logged_path("/static/css/xterm.css") == "/static/css/xterm.css"


def test_a_session_app_does_not_create_a_database_that_has_gone(tmp_path: Path) -> None:
    gone = tmp_path / "plan.db"
    done = subprocess.run(
        [sys.executable, "-m", "sprintboard.session_app", str(os.getpid()), "--db", str(gone)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: db: the database is no longer there")
    assert done.stderr.count("\n") == 1
    assert not gone.exists()


def _raw_request(port: int, request: bytes) -> bytes:
    """Send bytes as they are (no client would send them malformed) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        for _ in range(100):  # bounded: the server closes after an error answer
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


@slow
def test_malformed_requests_are_answered_400_and_leave_nothing_in_the_log(
    db_path: Path,
) -> None:
    with serving(db_path) as served:
        host = f"Host: 127.0.0.1:{served.port}\r\n".encode()
        malformed = [
            b"GET /?token=" + TOKEN.encode() + b"\x01 HTTP/1.1\r\n" + host + b"\r\n",
            b"GET / HTTP/1.1\r\n" + host + b"User-Agent: Mozilla\x7f\r\n\r\n",
            b"GET / HTTP/1.1\r\n" + host + host + b"\r\n",
        ]
        for request in malformed:
            answer = _raw_request(served.port, request)
            assert answer.split(b" ", 2)[1] == b"400", answer[:40]
        assert served.stop() == 0
    assert served.err == []


@slow
def test_a_logged_path_cannot_forge_a_line_or_hold_escapes(db_path: Path) -> None:

    async def browse(served: Served) -> None:
        async with _client() as browser:
            forged = "/x%0a127.0.0.1%20%22GET%20/admin%22%20200%201%20ms%1b%5b31m"
            async with browser.get(served.base + forged + f"?token={TOKEN}") as response:
                assert response.status == 404

    with serving(db_path, "--log-requests") as served:
        asyncio.run(browse(served))
        host = f"Host: 127.0.0.1:{served.port}\r\n".encode()
        bad = b"GET /?token=" + TOKEN.encode() + b"\x01 HTTP/1.1\r\n" + host + b"\r\n"
        assert _raw_request(served.port, bad).split(b" ", 2)[1] == b"400"
        assert served.stop() == 0
    logged = "".join(served.err)
    # The 404; the malformed request: what went wrong, and its access line.
    assert len(served.err) == 3, served.err
    assert '"GET /x%0A127.0.0.1%20%22GET%20/admin%22%20200%201%20ms%1B%5B31m" 404' in logged
    assert "\x1b" not in logged and TOKEN not in logged and "Traceback" not in logged


@slow
def test_a_session_s_slot_is_free_only_once_its_app_has_gone(db_path: Path) -> None:

    async def flood(served: Served) -> list[int]:
        cookie = {"Cookie": f"sprintboard-token-{served.port}={TOKEN}"}
        async with aiohttp.ClientSession() as client:
            websocket = await client.ws_connect(
                f"{served.base}/ws?width=80&height=24", origin=served.origin, headers=cookie
            )
            assert await _first_output(websocket)
            apps = _apps(served)
            assert apps
            # Far more keys than anyone types: the app would chew on them for a minute.
            for _ in range(20):
                if websocket.closed:
                    break
                await websocket.send_str('["stdin", "' + "\\u001b[B" * 6000 + '"]')
            await websocket.send_str('["stdin", "' + "j" * 200_000 + '"]')
            await websocket.close()
            deadline = time.monotonic() + 30
            while (again := await _handshake(served, origin=served.origin, headers=cookie)) == 503:
                assert time.monotonic() < deadline, "the closed session's slot stayed taken"
                await asyncio.sleep(0.1)
            assert again == 101
            return apps

    with serving(db_path, "--max-sessions", "1") as served:
        apps = asyncio.run(flood(served))
        # When the slot came free, the flooded session's app had already ended.
        assert not any(is_running(p) for p in apps)
        assert served.stop() == 0


@slow
def test_a_database_deleted_while_serving_is_not_recreated(db_path: Path) -> None:

    async def browse(served: Served) -> None:
        cookie = {"Cookie": f"sprintboard-token-{served.port}={TOKEN}"}
        async with _client() as browser, browser.get(f"{served.base}/?token={TOKEN}") as page:
            assert page.status == 503
            assert "is no longer there" in await page.text()
        assert await _handshake(served, origin=served.origin, headers=cookie) == 503

    with serving(db_path) as served:
        db_path.unlink()
        asyncio.run(browse(served))
        assert _apps(served) == []
        assert served.stop() == 0
    assert not db_path.exists()
