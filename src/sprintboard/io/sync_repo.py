"""A sync folder: the git working copy that carries a plan's operations between laptops.

`SyncRepo` knows the folder's files (`io/sync_files.py`) and the `git` command
(`io/sync_git.py`), and nothing of the database. One sync, as the caller runs it:

    with repo.locked():
        repo.recover()                    # whatever a killed sync left half done
        repo.truncate_own(sizes)          # own files hold exactly what the plan recorded
        sizes = repo.append_own(new_ops)  # ... and the plan records `sizes`
        repo.commit(message)
        repo.fetch()
        repo.merge()
        repo.incoming(positions)          # ... applied, and the positions recorded
        repo.push()                       # SyncRejected: fetch, merge, apply, push again

Committed history is never reset or rewritten: a failure leaves every local commit and
every own operation in place for the next sync.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sprintboard.io.sync_files import (
    FIXED_FILES,
    FORMAT_FILE,
    SEGMENT_BYTES,
    IncomingOp,
    SnapshotInfo,
    append_ops,
    check_device,
    count_pending,
    devices,
    last_line,
    list_snapshots,
    read_format,
    read_incoming,
    segment_sizes,
    segments,
    snapshot_rows,
    write_fixed_files,
    write_snapshot,
)
from sprintboard.io.sync_git import NOTHING_LOST, SyncError, SyncRejected, plain, run_git, shown_url
from sprintboard.io.sync_worktree import BUSY, DEFAULT_BRANCH, GitWorkingCopy, checked_url

OWNER_FILE = "sprintboard-device"
"""In the folder's .git: the device (plan) that writes through this working copy."""

__all__ = [
    "BUSY",
    "SEGMENT_BYTES",
    "Created",
    "IncomingOp",
    "SnapshotInfo",
    "SyncError",
    "SyncRejected",
    "SyncRepo",
]


@dataclass(frozen=True)
class Created:
    """What `SyncRepo.create` found and made."""

    repo: SyncRepo
    existed: bool
    """The folder was a sync folder already: nothing was cloned or initialised."""
    shared_plan: bool
    """sprintboard-sync.json was there before this call (in the clone or the folder)."""
    other_devices: tuple[str, ...]
    """Devices other than this one with operation files, sorted."""


