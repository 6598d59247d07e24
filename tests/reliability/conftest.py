"""Shared pieces of the reliability tests: the CLI as a subprocess, a demo database to copy."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import copy_db as copy_db  # the reliability tests import it from here

HERE = Path(__file__).resolve().parent
_SCRIPT = Path(sys.executable).with_name("sprintboard")
# The installed script when there is one (as a user runs it), else `python -m sprintboard`.
SPRINTBOARD = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "sprintboard"]


def child_env(tmp: Path, **extra: str) -> dict[str, str]:
    """A subprocess's environment: no user config, no default database, fixed identity."""
    env = dict(os.environ)
    env.pop("SPRINTBOARD_DB", None)
    env.pop("NO_COLOR", None)
    env["SPRINTBOARD_CONFIG"] = str(tmp / "child-config.toml")
    env["SPRINTBOARD_USER"] = "tester"
    env["SPRINTBOARD_DEVICE"] = "test-device"
    env.update(extra)
    return env


@dataclass
class Ran:
    code: int
    out: str
    err: str


def run_cli(tmp: Path, *args: str, timeout: float = 60, **env: str) -> Ran:
    """`sprintboard ARGS...` in a process of its own."""
    done = subprocess.run(
        [*SPRINTBOARD, *args],
        capture_output=True,
        text=True,
        env=child_env(tmp, **env),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def demo_copy(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database for one test."""
    return copy_db(demo_template, tmp_path / "plan.db")
