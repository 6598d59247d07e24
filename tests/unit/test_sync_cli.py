"""`sprintboard sync` end to end: plans on one disk, a bare git repository as the remote."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import Result
from sprintboard.cli import main
from sprintboard.store import Store


class Plans:
    """Run the CLI on several plans (databases) in one folder."""

    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.root = root
        self.capsys = capsys
        self.remote = root / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(self.remote)], check=True)

    def __call__(self, name: str, *args: str) -> Result:
        try:
            main(["--db", str(self.root / f"{name}.db"), "--as", name.title(), *args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def ok(self, name: str, *args: str) -> str:
        found = self(name, *args)
        assert found.code == 0, found.err
        return found.out

    def cards(self, name: str) -> dict[str, str]:
        listed = json.loads(self.ok(name, "card", "list", "--json"))
        return {c["key"]: c["title"] for c in listed}


@pytest.fixture
def plans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Plans:
    # Commits work on machines where git knows nobody (CI).
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return Plans(tmp_path, capsys)


def test_a_team_shares_a_plan_in_three_commands(plans: Plans) -> None:
    plans.ok("ann", "demo")
    plans.ok("ann", "sync", "init", str(plans.remote))
    out = plans.ok("bob", "sync", "init", str(plans.remote))
    assert "received" in out
    assert plans.cards("bob") == plans.cards("ann")
    # The demo's team rates reach Bob too: his plan's seeded teams are no change of his.
    rates = "SELECT code, rate_cents, rate_unit FROM teams ORDER BY code"
    with Store(plans.root / "ann.db") as ann, Store(plans.root / "bob.db") as bob:
        assert ann.rows(rates) == bob.rows(rates)
        assert bob.scalar("SELECT rate_cents FROM teams WHERE code = 'IT'") is not None
    plans.ok("bob", "card", "add", "Gift wrapping option", "--team", "ECOM")
    plans.ok("bob", "sync")
    plans.ok("ann", "sync")
    assert "Gift wrapping option" in plans.cards("ann").values()


def test_a_plan_of_its_own_joins_only_when_asked(plans: Plans) -> None:
    plans.ok("ann", "card", "add", "Ann's card", "--team", "IT")
    plans.ok("ann", "sync", "init", str(plans.remote))
    plans.ok("bob", "card", "add", "Bob's card", "--team", "IT")
    refused = plans("bob", "sync", "init", str(plans.remote))
    assert refused.code == 2
    assert "--merge" in refused.err and len(refused.err.strip().splitlines()) == 1
    assert not (plans.root / "bob.sync").exists()
    plans.ok("bob", "sync", "init", str(plans.remote), "--merge")
    plans.ok("ann", "sync")
    both = plans.cards("ann")
    assert sorted(both.values()) == ["Ann's card", "Bob's card"]
    assert both == plans.cards("bob")
    # The seeded teams are the same records on both laptops: nine, not eighteen.
    teams = json.loads(plans.ok("ann", "team", "list", "--json"))
    assert len(teams) == 9


def test_the_renumbered_card_is_found_by_its_old_key(plans: Plans) -> None:
    plans.ok("ann", "sync", "init", str(plans.remote))
    plans.ok("bob", "sync", "init", str(plans.remote))
    plans.ok("ann", "card", "add", "First", "--team", "IT")
    plans.ok("bob", "card", "add", "Second", "--team", "IT")
    plans.ok("ann", "sync")
    out = plans.ok("bob", "sync")
    assert "IT-1 is now IT-2" in out
    plans.ok("ann", "sync")
    assert plans.cards("ann") == plans.cards("bob") == {"IT-1": "First", "IT-2": "Second"}
    # On Bob's laptop 'IT-1' was his card; it is Ann's now, and his answers to IT-2.
    shown = json.loads(plans.ok("bob", "card", "show", "IT-2", "--json"))
    assert shown["title"] == "Second"
    history = plans.ok("bob", "history", "IT-2")
    assert "key: IT-1 -> IT-2" in history


def test_status_and_conflicts(plans: Plans) -> None:
    plans.ok("ann", "card", "add", "Banner", "--team", "MKT")
    plans.ok("ann", "sync", "init", str(plans.remote))
    plans.ok("bob", "sync", "init", str(plans.remote))
    plans.ok("ann", "card", "edit", "MKT-1", "--title", "Spring banner")
    plans.ok("bob", "card", "edit", "MKT-1", "--title", "Easter banner")
    status = json.loads(plans.ok("bob", "sync", "status", "--json"))
    assert status["unshared"] == 1 and status["conflicts"] == []
    plans.ok("ann", "sync")
    plans.ok("bob", "sync")
    plans.ok("ann", "sync")
    listed = json.loads(plans.ok("ann", "sync", "conflicts", "--json"))
    assert [(c["record"], c["field"]) for c in listed] == [("MKT-1", "title")]
    kept = plans.cards("ann")["MKT-1"]
    other = listed[0]["other"]
    assert {kept, other} == {"Spring banner", "Easter banner"}
    plans.ok("ann", "sync", "take", str(listed[0]["id"]))
    plans.ok("ann", "sync")
    plans.ok("bob", "sync")
    assert plans.cards("bob")["MKT-1"] == other
    assert json.loads(plans.ok("bob", "sync", "conflicts", "--json")) == []
    text = plans.ok("bob", "sync", "status")
    assert "0 changes not shared yet" in text and "conflicts:  0 open" in text


@pytest.mark.parametrize(
    "args, says",
    [
        (("sync",), "not shared yet"),
        (("sync", "status"), "not shared"),
        (("sync", "take", "3"), "no conflict 3"),
        (("sync", "take", "x"), "x"),
    ],
)
def test_mistakes_get_one_line(plans: Plans, args: tuple[str, ...], says: str) -> None:
    found = plans("ann", *args)
    if args == ("sync", "status"):
        assert found.code == 0 and says in found.out
        return
    assert found.code == 2, found
    assert says in found.err and len(found.err.strip().splitlines()) == 1
    assert "Traceback" not in found.err


def test_an_unreachable_remote_loses_nothing(plans: Plans) -> None:
    plans.ok("ann", "sync", "init", str(plans.remote))
    plans.ok("ann", "card", "add", "Offline work", "--team", "IT")
    # Pointed at a remote that is not there: refused in one line, the folder keeps its
    # remote.
    moved = plans("ann", "sync", "init", str(plans.root / "nowhere.git"))
    assert moved.code == 2 and "no git repository" in moved.err
    assert "the remote stays" in moved.err
    # The remote gone: each sync says so in one line, and the change waits (committed in
    # the sync folder) to go out.
    plans.remote.rename(plans.root / "away.git")
    found = plans("ann", "sync")
    assert found.code == 2 and len(found.err.strip().splitlines()) == 1
    status = json.loads(plans.ok("ann", "sync", "status", "--json"))
    assert status["last_error"]
    (plans.root / "away.git").rename(plans.remote)
    plans.ok("ann", "sync")
    plans.ok("bob", "sync", "init", str(plans.remote))
    assert "Offline work" in plans.cards("bob").values()
