"""One of test_concurrency's command-line writers: `sprintboard` commands in a bounded loop.

    python cli_writer.py DB NAME SECONDS SEED

Runs commands through the CLI's main(), exactly as the installed script does (each opens
the database, writes in one transaction and closes it again), for SECONDS or at most
MAX_COMMANDS commands, with short random pauses. Only its own cards are touched, so what
it reports can be checked against the database afterwards. Prints one JSON line per
command: {"args": [...], "code": N, "out": "...", "err": "..."}.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import sys
import time

from sprintboard.cli import main

MAX_COMMANDS = 400
STATUSES = ["backlog", "todo", "doing", "review", "done"]


def run(db: str, args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["--db", db, *args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def writer(db: str, name: str, seconds: float, seed: int) -> None:
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    cards: dict[str, dict[str, object]] = {}  # key -> status, points (as this writer left it)
    deps: set[tuple[str, str]] = set()
    n = 0
    while time.monotonic() < deadline and n < MAX_COMMANDS:
        n += 1
        roll = rng.random()
        mine = sorted(cards)
        if roll < 0.3 or len(mine) < 3:
            args = ["card", "add", f"{name} card {n}", "--team", rng.choice(["IT", "WH", "CS"])]
            args += ["--sprint", "current", "--status", "todo", "--points", "1"]
        elif roll < 0.6:
            key = rng.choice(mine)
            status = rng.choice([s for s in STATUSES if s != cards[key]["status"]])
            args = ["card", "move", key, status]
        elif roll < 0.75:
            key = rng.choice(mine)
            points = rng.choice([p for p in (2, 3, 5, 8, 13) if p != cards[key]["points"]])
            args = ["card", "edit", key, "--points", str(points)]
        elif roll < 0.85:
            # Older blocks newer: never a cycle, so never refused.
            a, b = sorted(rng.sample(mine, 2), key=lambda k: (int(k.split("-")[1]), k))
            if (a, b) in deps:
                continue
            args = ["dep", "add", a, b]
        elif roll < 0.93:
            args = ["feedback", "add", f"{name} says the cart is slow ({n})", "--category", "cart"]
        else:
            args = ["card", "list", "--sprint", "current", "--json"]
        code, out, err = run(db, args)
        if code == 0:
            if args[:2] == ["card", "add"]:
                cards[out.strip()] = {"status": "todo", "points": 1}
            elif args[:2] == ["card", "move"]:
                cards[args[2]]["status"] = args[3]
            elif args[:2] == ["card", "edit"]:
                cards[args[2]]["points"] = int(args[4])
            elif args[:2] == ["dep", "add"]:
                deps.add((args[2], args[3]))
        if args[:2] == ["card", "list"]:
            out = f"{len(json.loads(out))} cards" if code == 0 else out
        print(json.dumps({"args": args, "code": code, "out": out, "err": err}), flush=True)
        time.sleep(rng.uniform(0.02, 0.1))


if __name__ == "__main__":
    writer(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
