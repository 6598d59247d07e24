"""A real server against bad requests: malformed ones answered 400 with nothing logged,
a logged path unable to forge lines, a slot freed only with its app, a deleted database
not recreated."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import aiohttp
from serve_fixtures import TOKEN, Served, _apps, _client, _first_output, _handshake, serving, slow

from sprintboard.io.processes import is_running

# -- malformed requests and the request log -------------------------------------------------


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
