"""How fast `sprintboard sync` is between laptops on one disk: prints figures, asserts nothing.

Every plan is a database in a temporary directory and every remote a bare git repository
beside it, so nothing goes over a network: the figures are sprintboard's own work plus
git's local work. Three measurements, each `sprintboard` step a process of its own (what a
user waits for), with the time the child spent in git, applying operations and writing or
loading snapshots reported beside the whole:

1. Incoming changes. Laptop A (a `demo --cards --plan-cards` plan) and laptop B share a
   plan; A makes edits and moves, each its own change as a person makes them, until it
   holds --ops operations, and syncs; B's `sync`, which receives them, is timed. Each
   laptop writes a snapshot of the whole plan every SNAPSHOT_EVERY operations it sends or
   receives: the figure with the budget is a sync that writes none (B's count is reset as
   if it had just written one), and the same sync that also writes B's snapshot follows.
2. First sync of a big plan onto an empty laptop. A runs `demo --cards --big-cards` and
   `sync init REMOTE` (which writes its snapshot); a new laptop's `sync init REMOTE` is
   timed: it should start from A's snapshot. Then A makes --ops operations more (a
   snapshot is up to SNAPSHOT_EVERY operations behind) and another new laptop joins: the
   snapshot, then those. Last, from a copy of the remote whose snapshot was removed, so
   every operation is applied (skip with --no-without-snapshot; it has no budget).
3. A sync with nothing new, on B of step 1 and on the big plan's new laptop (median of
   --runs), beside git's own time for the same remote in the same run: `git fetch` plus
   `git push` in the sync folder, as sync runs them. The budget is for sync's share.

    .venv/bin/python benchmarks/bench_sync.py                   # ~4 minutes on 2 cores
    .venv/bin/python benchmarks/bench_sync.py --big-cards 20000 --no-without-snapshot

git is given an empty global configuration (as on a machine where git knows nobody) and
no system one. Compare figures only within one run: the last line gives the load average
at start and end, and on a shared machine every figure can be several times slower.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BUDGET_INCOMING_S = 3.0
BUDGET_FIRST_SYNC_S = 20.0
BUDGET_IDLE_S = 0.5  # plus git's own time

# The child: the CLI's main() with timers around git, the merge and the snapshots. It
# writes what it measured as JSON to the file named by SYNC_BENCH_TIMES.
CHILD = r"""
import json, os, sys, time
started = time.perf_counter()
import sprintboard.io.sync as sync
import sprintboard.io.sync_repo as sync_repo
import sprintboard.io.sync_worktree as sync_worktree
from sprintboard.cli import main

times = {"git": 0.0, "git_runs": 0, "apply": 0.0, "snapshot_write": 0.0,
         "snapshot_git": 0.0, "snapshot_load": 0.0}
inside = []

def timed(module, name, key):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        inside.append(key)
        try:
            return original(*args, **kwargs)
        finally:
            inside.pop()
            spent = time.perf_counter() - t0
            times[key] += spent
            if key == "git":
                times["git_runs"] += 1
                if "snapshot_write" in inside:
                    times["snapshot_git"] += spent
    setattr(module, name, wrapper)

timed(sync_worktree, "run_git", "git")
timed(sync_repo, "run_git", "git")
timed(sync, "merge_ops", "apply")
timed(sync, "write_snapshot", "snapshot_write")
timed(sync, "load_snapshot", "snapshot_load")
imported = time.perf_counter()
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
times["start"] = imported - started
times["main"] = time.perf_counter() - imported
with open(os.environ["SYNC_BENCH_TIMES"], "w") as out:
    json.dump(times, out)
