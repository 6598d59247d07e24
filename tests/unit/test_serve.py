"""`sprintboard serve`: textual-serve's page, offline, on loopback; no app outlives it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sprintboard.io import sharing
from sprintboard.io.sharing import descendants, is_loopback, offline_page, stop_descendants

START_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@contextmanager
def _serving(db_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sprintboard", "--db", str(db_path), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so the test can always end everything it started
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                _get(f"http://127.0.0.1:{port}/")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.stdout else ""
                    pytest.fail(f"serve did not answer on port {port}:\n{output}")
                time.sleep(0.2)
        yield server, port
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)


def test_serves_the_textual_page_with_nothing_from_the_internet(db_path: Path) -> None:
    with _serving(db_path) as (server, port):
        status, body = _get(f"http://127.0.0.1:{port}/")
        page = body.decode("utf-8")
        assert status == 200
        assert 'class="textual-terminal"' in page  # textual-serve's page
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
        assert "textual.js" in page
        assert "googleapis" not in page
        # Every stylesheet, script, image and font comes from this server.
        assets = re.findall(r'(?:href|src)="([^"]+)"|url\("([^"]+)"\)', page)
        urls = [a or b for a, b in assets]
        assert any(u.endswith(".ttf") for u in urls)
        for url in urls:
            assert url.startswith(f"http://127.0.0.1:{port}/static/"), url
            assert _get(url)[0] == 200, url
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0


def test_no_served_app_outlives_the_server(db_path: Path) -> None:
    aiohttp = pytest.importorskip("aiohttp")

    async def open_session(port: int, server_pid: int) -> list[int]:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24"),
        ):
            deadline = time.monotonic() + START_TIMEOUT_S
            while not (apps := descendants(server_pid)):
                assert time.monotonic() < deadline, "no app process was started"
                await asyncio.sleep(0.1)
            return apps

    with _serving(db_path) as (server, port):
        apps = asyncio.run(open_session(port, server.pid))
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        table = sharing._process_table()
        alive = [p for p in apps if p in table and not table[p][1].startswith("Z")]
        if not alive:
            break
        time.sleep(0.1)
    assert alive == []


def test_stop_descendants_kills_what_ignores_sigterm() -> None:
    stubborn = "trap '' TERM; while :; do sleep 0.1; done"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, time; "
            f"subprocess.Popen(['sh', '-c', {stubborn!r}]); time.sleep(60)",
        ],
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        # The shell and one of its `sleep`s: only then has it run `trap` (on a loaded
        # machine a SIGTERM sent before that simply ended it, and the test failed).
        while len(descendants(parent.pid)) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        killed = stop_descendants(parent.pid, grace=0.5)
        assert killed  # SIGTERM was ignored: SIGKILL was needed
        assert descendants(parent.pid) == []
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait(timeout=5)


def test_loopback_by_default_and_a_warning_otherwise(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    served: list[tuple[str, int]] = []
    monkeypatch.setattr(sharing, "serve", lambda db, host, port: served.append((host, port)))
    assert cli("serve").code == 0
    result = cli("serve", "--host", "0.0.0.0", "--port", "8123")
    assert result.code == 0
    assert served == [("127.0.0.1", 8000), ("0.0.0.0", 8123)]
    assert result.err.startswith("warning: 0.0.0.0 is not a loopback address")
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.1.1"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.10", "example.org", "::"))


def test_the_page_template_uses_the_packaged_font() -> None:
    import textual_serve

    package = Path(textual_serve.__file__).parent
    page = offline_page((package / "templates" / "app_index.html").read_text(encoding="utf-8"))
    assert "fonts.googleapis.com" not in page
    fonts = re.findall(r"fonts/([\w-]+\.ttf)", page)
    assert fonts and all((package / "static" / "fonts" / f).is_file() for f in fonts)


def test_the_app_command_quotes_its_paths(tmp_path: Path) -> None:
    db = tmp_path / "it's a plan; rm -rf x.db"
    command = sharing.app_command(db)
    assert command.startswith("exec ")
    assert "'\"'\"'" in command  # the quote in the name is quoted for the shell
    result = subprocess.run(
        ["sh", "-c", command.replace(" -m sprintboard ", " -c 'import sys; print(sys.argv[1:])' ")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(["--db", str(db.resolve())])


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

    monkeypatch.setattr(sharing, "QUIT_GRACE_S", 0.5)
    monkeypatch.setattr(sharing, "TERM_GRACE_S", 0.5)
    stubborn = "trap '' TERM; sleep 300 & while :; do sleep 0.1; done"

    async def session() -> tuple[int, list[int], int | None]:
        async def ignore(*_: object) -> None:
            return None

        service = sharing.reaping_app_service()(
            f"exec sh -c {stubborn!r}",
            write_bytes=ignore,
            write_str=ignore,
            close=ignore,
            download_manager=DownloadManager(),
        )
        await service.start(80, 24)
        process = service._process
        deadline = time.monotonic() + 10
        while not descendants(process.pid):  # its `sleep 300` started
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        children = descendants(process.pid)
        started = time.monotonic()
        await asyncio.wait_for(service.stop(), 10)
        assert time.monotonic() - started < 5
        return process.pid, children, process.returncode

    pid, children, code = asyncio.run(session())
    assert code == -signal.SIGKILL  # SIGTERM was ignored
    table = sharing._process_table()
    assert [p for p in [pid, *children] if p in table and not table[p][1].startswith("Z")] == []
