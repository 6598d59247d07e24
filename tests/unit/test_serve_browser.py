"""`serve` in a real browser: headless Chromium opens the printed address, the page sets
its cookie and connects, and a key typed in the browser moves a card in the database.

Runs where Chromium is installed (it is not a project dependency); elsewhere it is
skipped with the reason. Loopback only.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from serve_fixtures import TOKEN, _free_port, serving, slow

from sprintboard.store import Store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")


class Page:
    """The least of the Chrome DevTools Protocol a test needs: navigate, type, read."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.calls = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.calls += 1
        mine = self.calls
        await self.ws.send_json({"id": mine, "method": method, "params": params})
        async for message in self.ws:
            data = json.loads(message.data)
            if data.get("id") == mine:
                result: dict[str, Any] = data.get("result", {})
                return result
        raise AssertionError(f"the browser closed during {method}")

    async def text(self) -> str:
        found = await self.call(
            "Runtime.evaluate", expression="document.body.innerText", returnByValue=True
        )
        return str(found.get("result", {}).get("value", ""))

    async def click_and_type(self, key: str) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            await self.call(
                "Input.dispatchMouseEvent", type=kind, x=700, y=600, button="left", clickCount=1
            )
        await asyncio.sleep(0.5)
        code = {"type": "keyDown", "key": key, "code": f"Key{key.upper()}", "text": key}
        code["windowsVirtualKeyCode"] = ord(key.upper())  # type: ignore[assignment]
        shift = {"modifiers": 8} if key.isupper() else {}
        await self.call("Input.dispatchKeyEvent", **code, **shift)
        await self.call("Input.dispatchKeyEvent", **{**code, "type": "keyUp"}, **shift)


async def browse(profile: Path, steps: Any) -> None:
    """Start Chromium headless, hand its page to `steps`, always end it."""
    assert CHROMIUM is not None
    port = _free_port()
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            "--remote-debugging-address=127.0.0.1",
            "--window-size=1400,900",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with aiohttp.ClientSession() as session:
            targets: list[dict[str, Any]] = []
            deadline = time.monotonic() + 30
            while not targets:
                assert time.monotonic() < deadline, "Chromium did not start"
                try:
                    async with session.get(f"http://127.0.0.1:{port}/json") as answer:
                        targets = [t for t in await answer.json() if t["type"] == "page"]
                except aiohttp.ClientError:
                    await asyncio.sleep(0.2)
            address = targets[0]["webSocketDebuggerUrl"]
            async with session.ws_connect(address, max_msg_size=0) as ws:
                page = Page(ws)
                await page.call("Page.enable")
                await steps(page)
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait(10)


@pytest.fixture
def demo_db(demo_store: Store) -> Path:
    """The demo database's file, its loading connection closed: the server opens its own."""
    demo_store.close()
    return demo_store.path


def status(db: Path, key: str) -> str:
    with Store(db) as store:
        card = store.cards.get(key)
        assert card is not None
        return str(card["status"])


@slow
def test_a_browser_with_the_address_drives_the_board(demo_db: Path, tmp_path: Path) -> None:
    assert status(demo_db, "ECOM-4") == "backlog"
    with serving(demo_db) as served:

        async def steps(page: Page) -> None:
            await page.call("Page.navigate", url=f"{served.base}/?token={TOKEN}")
            deadline = time.monotonic() + 60
            while status(demo_db, "ECOM-4") == "backlog":
                assert time.monotonic() < deadline, "the key never reached the board"
                await asyncio.sleep(2)  # the page connects, the app starts and paints
                await page.click_and_type("L")  # move the selected card right
                # A key sent before the app was up is lost: wait for this one's write
                # before trying again, so one card is never moved twice.
                for _ in range(30):
                    if status(demo_db, "ECOM-4") != "backlog":
                        break
                    await asyncio.sleep(0.2)

        asyncio.run(browse(tmp_path / "profile", steps))
    assert status(demo_db, "ECOM-4") == "todo"


@slow
def test_a_browser_without_the_token_gets_the_refusal_page(demo_db: Path, tmp_path: Path) -> None:
    with serving(demo_db) as served:
        shown: list[str] = []

        async def steps(page: Page) -> None:
            await page.call("Page.navigate", url=f"{served.base}/")
            await asyncio.sleep(1.5)
            shown.append(await page.text())

        asyncio.run(browse(tmp_path / "profile", steps))
    assert "token" in shown[0].lower(), shown
    assert status(demo_db, "ECOM-4") == "backlog"
