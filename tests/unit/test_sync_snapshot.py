"""New laptops that start from a snapshot: the same plan as the laptop that wrote it, and
changes made afterwards still merge by the clocks the snapshot carried."""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path

import pytest
from sync_laptops import plan

import sprintboard.io.sync as sync
from sprintboard.demo import load_demo
from sprintboard.store import Store


@pytest.fixture
def remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # Commits work on machines where git knows nobody (CI).
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # Every sync writes its snapshot, so a small plan has one.
    monkeypatch.setattr(sync, "SNAPSHOT_EVERY", 1)
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return str(path)


def snapshot_clocks(store: Store, uuid: str) -> dict[str, str]:
    """The clocks the laptop's own snapshot holds for one record."""
    folder = Path(str(store.scalar("SELECT value FROM meta WHERE key = 'sync_folder'")))
    for line in (folder / "snapshots" / f"{store.device}.jsonl").read_text().splitlines():
        found = json.loads(line)
        if found.get("row", {}).get("uuid") == uuid:
            return dict(found["clock"])
    raise AssertionError(f"{uuid} is not in the snapshot")


def edit_clock(store: Store, uuid: str, field: str) -> str:
    return str(
        store.scalar(
            "SELECT MAX(hlc) FROM activity WHERE entity_uuid = ? AND field = ?", [uuid, field]
        )
    )


def test_laptops_started_from_snapshots_hold_the_same_plan(tmp_path: Path, remote: str) -> None:
    with contextlib.ExitStack() as stack:
        ann, bob, cat, dan = (
            stack.enter_context(Store(tmp_path / f"{name}.db", actor=name))
            for name in ("Ann", "Bob", "Cat", "Dan")
        )
        load_demo(ann)
        sync.init(ann, remote)
        first, second = ann.rows("SELECT key, uuid FROM cards ORDER BY id LIMIT 2")
        assert sync.init(dan, remote).snapshot_loaded > 0
        # Dan edits offline; Ann edits the same field later, and her snapshot says so.
        dan.cards.edit(first["key"], {"title": "Dan's offline title"})
        ann.cards.edit(first["key"], {"title": "Ann's later title"})
        sync.sync(ann)

        assert sync.init(bob, remote).snapshot_loaded > 0
        assert plan(bob) == plan(ann)
        bob.cards.edit(second["key"], {"title": "Edited on a laptop that started from a snapshot"})
        sync.sync(bob)
        # Bob's snapshot carries the clocks his own came with and those of his changes.
        clocks = snapshot_clocks(bob, first["uuid"])
        assert clocks["title"] == edit_clock(ann, first["uuid"], "title")
        assert "" in clocks  # the record's creation
        assert snapshot_clocks(bob, second["uuid"])["title"] == edit_clock(
            bob, second["uuid"], "title"
        )

        assert sync.init(cat, remote).snapshot_loaded > 0
        sync.sync(ann)
        assert plan(cat) == plan(bob) == plan(ann)
        # Dan's older edit arrives last: on Cat, who has only the snapshot's clock for that
        # title, it loses to Ann's as it does everywhere else.
        cat.cards.edit(second["key"], {"points": 8})
        for store in (dan, cat, bob, ann, dan, cat):
            sync.sync(store)
        assert plan(cat) == plan(bob) == plan(ann) == plan(dan)
        assert cat.cards.get(first["key"])["title"] == "Ann's later title"
        assert dan.cards.get(second["key"])["points"] == 8
