"""Shared fixtures: temporary databases (empty or demo), a frozen clock, a CLI runner."""

from __future__ import annotations

import gc
import os
import shutil
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

from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation

from sprintboard.demo import load_demo
from sprintboard.store import Store, frozen_clock

# The Pilot tests build and drop thousands of widgets, which survive long enough to reach
# the oldest generation: at Python's default thresholds (700, 10, 10) the cycle collector
# made some thirty full passes over the heap per twenty UI tests, a quarter of their CPU
# time. Collecting less often changes when cyclic garbage goes, not what any test checks.
gc.set_threshold(5000, 20, 20)

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


_PARSED_CSS: dict[tuple[object, ...], list[RuleSet]] = {}
_parse_rules = Stylesheet._parse_rules


def _parse_rules_once_per_process(
    self: Stylesheet,
    css: str,
    read_from: CSSLocation,
    is_default_rules: bool = False,
    tie_breaker: int = 0,
    scope: str = "",
) -> list[RuleSet]:
    """Textual's own parse, remembered for the whole test process rather than one stylesheet.

    Textual parses every CSS source afresh each time an app starts, a screen mode opens or
    the theme changes (a new stylesheet, an empty cache): about a sixth of the CPU time of
    the Pilot and snapshot tests. The rules depend only on the arguments and the theme's
    variables, which are the key here; CSS that fails to parse is not remembered, so it
    fails again in every app, as without this.
    """
    key = (css, read_from, is_default_rules, tie_breaker, scope, *sorted(self._variables.items()))
    rules = _PARSED_CSS.get(key)
    if rules is None:
        rules = _parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
        _PARSED_CSS[key] = rules
    return rules


Stylesheet._parse_rules = _parse_rules_once_per_process  # type: ignore[method-assign]


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


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo organisation, loaded once per test process; copy it with `copy_db`, never
    open it."""
    path = tmp_path_factory.mktemp("template") / "demo.db"
    with Store(path, clock=frozen_clock(NOW)) as store:
        load_demo(store)
    return path


def copy_db(source: Path, target: Path) -> Path:
    """A copy of a closed database (its WAL was checkpointed away on close)."""
    assert not Path(f"{source}-wal").exists() or Path(f"{source}-wal").stat().st_size == 0
    shutil.copyfile(source, target)
    return target


@pytest.fixture
def demo_store(demo_template: Path, db_path: Path) -> Iterator[Store]:
    """A database holding the hand-written demo organisation: a copy of `demo_template`
    (the same file a load gives, in a tenth of the time)."""
    with Store(copy_db(demo_template, db_path), clock=frozen_clock(NOW)) as opened:
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


WAITING = frozenset({"ui", "snapshots", "reliability"})
"""The folders whose tests mostly wait (on the app, on other processes) rather than compute."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`serial` tests run on one xdist worker, one at a time (see pyproject's addopts); the
    rest run in an order that keeps the cores busy (`mixed`)."""
    for item in items:
        if item.get_closest_marker("serial") is not None:
            item.add_marker(pytest.mark.xdist_group("serial"))
    items[:] = mixed(items)


def mixed(items: list[pytest.Item]) -> list[pytest.Item]:
    """The `long` tests first; then the modules that wait spread evenly among those that
    compute, each module whole.

    A Pilot test spends most of its time waiting for the app to go idle, so xdist's
    workers, which take tests in this order, would leave the cores half idle through the
    UI tests and then queue for them through the unit tests. Interleaved, a worker
    computes while others wait. The waiting modules are all handed out by 70% of the way,
    so short unit tests, not a long UI test, end the run.
    """
    first = [item for item in items if item.get_closest_marker("long") is not None]
    modules: dict[Path, list[pytest.Item]] = {}
    for item in items:
        if item.get_closest_marker("long") is None:
            modules.setdefault(item.path, []).append(item)
    waiting = [tests for path, tests in modules.items() if path.parent.name in WAITING]
    computing = [tests for path, tests in modules.items() if path.parent.name not in WAITING]
    placed: list[tuple[float, int, list[pytest.Item]]] = []
    for share, kind in ((0.7, waiting), (1.0, computing)):
        total, before = sum(map(len, kind)), 0
        for tests in kind:
            placed.append((share * before / total, len(placed), tests))
            before += len(tests)
    return first + [item for _, _, tests in sorted(placed, key=lambda p: p[:2]) for item in tests]


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
