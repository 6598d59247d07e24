"""What the serve tests share: a real server on a free loopback port with a known token,
and a WebSocket client to drive it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, TypeVar, Unpack, cast

import aiohttp
import pytest

from sprintboard.io.processes import descendants

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