class SyncRepo(GitWorkingCopy):
    """One plan's sync folder as seen by one device (which writes only its own files)."""

    def __init__(
        self,
        folder: Path,
        device: str,
        *,
        person: str | None = None,
        interactive: bool = False,
        segment_bytes: int = SEGMENT_BYTES,
        plan: str = "",
    ) -> None:
        device = check_device(device)
        super().__init__(
            folder,
            person=person or device,
            email=f"{device}@sprintboard.invalid",
            interactive=interactive,
        )
        self.device = device
        self.segment_bytes = segment_bytes
        self.plan = plan
        """The database this working copy serves (written in the owner mark)."""

    # -- making and opening -------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: Path,
        device: str,
        *,
        person: str | None = None,
        interactive: bool = False,
        segment_bytes: int = SEGMENT_BYTES,
        plan: str = "",
    ) -> SyncRepo:
        """An existing sync folder; a `SyncError` when `folder` is not one, is newer, or
        is another plan's."""
        repo = cls(
            folder,
            device,
            person=person,
            interactive=interactive,
            segment_bytes=segment_bytes,
            plan=plan,
        )
        if not is_sync_folder(repo.folder):
            raise SyncError(f"sync: {folder} is not a sprintboard sync folder; {NOTHING_LOST}")
        read_format(repo.folder)
        repo.claim()
        return repo

    def claim(self) -> None:
        """Make this device the folder's one writer, or refuse a folder another plan uses:
        two plans in one working copy would each put back the other's unfinished files
        (see `recover`). A folder made before the mark was written is claimed by the first
        plan that opens it, which is the one that has been syncing through it."""
        owner, plan = folder_owner(self.folder)
        if owner is not None and owner != self.device:
            raise SyncError(another_plans_folder(self.folder, owner))
        if owner is not None and self.plan and plan and plan != self.plan:
            if Path(plan).is_file():
                raise SyncError(
                    f"sync: this plan and {plan} are copies of one plan, and both use"
                    f" {self.folder}: give this one a folder of its own ('sprintboard sync"
                    f" init REMOTE --folder NEW'; it goes on there as a new laptop);"
                    f" {NOTHING_LOST}"
                )
            owner = None  # the plan was moved: the mark follows it
        if owner is None:
            try:
                (self.folder / ".git" / OWNER_FILE).write_text(
                    f"{self.device}\n{self.plan}\n", encoding="utf-8"
                )
            except OSError as exc:
                raise SyncError(
                    f"sync: cannot write in {self.folder} ({exc.strerror}); {NOTHING_LOST}"
                ) from None

    @classmethod
    def create(
        cls,
        folder: Path,
        device: str,
        remote: str | None = None,
        *,
        person: str | None = None,
        interactive: bool = False,
        segment_bytes: int = SEGMENT_BYTES,
        plan: str = "",
    ) -> Created:
        """Clone `remote` into `folder` (an empty remote is fine), or start a new repository
        there, and commit the fixed files. An existing sync folder is opened instead: given
        `remote` as its origin, missing fixed files written (the next `commit` takes them);
        nothing is fetched or committed then.

        A new folder is prepared beside its place and moved there when complete, so a
        failed or killed create leaves no half-made sync folder behind.
        """
        folder = Path(folder).expanduser()
        options: dict[str, Any] = {
            "person": person,
            "interactive": interactive,
            "segment_bytes": segment_bytes,
            "plan": plan,
        }
        check_device(device)
        url = checked_url(remote) if remote is not None else None
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            if not is_sync_folder(folder):
                raise SyncError(
                    f"sync: {folder} is not empty and is not a sprintboard sync folder:"
                    " name a new or empty folder"
                )
            repo = cls.open(folder, device, **options)
            with repo.locked():
                if url is not None:
                    repo.set_remote(url)
                write_fixed_files(repo.folder)
            return Created(
                repo, existed=True, shared_plan=True, other_devices=tuple(repo.other_devices())
            )
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            work = Path(
                tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".new", dir=folder.parent)
            )
        except OSError as exc:
            raise SyncError(
                f"sync: cannot make the sync folder {folder} ({exc.strerror}); nothing was changed"
            ) from None
        try:
            if url is None:
                run_git(["init", "-q", "-b", DEFAULT_BRANCH, str(work)], folder=None)
            else:
                run_git(
                    ["clone", "-q", "--", url, str(work)],
                    folder=None,
                    interactive=interactive,
                    network=True,
                    url=url,
                )
            staged = cls(work, device, **options)
            staged.settle_branch()
            shared = _shared_plan(staged, url)
            others = tuple(staged.other_devices())
            staged.claim()
            write_fixed_files(work)
            staged.commit("Start the sprintboard sync folder")
            os.rename(work, folder)  # replaces an empty folder, refuses anything else
        except OSError as exc:
            shutil.rmtree(work, ignore_errors=True)
            raise SyncError(
                f"sync: cannot make the sync folder {folder} ({exc.strerror}); nothing was changed"
            ) from None
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return Created(
            cls(folder, device, **options), existed=False, shared_plan=shared, other_devices=others
        )

    def commit(self, message: str) -> bool:
        """Commit this device's files and the fixed files when anything changed in them.
        Other devices' files are never staged here: they change only by merging."""
        own = (f"ops/{self.device}", f"snapshots/{self.device}.jsonl", *FIXED_FILES)
        return self.commit_paths(message, own)

    def merge(self) -> bool:
        """Merge what was fetched (see `GitWorkingCopy.merge`), then refuse to go on when a
        newer sprintboard upgraded the shared plan's format meanwhile. A remote whose
        branch holds no shared plan (another project's repository) is never merged: this
        plan's files would then be pushed into it."""
        problem = self.remote_problem()
        if problem is not None:
            raise SyncError(problem)
        merged = super().merge()
        read_format(self.folder)
        return merged

    def remote_problem(self) -> str | None:
        """Why the remote, as last fetched, cannot carry this plan: it has branches and
        the one this folder pushes to (or, before that exists, every one) holds no shared
        plan. None when it can (an empty remote can)."""
        if not self.has_remote:
            return None
        upstream = self.upstream()
        if upstream is not None:
            found = [upstream]
        else:
            listed = self._git("for-each-ref", "--format=%(refname)", "refs/remotes/origin")
            found = [ref for ref in listed.stdout.split() if not ref.endswith("/HEAD")]
        if not found or any(self.holds_file(ref, FORMAT_FILE) for ref in found):
            return None
        return _NOT_A_PLAN.format(remote=shown_url(self.remote_url) or "the remote")

    def recover(self) -> list[str]:
        """Make the working copy usable after a sync was killed at any point; returns what
        was repaired, in words. Runs inside `locked()`. Committed history is untouched."""
        done = [f"removed git's stale {name}" for name in self.remove_stale_locks()]
        if self.end_merge():
            done.append("undid a half-done merge")
        restored = self._restore_others()
        if restored:
            done.append(f"restored {restored} file(s) of other devices to the last commit")
        return done

    def _restore_others(self) -> int:
        """Put every file this device does not write back as committed: a checkout that was
        killed half way must not look like a change (or block the next merge)."""
        listed = self._git(
            "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames",
            "--", "ops", "snapshots", *FIXED_FILES,
        )  # fmt: skip
        own = (f"ops/{self.device}/", f"snapshots/{self.device}.jsonl")
        changed = [entry[3:] for entry in listed.stdout.split("\0") if len(entry) > 3]
        others = [path for path in changed if not path.startswith(own)]
        if not others:
            return 0
        known = self._git("ls-tree", "-r", "-z", "--name-only", "HEAD")
        committed = set(known.stdout.split("\0"))
        keep = [path for path in others if path in committed]
        drop = [path for path in others if path not in committed]
        if keep:
            self._git("--literal-pathspecs", "checkout", "-q", "HEAD", "--", *keep)
        if drop:
            self.unstage(drop)
            for path in drop:
                if path not in FIXED_FILES:  # a fixed file not yet committed goes in next
                    (self.folder / path).unlink(missing_ok=True)
                    with contextlib.suppress(OSError):  # only when left empty
                        (self.folder / path).parent.rmdir()
        return len(others)

    def become(self, device: str) -> None:
        """Write as `device` from now on (inside `locked()`): the plan went on as a new
        laptop, and the files of the device it was are another device's."""
        self.device = check_device(device)
        self.email = f"{device}@sprintboard.invalid"
        self._identity = None
        (self.folder / ".git" / OWNER_FILE).write_text(f"{device}\n{self.plan}\n", encoding="utf-8")
        self.recover()

    def committed_beyond(self, sizes: dict[str, int]) -> bool:
        """The folder holds committed operations of this device past `sizes` (what the plan
        recorded writing): the plan is behind its own shared history (restored from a
        backup, or a copy of a plan that went on syncing)."""
        for name in segments(self.own_dir):
            committed = self.committed_size(f"ops/{self.device}/{name}")
            if committed is not None and committed > sizes.get(name, 0):
                return True
        return False

    def lines_in(self, segment: str, size: int) -> int:
        """How many lines the first `size` bytes of an own segment hold."""
        with open(self.own_dir / segment, "rb") as source:
            return source.read(size).count(b"\n")

    # -- this device's operations -------------------------------------------------------------

    @property
    def own_dir(self) -> Path:
        return self.folder / "ops" / self.device

    def own_sizes(self) -> dict[str, int]:
        """segment name -> size in bytes of each of this device's segments."""
        return segment_sizes(self.own_dir)

    def truncate_own(self, sizes: dict[str, int]) -> list[str]:
        """Make this device's segments hold exactly what the plan recorded writing
        (`sizes`: segment -> bytes): lines written after the last record (a sync killed
        between writing and recording) are cut, and a segment the plan never recorded is
        removed, so no operation goes out twice. Returns the segments changed.

        Committed bytes are never cut: other laptops may have read them. When the folder
        holds more committed bytes than the plan recorded, or fewer bytes than it recorded,
        the plan and the folder do not belong together: a `SyncError`, nothing changed.
        """
        found = self.own_sizes()
        for name, want in sizes.items():
            if found.get(name, 0) < want:
                raise SyncError(
                    f"sync: ops/{self.device}/{name} holds {found.get(name, 0)} bytes, fewer"
                    f" than this plan wrote ({want}): the sync folder was changed outside"
                    " sprintboard; nothing was changed"
                )
        cut = {
            name: sizes.get(name, 0) for name, size in found.items() if size > sizes.get(name, 0)
        }
        for name, want in cut.items():
            committed = self.committed_size(f"ops/{self.device}/{name}")
            if committed is not None and committed > want:
                raise SyncError(
                    f"sync: ops/{self.device}/{name} holds committed operations this plan did"
                    " not record writing (was the plan restored from a backup, or is another"
                    " plan using this folder?); nothing was changed"
                )
        for name, want in cut.items():
            path = self.own_dir / name
            if name in sizes:
                with open(path, "r+b") as segment:
                    segment.truncate(want)
                    os.fsync(segment.fileno())
            else:
                rel = f"ops/{self.device}/{name}"
                self.unstage([rel])
                path.unlink()
        return sorted(cut)

    def last_own_line(self) -> bytes | None:
        """This device's last complete operation line in the folder (with its newline)."""
        return last_line(self.own_dir)

    def append_own(self, ops: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Append `ops`, one line each, flushed to disk; returns the size of every own
        segment afterwards (what the plan records)."""
        append_ops(self.own_dir, ops, self.segment_bytes)
        return self.own_sizes()

    # -- other devices' operations ------------------------------------------------------------

    def other_devices(self) -> list[str]:
        """Devices other than this one with at least one segment, sorted."""
        return [
            d
            for d in devices(self.folder)
            if d != self.device and segments(self.folder / "ops" / d)
        ]

    def incoming(self, positions: dict[str, tuple[str, int]]) -> list[IncomingOp]:
        """Every operation of other devices after `positions` (device -> (segment, lines
        read in it)), in file order per device. A line that is not a JSON object: a
        `SyncError` naming file:line, and nothing is returned."""
        read_format(self.folder)
        return read_incoming(self.folder, self.device, positions)

    def pending_count(self, positions: dict[str, tuple[str, int]]) -> int:
        """How many operations `incoming(positions)` would return (lines counted, not read)."""
        return count_pending(self.folder, self.device, positions)

    # -- snapshots ----------------------------------------------------------------------------

    def write_snapshot(self, lines: Iterable[dict[str, Any]]) -> Path:
        """Replace this device's snapshot (the first line is its header), all or nothing."""
        return write_snapshot(self.folder, self.device, lines)

    def snapshots(self) -> list[SnapshotInfo]:
        """Every device's snapshot (this one's too) with its header, sorted by device."""
        return list_snapshots(self.folder)

    def snapshot_rows(self, snapshot: SnapshotInfo) -> Iterator[dict[str, Any]]:
        """The snapshot's lines after the header."""
        return snapshot_rows(self.folder, snapshot.path)


_NOT_A_PLAN = (
    "sync: {remote} holds a git repository that is not a shared sprintboard plan (it has no"
    f" {FORMAT_FILE}): name an empty repository, or one that sprintboard shares a plan"
    f" through; nothing was changed there and {NOTHING_LOST}"
)


def _shared_plan(staged: SyncRepo, url: str | None) -> bool:
    """Whether a new clone holds a shared plan; a `SyncError` naming the remote when it
    holds something else (commits without the format file) or a newer format."""
    remote = shown_url(url) or "the remote"
    try:
        found = read_format(staged.folder)
    except SyncError as exc:
        raise SyncError(str(exc).replace(str(staged.folder), remote)) from None
    if found is None and staged.has_commits():
        raise SyncError(_NOT_A_PLAN.format(remote=remote))
    return found is not None


def folder_owner(folder: Path) -> tuple[str | None, str]:
    """The device a sync folder was made or claimed for (None: not marked yet), and the
    database it was made for ('' when not known)."""
    try:
        lines = (Path(folder) / ".git" / OWNER_FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None, ""
    except (OSError, UnicodeDecodeError):
        return "?", ""
    device = lines[0].strip() if lines else ""
    return device or None, lines[1].strip() if len(lines) > 1 else ""


def another_plans_folder(folder: Path, owner: str | None) -> str:
    device = f" (device {plain(owner)})" if owner else ""
    return (
        f"sync: {folder} is the sync folder of another plan{device}; each plan needs a"
        f" folder of its own: name a new one (--folder); {NOTHING_LOST}"
    )


def is_sync_folder(folder: Path) -> bool:
    return (folder / ".git").is_dir() and (folder / FORMAT_FILE).is_file()
