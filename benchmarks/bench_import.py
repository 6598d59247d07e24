"""Import a 10,000-card Trello board export end to end, as a user would run it.

Generates a realistic export (lists, team labels, unnamed labels, members, due dates,
checklists, archived cards), then times `sprintboard import --from trello` in a fresh
process on a new database: first import, re-import of the same file (nothing to do), and
a dry run. Budget: the first import under 3 s. Prints figures; asserts nothing.

    python benchmarks/bench_import.py [--cards 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BUDGET_S = 3.0
LISTS = ["Backlog", "To Do", "Doing", "Review", "Done", "Parking lot"]
TEAMS = ["IT", "Ecommerce", "Marketing", "Content", "Warehouse", "Data", "CS", "Finance"]
WORDS = ["checkout", "cart", "banner", "mail", "coupon", "search", "label", "printer", "stock"]


def trello_board(cards: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    lists = [
        {"id": f"list-{i}", "name": name, "closed": False, "pos": 1024 * (i + 1)}
        for i, name in enumerate(LISTS)
    ]
    labels = [{"id": f"lbl-{t}", "name": t, "color": "blue"} for t in TEAMS]
    labels += [
        {"id": "lbl-promo", "name": "promotion", "color": "purple"},
        {"id": "lbl-green", "name": "", "color": "green"},
    ]
    members = [
        {"id": f"mem-{i}", "fullName": f"Member {i}", "username": f"m{i}"} for i in range(20)
    ]
    board_cards: list[dict[str, Any]] = []
    checklists: list[dict[str, Any]] = []
    for n in range(cards):
        card_id = f"{n:024x}"
        chosen = rng.sample(labels, k=rng.choice([0, 1, 1, 2]))
        board_cards.append(
            {
                "id": card_id,
                "name": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} #{n}",
                "desc": "Acceptance: works on mobile and desktop.\n" * rng.randint(0, 3),
                "closed": rng.random() < 0.03,
                "idList": rng.choice(lists)["id"],
                "pos": 16384 * (n + 1),
                "due": f"2026-0{rng.randint(3, 9)}-{rng.randint(10, 28)}T12:00:00.000Z"
                if rng.random() < 0.3
                else None,
                "idMembers": [f"mem-{rng.randrange(20)}"] if rng.random() < 0.5 else [],
                "idLabels": [label["id"] for label in chosen],
                "labels": chosen,
            }
        )
        if rng.random() < 0.1:
            checklists.append(
                {
                    "id": f"chk-{n}",
                    "idCard": card_id,
                    "name": "Done when",
                    "pos": 1,
                    "checkItems": [
                        {"id": f"ci-{n}-{i}", "name": f"Step {i}", "state": "complete", "pos": i}
                        for i in range(3)
                    ],
                }
            )
    return {
        "id": "board",
        "name": "Benchmark board",
        "lists": lists,
        "labels": labels,
        "members": members,
        "cards": board_cards,
        "checklists": checklists,
    }


def timed(args: list[str]) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds (user + system) of one run of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stderr}")
    return elapsed, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "board.json"
        export.write_text(json.dumps(trello_board(options.cards)), encoding="utf-8")
        db = Path(tmp) / "plan.db"
        base = [sys.executable, "-m", "sprintboard", "--db", str(db)]
        start = timed([*base, "team", "list"])  # process start and a new database
        command = [*base, "import", str(export), "--from", "trello", "--team", "IT"]
        first = timed(command)
        again = timed(command)
        dry = timed([*command, "--dry-run"])
        size_mb = export.stat().st_size / 1e6
        print(
            f"Trello export: {options.cards} cards, {size_mb:.1f} MB; load {os.getloadavg()[0]:.1f}"
        )
        print(f"{'':40} {'wall':>7} {'cpu':>7}")
        for label, (wall, cpu, _) in (
            ("process start + new database", start),
            ("first import (one transaction)", first),
            ("re-import, nothing to change", again),
            ("dry run", dry),
        ):
            print(f"{label:40} {wall:6.2f}s {cpu:6.2f}s")
        verdict = "ok" if first[0] < BUDGET_S else "OVER"
        print(f"budget for the first import: {BUDGET_S:.1f} s wall: {verdict}")
        out = first[2]
        again_out = again[2]
        print(next(line for line in out.splitlines() if "cards:" in line).strip())
        print(next(line for line in again_out.splitlines() if "cards:" in line).strip())


if __name__ == "__main__":
    main()
