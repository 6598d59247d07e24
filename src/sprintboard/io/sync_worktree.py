"""A git working copy as sync uses it: one branch, one remote (`origin`), commits that work
on a machine where git knows nobody, merges that never rewrite history, and a lock so one
sync at a time runs in it. Nothing here knows what the files hold (`io/sync_repo.py`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sprintboard.io.sync_git import (
    NOTHING_LOST,
    GitResult,
    SyncError,
    SyncUnavailable,
    describe_failure,
    plain,
    run_git,
)

LOCK_FILE = "sprintboard-sync.lock"
BUSY = "sync: another sync of this plan is running; try again when it ends"
DEFAULT_BRANCH = "main"

# Lock files git leaves behind when it is killed; while we hold our own lock no other
# sync runs git here, so any of them is stale.
_GIT_LOCKS = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "config.lock", "packed-refs.lock")


class GitWorkingCopy:
    """A git working copy at `folder`; `person` and `email` sign commits when git has no
    identity of its own."""

    def __init__(self, folder: Path, *, person: str, email: str, interactive: bool) -> None:
        self.folder = Path(folder)
        self.person = person
        self.email = email
        self.interactive = interactive
        self._lock: IO[bytes] | None = None
        self._identity: list[str] | None = None
        self._remote: tuple[str | None] | None = None
        """origin's address as read from git's config, once: a sync asks for it a dozen
        times (each a git process), and only `set_remote` changes it."""

    def settle_branch(self) -> None:
        """Be on a branch that can take the first commit. A clone whose remote HEAD names
        no branch (an empty remote; a bare repository made with another default branch)
        checks nothing out: take the remote's main branch, else its only one, else main."""
        if self._head() is not None:
            return
        listed = self._git("for-each-ref", "--format=%(refname:strip=3)", "refs/remotes/origin")
        branches = [name for name in listed.stdout.split() if name != "HEAD"]
        pick = DEFAULT_BRANCH if DEFAULT_BRANCH in branches else None
        if pick is None and len(branches) == 1:
            pick = branches[0]
        if pick is None:
            self._git("symbolic-ref", "HEAD", f"refs/heads/{DEFAULT_BRANCH}")
        else:
            self._git("checkout", "-q", "-B", pick, "--track", f"origin/{pick}")

    # -- git ----------------------------------------------------------------------------------

    def _git(self, *args: str, network: bool = False, check: bool = True) -> GitResult:
        return run_git(
            args,
            folder=self.folder,
            interactive=self.interactive,
            network=network,
            url=self.remote_url if network else None,
            ssh_command=self._config("core.sshCommand") if network else None,
            check=check,
        )

    def _head(self) -> str | None:
        found = self._git("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        return found.stdout.strip() or None

    def has_commits(self) -> bool:
        """The working copy holds any commit (on any branch, the remote's included)."""
        found = self._git("rev-list", "-n", "1", "--all", check=False)
        return bool(found.stdout.strip())

    def upstream(self) -> str | None:
        """The remote's branch as last fetched, when it has one."""
        if not self.has_remote:
            return None
        ref = f"refs/remotes/origin/{self.branch}"
        return ref if self._has_ref(ref) else None

    def holds_file(self, ref: str, path: str) -> bool:
        return self._git("cat-file", "-e", f"{ref}:{path}", check=False).returncode == 0

    def shares_history(self, ref: str) -> bool:
        """HEAD and `ref` have a commit in common (or HEAD has none yet)."""
        if self._head() is None:
            return True
        return self._git("merge-base", "HEAD", ref, check=False).returncode == 0

    def devices_in(self, ref: str) -> list[str]:
        """The device folders under ops/ in `ref`."""
        found = self._git("ls-tree", "-z", "--name-only", f"{ref}:ops", check=False)
        return sorted(name for name in found.stdout.split("\0") if name)

    def _has_ref(self, ref: str) -> bool:
        return self._git("rev-parse", "--verify", "--quiet", ref, check=False).returncode == 0

    def _config(self, key: str) -> str | None:
        found = self._git("config", "--get", key, check=False)
        return found.stdout.strip() or None

    def _identity_args(self) -> list[str]:
        """Who commits: git's own settings when it has them; otherwise (a fresh machine, CI)
        the person's name and an address that cannot be anyone's."""
        if self._identity is None:
            self._identity = ["-c", "commit.gpgSign=false"]  # no passphrase prompt mid-sync
            if not self._config("user.name"):
                name = plain(self.person).replace("<", "").replace(">", "") or "sprintboard"
                self._identity += ["-c", f"user.name={name}"]
            if not self._config("user.email") and not os.environ.get("EMAIL"):
                self._identity += ["-c", f"user.email={self.email}"]
        return self._identity

    @property
    def branch(self) -> str:
        found = self._git("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        if found.returncode != 0:
            raise SyncError(
                f"sync: {self.folder} is not on a branch (a commit was checked out by hand):"
                f" check out {DEFAULT_BRANCH} there; {NOTHING_LOST}"
            )
        return found.stdout.strip()

    @property
    def remote_url(self) -> str | None:
        if self._remote is None:
            self._remote = (self._config("remote.origin.url"),)
        return self._remote[0]

    @property
    def has_remote(self) -> bool:
        return self.remote_url is not None

    def set_remote(self, url: str) -> None:
        """Add `origin`, or point it at `url`."""
        url = checked_url(url)
        self._git("remote", "set-url" if self.has_remote else "add", "origin", url)
        self._remote = None

    def remove_remote(self) -> None:
        """Forget `origin` (a remote given by mistake, before anything went there)."""
        if self.has_remote:
            self._git("remote", "remove", "origin")
        self._remote = None

    def commit_paths(self, message: str, paths: Sequence[str]) -> bool:
        """Stage `paths` (those that exist) and commit when the index then differs from
        HEAD; True when a commit was made."""
        present = [path for path in paths if (self.folder / path).exists()]
        if present:
            self._git("--literal-pathspecs", "add", "-A", "--", *present)
        if self._git("diff", "--cached", "--quiet", check=False).returncode == 0:
            return False
        self._git(*self._identity_args(), "commit", "-q", "--no-verify", "-m", message)
        return True

    def committed_size(self, path: str) -> int | None:
        """Bytes of `path` in HEAD; None when HEAD does not hold it."""
        found = self._git("cat-file", "-s", f"HEAD:{path}", check=False)
        return int(found.stdout) if found.returncode == 0 else None

    def unstage(self, paths: Sequence[str]) -> None:
        self._git("--literal-pathspecs", "rm", "-q", "--cached", "--ignore-unmatch", "--", *paths)

    def fetch(self) -> bool:
        """Fetch from origin; False (and nothing done) without a remote."""
        if not self.has_remote:
            return False
        self._git("fetch", "-q", "--no-tags", "origin", network=True)
        return True

    def merge(self) -> bool:
        """Merge what was fetched (a fast-forward, else a merge commit); True when that
        brought anything. False without a remote or before the remote has any commit."""
        if not self.has_remote:
            return False
        upstream = f"refs/remotes/origin/{self.branch}"
        if not self._has_ref(upstream):
            return False
        before = self._head()
        # Unrelated histories: two laptops that each started a folder before sharing one
        # remote. Their fixed files are the same bytes, so even that merges cleanly.
        merged = self._git(
            *self._identity_args(),
            "merge",
            "-q",
            "--no-edit",
            "--no-verify",
            "--allow-unrelated-histories",
            upstream,
            check=False,
        )
        if merged.returncode != 0:
            if not (self.folder / ".git" / "MERGE_HEAD").exists():
                raise describe_failure("merge", merged)
            conflicted = [
                line.rsplit(" in ", 1)[-1].strip()
                for line in merged.stdout.splitlines()
                if line.startswith("CONFLICT")
            ]
            self._git("merge", "--abort", check=False)
            where = f" in {plain(conflicted[0])}" if conflicted else ""
            raise SyncError(
                f"sync: the other laptops' changes conflicted{where} (a file was edited by"
                f" hand?); the merge was undone and {NOTHING_LOST}"
            )
        return self._head() != before

    def push(self) -> bool:
        """Push the branch; True when commits went out. `SyncRejected` when the remote has
        commits not merged here; False without a remote or with nothing to push."""
        if not self.has_remote or not self.unpushed_commits():
            return False
        self._git("push", "-q", "origin", f"HEAD:refs/heads/{self.branch}", network=True)
        return True

    def unpushed_commits(self) -> int:
        """Commits on this branch that the remote has not had (as of the last fetch or
        push); 0 without a remote."""
        if not self.has_remote or self._head() is None:
            return 0
        upstream = f"refs/remotes/origin/{self.branch}"
        span = f"{upstream}..HEAD" if self._has_ref(upstream) else "HEAD"
        return int(self._git("rev-list", "--count", span).stdout.strip() or 0)

    def last_fetch_time(self) -> datetime | None:
        try:
            stamp = (self.folder / ".git" / "FETCH_HEAD").stat().st_mtime
        except OSError:
            return None
        return datetime.fromtimestamp(stamp, UTC)

    # -- the lock and recovering --------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this folder's sync lock (`SyncError` BUSY when another sync holds it)."""
        try:
            handle = open(self.folder / ".git" / LOCK_FILE, "ab")  # noqa: SIM115
        except OSError:
            raise SyncError(
                f"sync: {self.folder} is not a git working copy; {NOTHING_LOST}"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise SyncUnavailable(BUSY) from None
        self._lock = handle
        try:
            yield
        finally:
            self._lock = None
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def remove_stale_locks(self) -> list[str]:
        """Remove the lock files a killed git left (inside `locked()` only: then no other
        sync runs git here); returns them, relative to the folder."""
        if self._lock is None:
            raise RuntimeError("stale git locks are removed inside locked() only")
        git_dir = self.folder / ".git"
        stale = [git_dir / name for name in _GIT_LOCKS if (git_dir / name).exists()]
        stale += list((git_dir / "refs").rglob("*.lock"))
        for path in stale:
            path.unlink(missing_ok=True)
        return [path.relative_to(self.folder).as_posix() for path in stale]

    def end_merge(self) -> bool:
        """End a merge a killed sync left half done; True when there was one.

        Not `merge --abort`: it refuses when the merge's files were half written.
        Resetting the index alone ends the merge and touches no file; the caller puts
        back the files the merge brought."""
        if not (self.folder / ".git" / "MERGE_HEAD").exists():
            return False
        self._git("reset", "-q")
        return True


MAX_URL = 4096
"""The longest remote address taken (a path longer than any file system allows)."""


def checked_url(url: str) -> str:
    """A remote's address as git should get it: a local path made absolute (git would read
    a relative one from inside the working copy)."""
    url = url.strip()
    if not url or url.startswith("-") or any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise SyncError(f"sync: {plain(url)!r} is not a git remote address")
    if len(url) > MAX_URL:
        # No host or path is this long; git would spend a long time finding that out.
        raise SyncError(
            f"sync: a remote address of {len(url):,} characters is not a git remote address"
            f" (at most {MAX_URL:,})"
        )
    try:  # a name too long for a path, or '~nobody/x', is no local path: git judges it
        local = Path(url).expanduser()
        return str(local.resolve()) if local.exists() else url
    except (OSError, RuntimeError, ValueError):
        return url
