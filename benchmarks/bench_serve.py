"""`sprintboard serve`: memory per browser session, and how fast the apps go with the server.

Run:  .venv/bin/python benchmarks/bench_serve.py [--sessions 4]

Prints figures and asserts nothing. In a temporary directory, on 127.0.0.1 only: builds
the demo database, starts `sprintboard serve` and opens --sessions WebSocket sessions the
way a browser does (aiohttp's client, the server's token, its own Origin), waiting for
each app's first screen. Then, per app process: RSS and PSS (PSS shares the pages common
to all apps among them: the better figure for "what one more session costs"). Last, twice:
the server is stopped (SIGTERM, then in a second run SIGKILL, which gives it no chance to
do anything) and the time until no app process runs is measured, polling every 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from sprintboard.io.processes import descendants, is_running

TOKEN = "bench-token-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _kb(pid: int, path: str, field: str) -> int:
    for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def _open(port: int, count: int) -> tuple[aiohttp.ClientSession, list[object]]:
    client = aiohttp.ClientSession()
    sockets: list[object] = []
    for _ in range(count):
        websocket = await client.ws_connect(
            f"http://127.0.0.1:{port}/ws?width=120&height=40&token={TOKEN}",
            origin=f"http://127.0.0.1:{port}",
        )
        while (await websocket.receive(timeout=60)).type != aiohttp.WSMsgType.BINARY:
            pass
        sockets.append(websocket)
    await asyncio.sleep(1.0)  # let each app settle after its first screen
    return client, sockets


def run(db: Path, sessions: int, how: signal.Signals) -> dict[str, object]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sprintboard", "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SPRINTBOARD_SERVE_TOKEN": TOKEN},
        start_new_session=True,
    )
    assert server.stdout is not None
    server.stdout.readline()  # "serving ... at ..." once the port is open
    loop = asyncio.new_event_loop()
    try:
        client, _ = loop.run_until_complete(_open(port, sessions))
        apps = descendants(server.pid)
        figures: dict[str, object] = {
            "apps": len(apps),
            "rss": [_kb(p, "status", "VmRSS") / 1024 for p in apps],
            "pss": [_kb(p, "smaps_rollup", "Pss") / 1024 for p in apps],
            "server_rss": _kb(server.pid, "status", "VmRSS") / 1024,
        }
        started = time.monotonic()
        os.kill(server.pid, how)
        while any(is_running(p) for p in apps) and time.monotonic() - started < 30:
            time.sleep(0.005)
        figures["gone_s"] = time.monotonic() - started
        figures["left"] = [p for p in apps if is_running(p)]
        loop.run_until_complete(client.close())
    finally:
        loop.close()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "plan.db"
        subprocess.run(
            [sys.executable, "-m", "sprintboard", "--db", str(db), "demo"],
            check=True,
            capture_output=True,
        )
        python = sys.version.split()[0]
        print(f"{args.sessions} sessions on the demo database, 120x40, Python {python}")
        print(
            "| stop | apps | RSS per app MB (median) | PSS per app MB (median) "
            "| server RSS MB | all apps gone after | left |"
        )
        print("|---|---|---|---|---|---|---|")
        for how in (signal.SIGTERM, signal.SIGKILL):
            f = run(db, args.sessions, how)
            print(
                f"| {how.name} | {f['apps']} | {statistics.median(f['rss']):.1f} "  # type: ignore[arg-type]
                f"| {statistics.median(f['pss']):.1f} | {f['server_rss']:.1f} "  # type: ignore[arg-type]
                f"| {f['gone_s'] * 1000:.0f} ms | {len(f['left'])} |"  # type: ignore[operator, arg-type]
            )
        print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
