"""Where a command may write a file, and how: the one module every file-writing command
(export, report, backup) goes through, so the rules cannot be forgotten by the next one.

- Never over the plan: the database, its `-wal`/`-shm`/`-journal` files (by name, and by
  identity through symlinks and hard links), nor any other SQLite database (its first
  bytes are `SQLite format 3\\0`) unless the command writes databases (backup).
- `-` (or no path) is standard output. A path naming a FIFO or a character device (a
  pipe, a terminal, `/dev/null`) is written into directly: replacing it with a regular
  file would break it for every program. A block device is refused.
- A regular file is written beside itself and renamed into place, so a failed write
  never leaves half a file. A symlink is followed: the file it points at is replaced,
  the link stays.
- A new file gets the database's permissions; a replaced one keeps its mode and owner.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sprintboard.errors import UserError
from sprintboard.store.backups import (
    COMPANIONS,
    adopt_owner,
    file_mode_for,
    is_sqlite_file,
    partial_beside,
    remove_partial,
)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def real_target(path: Path) -> Path:
    """The file a write to `path` lands in (symlinks followed, even to a missing file)."""
    return Path(os.path.realpath(path.expanduser()))


def check_target(path: Path, database: Path, *, databases_ok: bool = False) -> Path:
    """Refuse a target that would destroy the plan, in one line; returns the real target.

    `databases_ok`: the command writes a SQLite database (backup), so replacing another
    SQLite file (an older backup) is allowed; the database itself never is.
    """
    target = real_target(path)
    # The kernel follows the links itself (also /dev/stdout's, whose target has no name).
    found = _stat(path.expanduser())
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise UserError(f"{path}: is a directory; name the output file")
    live = real_target(database)
    for end in ("", *COMPANIONS):
        companion = Path(f"{live}{end}")
        same_name = target == companion
        known = _stat(companion)
        same_file = (
            found is not None
            and known is not None
            and (found.st_dev, found.st_ino) == (known.st_dev, known.st_ino)
        )
        if same_name or same_file:
            what = "the database itself" if not end else f"the database's {end} file"
            raise UserError(f"{path}: is {what} ({live}); name another file")
    if (
        found is not None
        and not databases_ok
        and stat.S_ISREG(found.st_mode)
        and is_sqlite_file(path.expanduser())
    ):
        raise UserError(
            f"{path}: is a SQLite database; an export or report never replaces one, "
            "name another file"
        )
    if found is not None and stat.S_ISBLK(found.st_mode):
        raise UserError(f"{path}: is a block device; write to a file, a pipe or a terminal")
    if found is None and not target.parent.is_dir():
        raise UserError(f"{path}: cannot write (no such directory: {target.parent})")
    return target


def is_special(path: Path) -> bool:
    """A FIFO, character device or socket (or a link to one): written into, never replaced."""
    found = _stat(path.expanduser())
    return found is not None and not stat.S_ISREG(found.st_mode)


@contextmanager
def open_output(path: Path | None, database: Path) -> Iterator[BinaryIO]:
    """A binary stream for a command's output at `path` (None or `-`: standard output),
    following the rules above. A regular file appears, complete, when the block ends."""
    if path is None or str(path) == "-":
        stdout = sys.stdout.buffer
        yield stdout
        stdout.flush()
        return
    target = check_target(path, database)
    try:
        if is_special(path):
            with path.expanduser().open("wb") as special:
                yield special
            return
        mode = file_mode_for(target, database)
        partial = partial_beside(target)
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        with partial.open("wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(partial, mode)
        adopt_owner(partial, target)
        os.replace(partial, target)
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        remove_partial(partial)


def write_output(path: Path | None, database: Path, data: bytes) -> int:
    """Write `data` as a command's output (see open_output); returns its size."""
    with open_output(path, database) as file:
        file.write(data)
    return len(data)
