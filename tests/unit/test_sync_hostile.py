"""`sprintboard sync` against careless and hostile input: odd remotes and folders, plans and
folders that do not belong together, damaged files from other laptops. Every refusal is one
line (status 2 for a mistake, 1 for the environment), nothing local is lost, and the
database stays whole."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sync_laptops import Laptop
from test_sync_cli import Plans

import sprintboard.io.sync_files as sync_files
from sprintboard.io.sync import STATUS_KEYS
from sprintboard.io.sync import sync as run_sync
from sprintboard.io.sync_repo import OWNER_FILE, SyncRepo
from sprintboard.io.sync_worktree import LOCK_FILE
from sprintboard.models import Card, Sprint
from sprintboard.store import Store
from sprintboard.store.database import parse_hlc
from sprintboard.store.sync_conflicts import Conflicts
from sprintboard.views.sync_state import shown_value

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def plans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Plans:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return Plans(tmp_path, capsys)


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def refused(plans: Plans, name: str, *args: str, code: int = 2) -> str:
    """Run a command that must be refused in one line with `code`; returns the line."""
    found = plans(name, *args)
    assert found.code == code, found
    assert "Traceback" not in found.err
    assert len(found.err.strip().splitlines()) == 1, found.err
    return found.err


def whole(plans: Plans, *names: str) -> None:
    for name in names:
        path = plans.root / f"{name}.db"
        if path.exists():
            store = Store(path, actor="check", seed=False)
            try:
                assert store.scalar("PRAGMA integrity_check") == "ok"
            finally:
                store.close()


def project_repository(root: Path) -> tuple[Path, str]:
    """A bare repository of another project (no plan in it), and its branches' state."""
    work = root / "website"
    git("init", "-q", "-b", "trunk", str(work))
    (work / "index.html").write_text("<h1>shop</h1>\n")
    (work / "ops").mkdir()
    (work / "ops" / "deploy.md").write_text("deploy on Fridays\n")
    git("add", ".", cwd=work)
    git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "site", cwd=work)
    bare = root / "website.git"
    git("clone", "-q", "--bare", str(work), str(bare))
    return bare, git("for-each-ref", cwd=bare)


def push_lines(plans: Plans, device: str, lines: list[bytes], name: str = "00000001.jsonl") -> None:
    """Another laptop (or someone by hand) adds `lines` to `device`'s operation file."""
    work = plans.root / f"hand-{device}"
    if not work.exists():
        git("clone", "-q", "-b", "main", str(plans.remote), str(work))
    git("pull", "-q", "origin", "main", cwd=work)
    folder = work / "ops" / device
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "ab") as out:
        out.write(b"".join(lines))
    git("add", "-A", cwd=work)
    git("-c", "user.name=m", "-c", "user.email=m@m", "commit", "-qm", "by hand", cwd=work)
    git("push", "-q", "origin", "HEAD:main", cwd=work)


def first_card_op(plans: Plans) -> dict[str, Any]:
    work = plans.root / "peek"
    if not work.exists():
        git("clone", "-q", "-b", "main", str(plans.remote), str(work))
    for path in sorted((work / "ops").glob("*/*.jsonl")):
        for line in path.read_text().splitlines():
            op = json.loads(line)
            if op["entity"] == "card" and op["op"] == "create":
                return dict(op)
    raise AssertionError("no card in the shared plan")


def edit_op(card: dict[str, Any], field: str, value: Any, **more: Any) -> bytes:
    hlc = parse_hlc(card["hlc"])
    op = {
        **card,
        "hlc": f"{hlc[0] + 60_000:013d}.000000.hand00000001",
        "device": "hand00000001",
        "actor": "Mallory",
        "op": "update",
        "field": field,
        "before": None,
        "after": value,
        **more,
    }
    return json.dumps(op).encode() + b"\n"


