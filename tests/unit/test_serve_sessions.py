"""A browser session's app and its relay, in process: clamped sizes, bounded input,
stubborn apps ended, no shell, no database created when it has gone."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from serve_fixtures import TOKEN

from sprintboard.io import processes, serve, serve_app, serve_log
from sprintboard.io.processes import descendants, is_running

# -- the session app and its relay, in process ------------------------------------------------


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