sys.exit(code)
"""


@dataclass
class Row:
    what: str
    figure: str
    budget: str = ""
    verdict: str = ""


@dataclass
class Ran:
    """One child process: wall and CPU seconds (its own and its children's: git), output,
    and what the child measured inside."""

    wall: float
    cpu: float
    out: str
    inner: dict[str, float] = field(default_factory=dict)

    def split(self) -> str:
        """Where the time went, as measured inside the child."""
        t = self.inner
        if not t:
            return ""
        parts = [f"start {t['start']:.2f}", f"git {t['git']:.2f} ({int(t['git_runs'])} runs)"]
        if t["apply"]:
            parts.append(f"apply {t['apply']:.2f}")
        if t["snapshot_load"]:
            parts.append(f"snapshot load {t['snapshot_load']:.2f}")
        if t["snapshot_write"]:
            parts.append(f"snapshot write {t['snapshot_write'] - t['snapshot_git']:.2f}")
        rest = t["main"] - t["git"] - t["apply"] - t["snapshot_load"]
        rest -= t["snapshot_write"] - t["snapshot_git"]
        parts.append(f"other {rest:.2f}")
        return ", ".join(parts) + " s"


class Bench:
    """Laptops (databases) and remotes in one temporary directory."""

    def __init__(self, work: Path) -> None:
        self.work = work
        (work / "gitconfig").write_text("")
        env = {k: v for k, v in os.environ.items() if k != "SPRINTBOARD_DB"}
        env["SPRINTBOARD_CONFIG"] = str(work / "config.toml")
        # Commits work where git knows nobody; the user's settings play no part.
        env["GIT_CONFIG_GLOBAL"] = str(work / "gitconfig")
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        # Bytecode cached as an installed sprintboard has it (this sandbox sets
        # PYTHONDONTWRITEBYTECODE, and the editable checkout holds no .pyc files).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        self.env = env

    def db(self, name: str) -> Path:
        return self.work / f"{name}.db"

    def remote(self, name: str) -> Path:
        path = self.work / f"{name}.git"
        self.git(["init", "-q", "--bare", str(path)])
        return path

    def git(self, args: list[str], cwd: Path | None = None) -> float:
        t0 = time.perf_counter()
        subprocess.run(["git", *args], cwd=cwd, env=self.env, check=True, capture_output=True)
        return time.perf_counter() - t0

    def run(self, laptop: str, *args: str) -> Ran:
        """`sprintboard --db LAPTOP.db --as LAPTOP ARGS` in a timed child process."""
        times = self.work / "child-times.json"
        times.unlink(missing_ok=True)
        env = {**self.env, "SYNC_BENCH_TIMES": str(times)}
        command = [sys.executable, "-c", CHILD, "--db", str(self.db(laptop)), "--as", laptop]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen([*command, *args], stdout=out, stderr=err, env=env)
            # wait4: this child's rusage, which includes the git processes it waited for
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            code = os.waitstatus_to_exitcode(status)
            proc.returncode = code
            out.seek(0)
            err.seek(0)
            text = out.read().decode()
            if code != 0:
                raise SystemExit(f"failed ({code}): {' '.join(args)}\n{err.read().decode()}")
        inner = json.loads(times.read_text()) if times.exists() else {}
        return Ran(wall, usage.ru_utime + usage.ru_stime, text, inner)


def received(out: str) -> int:
    found = re.search(r"received (\d+)", out)
    return int(found.group(1)) if found else 0


def make_changes(db: Path, ops: int, seed: int) -> int:
    """Edits and moves on A's cards, each its own change, until `ops` operations wait to go
    out; returns how many changes that took."""
    from sprintboard.store import Store
    from sprintboard.store.sync_log import unshared_count

    rng = random.Random(seed)
    statuses = ["backlog", "todo", "doing", "review", "done"]
    made = 0
    with Store(db, actor="ann") as store:
        keys = [r["key"] for r in store.rows("SELECT key FROM cards ORDER BY id")]
        while unshared_count(store) < ops:
            for _ in range(100):
                made += 1
                key = rng.choice(keys)
                if rng.random() < 0.5:
                    store.cards.edit(key, {"title": f"Edited on laptop A ({made})"})
                else:
                    store.cards.move(key, status=rng.choice(statuses))
    return made


def set_snapshot_count(db: Path, value: int) -> None:
    """As if the laptop had written its snapshot `value` operations ago."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('sync_since_snapshot', ?)",
            [str(value)],
        )
    conn.close()


def save(bench: Bench, laptop: str) -> Path:
    """A copy of the laptop's database and sync folder, to put back with `restore`."""
    saved = bench.work / f"saved-{laptop}"
    shutil.rmtree(saved, ignore_errors=True)
    saved.mkdir()
    shutil.copy2(bench.db(laptop), saved / "plan.db")
    shutil.copytree(bench.work / f"{laptop}.sync", saved / "sync", symlinks=True)
    return saved


