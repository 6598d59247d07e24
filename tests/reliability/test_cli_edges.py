"""The command's edges: a reader that stops early, no terminal, an empty or folder --db, and
a board that crashes. Each ends in one line and the right exit status, never a hang."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from textual.app import App

from sprintboard import cli as cli_module
from sprintboard.cli import main
from sprintboard.tui import SprintboardApp

from .conftest import SPRINTBOARD, child_env, run_cli

NEEDS_TERMINAL = (
    "error: the board needs a terminal; use a command such as `sprintboard card list`, "
    "or run in a terminal\n"
)


def test_a_reader_that_stops_early_is_not_an_error(demo_copy: Path, tmp_path: Path) -> None:
    """`sprintboard card list | head -1`: the pipe closes before the output is written."""
    for args in (["card", "list"], ["card", "list", "--json"], ["check"]):
        child = subprocess.Popen(
            [*SPRINTBOARD, "--db", str(demo_copy), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(tmp_path),
        )
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()  # the reader is gone before the first line
        err = child.stderr.read().decode()
        code = child.wait(timeout=60)
        assert (code, err) == (0, ""), (args, code, err)


def test_the_board_without_a_terminal_says_so(demo_copy: Path, tmp_path: Path) -> None:
    ran = run_cli(tmp_path, "--db", str(demo_copy), timeout=30)  # stdin /dev/null, stdout a pipe
    assert (ran.code, ran.out, ran.err) == (2, "", NEEDS_TERMINAL)


def test_an_empty_db_option_is_refused(tmp_path: Path) -> None:
    ran = run_cli(tmp_path, "--db", "", "card", "list", XDG_DATA_HOME=str(tmp_path / "data"))
    assert ran.code == 2
    assert ran.err == (
        "error: --db: the path is empty (got ''); give a database file, or leave --db out "
        "for the default\n"
    )
    assert not (tmp_path / "data").exists()  # the default database was not touched


def test_an_empty_environment_variable_means_the_default(tmp_path: Path) -> None:
    ran = run_cli(tmp_path, "card", "list", SPRINTBOARD_DB="", XDG_DATA_HOME=str(tmp_path))
    assert ran.code == 0, ran
    assert (tmp_path / "sprintboard" / "sprintboard.db").is_file()


@pytest.mark.parametrize("folder", ["plans", "plans/", "missing/"])
def test_a_folder_as_db_is_one_line(tmp_path: Path, folder: str) -> None:
    (tmp_path / "plans").mkdir()
    ran = run_cli(tmp_path, "--db", f"{tmp_path}/{folder}", "card", "list")
    assert ran.code == 2 and ran.err.count("\n") == 1 and ran.err.startswith("error: "), ran
    assert "is a directory" in ran.err or "not a folder" in ran.err, ran.err
    assert not (tmp_path / "missing").exists()


def test_a_crash_in_the_board_exits_1_with_a_hint(
    demo_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def boom(self: SprintboardApp) -> None:
        raise RuntimeError("something unexpected")

    def headless_run(self: SprintboardApp) -> None:
        App.run(self, headless=True)

    monkeypatch.setattr(cli_module, "_need_terminal", lambda: None)
    monkeypatch.setattr(SprintboardApp, "run", headless_run)
    monkeypatch.setattr(SprintboardApp, "on_mount", boom)
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(demo_copy)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.endswith(
        "error: the board stopped on an unexpected error (shown above); changes saved before "
        "it are in the database\n"
    ), err
