"""Shared fixtures: temporary databases (empty or demo), a frozen clock, a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import pytest

# Snapshots and colours must not depend on the developer's terminal settings.
os.environ.pop("NO_COLOR", None)
os.environ.pop("SPRINTBOARD_DB", None)
os.environ["SPRINTBOARD_USER"] = "tester"
os.environ["SPRINTBOARD_DEVICE"] = "test-device"

from sprintboard.demo import load_demo
from sprintboard.store import Store, frozen_clock

# Helper modules that test modules import hold assertions too: rewrite them as pytest does
# test modules, so a failing helper says what it compared.
pytest.register_assert_rewrite(
    "checks_fixtures",
    "cli_fixtures",
    "feedback_fixtures",
    "serve_fixtures",
    "store_fixtures",
    "waiting",
)

NOW = datetime(2026, 3, 11, 10, 30, tzinfo=UTC)
"""The tests' 'now': a Wednesday in the demo organisation's active sprint."""


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPRINTBOARD_CONFIG", str(tmp_path / "config.toml"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "plan.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A new database with the nine seeded teams and nothing else."""
    with Store(db_path, clock=frozen_clock(NOW)) as opened:
        yield opened


@pytest.fixture
def demo_store(db_path: Path) -> Iterator[Store]:
    """A database holding the hand-written demo organisation."""
    with Store(db_path, clock=frozen_clock(NOW)) as opened:
        load_demo(opened)
        yield opened


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli(Protocol):
    """What the `cli` fixture gives: run the CLI with these arguments, get its `Result`."""

    def __call__(self, *args: str) -> Result: ...


@pytest.fixture
def cli(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run `sprintboard --db <tmp> ARGS...` in-process; returns exit code and output."""
    from sprintboard.cli import main

    def run(*args: str) -> Result:
        try:
            main(["--db", str(db_path), *args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`serial` tests run on one xdist worker, one at a time (see pyproject's addopts)."""
    for item in items:
        if item.get_closest_marker("serial") is not None:
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    """A seed for a randomized test: `SPRINTBOARD_TEST_SEED` replays one, else a new one.

    A failing test's report names the seed (and the variable to set to replay it).
    """
    given = os.environ.get("SPRINTBOARD_TEST_SEED")
    value = int(given) if given else int.from_bytes(os.urandom(4), "big")
    request.node.user_properties.append(("seed", value))
    return value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        for name, value in item.user_properties:
            if name == "seed":
                report.sections.append(("seed", f"replay with SPRINTBOARD_TEST_SEED={value}"))
    return report
