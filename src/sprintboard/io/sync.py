"""`sprintboard sync`: a plan shared through a git repository, offline first.

One sync: cut own files back to what the database says was written (a sync killed
between the two), append this plan's unshared changes and commit them, fetch and merge
the remote, apply every operation other devices added (one transaction, together with how
far each device's files were read), send the repairs the merge made, and push; a push
refused because someone pushed first fetches and applies again. Killing it at any moment
loses nothing and applies nothing twice.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.sync_files import serialise, valid_device, valid_segment
from sprintboard.io.sync_git import SyncError, shown_url
from sprintboard.io.sync_repo import (
    BUSY,
    SyncRejected,
    SyncRepo,
    another_plans_folder,
    folder_owner,
    is_sync_folder,
)
from sprintboard.io.sync_values import value_problem
from sprintboard.store import Store
from sprintboard.store.database import Tx
from sprintboard.store.sync_conflicts import Conflicts
from sprintboard.store.sync_join import join, new_device_id, own_records
from sprintboard.store.sync_log import (
    DEVICE,
    FOLDER,
    JOINED_UPTO,
    LAST_ERROR,
    LAST_SYNC,
    OWN_FILES,
    PUBLISH,
    REMOTE,
    SHARED_UPTO,
    _Refs,
    is_shared,
    meta,
    outgoing,
    set_meta,
    unshared_changes,
    wire_op,
)
from sprintboard.store.sync_merge import MergeReport, merge_ops
from sprintboard.store.sync_snapshot import (
    SNAPSHOT_EVERY,
    header_problem,
    load_snapshot,
    snapshot_lines,
)

PUSH_ATTEMPTS = 4
SEND_BATCH = 20_000
"""Operations appended (and recorded as sent) at a time: memory stays flat at any size."""
SNAPSHOT_COUNT = "sync_since_snapshot"


@dataclass
class SyncResult:
    """What one sync did."""

    sent: int = 0
    received: int = 0
    applied: int = 0
    conflicts: int = 0
    refused: int = 0
    renumbered: list[tuple[str, str]] = field(default_factory=list)
    pushed: bool = False
    remote: str | None = None
    snapshot_loaded: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for people: what went out, what came in, what needs a look."""
        parts = [f"sent {self.sent} change{'s' * (self.sent != 1)}"]
        parts.append(f"received {self.received}")
        if self.renumbered:
            shown = ", ".join(f"{old} is now {new}" for old, new in self.renumbered[:3])
            more = len(self.renumbered) - 3
            parts.append(f"renumbered {shown}" + (f" (+{more} more)" if more > 0 else ""))
        if self.conflicts:
            parts.append(
                f"{self.conflicts} new conflict{'s' * (self.conflicts != 1)} "
                "('sprintboard sync conflicts')"
            )
        if self.refused:
            parts.append(f"{self.refused} refused (see 'sprintboard sync conflicts')")
        where = shown_url(self.remote) or "no remote yet: 'sprintboard sync init REMOTE' adds one"
        return f"sync: {'; '.join(parts)} ({where})"


def default_folder(db_path: Path) -> Path:
    """The sync folder beside the database: `plan.db` -> `plan.sync`."""
    return db_path.with_name(db_path.stem + ".sync")


def _repo(store: Store, *, interactive: bool) -> SyncRepo:
    folder = meta(store, FOLDER)
    device = meta(store, DEVICE)
    if folder is None or device is None:
        raise UserError(
            "sync: this plan is not shared yet: 'sprintboard sync init REMOTE' connects it "
            "to a git repository (or 'sprintboard sync init' starts one here)"
        )
    if not Path(folder).is_dir():
        raise UserError(
            f"sync: the sync folder {folder} is gone; 'sprintboard sync init REMOTE "
            "--folder DIR' connects this plan again (DIR: where the folder was moved, or a"
            " new one; nothing in the plan was lost)"
        )
    return SyncRepo.open(
        Path(folder), device, person=store.actor, interactive=interactive, plan=_plan(store)
    )


