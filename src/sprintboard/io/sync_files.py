"""The files of a sync folder, without git: the fixed files, each device's operation
segments, and the snapshots.

```
sprintboard-sync.json        the format and its version (the same bytes on every laptop)
README.md, .gitattributes    fixed text (the same bytes on every laptop)
ops/<device>/00000001.jsonl  one operation per line, appended only by that device
snapshots/<device>.jsonl     a device's latest snapshot; its first line is a header
```
Two laptops that create the folder write identical fixed files, and each device writes
only its own files, so git never has two versions of one file to reconcile.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sprintboard.io.sync_git import NOTHING_LOST, SyncError, SyncUnavailable, plain

FORMAT_FILE = "sprintboard-sync.json"
FORMAT_NAME = "sprintboard-sync"
FORMAT_VERSION = 1
"""The newest layout this code reads and writes."""
SEGMENT_BYTES = 4 * 1024 * 1024
"""A device starts a new segment rather than let the current one grow past this."""

FIXED_FILES: dict[str, str] = {
    FORMAT_FILE: json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION}) + "\n",
    "README.md": """\
# sprintboard sync folder

This folder carries a sprintboard plan between laptops. sprintboard writes it and shares
it through git: do not edit, add or remove files here by hand.

- `ops/<device>/` holds one laptop's changes, one JSON object per line. Only that laptop
  writes there, so merging never conflicts.
- `snapshots/<device>.jsonl` holds a laptop's latest copy of the whole plan, from which a
  new laptop starts.

Run `sprintboard sync` to send and receive changes.
""",
    # A checkout on Windows must not turn the line ends that separate operations into CRLF.
    ".gitattributes": "*.jsonl text eol=lf\n",
}

MAX_LINE_BYTES = 16 * 1024 * 1024
"""The longest operation or snapshot line read. The largest record sprintboard accepts (a
card at every text limit) is a few megabytes as a line; anything longer was not written by
sprintboard, and reading it would only cost memory."""

_DEVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SEGMENT = re.compile(r"[0-9]{8}\.jsonl")


@dataclass(frozen=True)
class IncomingOp:
    """One operation another device wrote. After reading it, that device's position is
    `(segment, line)`."""

    device: str
    segment: str
    line: int
    """1-based line number in the segment."""
    op: dict[str, Any]


@dataclass(frozen=True)
class SnapshotInfo:
    device: str
    path: Path
    header: dict[str, Any]
    """The snapshot's first line."""


def check_device(device: str) -> str:
    """`device` if it can name a folder on every system, else a `SyncError`."""
    if not _DEVICE.fullmatch(device):
        raise SyncError(
            f"sync: {plain(device)!r} cannot name a device (letters, digits, '.', '_' and"
            " '-', starting with a letter or digit)"
        )
    return device


def valid_device(device: Any) -> bool:
    return isinstance(device, str) and _DEVICE.fullmatch(device) is not None


def valid_segment(name: Any) -> bool:
    return isinstance(name, str) and _SEGMENT.fullmatch(name) is not None


def serialise(op: dict[str, Any]) -> bytes:
    """One operation as the line every device writes for it (the same bytes everywhere)."""
    text = json.dumps(op, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text + "\n").encode("utf-8")


# -- the fixed files --------------------------------------------------------------------------


def read_format(root: Path) -> int | None:
    """The folder's format version (None without the file); a `SyncError` when the file
    is not ours or is from a newer sprintboard."""
    path = root / FORMAT_FILE
    try:
        content = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        content = None
    version = content.get("version") if isinstance(content, dict) else None
    if not isinstance(content, dict) or content.get("format") != FORMAT_NAME:
        raise SyncError(f"sync: {path} is not a sprintboard sync file; {NOTHING_LOST}")
    if not isinstance(version, int) or version < 1:
        raise SyncError(f"sync: {path} names no format version; {NOTHING_LOST}")
    if version > FORMAT_VERSION:
        raise SyncError(
            f"sync: {root} holds a plan shared by a newer sprintboard (sync format"
            f" {version}; this one reads up to {FORMAT_VERSION}): update sprintboard on this"
            f" laptop; {NOTHING_LOST}"
        )
    return version


def write_fixed_files(root: Path) -> list[str]:
    """Write the fixed files that are missing; returns their names."""
    written = []
    for name, text in FIXED_FILES.items():
        if not (root / name).exists():
            (root / name).write_bytes(text.encode("utf-8"))
            written.append(name)
    return written


# -- operation segments -----------------------------------------------------------------------


def segment_name(number: int) -> str:
    return f"{number:08d}.jsonl"


