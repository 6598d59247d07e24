"""The sync folder: files, real git, and a bare repository on disk as the shared remote."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from sprintboard.io import sync_git
from sprintboard.io.sync_files import FIXED_FILES, FORMAT_FILE
from sprintboard.io.sync_git import (
    GIT_MISSING,
    GitResult,
    SyncError,
    SyncRejected,
    describe_failure,
    git_environment,
)
from sprintboard.io.sync_repo import BUSY, IncomingOp, SyncRepo


@pytest.fixture(autouse=True)
def _own_git_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git reads only settings made here: a developer's signing key, hooks or default
    branch must not change what these tests see."""
    home = tmp_path / "home"
    home.mkdir()
    settings = home / "gitconfig"
    settings.write_text("[user]\n\tname = Tester\n\temail = tester@example.invalid\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(settings))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GIT_COMMITTER_EMAIL", raising=False)


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def remote(tmp_path: Path) -> str:
    """An empty bare repository whose HEAD names git's default branch, not `main`."""
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return str(path)


def ops(device: str, first: int, count: int) -> list[dict[str, Any]]:
    return [
        {"device": device, "n": n, "text": "ünïcode\u2028line"} for n in range(first, first + count)
    ]


def numbers(found: list[IncomingOp]) -> list[int]:
    return [item.op["n"] for item in found]


def one_line(error: pytest.ExceptionInfo[SyncError]) -> str:
    text = str(error.value)
    assert "\n" not in text and text.startswith("sync: "), text
    return text


# -- creating ---------------------------------------------------------------------------------


def test_create_without_remote_starts_a_repository(tmp_path: Path) -> None:
    created = SyncRepo.create(tmp_path / "sync", "a")
    repo = created.repo
    assert (created.existed, created.shared_plan, created.other_devices) == (False, False, ())
    for name, text in FIXED_FILES.items():
        assert (repo.folder / name).read_text() == text
    assert json.loads((repo.folder / FORMAT_FILE).read_text()) == {
        "format": "sprintboard-sync",
        "version": 1,
    }
    assert repo.branch == "main"
    assert git(repo.folder, "status", "--porcelain") == ""
    assert not repo.has_remote
    assert (repo.fetch(), repo.merge(), repo.push()) == (False, False, False)
    assert repo.unpushed_commits() == 0
    assert repo.last_fetch_time() is None
    assert [p.name for p in tmp_path.iterdir()] == ["home", "sync"]  # no leftovers


def test_create_clones_an_empty_remote_then_others_join(tmp_path: Path, remote: str) -> None:
    first = SyncRepo.create(tmp_path / "a", "a", remote)
    assert (first.shared_plan, first.other_devices) == (False, ())
    a = first.repo
    assert a.branch == "main" and a.unpushed_commits() == 1
    assert a.push() is True
    assert a.unpushed_commits() == 0 and a.push() is False
    assert "sprintboard-sync.json" in git(Path(remote), "ls-tree", "--name-only", "main")

    second = SyncRepo.create(tmp_path / "b", "b", remote)
    assert (second.shared_plan, second.other_devices) == (True, ())
    assert second.repo.branch == "main" and second.repo.unpushed_commits() == 0

    a.append_own(ops("a", 1, 2))
    a.commit("ops")
    a.push()
    third = SyncRepo.create(tmp_path / "c", "c", remote)
    assert (third.shared_plan, third.other_devices) == (True, ("a",))
    assert numbers(third.repo.incoming({})) == [1, 2]


def test_create_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(SyncError) as error:
        SyncRepo.create(folder, "a")
    assert "is not empty and is not a sprintboard sync folder" in one_line(error)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_create_uses_an_empty_folder_and_reopens_a_sync_folder(tmp_path: Path, remote: str) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    SyncRepo.create(folder, "a")
    again = SyncRepo.create(folder, "a", remote)
    assert (again.existed, again.shared_plan) == (True, True)
    assert again.repo.remote_url == remote
    assert again.repo.push() is True