def init(
    store: Store,
    remote: str | None,
    *,
    folder: Path | None = None,
    merge: bool = False,
    interactive: bool = False,
) -> SyncResult:
    """Connect the plan to a git repository: a clone of `remote` (the team's shared plan,
    or an empty repository), or a new one. A plan that holds records of its own joins a
    shared plan only with `merge` (it is never dropped, never merged unasked)."""
    _writable(store)
    if is_shared(store):
        if folder is not None:
            return _reconnect(
                store, _folder_path(folder), remote, merge=merge, interactive=interactive
            )
        if remote is None:
            raise UserError(
                f"sync: this plan is shared already (folder {meta(store, FOLDER)}"
                + (f", remote {meta(store, REMOTE)}" if meta(store, REMOTE) else "")
                + "): 'sprintboard sync' exchanges changes"
            )
        repo = _repo(store, interactive=interactive)
        with repo.locked():
            _point_at(store, repo, remote, merge=merge)
        return sync(store, interactive=interactive)
    folder = _folder_path(folder or default_folder(store.path))
    device = meta(store, DEVICE) or new_device_id()
    if is_sync_folder(folder):
        owner, plan = folder_owner(folder)
        if owner is not None and plan == _plan(store):
            device = owner  # this plan's own `sync init`, stopped before it joined
        elif owner != device:
            raise SyncError(another_plans_folder(folder, owner))
    made_here = not folder.exists()
    created = SyncRepo.create(
        folder, device, remote, person=store.actor, interactive=interactive, plan=_plan(store)
    )
    try:
        own = own_records(store)
        if created.other_devices and own and not merge:
            raise UserError(_needs_merge(own, len(created.other_devices), "sync init"))
        repo = created.repo
        loaded, notes = 0, list[str]()
        with store.transaction("sync.join") as tx:
            join(tx, device)
            set_meta(tx, FOLDER, str(folder))
            set_meta(tx, REMOTE, shown_url(repo.remote_url))
            if created.other_devices and not own:
                loaded, notes = _load_newest_snapshot(tx, repo)
    except BaseException:
        if made_here:  # a refused or failed join leaves no folder it made behind
            shutil.rmtree(folder, ignore_errors=True)
        raise
    result = sync(store, interactive=interactive)
    result.snapshot_loaded = loaded
    result.notes[:0] = notes
    return result


def _needs_merge(own: int, others: int, command: str) -> str:
    return (
        f"{command}: this plan holds {own} records of its own, and the shared plan "
        f"already holds {others} other laptop{'s' * (others != 1)}' plans: add --merge to "
        "bring yours into it, or join with a new plan (sprintboard --db NEW.db sync init "
        "REMOTE); nothing was changed"
    )


def _plan(store: Store) -> str:
    """The database's own path, as a sync folder's owner mark names it."""
    return str(store.path.absolute())


def _writable(store: Store) -> None:
    """A plan that cannot be written is refused before the sync folder is touched."""
    if store.read_only_reason is not None:
        raise UserError(f"sync: {store.read_only_reason}")


def _folder_path(folder: Path | str) -> Path:
    """`--folder` as an absolute path; an empty one (from a script) or a '~user' that
    names nobody is refused in one line."""
    if not str(folder).strip():
        raise UserError("sync: --folder '' names no folder; give a path")
    try:
        return Path(folder).expanduser().absolute()
    except (RuntimeError, OSError, ValueError) as exc:
        raise UserError(f"sync: --folder {str(folder)!r}: {exc}") from None


def _point_at(store: Store, repo: SyncRepo, remote: str, *, merge: bool) -> None:
    """Give a shared plan's folder `remote` as its origin (inside `repo.locked()`). A
    remote that already carries another shared plan (its history unrelated to this
    folder's, other laptops' files in it) is joined only with `merge`, as at `sync init`;
    else the folder keeps the remote it had."""
    before = repo.remote_url
    repo.set_remote(remote)
    try:
        repo.fetch()
        problem = repo.remote_problem()
        if problem is not None:
            raise SyncError(problem)
        upstream = repo.upstream()
        if upstream is not None and not repo.shares_history(upstream):
            known = {repo.device, *_positions(store)}
            others = [d for d in repo.devices_in(upstream) if d not in known]
            own = own_records(store)
            if others and own and not merge:
                raise UserError(_needs_merge(own, len(others), "sync init"))
    except BaseException as exc:
        if before is None:
            repo.remove_remote()
        else:
            repo.set_remote(before)
        if isinstance(exc, UserError):
            kept = f"the remote stays {shown_url(before)}" if before else "no remote was added"
            raise type(exc)(f"{exc}; {kept}") from None
        raise
    with store.transaction("sync.remote") as tx:
        set_meta(tx, REMOTE, shown_url(repo.remote_url or remote))