def segments(device_dir: Path) -> list[str]:
    """The segment names in a device's folder, oldest first."""
    try:
        names = [entry.name for entry in os.scandir(device_dir) if _SEGMENT.fullmatch(entry.name)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(names)


def devices(root: Path) -> list[str]:
    """Devices with a folder under ops/, sorted."""
    try:
        entries = list(os.scandir(root / "ops"))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(e.name for e in entries if e.is_dir() and _DEVICE.fullmatch(e.name))


def segment_sizes(device_dir: Path) -> dict[str, int]:
    return {name: (device_dir / name).stat().st_size for name in segments(device_dir)}


def append_ops(device_dir: Path, ops: Iterable[dict[str, Any]], segment_bytes: int) -> None:
    """Append `ops` to the device's newest segment, starting a new one whenever the next
    line would take the current one past `segment_bytes`; each file is flushed to disk
    before this returns (the database records the sizes next: they must be true)."""
    names = segments(device_dir)
    current = names[-1] if names else segment_name(1)
    size = (device_dir / current).stat().st_size if names else 0
    chunks: dict[str, list[bytes]] = {}
    for op in ops:
        line = serialise(op)
        if size and size + len(line) > segment_bytes:
            current, size = segment_name(int(current[:8]) + 1), 0
        chunks.setdefault(current, []).append(line)
        size += len(line)
    if not chunks:
        return
    created = not device_dir.is_dir()
    device_dir.mkdir(parents=True, exist_ok=True)
    for name, lines in chunks.items():
        new = not (device_dir / name).exists()
        with open(device_dir / name, "ab") as out:
            out.write(b"".join(lines))
            out.flush()
            os.fsync(out.fileno())
        created = created or new
    if created:  # a new file's name must reach the disk as well as its bytes
        sync_directory(device_dir)
        sync_directory(device_dir.parent)


def sync_directory(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every system opens a directory
        handle = os.open(path, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def last_line(device_dir: Path) -> bytes | None:
    """The last complete line of a device's newest segment that has one (None: no line)."""
    for name in reversed(segments(device_dir)):
        data = _complete((device_dir / name).read_bytes())
        if data:
            return data[data.rfind(b"\n", 0, len(data) - 1) + 1 :]
    return None


def _complete(data: bytes) -> bytes:
    """The file's complete lines: a last line without its newline is being written (or a
    device died writing it) and is not there yet."""
    return data[: data.rfind(b"\n") + 1]


def _unread(
    root: Path, own: str, positions: dict[str, tuple[str, int]]
) -> Iterator[tuple[str, str, int, bytes]]:
    """(device, segment, lines already read, complete bytes) of every segment of every other
    device that has lines after `positions`."""
    for device in devices(root):
        if device == own:
            continue
        segment, done = positions.get(device, ("", 0))
        for name in segments(root / "ops" / device):
            if name < segment:
                continue
            path = root / "ops" / device / name
            try:
                if path.stat().st_size > SEGMENT_BYTES + MAX_LINE_BYTES:
                    raise SyncError(
                        f"sync: {path.relative_to(root)} is larger than sprintboard writes a"
                        f" file ({path.stat().st_size:,} bytes): it was not written by"
                        f" sprintboard; nothing was applied and {NOTHING_LOST}"
                    )
                data = _complete(path.read_bytes())
            except OSError as exc:
                raise SyncUnavailable(
                    f"sync: cannot read {path.relative_to(root)} ({exc.strerror}); {NOTHING_LOST}"
                ) from None
            yield device, name, done if name == segment else 0, data


def read_incoming(root: Path, own: str, positions: dict[str, tuple[str, int]]) -> list[IncomingOp]:
    found: list[IncomingOp] = []
    for device, name, done, data in _unread(root, own, positions):
        # Split on '\n' alone: str.splitlines() would also split on characters that JSON
        # keeps unescaped inside strings (U+2028, form feed, ...).
        lines = data.split(b"\n")[:-1]
        for number, raw in enumerate(lines[done:], start=done + 1):
            found.append(IncomingOp(device, name, number, _parse(root, device, name, number, raw)))
    return found


def count_pending(root: Path, own: str, positions: dict[str, tuple[str, int]]) -> int:
    return sum(
        max(0, data.count(b"\n") - done) for _, _, done, data in _unread(root, own, positions)
    )


def _parse(root: Path, device: str, segment: str, number: int, raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_LINE_BYTES:
        raise SyncError(
            f"sync: ops/{device}/{segment}:{number}: is longer than any operation sprintboard"
            f" writes ({len(raw):,} bytes); nothing was applied and {NOTHING_LOST}"
        )
    value = _value(raw)
    if value is None:
        raise SyncError(
            f"sync: ops/{device}/{segment}:{number}: is not an operation (a JSON object);"
            f" nothing was applied and {NOTHING_LOST}"
        )
    return value


# -- snapshots --------------------------------------------------------------------------------


def write_snapshot(root: Path, device: str, lines: Iterable[dict[str, Any]]) -> Path:
    """Write snapshots/<device>.jsonl whole, or leave the previous one: a reader never
    sees half a snapshot. The first line is the header."""
    folder = root / "snapshots"
    folder.mkdir(exist_ok=True)
    target = folder / f"{device}.jsonl"
    handle, temporary = tempfile.mkstemp(prefix=f".{device}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            empty = True
            for line in lines:
                out.write(serialise(line))
                empty = False
            if empty:
                raise ValueError("a snapshot needs at least its header line")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_directory(folder)
    return target


def list_snapshots(root: Path) -> list[SnapshotInfo]:
    """Every device's snapshot with its header, sorted by device."""
    found = []
    folder = root / "snapshots"
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        device = path.name.removesuffix(".jsonl")
        if not _DEVICE.fullmatch(device):
            continue
        header = next(snapshot_rows(root, path, header=True), None)
        if header is None:
            raise SyncError(f"sync: snapshots/{path.name} is empty; {NOTHING_LOST}")
        found.append(SnapshotInfo(device, path, header))
    return found


def snapshot_rows(root: Path, path: Path, *, header: bool = False) -> Iterator[dict[str, Any]]:
    """The lines of a snapshot after its header (or the header alone), each checked."""
    name = path.relative_to(root).as_posix()
    with open(path, "rb") as source:
        number = 0
        while raw := source.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise SyncError(
                    f"sync: {name}:{number}: is longer than any line sprintboard writes;"
                    f" nothing was read from it and {NOTHING_LOST}"
                )
            if number == 1 and not header:
                continue
            value = _value(raw)
            if value is None:
                raise SyncError(
                    f"sync: {name}:{number}: is not a JSON object; nothing was read from it"
                    f" and {NOTHING_LOST}"
                )
            yield value
            if header:
                return


def _value(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