# -- remotes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "remote",
    ["a" * 100_000, "~nobody-sprintboard-test/plan.git", "plan\x1b[31m.git", " ", "-x"],
)
def test_odd_remote_addresses_are_refused_in_one_line(plans: Plans, remote: str) -> None:
    refused(plans, "ann", "sync", "init", "--", remote)
    assert not (plans.root / "ann.sync").exists()
    whole(plans, "ann")


def test_a_repository_of_another_project_is_never_written(plans: Plans) -> None:
    bare, before = project_repository(plans.root)
    plans.ok("ann", "card", "add", "Ann's card", "--team", "IT")
    line = refused(plans, "ann", "sync", "init", str(bare))
    assert "not a shared sprintboard plan" in line
    assert not (plans.root / "ann.sync").exists()
    # A plan shared on its own first, then pointed at that repository: refused, and the
    # folder keeps no remote; nothing reached the other project (no branch, no commit).
    plans.ok("ann", "sync", "init")
    line = refused(plans, "ann", "sync", "init", str(bare))
    assert "no remote was added" in line
    assert git("for-each-ref", cwd=bare) == before
    status = json.loads(plans.ok("ann", "sync", "status", "--json"))
    assert status["remote"] is None
    plans.ok("ann", "sync")
    assert git("for-each-ref", cwd=bare) == before


def test_a_shared_plan_joins_another_teams_plan_only_with_merge(plans: Plans) -> None:
    plans.ok("ann", "card", "add", "Team A card", "--team", "IT")
    plans.ok("ann", "sync", "init", str(plans.remote))
    other = plans.root / "other.git"
    git("init", "-q", "--bare", str(other))
    plans.ok("cyd", "card", "add", "Team B card", "--team", "IT")
    plans.ok("cyd", "sync", "init", str(other))
    line = refused(plans, "ann", "sync", "init", str(other))
    assert "--merge" in line and "the remote stays" in line
    assert "Team A card" not in str(plans.cards("cyd").values())
    plans.ok("ann", "sync")  # still the first remote
    plans.ok("ann", "sync", "init", str(other), "--merge")
    plans.ok("cyd", "sync")
    assert "Team A card" in plans.cards("cyd").values()


def test_credentials_in_a_remote_address_are_never_shown(plans: Plans) -> None:
    plans.ok("ann", "sync", "init", str(plans.remote))
    secret = "https://ann:hunter2@127.0.0.1:9/plan.git"
    git("remote", "set-url", "origin", secret, cwd=plans.root / "ann.sync")
    shown = plans("ann", "sync", "status")
    as_json = plans("ann", "sync", "status", "--json")
    synced = plans("ann", "sync")
    for found in (shown, as_json, synced):
        assert "hunter2" not in found.out + found.err
    assert "https://127.0.0.1:9/plan.git" in shown.out


# -- exit status --------------------------------------------------------------------------------


