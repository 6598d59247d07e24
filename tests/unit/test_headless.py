"""The core and the command line never import Textual (checked in fresh interpreters)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sprintboard.store import Store

HEADLESS = [
    "sprintboard.errors",
    "sprintboard.config",
    "sprintboard.models",
    "sprintboard.store",
    "sprintboard.planning",
    "sprintboard.io",
    "sprintboard.demo",
    "sprintboard.cli",
]

# Imports every module of the headless packages (not only their __init__), then reports
# which modules of `textual` ended up loaded.
PROBE = """
import importlib, json, pkgutil, sys
names = json.loads(sys.argv[1])
loaded = []
for name in names:
    module = importlib.import_module(name)
    loaded.append(name)
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
        importlib.import_module(info.name)
        loaded.append(info.name)
textual = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"loaded": loaded, "textual": textual}))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["SPRINTBOARD_CONFIG"] = str(tmp_path / "config.toml")
    env.pop("SPRINTBOARD_DB", None)
    return env


def test_core_packages_do_not_import_textual(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEADLESS)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # The probe really walked the packages (a probe that imports nothing proves nothing).
    assert {"sprintboard.store.cards", "sprintboard.cli.cards"} <= set(report["loaded"])
    assert report["textual"] == [], f"textual imported by the headless core: {report['textual']}"


@pytest.mark.parametrize(
    "args",
    [
        ("card", "list"),
        ("card", "list", "--json", "--sprint", "current"),
        ("card", "show", "IT-1"),
        ("--help",),
    ],
)
def test_cli_commands_do_not_import_textual(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = tmp_path / "plan.db"
    with Store(db) as store:
        from sprintboard.demo import load_demo

        load_demo(store)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sprintboard", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    imported = re.findall(r"^import time:.*\|\s*(\S+)\s*$", result.stderr, flags=re.M)
    assert "sprintboard.store" in [name.strip() for name in imported]
    textual = [name for name in imported if name == "textual" or name.startswith("textual.")]
    assert textual == [], f"`sprintboard {' '.join(args)}` imported {textual[:5]}"


# Opens an up-to-date database and reads what the board shows on start-up, then reports
# which heavy libraries that pulled in.
READ_PATH = """
import json, sys
from sprintboard.store import Store
store = Store(sys.argv[1])
cards = store.cards.query(sprint=store.sprints.active()["id"])
store.teams.list(include_archived=True)
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"sqlite_utils", "pydantic", "click"})
print(json.dumps({"cards": len(cards), "heavy": heavy}))
"""


def test_reading_an_up_to_date_database_imports_no_heavy_library(tmp_path: Path) -> None:
    # The board's start-up path: sqlite-utils (~100 ms), pydantic (~250 ms) and click are
    # for migrations, writes and the CLI, never for opening a current file and reading it.
    db = tmp_path / "plan.db"
    with Store(db) as store:
        from sprintboard.demo import load_demo

        load_demo(store)
    result = subprocess.run(
        [sys.executable, "-c", READ_PATH, str(db)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["cards"] > 0
    assert report["heavy"] == []