def test_a_newer_format_is_refused(tmp_path: Path, remote: str) -> None:
    newer = SyncRepo.create(tmp_path / "newer", "z", remote).repo
    (newer.folder / FORMAT_FILE).write_text('{"format": "sprintboard-sync", "version": 2}\n')
    newer.commit("from the future")
    newer.push()
    with pytest.raises(SyncError) as error:
        SyncRepo.create(tmp_path / "old", "a", remote)
    assert "newer sprintboard" in one_line(error)
    assert not (tmp_path / "old").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with pytest.raises(SyncError, match="newer sprintboard"):
        SyncRepo.open(newer.folder, "z")


def test_unreachable_remote_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SyncError) as error:
        SyncRepo.create(tmp_path / "sync", "a", str(tmp_path / "missing.git"))
    assert "there is no git repository at" in one_line(error)
    assert "nothing local was lost" in str(error.value)
    repo = SyncRepo.create(tmp_path / "sync", "a").repo
    repo.set_remote("/nowhere/at/all.git")
    with pytest.raises(SyncError) as error:
        repo.fetch()
    assert "/nowhere/at/all.git" in one_line(error)


def test_git_not_installed_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(SyncError) as error:
        SyncRepo.create(tmp_path / "sync", "a")
    assert one_line(error) == GIT_MISSING


def test_commits_without_a_git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("[user]\n\tuseConfigOnly = true\n")  # as on CI: no guessing from the host
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    repo = SyncRepo.create(tmp_path / "sync", "laptop-1", person="Ana").repo
    repo.append_own(ops("laptop-1", 1, 1))
    assert repo.commit("ops") is True
    assert git(repo.folder, "log", "-1", "--format=%an <%ae>") == (
        "Ana <laptop-1@sprintboard.invalid>"
    )


def test_a_configured_identity_is_kept(tmp_path: Path) -> None:
    repo = SyncRepo.create(tmp_path / "sync", "a", person="Ana").repo
    assert git(repo.folder, "log", "-1", "--format=%an <%ae>") == "Tester <tester@example.invalid>"
    assert repo.commit("nothing") is False


def test_device_names_must_name_a_folder(tmp_path: Path) -> None:
    for bad in ("", "../x", ".hidden", "a/b", "a b"):
        with pytest.raises(SyncError):
            SyncRepo(tmp_path, bad)


# -- two laptops through one remote -----------------------------------------------------------


def test_two_devices_sync_without_conflicts(tmp_path: Path, remote: str) -> None:
    a = SyncRepo.create(tmp_path / "a", "a", remote).repo
    a.push()
    b = SyncRepo.create(tmp_path / "b", "b", remote).repo
    a.append_own(ops("a", 1, 3))
    a.write_snapshot([{"hlc": "1"}, {"row": 1}])
    a.commit("a's ops")
    b.append_own(ops("b", 1, 2))
    b.commit("b's ops")
    assert a.push() is True

    with pytest.raises(SyncRejected) as rejected:
        b.push()
    assert "has changes this laptop has not merged yet" in one_line(rejected)
    assert b.fetch() is True and b.last_fetch_time() is not None
    assert b.merge() is True
    assert b.push() is True
    assert numbers(b.incoming({})) == [1, 2, 3]

    a.fetch()
    assert a.merge() is True
    found = a.incoming({})
    assert [(i.device, i.segment, i.line) for i in found] == [
        ("b", "00000001.jsonl", 1),
        ("b", "00000001.jsonl", 2),
    ]
    assert found[0].op == ops("b", 1, 1)[0]
    assert a.merge() is False and a.unpushed_commits() == 0
    assert git(a.folder, "rev-parse", "HEAD") == git(b.folder, "rev-parse", "HEAD")
    assert [s.device for s in b.snapshots()] == ["a"]


