"""Writers that test_crash_safety kills with SIGKILL at random moments.

Started once as a small fork server: it imports sprintboard, then forks one writer per
request, so a writer costs a fork rather than a Python start-up (~1 s on a busy 2-core
machine) and 20 kills fit in the CI budget. Each writer is a process of its own with its own
SQLite connection, killed with SIGKILL exactly like a `sprintboard` process would be.

Requests, one JSON list per line on stdin:

    ["moves", DB, OUT, SEED]   a stream of single changes through the store API: card moves
                               mostly, plus new cards, dependencies and deletes. Before each
                               change it writes `try <op>`, after its commit `ok <op> <txn>`.
    ["cli", OUT, ARG...]       `sprintboard ARG...` through the CLI's main(), as the
                               installed script runs it; its output goes to OUT.

For each request the server prints `pid PID`, and `exit PID STATUS` once the writer is gone.
OUT is written with os.write, unbuffered: what a writer reported before it was killed is
in the file, exactly as a terminal would have shown it.
"""

from __future__ import annotations

import json
import os
import random
import sys
from typing import Any

# Imported here, before any fork: the writers must not pay for them after the kill timer
# started (a kill during an import would test nothing).
import sprintboard.cli.cards
import sprintboard.cli.exchange
import sprintboard.cli.work
import sprintboard.demo
import sprintboard.io.cards_csv
import sprintboard.io.import_apply
import sprintboard.io.importing  # noqa: F401
from sprintboard.cli import main as cli_main
from sprintboard.errors import UserError
from sprintboard.models import Card
from sprintboard.store import Store

STATUSES = ["backlog", "todo", "doing", "review", "done"]
ACTOR = "crash-writer"


def report(fd: int, line: str) -> None:
    os.write(fd, (line + "\n").encode())


def last_txn(store: Store) -> str:
    return str(store.scalar("SELECT txn FROM activity ORDER BY id DESC LIMIT 1"))


def moves(db: str, out: int, seed: int) -> None:
    rng = random.Random(seed)
    store = Store(db, actor=ACTOR)
    mine: list[str] = []  # cards this writer made (the ones it may delete)
    n = 0
    while True:
        cards = {r["key"]: r["status"] for r in store.rows("SELECT key, status FROM cards")}
        keys = sorted(cards)
        roll = rng.random()
        n += 1
        if roll < 0.65 or len(keys) < 2:
            key = rng.choice(keys)
            # Always a real change: a move to the same column writes (and logs) nothing.
            status = rng.choice([s for s in STATUSES if s != cards[key]])
            report(out, f"try move {key} {status}")
            store.cards.move(key, status=status)
            report(out, f"ok move {key} {status} {last_txn(store)}")
        elif roll < 0.8:
            title = f"crash card {seed}-{n}"
            report(out, f"try add {title}")
            card = Card(title=title, team=rng.choice(["IT", "ECOM", "WH"]), teams=["CNT"])
            key = store.cards.add(card)["key"]
            mine.append(key)
            report(out, f"ok add {key} {last_txn(store)}")
        elif roll < 0.93:
            blocker, dependent = rng.sample(keys, 2)
            report(out, f"try dep {blocker} {dependent}")
            try:
                store.deps.add(blocker, dependent)
            except UserError:  # a cycle or a link that exists: refused, nothing written
                report(out, f"refused dep {blocker} {dependent}")
                continue
            report(out, f"ok dep {blocker} {dependent} {last_txn(store)}")
        elif mine:
            key = mine.pop(rng.randrange(len(mine)))
            report(out, f"try delete {key}")
            store.cards.delete(key)
            report(out, f"ok delete {key} {last_txn(store)}")


def cli(out: int, args: list[str]) -> int:
    os.dup2(out, 1)
    os.dup2(out, 2)
    try:
        cli_main(args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def run(request: list[Any]) -> int:
    kind = request[0]
    os.environ["SPRINTBOARD_USER"] = ACTOR
    if kind == "moves":
        _, db, out_path, seed = request
        out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        moves(db, out, int(seed))
        return 0
    _, out_path, *args = request
    out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    return cli(out, args)


def serve() -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = run(request)
            finally:
                os._exit(code)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {pid} {status}", flush=True)


if __name__ == "__main__":
    serve()