def restore(bench: Bench, laptop: str, saved: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{bench.db(laptop)}{suffix}").unlink(missing_ok=True)
    shutil.copy2(saved / "plan.db", bench.db(laptop))
    shutil.rmtree(bench.work / f"{laptop}.sync")
    shutil.copytree(saved / "sync", bench.work / f"{laptop}.sync", symlinks=True)


def without_snapshots(bench: Bench, remote: Path) -> Path | None:
    """A copy of `remote` whose last commit removes every snapshot (None: it holds none)."""
    copy = bench.work / f"{remote.stem}-nosnap.git"
    bench.git(["clone", "-q", "--bare", str(remote), str(copy)])
    scratch = bench.work / "scratch"
    bench.git(["clone", "-q", "-b", "main", str(copy), str(scratch)])
    if not (scratch / "snapshots").is_dir():
        shutil.rmtree(scratch)
        return None
    bench.git(["rm", "-r", "-q", "snapshots"], cwd=scratch)
    bench.git(
        ["-c", "user.name=bench", "-c", "user.email=bench@invalid", "commit", "-q", "-m", "no"],
        cwd=scratch,
    )
    bench.git(["push", "-q", "origin", "HEAD"], cwd=scratch)
    shutil.rmtree(scratch)
    return copy


def verdict(value: float, budget: float) -> str:
    return "ok" if value < budget else "OVER"


def incoming(bench: Bench, args: argparse.Namespace, rows: list[Row]) -> None:
    remote = bench.remote("shared")
    cards = args.plan_cards
    bench.run("ann", "demo", "--cards", str(cards))
    bench.run("ann", "sync", "init", str(remote))
    bench.run("bob", "sync", "init", str(remote))
    t0 = time.perf_counter()
    made = make_changes(bench.db("ann"), args.ops, args.seed)
    print(f"laptop A made {made:,} changes in {time.perf_counter() - t0:.1f} s", flush=True)
    sent = bench.run("ann", "sync")
    rows.append(Row(f"A: sync sending them ({cards:,}-card plan)", f"{sent.wall:.2f} s"))
    rows.append(Row("  where the time went", sent.split()))

    saved = save(bench, "bob")
    set_snapshot_count(bench.db("bob"), 0)
    ran = bench.run("bob", "sync")
    n = received(ran.out)
    rows.append(
        Row(
            f"B: sync receiving {n:,} operations ({made:,} changes), no snapshot due",
            f"{ran.wall:.2f} s (CPU {ran.cpu:.2f} s)",
            f"< {BUDGET_INCOMING_S:g} s",
            verdict(ran.wall, BUDGET_INCOMING_S),
        )
    )
    rows.append(Row("  where the time went", ran.split()))
    restore(bench, "bob", saved)
    ran = bench.run("bob", "sync")
    wrote = "writes B's snapshot" if ran.inner.get("snapshot_write") else "no snapshot due"
    rows.append(
        Row(
            f"B: the same sync, count as after joining ({wrote})",
            f"{ran.wall:.2f} s (CPU {ran.cpu:.2f} s)",
        )
    )
    rows.append(Row("  where the time went", ran.split()))
    shutil.rmtree(saved)
    bench.run("ann", "sync")  # A takes B's snapshot commit: both laptops hold everything


def first_sync(bench: Bench, args: argparse.Namespace, rows: list[Row]) -> None:
    cards = args.big_cards
    remote = bench.remote("big")
    demo = bench.run("big-a", "demo", "--cards", str(cards))
    rows.append(Row(f"A: demo --cards {cards:,} (reference)", f"{demo.wall:.2f} s"))
    ran = bench.run("big-a", "sync", "init", str(remote))
    rows.append(Row(f"A: sync init REMOTE, {cards:,} cards (sends all)", f"{ran.wall:.2f} s"))
    rows.append(Row("  where the time went", ran.split()))
    new_laptop(bench, "big-b", remote, rows)

    # The newest snapshot is up to SNAPSHOT_EVERY operations behind: a new laptop then
    # applies those after loading it.
    made = make_changes(bench.db("big-a"), args.ops, args.seed)
    ran = bench.run("big-a", "sync")
    rows.append(Row(f"A: {made:,} changes more, then sync", f"{ran.wall:.2f} s"))
    new_laptop(bench, "big-c", remote, rows)

    bare = None if args.no_without_snapshot else without_snapshots(bench, remote)
    if bare is not None:
        new_laptop(bench, "big-d", bare, rows, budget=False)


def new_laptop(
    bench: Bench, laptop: str, remote: Path, rows: list[Row], *, budget: bool = True
) -> None:
    """A new laptop's `sync init REMOTE`, timed."""
    ran = bench.run(laptop, "sync", "init", str(remote))
    loaded = re.search(r"snapshot of (\d+) records", ran.out)
    how = f"A's snapshot ({int(loaded.group(1)):,} records)" if loaded else "no snapshot"
    rows.append(
        Row(
            f"new laptop: sync init REMOTE: {how}, then {received(ran.out):,} operations",
            f"{ran.wall:.2f} s (CPU {ran.cpu:.2f} s)",
            f"< {BUDGET_FIRST_SYNC_S:g} s" if budget else "",
            verdict(ran.wall, BUDGET_FIRST_SYNC_S) if budget else "",
        )
    )
    rows.append(Row("  where the time went", ran.split()))


def idle(bench: Bench, laptop: str, what: str, runs: int, rows: list[Row]) -> None:
    bench.run(laptop, "sync")  # settles anything left, fills the caches
    syncs = [bench.run(laptop, "sync") for _ in range(runs)]
    assert all(received(s.out) == 0 and "sent 0" in s.out for s in syncs), syncs[0].out
    folder = bench.work / f"{laptop}.sync"
    own = [
        bench.git(["fetch", "-q", "--no-tags", "origin"], cwd=folder)
        + bench.git(["push", "-q", "origin", "HEAD:refs/heads/main"], cwd=folder)
        for _ in range(runs)
    ]
    wall = statistics.median(s.wall for s in syncs)
    git_own = statistics.median(own)
    inner = syncs[len(syncs) // 2].inner
    rows.append(
        Row(
            f"{what}: sync with nothing new (median of {runs})",
            f"{wall * 1000:.0f} ms = git's own {git_own * 1000:.0f} ms + "
            f"{(wall - git_own) * 1000:.0f} ms",
            f"< {BUDGET_IDLE_S * 1000:.0f} ms + git",
            verdict(wall - git_own, BUDGET_IDLE_S),
        )
    )
    rows.append(
        Row(
            "  where the time went",
            f"start {inner['start'] * 1000:.0f} ms, {int(inner['git_runs'])} git runs "
            f"{inner['git'] * 1000:.0f} ms, other {(inner['main'] - inner['git']) * 1000:.0f} ms",
        )
    )


def reference(bench: Bench, runs: int, rows: list[Row]) -> None:
    def median_wall(command: list[str]) -> float:
        walls = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(command, env=bench.env, check=True, capture_output=True)
            walls.append(time.perf_counter() - t0)
        return statistics.median(walls)

    rows.append(
        Row(
            "python -c pass (reference)",
            f"{median_wall([sys.executable, '-c', 'pass']) * 1000:.0f} ms",
        )
    )
    version = median_wall([sys.executable, "-m", "sprintboard", "--version"])
    rows.append(Row("sprintboard --version (reference)", f"{version * 1000:.0f} ms"))


def print_table(rows: list[Row]) -> None:
    headers = Row("measurement", "figure", "budget", "")
    widths = [
        max(len(getattr(r, f)) for r in [headers, *rows])
        for f in ("what", "figure", "budget", "verdict")
    ]
    for i, row in enumerate([headers, *rows]):
        cells = [row.what, row.figure, row.budget, row.verdict]
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths).rstrip())


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000, help="operations A sends (10,000)")
    parser.add_argument("--plan-cards", type=int, default=10_000, help="A's plan in step 1")
    parser.add_argument("--big-cards", type=int, default=100_000, help="the plan in step 2")
    parser.add_argument(
        "--no-without-snapshot", action="store_true", help="skip step 2 without A's snapshot"
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="A's changes (default 1)")
    parser.add_argument("--keep", type=Path, help="keep the plans and remotes in this directory")
    args = parser.parse_args()

    started_load = load()
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}; load average {started_load}",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="sprintboard-bench-sync-"))
    rows: list[Row] = []
    try:
        bench = Bench(work)
        bench.run("warm-up", "--version")  # fills the bytecode cache
        reference(bench, args.runs, rows)
        incoming(bench, args, rows)
        print("incoming changes done", flush=True)
        first_sync(bench, args, rows)
        print("first syncs done", flush=True)
        idle(bench, "bob", f"B, {args.plan_cards:,} cards", args.runs, rows)
        idle(bench, "big-b", f"new laptop, {args.big_cards:,} cards", args.runs, rows)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in work.iterdir():
                if path.name != "pycache":
                    shutil.move(str(path), args.keep / path.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print_table(rows)
    print()
    print(
        f"machine: nproc {os.cpu_count()}, git {git_version()}; "
        f"load average {started_load} (start) / {load()} (end)"
    )


def git_version() -> str:
    done = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip().removeprefix("git version ")


if __name__ == "__main__":
    main()