def test_laptops_that_started_alone_share_one_remote(
    tmp_path: Path, remote: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # different days, or git would make the two first commits the very same commit
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-03-01T10:00:00Z")
    a = SyncRepo.create(tmp_path / "a", "a").repo
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-03-02T10:00:00Z")
    b = SyncRepo.create(tmp_path / "b", "b").repo
    for repo in (a, b):
        repo.append_own(ops(repo.device, 1, 1))
        repo.commit("ops")
        repo.set_remote(remote)
    a.push()
    b.fetch()
    assert b.merge() is True
    assert len(git(b.folder, "rev-list", "--max-parents=0", "HEAD").split()) == 2
    assert b.push() is True
    assert numbers(b.incoming({})) == [1]


def test_a_push_the_remote_refuses_says_why(tmp_path: Path, remote: str) -> None:
    a = SyncRepo.create(tmp_path / "a", "a", remote).repo
    hook = Path(remote) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'error: main is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(SyncError) as error:
        a.push()
    assert not isinstance(error.value, SyncRejected)
    assert "refused the push (main is protected)" in one_line(error)
    assert a.unpushed_commits() == 1


# -- reading other devices' operations --------------------------------------------------------


@pytest.fixture
def shared(tmp_path: Path) -> tuple[SyncRepo, SyncRepo]:
    """Two devices' views of one folder (no git needed to write another device's files)."""
    a = SyncRepo.create(tmp_path / "sync", "a").repo
    return a, SyncRepo(a.folder, "b", segment_bytes=200)


def test_incoming_resumes_and_never_reads_twice(shared: tuple[SyncRepo, SyncRepo]) -> None:
    a, b = shared
    a.append_own(ops("a", 1, 2))  # its own files are never incoming
    b.append_own(ops("b", 1, 3))
    first = a.incoming({})
    assert numbers(first) == [1, 2, 3]
    last = first[-1]
    position = {"b": (last.segment, last.line)}
    assert a.incoming(position) == [] and a.pending_count(position) == 0
    assert numbers(a.incoming({"b": (first[0].segment, 1)})) == [2, 3]  # mid-segment

    sizes = b.append_own(ops("b", 4, 5))
    assert len(sizes) > 1, "a tiny segment size starts new segments"
    assert all(size <= 200 for size in sizes.values())
    assert a.pending_count(position) == 5
    later = a.incoming(position)
    assert numbers(later) == [4, 5, 6, 7, 8]
    assert {item.segment for item in later} == set(sizes)
    assert all(item.line >= 1 for item in later)
    final = (later[-1].segment, later[-1].line)
    assert a.incoming({"b": final}) == []


def test_a_partial_last_line_is_not_read_yet(shared: tuple[SyncRepo, SyncRepo]) -> None:
    a, b = shared
    b.append_own(ops("b", 1, 1))
    segment = b.own_dir / "00000001.jsonl"
    with open(segment, "ab") as out:
        out.write(b'{"n":2,"half')
    assert numbers(a.incoming({})) == [1] and a.pending_count({}) == 1
    with open(segment, "ab") as out:
        out.write(b'":true}\n')
    assert numbers(a.incoming({"b": ("00000001.jsonl", 1)})) == [2]


def test_a_malformed_line_names_file_and_line(shared: tuple[SyncRepo, SyncRepo]) -> None:
    a, b = shared
    b.append_own(ops("b", 1, 1))
    with open(b.own_dir / "00000001.jsonl", "ab") as out:
        out.write(b"[1, 2]\n")
    b.append_own(ops("b", 3, 1))
    with pytest.raises(SyncError) as error:
        a.incoming({})
    assert one_line(error).startswith("sync: ops/b/00000001.jsonl:2: ")


# -- this device's files after a crash --------------------------------------------------------


def test_truncate_own_cuts_what_was_never_recorded(shared: tuple[SyncRepo, SyncRepo]) -> None:
    _, b = shared
    recorded = b.append_own(ops("b", 1, 3))
    b.commit("recorded")
    # killed after writing, before the plan recorded the sizes: new lines, a new segment
    # and half a line
    grown = b.append_own(ops("b", 4, 4))
    assert set(grown) > set(recorded)
    with open(b.own_dir / max(grown), "ab") as out:
        out.write(b'{"half')
    git(b.folder, "add", "-A")  # killed inside a commit, even
    assert sorted(b.truncate_own(recorded)) == sorted(
        name for name in grown if grown[name] != recorded.get(name)
    )
    assert b.own_sizes() == recorded
    assert b.truncate_own(recorded) == []
    assert b.commit("nothing new") is False


def test_truncate_own_never_cuts_committed_operations(shared: tuple[SyncRepo, SyncRepo]) -> None:
    _, b = shared
    recorded = b.append_own(ops("b", 1, 1))
    b.append_own(ops("b", 2, 1))
    b.commit("more than recorded")
    with pytest.raises(SyncError) as error:
        b.truncate_own(recorded)
    assert "committed operations this plan did not record" in one_line(error)
    with pytest.raises(SyncError, match="fewer than this plan wrote"):
        b.truncate_own({"00000001.jsonl": 10_000})
    assert b.own_sizes() != recorded  # nothing changed


# -- recovering -------------------------------------------------------------------------------


def test_recover_removes_a_stale_index_lock(tmp_path: Path) -> None:
    repo = SyncRepo.create(tmp_path / "sync", "a").repo
    (repo.folder / ".git" / "index.lock").write_text("")
    (repo.folder / ".git" / "refs" / "heads" / "main.lock").write_text("")
    repo.append_own(ops("a", 1, 1))
    with pytest.raises(SyncError) as error:
        repo.commit("blocked")
    one_line(error)
    with pytest.raises(RuntimeError):
        repo.recover()
    head = git(repo.folder, "rev-parse", "HEAD")
    with repo.locked():
        done = repo.recover()
    assert len(done) == 2
    assert git(repo.folder, "rev-parse", "HEAD") == head
    assert repo.commit("ops") is True


def test_recover_undoes_a_half_done_merge(tmp_path: Path, remote: str) -> None:
    a = SyncRepo.create(tmp_path / "a", "a", remote).repo
    a.push()
    b = SyncRepo.create(tmp_path / "b", "b", remote).repo
    a.append_own(ops("a", 1, 1))
    a.commit("a")
    a.push()
    b.append_own(ops("b", 1, 1))
    b.commit("b")
    b.fetch()
    head = git(b.folder, "rev-parse", "HEAD")
    # a sync killed inside `git merge`: the merge state is there, the commit is not
    git(b.folder, "merge", "--no-commit", "--no-ff", "origin/main")
    assert (b.folder / ".git" / "MERGE_HEAD").exists()
    # and a checkout killed half way through another device's file, plus a stray file
    (b.folder / "ops" / "a" / "00000001.jsonl").write_bytes(b'{"n":1')
    (b.folder / "ops" / "c").mkdir()
    (b.folder / "ops" / "c" / "00000001.jsonl").write_bytes(b"{}\n")
    b.append_own(ops("b", 2, 1))  # own uncommitted work survives
    with b.locked():
        done = b.recover()
    assert done and not (b.folder / ".git" / "MERGE_HEAD").exists()
    assert git(b.folder, "rev-parse", "HEAD") == head
    assert not (b.folder / "ops" / "c").exists()
    assert git(b.folder, "status", "--porcelain") == "M ops/b/00000001.jsonl"
    assert b.own_sizes()["00000001.jsonl"] > 0
    assert b.commit("b again") is True
    assert b.merge() is True and b.push() is True
    assert numbers(b.incoming({})) == [1]


def test_a_conflict_is_undone_and_named(tmp_path: Path, remote: str) -> None:
    a = SyncRepo.create(tmp_path / "a", "a", remote).repo
    a.append_own(ops("a", 1, 1))
    a.commit("a")
    a.push()
    b = SyncRepo.create(tmp_path / "b", "b", remote).repo
    # someone edits a's file by hand in b's folder and commits it there
    (b.folder / "ops" / "a" / "00000001.jsonl").write_text('{"edited":true}\n')
    git(b.folder, "commit", "-qam", "by hand")
    a.append_own(ops("a", 2, 1))
    a.commit("a")
    a.push()
    b.fetch()
    head = git(b.folder, "rev-parse", "HEAD")
    with pytest.raises(SyncError) as error:
        b.merge()
    assert "conflicted in ops/a/00000001.jsonl" in one_line(error)
    assert git(b.folder, "rev-parse", "HEAD") == head
    assert git(b.folder, "status", "--porcelain") == ""


def test_the_lock_refuses_a_second_sync(tmp_path: Path) -> None:
    repo = SyncRepo.create(tmp_path / "sync", "a").repo
    other = SyncRepo(repo.folder, "a")
    with repo.locked():
        with pytest.raises(SyncError) as error, other.locked():
            pass
        assert str(error.value) == BUSY
    with other.locked():
        pass


# -- snapshots --------------------------------------------------------------------------------


def test_snapshots_are_written_whole_and_listed(shared: tuple[SyncRepo, SyncRepo]) -> None:
    a, b = shared
    a.write_snapshot([{"hlc": "0001", "device": "a"}, {"row": 1}, {"row": 2}])
    b.write_snapshot([{"hlc": "0002", "device": "b"}])
    b.write_snapshot([{"hlc": "0003", "device": "b"}, {"row": "ü"}])
    found = a.snapshots()
    assert [(s.device, s.header["hlc"]) for s in found] == [("a", "0001"), ("b", "0003")]
    assert list(a.snapshot_rows(found[0])) == [{"row": 1}, {"row": 2}]
    assert list(a.snapshot_rows(found[1])) == [{"row": "ü"}]
    assert sorted(p.name for p in (a.folder / "snapshots").iterdir()) == ["a.jsonl", "b.jsonl"]
    assert a.commit("snapshot") is True
    assert "snapshots/b.jsonl" not in git(a.folder, "ls-files")  # only its own files


# -- the git command --------------------------------------------------------------------------


def test_a_remote_that_stops_answering_times_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = SyncRepo.create(tmp_path / "sync", "a").repo
    repo.set_remote(str(tmp_path))
    fake = tmp_path / "bin"
    fake.mkdir()
    real = subprocess.run(["which", "git"], capture_output=True, text=True).stdout.strip()
    # a child that keeps the output pipes open, as ssh does
    (fake / "git").write_text(
        f'#!/bin/sh\ncase " $* " in *" fetch "*) sleep 30 & sleep 30;; esac\nexec {real} "$@"\n'
    )
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(sync_git, "NETWORK_TIMEOUT_S", 0.5)
    started = time.monotonic()
    with pytest.raises(SyncError) as error:
        repo.fetch()
    assert "did not finish within" in one_line(error)
    assert time.monotonic() - started < 3, "the child holding the pipes was ended too"


FAILURES = [
    ("fatal: unable to access 'https://u:secret@h/x/': Could not resolve host: h", "cannot reach"),
    ("ssh: connect to host h port 22: Connection refused\nfatal: Could not read", "was refused"),
    ("git@h: Permission denied (publickey).\nfatal: Could not read", "refused access"),
    ("remote: Repository not found.\nfatal: repository 'https://h/x/' not found", "no git repo"),
    ("Host key verification failed.\nfatal: Could not read", "does not know the key"),
    (" ! [remote rejected] main -> main (protected branch hook declined)\n", "(protected branch"),
    ("error: something \x1b[31mred\x1b[0m broke\nhint: more\n", "git fetch failed: something"),
]


@pytest.mark.parametrize(("stderr", "expected"), FAILURES)
def test_git_failures_read_as_one_plain_line(stderr: str, expected: str) -> None:
    error = describe_failure("fetch", GitResult(1, "", stderr), url="https://u:secret@h/x")
    text = str(error)
    assert expected in text, text
    assert "\n" not in text and "\x1b" not in text and "secret" not in text
    assert text.startswith("sync: ") and "nothing local was lost" in text


def test_git_never_prompts_unless_interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    monkeypatch.delenv("GIT_SSH", raising=False)
    quiet = git_environment(interactive=False)
    assert quiet["GIT_TERMINAL_PROMPT"] == "0"
    assert quiet["GIT_SSH_COMMAND"] == "ssh -o BatchMode=yes"
    asking = git_environment(interactive=True)
    assert "GIT_TERMINAL_PROMPT" not in asking and "GIT_SSH_COMMAND" not in asking
    configured = git_environment(interactive=False, ssh_command="ssh -i work_key")
    assert configured["GIT_SSH_COMMAND"] == "ssh -i work_key -o BatchMode=yes"
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -i mykey")
    assert git_environment(interactive=False)["GIT_SSH_COMMAND"] == "ssh -i mykey"