def _reconnect(
    store: Store, folder: Path, remote: str | None, *, merge: bool, interactive: bool
) -> SyncResult:
    """Connect a shared plan to another sync folder: the one it used, moved there, or a
    new clone of the remote. What the folder lacks of this plan's own changes (commits
    that were never pushed, lost with the old folder) goes out again at this sync."""
    device = str(meta(store, DEVICE))
    url = remote or meta(store, REMOTE)
    made_here = not folder.exists()
    created = SyncRepo.create(
        folder, device, url, person=store.actor, interactive=interactive, plan=_plan(store)
    )
    repo = created.repo
    try:
        with repo.locked():
            if remote is not None and created.existed:
                _point_at(store, repo, remote, merge=merge)
            upto, sizes = _rewound(store, repo)
        with store.transaction("sync.folder") as tx:
            set_meta(tx, FOLDER, str(folder))
            set_meta(tx, REMOTE, shown_url(repo.remote_url))
            if upto is not None:
                set_meta(tx, SHARED_UPTO, str(upto))
                set_meta(tx, OWN_FILES, json.dumps(sizes, sort_keys=True))
    except BaseException:
        if made_here:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return sync(store, interactive=interactive)


def _rewound(store: Store, repo: SyncRepo) -> tuple[int | None, dict[str, int]]:
    """When the folder holds fewer of this plan's operations than the plan recorded
    writing, how far the plan's log really went out: (the last log id the folder holds,
    the folder's own sizes); (None, {}) when nothing is missing. The folder's last own
    line must be one this plan wrote (the same bytes), else it belongs to another plan."""
    recorded, found = _own_files(store), repo.own_sizes()
    if all(found.get(name, 0) >= size for name, size in recorded.items()):
        return None, {}
    last = repo.last_own_line()
    if last is None:
        return _joined_upto(store), found
    try:
        op = json.loads(last)
        candidates = store.rows(
            """SELECT * FROM activity WHERE origin IS NULL AND hlc = ? AND entity_uuid = ?
               AND op = ? AND field IS ? ORDER BY id""",
            [op["hlc"], op["uuid"], op["op"], op.get("field")],
        )
    except (ValueError, TypeError, KeyError):
        candidates = []
    refs = _Refs(store)
    for entry in candidates:
        if serialise(wire_op(entry, refs)) == last:
            return int(entry["id"]), found
    raise SyncError(
        f"sync: {repo.folder} holds operations of device {repo.device} that this plan did"
        " not write (was the plan restored from a backup, or copied?); nothing was changed"
    )


def _joined_upto(store: Store) -> int:
    """The last log id from before this plan joined (its first shared change follows)."""
    found = meta(store, JOINED_UPTO)
    if found is not None:
        return int(found)
    first = store.scalar("SELECT MIN(id) FROM activity WHERE action = ?", [PUBLISH])
    return 0 if first is None else int(first) - 1


def _load_newest_snapshot(tx: Tx, repo: SyncRepo) -> tuple[int, list[str]]:
    """A new laptop starts from the newest snapshot in the folder that loads whole; returns
    the records loaded and a note for each snapshot passed over. A snapshot only saves
    time: one that is damaged, cut short or edited is passed over (nothing of it stays),
    and the operations it stood for are applied one by one instead."""
    notes: list[str] = []
    try:
        found = repo.snapshots()
    except SyncError as exc:
        return 0, [f"no snapshot used ({exc}); the changes were applied one by one"]
    usable = []
    for snapshot in found:
        problem = header_problem(snapshot.header) or _positions_problem(snapshot.header)
        if problem is None:
            usable.append(snapshot)
        elif "newer" not in problem:
            notes.append(f"snapshots/{snapshot.device}.jsonl passed over: {problem}")
    usable.sort(key=lambda s: str(s.header.get("hlc") or ""), reverse=True)
    for snapshot in usable:
        tx.conn.execute("SAVEPOINT sync_snapshot")
        try:
            loaded = load_snapshot(tx, repo.snapshot_rows(snapshot))
            expected = snapshot.header.get("records")
            if isinstance(expected, int) and loaded != expected:
                raise ValueError(f"it holds {loaded} of its {expected} records")
            for device, (segment, line) in snapshot.header["positions"].items():
                if device != repo.device:
                    tx.conn.execute(
                        "INSERT OR REPLACE INTO sync_peers(device, segment, line) VALUES (?, ?, ?)",
                        [device, segment, line],
                    )
        except (SyncError, ValueError, TypeError, KeyError, AttributeError, sqlite3.Error) as exc:
            tx.conn.execute("ROLLBACK TO sync_snapshot")
            tx.conn.execute("RELEASE sync_snapshot")
            why = str(exc).removeprefix("sync: ") if isinstance(exc, SyncError) else str(exc)
            notes.append(f"snapshots/{snapshot.device}.jsonl passed over: {why}")
            continue
        tx.conn.execute("RELEASE sync_snapshot")
        return loaded, notes
    if notes:
        notes.append("the changes were applied one by one instead")
    return 0, notes


