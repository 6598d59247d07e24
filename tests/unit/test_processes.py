"""Ending a process tree that resists, and tying a child's life to its parent's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sprintboard.io.processes import descendants, is_running, stop_descendants

WAIT_S = 10.0
Spawner = tuple[subprocess.Popen[bytes], str]
"""The `spawner` fixture: the parent process and the marker its whole tree carries."""


def _wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _marked(marker: str) -> list[int]:
    """Living processes whose environment holds `marker` (wherever they moved in the tree)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environment = (entry / "environ").read_bytes()
            except OSError:
                continue
            if marker.encode() in environment and is_running(int(entry.name)):
                found.append(int(entry.name))
    return found


@pytest.fixture
def spawner(tmp_path: Path) -> Iterator[Spawner]:
    """A Python parent whose shell child ignores SIGTERM and keeps starting long-lived
    children; all of them carry a marker in their environment."""
    marker = f"SPRINTBOARD_TEST_MARK={tmp_path.name}"
    stubborn = "trap '' TERM; while :; do sleep 30 & sleep 0.005; done"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import subprocess, time; subprocess.Popen(['sh', '-c', {stubborn!r}]); "
            "time.sleep(60)",
        ],
        env={**os.environ, marker.split("=")[0]: marker.split("=")[1]},
        start_new_session=True,
    )
    yield parent, marker
    os.killpg(parent.pid, signal.SIGKILL)
    parent.wait(timeout=5)
    for pid in _marked(marker):  # whatever escaped, so that a failure leaves nothing behind
        os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads environments from /proc")
def test_a_tree_that_ignores_sigterm_and_keeps_spawning_is_ended_whole(spawner: Spawner) -> None:
    parent, marker = spawner
    # The shell and one of its `sleep`s: only then has it run `trap`.
    _wait_for(lambda: len(descendants(parent.pid)) >= 3, "the shell to start its children")
    killed = stop_descendants(parent.pid, grace=0.3)
    assert killed  # SIGTERM was ignored: SIGKILL was needed
    # Returned only once the kills took effect, and no child started meanwhile escaped to
    # init (a listing is stale as soon as it is read).
    assert descendants(parent.pid) == []
    assert _marked(marker) == [parent.pid]


def test_nothing_to_stop_returns_at_once() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=10)
    assert stop_descendants(child.pid, grace=5) == []


def test_a_child_dies_with_its_parent_even_if_the_parent_is_killed() -> None:
    # The middle process starts the grandchild (which ties itself to the middle one), prints
    # its pid, then is SIGKILLed: it gets no chance to end anything.
    code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import os, sys, time; from sprintboard.io.processes import die_with_parent; "
        "die_with_parent(int(sys.argv[1])); print(os.getpid(), flush=True); time.sleep(60)', "
        "str(__import__('os').getpid())], stdout=subprocess.PIPE, start_new_session=True)\n"
        "print(child.stdout.readline().decode().strip(), flush=True)\n"
        "time.sleep(60)\n"
    )
    middle = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert middle.stdout is not None
        grandchild = int(middle.stdout.readline())
        assert is_running(grandchild)
        middle.kill()
        middle.wait(timeout=10)
        _wait_for(lambda: not is_running(grandchild), "the orphan to die")
    finally:
        if middle.poll() is None:
            middle.kill()
            middle.wait(timeout=5)


def test_a_child_started_after_its_parent_died_does_not_run(tmp_path: Path) -> None:
    # The parent pid it is given is not its parent (as when the server died before the
    # child got to run): it ends at once.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from sprintboard.io.processes import die_with_parent; die_with_parent(1); "
            "print('still running')",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        start_new_session=True,
    )
    assert done.returncode != 0
    assert "still running" not in done.stdout
