"""`sprintboard mcp` at 10,000 cards: tool-call latency and server start.

Builds the plan with `sprintboard demo --cards N`, then calls every tool through a real
MCP client session (the SDK's in-process transport, so the figures are the server's work:
argument validation, the store, the JSON shapes, output validation) and prints the median
and 95th percentile per tool against the budgets (read < 100 ms, write < 50 ms). Server
start is timed over stdio as an assistant sees it: spawn `sprintboard --db X mcp` until the
initialize response arrives (budget < 1 s), beside `python -c pass` and the SDK's import.
Prints figures; asserts nothing.

    python benchmarks/mcp_latency.py [--cards 10000] [--runs 20] [--starts 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.types import Implementation

from sprintboard.agent.server import build_server
from sprintboard.store import Store

READ_BUDGET_MS = 100.0
WRITE_BUDGET_MS = 50.0
START_BUDGET_S = 1.0

Args = Callable[[int], dict[str, Any]]


def command() -> list[str]:
    script = Path(sys.executable).with_name("sprintboard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sprintboard"]


def env(folder: Path) -> dict[str, str]:
    found = dict(os.environ)
    found.pop("SPRINTBOARD_DB", None)
    found["SPRINTBOARD_CONFIG"] = str(folder / "config.toml")
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def row(name: str, kind: str, values_ms: list[float], budget_ms: float) -> str:
    median, p95 = statistics.median(values_ms), percentile(values_ms, 0.95)
    verdict = "ok" if p95 < budget_ms else ("OVER (p95)" if median < budget_ms else "OVER")
    return f"| {name} | {kind} | {median:.1f} | {p95:.1f} | < {budget_ms:.0f} | {verdict} |"


def plan_inputs(db: Path, runs: int) -> tuple[dict[str, Args], dict[str, Args]]:
    """Arguments for each call of each tool: real keys from the plan, distinct where a
    write cannot be repeated (each triage needs its own new feedback item)."""
    with Store(db) as store:
        active = store.sprints.resolve("current")
        assert active is not None
        sprint_cards = store.cards.query(sprint=active["id"])
        backlog = [c for c in store.cards.query(sprint=None) if c["status"] == "backlog"]
        new = [r["id"] for r in store.feedback.list(state="new")]
        goal = store.goals.list()[0]["id"]
    need = 4 * runs + 1
    if len(new) < need:
        raise SystemExit(f"the plan holds {len(new)} new feedback items; {need} needed")
    key = sprint_cards[0]["key"]
    team = sprint_cards[0]["team"]
    pairs = [(sprint_cards[i]["key"], backlog[i]["key"]) for i in range(runs)]
    until = (date.today() + timedelta(days=30)).isoformat()
    statuses = ["doing", "review"]
    reads: dict[str, Args] = {
        "list_cards (sprint, team)": lambda i: {"sprint": "current", "team": team},
        "list_cards (every card)": lambda i: {"limit": 100},
        "search_cards": lambda i: {"query": "checkout"},
        "show_card": lambda i: {"key": sprint_cards[i]["key"]},
        "list_dependencies (card)": lambda i: {"card": key},
        "list_dependencies (cross-team)": lambda i: {"cross_team": True},
        "check": lambda i: {},
        "check (team, errors)": lambda i: {"team": team, "severity": "error"},
        "check (after a change)": lambda i: {},
        "list_sprints": lambda i: {},
        "sprint_status": lambda i: {},
        "list_feedback (inbox)": lambda i: {"view": "new"},
        "show_feedback": lambda i: {"feedback": new[i]},
        "goals": lambda i: {"goal": goal},
        "goals (every goal)": lambda i: {},
        "sprint_report": lambda i: {},
        "planning_summary": lambda i: {},
    }
    writes: dict[str, Args] = {
        "add_card": lambda i: {"title": f"bench {i}", "team": team, "sprint": "current"},
        "edit_card": lambda i: {"key": key, "points": 1 + i % 5},
        "move_card": lambda i: {"key": key, "status": statuses[i % 2]},
        "reorder_card": lambda i: {"key": key, "delta": -1 if i % 2 else 1},
        "plan_card": lambda i: {"key": backlog[-1 - i]["key"], "sprint": "current"},
        "add_dependency": lambda i: {"blocker": pairs[i][1], "dependent": pairs[i][0]},
        "remove_dependency": lambda i: {"blocker": pairs[i][1], "dependent": pairs[i][0]},
        "accept_feedback": lambda i: {"feedback": new[i], "team": team},
        "duplicate_feedback": lambda i: {"feedback": new[runs + i], "card": key},
        "decline_feedback": lambda i: {"feedback": new[2 * runs + i], "reason": "bench"},
        "snooze_feedback": lambda i: {"feedback": new[3 * runs + i], "until": until},
        "undo": lambda i: {},
    }
    return reads, writes


async def tool_latency(db: Path, runs: int) -> list[str]:
    reads, writes = plan_inputs(db, runs)
    server, plan = build_server(db)
    lines = []
    try:
        info = Implementation(name="bench", version="1")
        async with Client(server, client_info=info) as client:
            for group, tools, budget in (
                ("read", reads, READ_BUDGET_MS),
                ("write", writes, WRITE_BUDGET_MS),
            ):
                for label, make in tools.items():
                    name = label.split(" ")[0]
                    times = []
                    for i in range(runs):
                        if name == "undo" or "after a change" in label:
                            # something of its own to undo; a plan to check again
                            await client.call_tool("move_card", writes["move_card"](i))
                        arguments = make(i)
                        start = time.perf_counter()
                        result = await client.call_tool(name, arguments)
                        times.append((time.perf_counter() - start) * 1000)
                        if result.is_error:
                            raise SystemExit(f"{name} {arguments}: {result.content}")
                    lines.append(row(label, group, times, budget))
    finally:
        plan.close()
    return lines


async def one_start(db: Path, folder: Path) -> float:
    params = StdioServerParameters(
        command=command()[0], args=[*command()[1:], "--db", str(db), "mcp"], env=env(folder)
    )
    client = Client(params, client_info=Implementation(name="bench", version="1"), mode="legacy")
    start = time.perf_counter()
    async with client:
        took = time.perf_counter() - start
    return took


def process_seconds(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--starts", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        os.environ["SPRINTBOARD_CONFIG"] = str(folder / "config.toml")
        db = folder / "plan.db"
        subprocess.run(
            [*command(), "--db", str(db), "demo", "--cards", str(options.cards)],
            check=True,
            capture_output=True,
            env=env(folder),
        )
        with Store(db) as store:
            cards = store.scalar("SELECT COUNT(*) FROM cards")
            links = store.scalar("SELECT COUNT(*) FROM dependencies")
            items = store.scalar("SELECT COUNT(*) FROM feedback")
        print(f"plan: {cards} cards, {links} dependencies, {items} feedback items")
        print(f"tool calls: {options.runs} each, in-process MCP client session\n")
        print("| tool | kind | median ms | p95 ms | budget ms | |")
        print("|---|---|---|---|---|---|")
        for line in anyio.run(tool_latency, db, options.runs):
            print(line)
        starts = [anyio.run(one_start, db, folder) for _ in range(options.starts)]
        python = statistics.median(process_seconds("pass") for _ in range(3))
        sdk = statistics.median(process_seconds("import mcp.server.mcpserver") for _ in range(3))
        median, worst = statistics.median(starts), max(starts)
        verdict = "ok" if worst < START_BUDGET_S else "OVER"
        print(
            f"\nserver start over stdio (spawn to initialize response), {options.starts} runs: "
            f"median {median:.2f} s, worst {worst:.2f} s, budget < {START_BUDGET_S:.0f} s: "
            f"{verdict}"
        )
        print(f"references: python -c pass {python:.2f} s; import mcp.server.mcpserver {sdk:.2f} s")


if __name__ == "__main__":
    main()
