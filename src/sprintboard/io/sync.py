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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.sync_repo import SyncRejected, SyncRepo
from sprintboard.store import Store
from sprintboard.store.database import Tx
from sprintboard.store.sync_conflicts import Conflicts
from sprintboard.store.sync_join import join, new_device_id, own_records
from sprintboard.store.sync_log import (
    DEVICE,
    FOLDER,
    LAST_ERROR,
    LAST_SYNC,
    OWN_FILES,
    REMOTE,
    SHARED_UPTO,
    is_shared,
    meta,
    outgoing,
    set_meta,
    unshared_changes,
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
        where = self.remote or "no remote yet: 'sprintboard sync init REMOTE' adds one"
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
            "--folder NEW' connects this plan again (nothing in the plan was lost)"
        )
    return SyncRepo.open(Path(folder), device, person=store.actor, interactive=interactive)


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
    if is_shared(store):
        if remote is None:
            raise UserError(
                f"sync: this plan is shared already (folder {meta(store, FOLDER)}"
                + (f", remote {meta(store, REMOTE)}" if meta(store, REMOTE) else "")
                + "): 'sprintboard sync' exchanges changes"
            )
        repo = _repo(store, interactive=interactive)
        with repo.locked():
            repo.set_remote(remote)
        with store.transaction("sync.remote") as tx:
            set_meta(tx, REMOTE, repo.remote_url or remote)
        return sync(store, interactive=interactive)
    folder = Path(folder or default_folder(store.path)).expanduser().absolute()
    device = meta(store, DEVICE) or new_device_id()
    made_here = not folder.exists()
    created = SyncRepo.create(folder, device, remote, person=store.actor, interactive=interactive)
    own = own_records(store)
    if created.other_devices and own and not merge:
        if made_here:
            shutil.rmtree(folder, ignore_errors=True)
        raise UserError(
            f"sync init: this plan holds {own} records of its own, and the shared plan "
            f"already holds {len(created.other_devices)} other laptop"
            f"{'s' * (len(created.other_devices) != 1)}' plans: add --merge to bring yours "
            "into it, or join with a new plan (sprintboard --db NEW.db sync init REMOTE); "
            "nothing was changed"
        )
    repo = created.repo
    loaded = 0
    with store.transaction("sync.join") as tx:
        join(tx, device)
        set_meta(tx, FOLDER, str(folder))
        set_meta(tx, REMOTE, repo.remote_url)
        if created.other_devices and not own:
            loaded = _load_newest_snapshot(tx, repo)
    result = sync(store, interactive=interactive)
    result.snapshot_loaded = loaded
    return result


def _load_newest_snapshot(tx: Tx, repo: SyncRepo) -> int:
    """A new laptop starts from the newest snapshot in the folder, when there is one."""
    usable = [s for s in repo.snapshots() if header_problem(s.header) is None]
    if not usable:
        return 0
    newest = max(usable, key=lambda s: str(s.header.get("hlc") or ""))
    loaded = load_snapshot(tx, repo.snapshot_rows(newest))
    for device, (segment, line) in newest.header["positions"].items():
        if device == repo.device:
            continue
        tx.conn.execute(
            "INSERT OR REPLACE INTO sync_peers(device, segment, line) VALUES (?, ?, ?)",
            [device, segment, int(line)],
        )
    return loaded


def sync(store: Store, *, interactive: bool = False) -> SyncResult:
    """Exchange changes with the shared plan (see the module's docstring)."""
    repo = _repo(store, interactive=interactive)
    result = SyncResult(remote=repo.remote_url)
    try:
        with repo.locked():
            repo.recover()
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
        _remember(store, LAST_ERROR, str(exc))
        raise
    _remember(store, LAST_SYNC, store.now())
    _remember(store, LAST_ERROR, None)
    return result


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
    if not is_shared(store):
        return {"shared": False, "unshared": 0, "conflicts": []}
    repo = _repo(store, interactive=False)
    if fetch and repo.has_remote:
        with repo.locked():
            repo.fetch()
    incoming = repo.pending_count(_positions(store))
    conflicts = Conflicts(store).list()
    return {
        "shared": True,
        "folder": str(repo.folder),
        "remote": repo.remote_url,
        "device": store.device,
        "person": store.actor,
        "unshared": unshared_changes(store),
        "unpushed_commits": repo.unpushed_commits(),
        "incoming": incoming,
        "last_sync": meta(store, LAST_SYNC),
        "last_fetch": _moment(repo.last_fetch_time()),
        "last_error": meta(store, LAST_ERROR),
        "conflicts": conflicts,
    }


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
