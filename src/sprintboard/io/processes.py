"""Child processes that must not outlive their parent: listing, ending and tying them to it.

`serve` starts one app process per browser session. Whatever ends the server (Ctrl+C,
SIGTERM, a crash, SIGKILL), none of those apps may keep running with the database open:
the server ends them on the way out (`stop_descendants`, `end_process`), and each app
ties its own life to the server's (`die_with_parent`) for the cases where the server
gets no way out at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

TERM_GRACE_S = 3.0
"""How long a process gets to exit on SIGTERM before it is killed."""
KILL_WAIT_S = 5.0
"""How long SIGKILLed processes get to disappear (they cannot refuse; this only bounds a
pathological case such as a process stuck in uninterruptible I/O)."""
PARENT_POLL_S = 0.5
"""How often a process tied to its parent checks that the parent is still there."""

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) for every process we can see."""
    table: dict[int, tuple[int, str]] = {}
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            # "pid (command) state ppid ...": the command may hold spaces and parentheses
            fields = stat[stat.rfind(")") + 2 :].split()
            table[int(entry.name)] = (int(fields[1]), fields[0])
        return table
    listing = subprocess.run(
        ["ps", "-A", "-o", "pid=,ppid=,stat="], capture_output=True, text=True, check=False
    ).stdout
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            table[int(parts[0])] = (int(parts[1]), parts[2])
    return table


def is_running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (a zombie has ended, only unreaped)."""
    state = _process_table().get(pid)
    return state is not None and not state[1].startswith("Z")


def descendants(root: int) -> list[int]:
    """Living processes below `root` (children, their children, …); zombies left out."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found: list[int] = []
    frontier = [root]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if not table[child][1].startswith("Z"):
                found.append(child)
            frontier.append(child)
    return found


def stop_descendants(root: int | None = None, grace: float = TERM_GRACE_S) -> list[int]:
    """End every process below `root` (default: this one): SIGTERM, then SIGKILL whatever
    still runs after `grace` seconds. Returns the pids that had to be killed.

    A listing of processes is out of date as soon as it is read: a process may start a
    child between the listing and the signal, and a killed parent's children move to
    init, out of reach. So SIGTERM goes to every process that shows up during the grace
    period, and before SIGKILL the whole tree is frozen (SIGSTOP, repeated until no new
    process appears: a stopped process cannot start another), then killed at once.
    Returns only when nothing below `root` runs any more (or after KILL_WAIT_S).
    """
    root = os.getpid() if root is None else root
    termed: set[int] = set()
    deadline = time.monotonic() + grace
    while (alive := descendants(root)) and time.monotonic() < deadline:
        for pid in set(alive) - termed:
            _signal(pid, signal.SIGTERM)
            termed.add(pid)
        time.sleep(0.05)
    if not alive:
        return []
    frozen: set[int] = set()
    while new := set(descendants(root)) - frozen:
        for pid in new:
            _signal(pid, signal.SIGSTOP)
        frozen |= new
    for pid in frozen:
        _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + KILL_WAIT_S
    while (left := descendants(root)) and time.monotonic() < deadline:
        for pid in left:  # only a process that slipped through the freeze
            _signal(pid, signal.SIGKILL)
        time.sleep(0.02)
    return sorted(frozen)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


async def end_process(process: asyncio.subprocess.Process, grace: float | None = None) -> None:
    """End a child process, everything below it and its process group: SIGTERM, then
    SIGKILL after `grace` seconds (default TERM_GRACE_S). The process is reaped before
    this returns."""
    grace = TERM_GRACE_S if grace is None else grace
    await asyncio.to_thread(stop_descendants, process.pid, grace)
    _signal_group(process, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        _signal_group(process, signal.SIGKILL)
        await process.wait()


def _signal_group(process: asyncio.subprocess.Process, sig: signal.Signals) -> None:
    """Signal the process and, if it leads a process group, everything in that group.

    Only while it is unreaped: until then its pid (and so its group id) cannot be reused.
    """
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)


def die_with_parent(parent: int) -> None:
    """Tie this process's life to `parent`'s: when the parent ends, however it ends, this
    process (and its process group, if it leads one) is killed.

    On Linux the kernel does it (PR_SET_PDEATHSIG: SIGKILL when the parent exits), which
    holds even if this process is stuck; everywhere, a daemon thread also watches the
    parent pid and kills the group when it changes. A parent that ended before this ran
    is caught by the check right after the prctl.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        _end_own_group()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    _end_own_group()


def _end_own_group() -> None:
    # Only a group leader kills its group: a process run by hand shares its shell's group.
    if os.getpgid(0) == os.getpid():
        with contextlib.suppress(OSError):
            os.killpg(os.getpid(), signal.SIGKILL)
    os._exit(1)
