"""`sprintboard serve` for real: a server process on a loopback port, browsers played by
aiohttp's client. Slow tests (each starts a server, some start apps) are marked `serial`."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from pathlib import Path

import aiohttp
from serve_fixtures import (
    TOKEN,
    Handshake,
    Served,
    _apps,
    _client,
    _first_output,
    _handshake,
    _wait_until,
    serving,
    slow,
)
from yarl import URL

from sprintboard.io import serve
from sprintboard.io.processes import is_running

# -- a real server ---------------------------------------------------------------------------


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