def _positions_problem(header: dict[str, Any]) -> str | None:
    """Why a snapshot header's read positions cannot be used (None: they can)."""
    positions = header.get("positions")
    if not isinstance(positions, dict):
        return "its header has no read positions"
    for device, place in positions.items():
        if (
            not valid_device(device)
            or not isinstance(place, list)
            or len(place) != 2
            or not valid_segment(place[0])
            or not isinstance(place[1], int)
            or isinstance(place[1], bool)
            or place[1] < 0
        ):
            return f"its header's read position for {str(device)[:40]!r} is not one"
    return None


def sync(store: Store, *, interactive: bool = False) -> SyncResult:
    """Exchange changes with the shared plan (see the module's docstring)."""
    _writable(store)
    repo = _repo(store, interactive=interactive)
    result = SyncResult(remote=repo.remote_url)
    try:
        with repo.locked():
            repo.recover()
            if repo.committed_beyond(_own_files(store)):
                result.notes.append(_fork(store, repo))
            repo.truncate_own(_own_files(store))
            result.sent += _send(store, repo)
            for attempt in range(PUSH_ATTEMPTS):
                if repo.has_remote:
                    repo.fetch()
                    repo.merge()
                _absorb(result, _receive(store, repo))
                result.sent += _send(store, repo)
                if not repo.has_remote:
                    break
                try:
                    repo.push()
                    result.pushed = True
                    break
                except SyncRejected:
                    if attempt == PUSH_ATTEMPTS - 1:
                        raise
            _maybe_snapshot(store, repo, result)
    except UserError as exc:
        if str(exc) != BUSY:  # the sync that runs says how it went
            _remember(store, LAST_ERROR, str(exc))
        raise
    _remember(store, LAST_SYNC, store.now())
    _remember(store, LAST_ERROR, None)
    return result


def _fork(store: Store, repo: SyncRepo) -> str:
    """The plan is behind what its own device already shared (it was restored from a
    backup, or is a copy of a plan that synced on): it cannot append after lines it never
    wrote, nor cut lines others have read. It goes on as a new device; what the device it
    was shared after the plan's last record comes in as another laptop's changes, and its
    own changes not shared yet go out under the new one. Returns the note for people."""
    old, recorded = repo.device, _own_files(store)
    last = max(recorded) if recorded else ""
    position = (last, repo.lines_in(last, recorded[last]) if last else 0)
    device = new_device_id()
    with store.transaction("sync.device") as tx:
        set_meta(tx, DEVICE, device)
        set_meta(tx, OWN_FILES, None)
        tx.conn.execute(
            "INSERT OR REPLACE INTO sync_peers(device, segment, line) VALUES (?, ?, ?)",
            [old, *position],
        )
    store.device = device
    repo.become(device)
    return (
        f"this plan was behind the changes it had shared as {old} (restored from a backup,"
        f" or copied): it goes on as a new laptop, {device}, and took in what {old} shared"
        " since"
    )


def _absorb(result: SyncResult, report: MergeReport) -> None:
    result.received += report.received
    result.applied += report.applied
    result.conflicts += report.conflicts
    result.refused += report.refused
    result.renumbered += report.renumbered


def _remember(store: Store, key: str, value: str | None) -> None:
    if store.read_only:
        return
    with store.transaction("sync.mark") as tx:
        set_meta(tx, key, value)


def _own_files(store: Store) -> dict[str, int]:
    found = meta(store, OWN_FILES)
    return {} if found is None else {str(k): int(v) for k, v in json.loads(found).items()}


def _send(store: Store, repo: SyncRepo) -> int:
    """Append this plan's unshared changes to its own files, record how far (and the files'
    sizes) in the database, then commit. Returns how many operations went out."""
    sent = 0
    while True:
        found = list(outgoing(store, limit=SEND_BATCH))
        if not found:
            break
        sizes = repo.append_own(op for _, op in found)
        with store.transaction("sync.mark") as tx:
            set_meta(tx, SHARED_UPTO, str(found[-1][0]))
            set_meta(tx, OWN_FILES, json.dumps(sizes, sort_keys=True))
            _count(tx, len(found))
        sent += len(found)
    repo.commit(_message(store, sent))
    return sent


def _message(store: Store, count: int) -> str:
    return f"sprintboard: {count} change{'s' * (count != 1)} by {store.actor}"


def _count(tx: Tx, n: int) -> None:
    since = int(meta(tx.core, SNAPSHOT_COUNT) or 0) + n
    set_meta(tx, SNAPSHOT_COUNT, str(since))