def test_the_environment_failing_is_status_1(plans: Plans, monkeypatch: pytest.MonkeyPatch) -> None:
    plans.ok("ann", "sync", "init", str(plans.remote))
    plans.ok("ann", "card", "add", "Waits", "--team", "IT")
    # Another sync holds the folder: status 1, and not remembered as the last error (the
    # sync that runs says how it went).
    import fcntl

    with open(plans.root / "ann.sync" / ".git" / LOCK_FILE, "ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert "another sync" in refused(plans, "ann", "sync", code=1)
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert json.loads(plans.ok("ann", "sync", "status", "--json"))["last_error"] is None
    # git missing: status 1.
    monkeypatch.setenv("PATH", str(plans.root / "no-programs-here"))
    assert "git is not installed" in refused(plans, "ann", "sync", code=1)
    monkeypatch.undo()
    plans.ok("ann", "sync")
    assert "Waits" in plans.cards("ann").values()


# -- folders ------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["", "~nobody-sprintboard-test/plan.sync", "afile/sub"])
def test_odd_folders_are_refused_in_one_line(plans: Plans, folder: str) -> None:
    (plans.root / "afile").write_text("not a folder\n")
    os.chdir(plans.root)
    refused(plans, "ann", "sync", "init", str(plans.remote), "--folder", folder)
    assert (plans.root / "afile").read_text() == "not a folder\n"
    assert not (plans.root / "ann.sync").exists()


def test_a_sync_folder_serves_one_plan(plans: Plans) -> None:
    plans.ok("ann", "sync", "init", str(plans.remote))
    folder = str(plans.root / "ann.sync")
    line = refused(plans, "bob", "sync", "init", str(plans.remote), "--folder", folder)
    assert "another plan" in line
    plans.ok("bob", "sync", "init", str(plans.remote))
    line = refused(plans, "bob", "sync", "init", "--folder", folder)
    assert "another plan" in line
    plans.ok("ann", "card", "add", "Still Ann's", "--team", "IT")
    plans.ok("ann", "sync")
    plans.ok("bob", "sync")
    assert "Still Ann's" in plans.cards("bob").values()


def test_a_sync_init_stopped_before_joining_is_taken_up_again(
    plans: Plans, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sprintboard.io.sync as sync_module

    def stopped(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sync_module, "join", stopped)
    assert "disk I/O error" in refused(plans, "ann", "sync", "init", str(plans.remote), code=1)
    # Removed when the join fails. A folder left by a kill between making it and joining
    # (made here as that `sync init` makes it) is taken over by this plan's next one.
    assert not (plans.root / "ann.sync").exists()
    monkeypatch.undo()
    SyncRepo.create(
        plans.root / "ann.sync", "0123456789ab", str(plans.remote), plan=str(plans.root / "ann.db")
    )
    plans.ok("ann", "sync", "init", str(plans.remote))
    mark = (plans.root / "ann.sync" / ".git" / OWNER_FILE).read_text().split()
    assert mark == ["0123456789ab", str(plans.root / "ann.db")]
    status = json.loads(plans.ok("ann", "sync", "status", "--json"))
    assert status["device"] == "0123456789ab"
    # Another plan is not let in through that door.
    assert "another plan" in refused(
        plans, "bob", "sync", "init", "--folder", str(plans.root / "ann.sync")
    )


def test_a_moved_or_lost_folder_is_connected_again(plans: Plans) -> None:
    plans.ok("ann", "sync", "init", str(plans.remote))
    plans.ok("ann", "card", "add", "Before the move", "--team", "IT")
    plans.ok("ann", "sync")
    (plans.root / "ann.sync").rename(plans.root / "moved.sync")
    assert "is gone" in refused(plans, "ann", "sync")
    status = json.loads(plans.ok("ann", "sync", "status", "--json"))
    assert status["folder_problem"] and status["unshared"] == 0
    plans.ok("ann", "sync", "init", "--folder", str(plans.root / "moved.sync"))
    plans.ok("ann", "card", "add", "After the move", "--team", "IT")
    plans.ok("ann", "sync")
    # Committed while the remote was away, then the folder deleted: a new clone lacks
    # that change, and it goes out again.
    plans.remote.rename(plans.root / "away.git")
    plans.ok("ann", "card", "add", "Never pushed", "--team", "IT")
    assert plans("ann", "sync").code == 2
    plans.root.joinpath("away.git").rename(plans.remote)
    subprocess.run(["rm", "-rf", str(plans.root / "moved.sync")], check=True)
    fresh = str(plans.root / "fresh.sync")
    plans.ok("ann", "sync", "init", str(plans.remote), "--folder", fresh)
    plans.ok("bob", "sync", "init", str(plans.remote))
    titles = set(plans.cards("bob").values())
    assert {"Before the move", "After the move", "Never pushed"} <= titles
    whole(plans, "ann", "bob")


def test_a_plan_restored_from_a_backup_goes_on_as_a_new_laptop(plans: Plans) -> None:
    plans.ok("ann", "sync", "init", str(plans.remote))
    plans.ok("bob", "sync", "init", str(plans.remote))
    plans.ok("bob", "backup", str(plans.root / "bob.bak"))
    plans.ok("bob", "card", "add", "Shared, then undone by the restore", "--team", "IT")
    plans.ok("bob", "sync")
    plans.ok("bob", "restore", str(plans.root / "bob.bak"), "--yes")
    plans.ok("bob", "card", "add", "After the restore", "--team", "IT")
    out = plans.ok("bob", "sync")
    assert "goes on as a new laptop" in out
    plans.ok("bob", "sync")
    plans.ok("ann", "sync")
    # What was shared is everyone's (a restore never takes back what others received),
    # and what came after the restore goes out.
    assert plans.cards("ann") == plans.cards("bob")
    titles = set(plans.cards("ann").values())
    assert titles == {"Shared, then undone by the restore", "After the restore"}
    whole(plans, "ann", "bob")


def test_a_copied_plan_needs_a_folder_of_its_own(plans: Plans) -> None:
    plans.ok("ann", "sync", "init", str(plans.remote))
    (plans.root / "copy.db").write_bytes((plans.root / "ann.db").read_bytes())
    plans.ok("ann", "card", "add", "From the original", "--team", "IT")
    plans.ok("copy", "card", "add", "From the copy", "--team", "IT")
    plans.ok("ann", "sync")
    line = refused(plans, "copy", "sync")
    assert "copies of one plan" in line and "--folder" in line
    out = plans.ok("copy", "sync", "init", str(plans.remote), "--folder", str(plans.root / "c"))
    assert "goes on as a new laptop" in out
    plans.ok("ann", "sync")
    assert set(plans.cards("ann").values()) == {"From the original", "From the copy"}
    assert plans.cards("ann") == plans.cards("copy")
    devices = {
        json.loads(plans.ok(n, "sync", "status", "--json"))["device"] for n in ("ann", "copy")
    }
    assert len(devices) == 2
    whole(plans, "ann", "copy")


def test_a_read_only_plan_is_refused_before_the_folder_is_touched(plans: Plans) -> None:
    plans.ok("ann", "sync", "init", str(plans.remote))
    plans.ok("ann", "card", "add", "Unshared", "--team", "IT")
    store = Store(plans.root / "ann.db", actor="ann")
    try:
        store.read_only_reason = f"{store.path} is read-only: changes cannot be saved"
        with pytest.raises(Exception, match="read-only"):
            run_sync(store)
    finally:
        store.close()
    assert git("status", "--porcelain", cwd=plans.root / "ann.sync") == ""


# -- status -------------------------------------------------------------------------------------


def test_status_json_has_the_same_keys_in_every_state(plans: Plans) -> None:
    shapes = [json.loads(plans.ok("ann", "sync", "status", "--json"))]
    plans.ok("ann", "sync", "init", str(plans.remote))
    shapes.append(json.loads(plans.ok("ann", "sync", "status", "--json")))
    (plans.root / "ann.sync").rename(plans.root / "elsewhere")
    shapes.append(json.loads(plans.ok("ann", "sync", "status", "--json")))
    assert [list(shape) for shape in shapes] == [list(STATUS_KEYS)] * 3
    documented = README.read_text().split("## Planning together across laptops")[1]
    for key in STATUS_KEYS:
        assert f"`{key}`" in documented, key


# -- damaged operations and snapshots -----------------------------------------------------------


def test_refused_operations_say_what_and_why(plans: Plans) -> None:
    plans.ok("ann", "card", "add", "Banner", "--team", "MKT")
    plans.ok("ann", "sync", "init", str(plans.remote))
    card = first_card_op(plans)
    push_lines(plans, "hand00000001", [edit_op(card, "status", "bogus")])
    plans.ok("ann", "sync")
    listed = plans.ok("ann", "sync", "conflicts")
    assert "bogus (not applied" in listed
    assert plans.cards("ann")["MKT-1"] == "Banner"
    found = json.loads(plans.ok("ann", "sync", "conflicts", "--json"))
    refused_one = next(c for c in found if c["kind"] == "refused")
    assert "not applied: status" in shown_value(refused_one["other"], "refused")
    whole(plans, "ann")


def test_a_line_longer_than_sprintboard_writes_is_refused_whole(
    plans: Plans, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_files, "MAX_LINE_BYTES", 64 * 1024)
    plans.ok("ann", "card", "add", "Banner", "--team", "MKT")
    plans.ok("ann", "sync", "init", str(plans.remote))
    card = first_card_op(plans)
    push_lines(plans, "hand00000001", [edit_op(card, "title", "A" * 100_000)])
    line = refused(plans, "ann", "sync")
    assert "ops/hand00000001/00000001.jsonl:1" in line and "longer" in line
    assert plans.cards("ann")["MKT-1"] == "Banner"
    whole(plans, "ann")


def _snapshot(plans: Plans) -> Path:
    """Ann shares a plan with a snapshot of it; returns a clone to damage it in."""
    from sprintboard.io.sync import _repo, write_snapshot

    plans.ok("ann", "demo")
    plans.ok("ann", "sync", "init", str(plans.remote))
    store = Store(plans.root / "ann.db", actor="ann")
    try:
        repo = _repo(store, interactive=False)
        with repo.locked():
            write_snapshot(store, repo)
            repo.push()
    finally:
        store.close()
    work = plans.root / "damage"
    git("clone", "-q", "-b", "main", str(plans.remote), str(work))
    return work


def _damage(kind: str, lines: list[bytes]) -> list[bytes]:
    header = json.loads(lines[0])
    card = next(i for i, line in enumerate(lines) if b'"entity":"card"' in line)
    row = json.loads(lines[card])
    if kind == "cut mid-line":
        return [*lines[:100], lines[100][:30]]
    if kind == "cut at a line end":
        return lines[:1]
    if kind == "a garbage line":
        return [*lines[:50], b"garbage", *lines[50:]]
    if kind == "positions":
        header["positions"] = {"x": "bad"}
    elif kind == "version":
        header["v"] = "one"
    elif kind == "an unknown kind":
        row["entity"] = "spaceship"
    elif kind == "no record":
        del row["row"]
    elif kind == "a hostile column":
        row["row"]["x]; DROP TABLE cards; --"] = 1
    elif kind == "a refused value":
        row["row"]["status"] = "bogus"
    lines = list(lines)
    lines[0], lines[card] = json.dumps(header).encode(), json.dumps(row).encode()
    return lines


@pytest.mark.parametrize(
    "kind",
    [
        "cut mid-line",
        "cut at a line end",
        "a garbage line",
        "positions",
        "version",
        "an unknown kind",
        "no record",
        "a hostile column",
        "a refused value",
    ],
)
def test_a_damaged_snapshot_is_passed_over(plans: Plans, kind: str) -> None:
    work = _snapshot(plans)
    path = next((work / "snapshots").glob("*.jsonl"))
    lines = path.read_bytes().split(b"\n")[:-1]
    path.write_bytes(b"\n".join(_damage(kind, lines)) + b"\n")
    git("-c", "user.name=m", "-c", "user.email=m@m", "commit", "-qam", kind, cwd=work)
    git("push", "-q", "origin", "HEAD:main", cwd=work)
    out = plans.ok("bob", "sync", "init", str(plans.remote))
    assert "passed over" in out and "Traceback" not in out
    assert plans.cards("bob") == plans.cards("ann")
    whole(plans, "ann", "bob")


# -- clocks -------------------------------------------------------------------------------------


def test_the_clock_counter_never_outgrows_its_digits(tmp_path: Path) -> None:
    store = Store(tmp_path / "plan.db", actor="ann")
    try:
        future = 4_070_908_800_000  # 2099: another laptop's clock, read and followed
        store.observe(f"{future:013d}.999998.laptop0000001")
        readings = [store.tick() for _ in range(3)]
    finally:
        store.close()
    assert [parse_hlc(r)[:2] for r in readings] == [
        (future, 999_999),
        (future + 1, 0),
        (future + 1, 1),
    ]
    assert readings == sorted(readings)


# -- the merge engine (store/sync_merge.py): defects found, being rewritten elsewhere -----------

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _laptops(tmp_path: Path) -> tuple[Laptop, Laptop]:
    return Laptop(tmp_path / "a.db", "Ann", START), Laptop(tmp_path / "b.db", "Bob", START)


def _edit(card: dict[str, Any], field: str, value: Any, minutes: int) -> dict[str, Any]:
    """An update of `card` from a third laptop, `minutes` after the card was made."""
    millis = parse_hlc(card["hlc"])[0] + minutes * 60_000
    return {
        **card,
        "hlc": f"{millis:013d}.000000.hand00000001",
        "device": "hand00000001",
        "actor": "Mallory",
        "op": "update",
        "field": field,
        "before": None,
        "after": value,
    }


@pytest.mark.parametrize(
    "field, value",
    [("title", ""), ("title", "x" * 600), ("title", "two\nlines"), ("points", "many"),
     ("description", "d" * 100_001)],
)  # fmt: skip
def test_received_values_are_checked_as_typed_ones(tmp_path: Path, field: str, value: Any) -> None:
    a, b = _laptops(tmp_path)
    a.store.cards.add(Card(title="Banner", team="MKT", points=3))
    card = next(op for op in a.send() if op["entity"] == "card" and op["op"] == "create")
    b.receive([card, _edit(card, field, value, 1)])
    kept = b.store.cards.get("MKT-1")
    assert (kept["title"], kept["points"], kept["description"]) == ("Banner", 3, "")
    assert [c["kind"] for c in Conflicts(b.store).list()] == ["refused"]


def test_the_conflicts_a_merge_counts_are_the_ones_it_keeps(tmp_path: Path) -> None:
    a, b = _laptops(tmp_path)
    a.store.cards.add(Card(title="Banner", team="MKT"))
    card = next(op for op in a.send() if op["entity"] == "card" and op["op"] == "create")
    report = b.receive([card, _edit(card, "status", "bogus", 1)])
    assert report.conflicts == len(Conflicts(b.store).list())


@pytest.mark.xfail(
    strict=True,
    reason="sync_merge reads a field's clock by uuid alone: a record of another kind with "
    "the same uuid decides whether a card's edit is later",
)
def test_a_uuid_shared_by_two_kinds_of_record_does_not_mix_their_clocks(tmp_path: Path) -> None:
    a, b = _laptops(tmp_path)
    a.store.cards.add(Card(title="Banner", team="MKT"))
    a.store.sprints.add(Sprint(name="Spring", start=date(2026, 3, 2), end=date(2026, 3, 13)))
    ops = a.send()
    card = next(op for op in ops if op["entity"] == "card" and op["op"] == "create")
    sprint = next(op for op in ops if op["entity"] == "sprint" and op["op"] == "create")
    late = f"{parse_hlc(card['hlc'])[0] + 120_000:013d}.000000.hand00000001"
    twin = {**sprint, "uuid": card["uuid"], "hlc": late, "device": "hand00000001",
            "after": {**sprint["after"], "uuid": card["uuid"], "name": "Twin"}}  # fmt: skip
    b.receive([card, twin])
    b.receive([_edit(card, "title", "Summer banner", 1)])  # made before the twin, came later
    assert b.store.cards.get("MKT-1")["title"] == "Summer banner"


def test_a_renumbered_card_deleted_by_its_maker_is_no_conflict(tmp_path: Path) -> None:
    a, b = _laptops(tmp_path)
    a.store.cards.add(Card(title="From Ann", team="IT"))
    b.later()
    b.store.cards.add(Card(title="From Bob", team="IT"))
    b.receive(a.send())  # Bob's card gives way: IT-2
    b.later()
    b.store.cards.delete("IT-2")
    a.later(5)
    a.receive(b.send())  # its creation, renumbering and deletion arrive together
    assert a.store.scalar("SELECT COUNT(*) FROM cards") == 1
    assert Conflicts(a.store).list() == []