def _positions(store: Store) -> dict[str, tuple[str, int]]:
    return {
        r["device"]: (r["segment"], int(r["line"]))
        for r in store.rows("SELECT device, segment, line FROM sync_peers")
    }


def _receive(store: Store, repo: SyncRepo) -> MergeReport:
    """Apply every operation other devices added since the last sync, in clock order."""
    incoming = repo.incoming(_positions(store))
    if not incoming:
        return MergeReport()
    incoming.sort(key=lambda i: (str(i.op.get("hlc")), i.device, i.segment, i.line))
    reached: dict[str, tuple[str, int]] = {}
    for item in incoming:
        reached[item.device] = max(reached.get(item.device, ("", 0)), (item.segment, item.line))

    def record(tx: Tx) -> None:
        tx.conn.executemany(
            "INSERT OR REPLACE INTO sync_peers(device, segment, line, ops) VALUES (?, ?, ?,"
            " COALESCE((SELECT ops FROM sync_peers WHERE device = ?), 0) + ?)",
            [
                (device, seg, line, device, sum(1 for i in incoming if i.device == device))
                for device, (seg, line) in reached.items()
            ],
        )
        _count(tx, len(incoming))

    return merge_ops(
        store,
        [i.op for i in incoming],
        where=[f"ops/{i.device}/{i.segment} line {i.line}" for i in incoming],
        then=record,
        check=lambda op: value_problem(store, op),
    )


def _maybe_snapshot(store: Store, repo: SyncRepo, result: SyncResult) -> None:
    """Every SNAPSHOT_EVERY operations, write this device's snapshot and share it."""
    if int(meta(store, SNAPSHOT_COUNT) or 0) < SNAPSHOT_EVERY:
        return
    write_snapshot(store, repo)
    if repo.has_remote:
        try:
            repo.push()
        except SyncRejected:
            result.notes.append("the snapshot goes out with the next sync")


def write_snapshot(store: Store, repo: SyncRepo) -> None:
    sizes = _own_files(store)
    own = None
    if sizes:
        last = max(sizes)
        own = (last, _lines(repo, last))
    repo.write_snapshot(snapshot_lines(store, _positions(store), own))
    with store.transaction("sync.mark") as tx:
        set_meta(tx, SNAPSHOT_COUNT, "0")
    repo.commit(f"sprintboard: snapshot of the plan by {store.actor}")


def _lines(repo: SyncRepo, segment: str) -> int:
    path = repo.own_dir / segment
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def status(store: Store, *, fetch: bool = False) -> dict[str, Any]:
    """Where the plan stands: shared or not, what waits to go out or come in, conflicts."""
    found: dict[str, Any] = dict.fromkeys(STATUS_KEYS)
    found.update(shared=False, unshared=0, conflicts=[])
    if not is_shared(store):
        return found
    found.update(
        shared=True,
        folder=meta(store, FOLDER),
        remote=meta(store, REMOTE),
        device=store.device,
        person=store.actor,
        unshared=unshared_changes(store),
        last_sync=meta(store, LAST_SYNC),
        last_error=meta(store, LAST_ERROR),
        conflicts=Conflicts(store).list(),
    )
    try:
        repo = _repo(store, interactive=False)
    except UserError as exc:  # the folder is gone: the plan's side is still worth saying
        found["folder_problem"] = str(exc)
        return found
    if fetch and repo.has_remote:
        with repo.locked():
            repo.fetch()
    found.update(
        folder=str(repo.folder),
        remote=shown_url(repo.remote_url),
        unpushed_commits=repo.unpushed_commits(),
        incoming=repo.pending_count(_positions(store)),
        last_fetch=_moment(repo.last_fetch_time()),
    )
    return found


STATUS_KEYS = (
    "shared",
    "folder",
    "folder_problem",
    "remote",
    "device",
    "person",
    "unshared",
    "unpushed_commits",
    "incoming",
    "last_sync",
    "last_fetch",
    "last_error",
    "conflicts",
)
"""The keys of `sync status --json`, every one always there (null when it does not apply)."""


def _moment(value: Any) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def header_state(store: Store) -> dict[str, Any] | None:
    """What the TUI's header shows, from the database alone (no git, no files): None for
    a plan that is not shared."""
    if not is_shared(store):
        return None
    return {
        "unshared": unshared_changes(store),
        "last_sync": meta(store, LAST_SYNC),
        "last_error": meta(store, LAST_ERROR),
        "conflicts": Conflicts(store).open_count(),
    }


__all__ = [
    "SHARED_UPTO",
    "SyncResult",
    "default_folder",
    "header_state",
    "init",
    "status",
    "sync",
    "write_snapshot",
]
