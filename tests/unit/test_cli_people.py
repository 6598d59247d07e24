"""People on the command line: two processes on one file each undo their own work, a clash
is refused without a change, redo, undo of anyone's or of one chosen change, and who is at
the keyboard (`--as`, SPRINTBOARD_USER, config, git, the account)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_fixtures import all_rows, js, ok, refused

pytest_plugins = ["cli_fixtures"]  # its fixtures: demo

SANNE, KEES = "Sanne de Vries", "Kees van Dijk"


def run(
    db: Path, person: str | None, *args: str, env: dict[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """`python -m sprintboard --db DB [--as PERSON] ARGS...` as a process of its own."""
    who = ["--as", person] if person is not None else []
    return subprocess.run(
        [sys.executable, "-m", "sprintboard", "--db", str(db), *who, *args],
        capture_output=True,
        text=True,
        env=os.environ.copy() if env is None else env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def done(result: subprocess.CompletedProcess[str]) -> str:
    assert (result.returncode, result.stderr) == (0, ""), result
    return result.stdout


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result
    assert "Traceback" not in result.stderr
    return result.stderr


def card(db: Path, key: str) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM cards WHERE key = ?", [key]).fetchone()
        return dict(row)
    finally:
        conn.close()


def undo_actors(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT DISTINCT actor FROM activity WHERE action = 'undo' ORDER BY id")
        return [r[0] for r in rows]
    finally:
        conn.close()


# -- two people, two processes, one file -----------------------------------------------------


def test_two_processes_each_undo_only_their_own_work(
    demo: Any, db_path: Path, tmp_path: Path
) -> None:
    before_it5, before_it6 = card(db_path, "IT-5"), card(db_path, "IT-6")
    done(run(db_path, "sanne", "card", "edit", "IT-5", "--points", "13", cwd=tmp_path))
    done(run(db_path, "Kees", "card", "move", "IT-6", "doing", cwd=tmp_path))
    # Sanne's undo passes over Kees's newer move and takes back her own edit.
    assert done(run(db_path, "sanne", "undo", cwd=tmp_path)) == "undone: edit of IT-5\n"
    assert card(db_path, "IT-5")["points"] == before_it5["points"]
    assert card(db_path, "IT-6")["status"] == "doing"
    assert done(run(db_path, "kees", "undo", cwd=tmp_path)) == "undone: move of IT-6\n"
    assert card(db_path, "IT-6")["status"] == before_it6["status"]
    assert undo_actors(db_path) == [SANNE, KEES]  # names as the team members spell them
    nothing = one_line_refusal(run(db_path, "sanne", "undo", cwd=tmp_path))
    assert nothing == "error: undo: nothing to undo\n"


def test_a_clash_is_refused_in_one_line_and_changes_nothing(
    demo: Any, db_path: Path, tmp_path: Path
) -> None:
    done(run(db_path, "sanne", "card", "edit", "IT-6", "--title", "Sanne's title", cwd=tmp_path))
    done(run(db_path, "kees", "card", "edit", "IT-6", "--title", "Kees's title", cwd=tmp_path))
    before = all_rows(db_path)
    line = one_line_refusal(run(db_path, "sanne", "undo", cwd=tmp_path))
    assert line.startswith("error: undo: not undone: IT-6's title was changed since by " + KEES)
    assert line.endswith("; edit of IT-6 stays as it is\n")
    assert all_rows(db_path) == before
    assert card(db_path, "IT-6")["title"] == "Kees's title"
    # Kees's own undo is fine, and then Sanne's is no longer in anyone's way.
    assert done(run(db_path, "kees", "undo", cwd=tmp_path)) == "undone: edit of IT-6\n"
    assert done(run(db_path, "sanne", "undo", cwd=tmp_path)) == "undone: edit of IT-6\n"
    assert card(db_path, "IT-6")["title"] != "Sanne's title"


def test_redo_puts_back_my_undo_until_i_change_something(demo: Any, db_path: Path) -> None:
    ok(demo, "--as", "sanne", "card", "edit", "IT-5", "--points", "13")
    assert ok(demo, "--as", "sanne", "undo") == "undone: edit of IT-5\n"
    assert "nothing of yours to redo (Kees van Dijk)" in refused(demo, "--as", "kees", "redo")
    assert ok(demo, "--as", "sanne", "redo") == "redone: edit of IT-5\n"
    assert card(db_path, "IT-5")["points"] == 13
    assert "nothing of yours to redo" in refused(demo, "--as", "sanne", "redo")
    ok(demo, "--as", "sanne", "undo")
    ok(demo, "--as", "sanne", "card", "move", "IT-5", "doing")  # a new line of work
    assert "nothing of yours to redo" in refused(demo, "--as", "sanne", "redo")
    assert card(db_path, "IT-5")["points"] == 8
    redone = js(demo, "--as", "sanne", "undo")
    assert (redone["action"], redone["key"], redone["mine"]) == ("card.move", "IT-5", True)


def test_undo_any_takes_someone_elses_change(demo: Any, db_path: Path) -> None:
    ok(demo, "--as", "sanne", "card", "edit", "IT-5", "--points", "13")
    line = refused(demo, "--as", "kees", "undo")
    assert line == (
        "error: undo: nothing of yours to undo (Kees van Dijk); the last change is Sanne de "
        "Vries' (edit of IT-5): 'sprintboard undo --any' undoes it\n"
    )
    assert card(db_path, "IT-5")["points"] == 13
    assert ok(demo, "--as", "kees", "undo", "--any") == "undone: Sanne de Vries' edit of IT-5\n"
    assert card(db_path, "IT-5")["points"] == 8
    assert undo_actors(db_path) == [KEES]


def test_undo_change_takes_one_chosen_change(demo: Any, db_path: Path) -> None:
    ok(demo, "--as", "sanne", "card", "edit", "IT-5", "--points", "13")
    ok(demo, "--as", "sanne", "card", "move", "IT-7", "doing")
    entry = next(e for e in js(demo, "history", "IT-5") if e["field"] == "points")
    assert (entry["actor"], entry["undone_by"], entry["device"]) == (SANNE, None, "test-device")
    change = str(entry["id"])
    assert ok(demo, "--as", "kees", "undo", "--change", change) == (
        "undone: Sanne de Vries' edit of IT-5\n"
    )
    assert card(db_path, "IT-5")["points"] == 8
    assert card(db_path, "IT-7")["status"] == "doing"  # her later change is left alone
    again = refused(demo, "--as", "kees", "undo", "--change", change)
    assert f"change {change} (edit of IT-5) was already undone by Kees van Dijk" in again
    assert "not both" in refused(demo, "undo", "--any", "--change", change)
    assert "no change 999999 in the log" in refused(demo, "undo", "--change", "999999")
    undone = next(e for e in js(demo, "history", "IT-5") if e["id"] == entry["id"])
    assert undone["undone_by"] == KEES


def test_a_change_of_several_records_says_how_many_were_reverted(demo: Any, db_path: Path) -> None:
    ok(demo, "card", "delete", "IT-6")
    line = ok(demo, "undo")
    assert line.startswith("undone: deletion of IT-6 (") and line.endswith(" records reverted)\n")
    assert card(db_path, "IT-6")["title"]


# -- who is at the keyboard ------------------------------------------------------------------


@pytest.fixture
def bare_env(tmp_path: Path) -> dict[str, str]:
    """An environment that names nobody: no SPRINTBOARD_USER, no settings file, a git
    without user.name (a global config of our own, no system config), an account 'robin'."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "gitconfig").write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "SPRINTBOARD_"))}
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CEILING_DIRECTORIES=str(tmp_path),
        SPRINTBOARD_CONFIG=str(home / "config.toml"),
        SPRINTBOARD_DEVICE="laptop-1",
        USER="robin",
        LOGNAME="robin",
    )
    return env


def whoami(db: Path, env: dict[str, str], cwd: Path, person: str | None = None) -> Any:
    return json.loads(done(run(db, person, "whoami", "--json", env=env, cwd=cwd)))


def test_whoami_follows_the_order_of_sources(
    demo: Any, db_path: Path, tmp_path: Path, bare_env: dict[str, str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    account = whoami(db_path, bare_env, work)
    assert (account["name"], account["source"], account["member"]) == ("robin", "account", None)
    assert account["device"] == "laptop-1"
    assert done(run(db_path, None, "whoami", env=bare_env, cwd=work)) == (
        "robin (not a team member: 'sprintboard member add TEAM NAME' adds one); from account; "
        "device laptop-1\n"
    )

    (Path(bare_env["HOME"]) / "gitconfig").write_text(
        "[user]\n\tname = Priya Raman\n", encoding="utf-8"
    )
    git = whoami(db_path, bare_env, work)
    assert (git["name"], git["source"], git["member"]["team"]) == ("Priya Raman", "git", "IT")

    Path(bare_env["SPRINTBOARD_CONFIG"]).write_text('user = "ingrid"\n', encoding="utf-8")
    config = whoami(db_path, bare_env, work)
    assert (config["name"], config["given"], config["source"]) == (
        "Ingrid Bakker",
        "ingrid",
        "config",
    )

    env = {**bare_env, "SPRINTBOARD_USER": "KEES VAN DIJK"}
    by_env = whoami(db_path, env, work)
    assert (by_env["name"], by_env["source"]) == (KEES, "SPRINTBOARD_USER")
    assert by_env["member"] == {"id": 16, "team": "WH", "role": "warehouse manager"}

    given = whoami(db_path, env, work, person="Outside Agency")
    assert (given["name"], given["source"], given["member"]) == ("Outside Agency", "--as", None)
    line = done(run(db_path, "sanne", "whoami", env=env, cwd=work))
    assert line == "Sanne de Vries (MKT member, campaign lead); from --as; device laptop-1\n"


def test_whoami_says_why_a_config_user_was_skipped(
    demo: Any, db_path: Path, tmp_path: Path, bare_env: dict[str, str]
) -> None:
    Path(bare_env["SPRINTBOARD_CONFIG"]).write_text('user = "a\\u202eb"\n', encoding="utf-8")
    result = run(db_path, None, "whoami", env=bare_env, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("robin (")
    assert result.stderr.startswith("warning: config: user = ") and result.stderr.count("\n") == 1
    assert "\u202e" not in result.stderr  # the override is shown escaped, not obeyed
    assert "must be a person's name" in result.stderr and result.stderr.endswith("; skipped\n")


def test_changes_are_recorded_under_the_config_user(
    demo: Any, db_path: Path, tmp_path: Path, bare_env: dict[str, str]
) -> None:
    done(run(db_path, None, "config", "set", "user", "lotte", env=bare_env, cwd=tmp_path))
    done(run(db_path, None, "card", "move", "IT-5", "doing", env=bare_env, cwd=tmp_path))
    last = json.loads(
        done(run(db_path, None, "history", "IT-5", "--json", env=bare_env, cwd=tmp_path))
    )
    assert last[-1]["actor"] == "Lotte Jansen"


@pytest.mark.parametrize("name", ["", "   ", "a\x1b[31mb", "x" * 101, "left\u202eright"])
def test_a_bad_as_is_refused_in_one_line(demo: Any, db_path: Path, name: str) -> None:
    before = all_rows(db_path)
    line = refused(demo, "--as", name, "card", "move", "IT-5", "doing")
    assert line.startswith("error: --as: a person's name is 1-100 characters")
    assert "\x1b" not in line and "\u202e" not in line
    assert all_rows(db_path) == before
    assert refused(demo, "--as", name, "whoami") == line


@pytest.mark.parametrize("name", ["\t\n", "a\x07b", "y" * 101])
def test_a_bad_sprintboard_user_is_refused_in_one_line(
    demo: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("SPRINTBOARD_USER", name)
    before = all_rows(db_path)
    line = refused(demo, "card", "move", "IT-5", "doing")
    assert line.startswith("error: SPRINTBOARD_USER: a person's name is 1-100 characters")
    assert all_rows(db_path) == before
    assert refused(demo, "whoami") == line
    # --as names someone: the variable is not asked.
    assert ok(demo, "--as", "sanne", "whoami").startswith(SANNE)


def test_a_bad_sprintboard_user_is_refused_by_a_process(
    demo: Any, db_path: Path, tmp_path: Path, bare_env: dict[str, str]
) -> None:
    env = {**bare_env, "SPRINTBOARD_USER": "bad\x1bname"}
    line = one_line_refusal(run(db_path, None, "undo", env=env, cwd=tmp_path))
    assert line.startswith("error: SPRINTBOARD_USER: ") and "\\x1b" in line


# -- the user setting ------------------------------------------------------------------------


def test_config_shows_sets_and_unsets_user(demo: Any, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"  # SPRINTBOARD_CONFIG in every test (conftest)
    path.write_text('# my settings\ntheme = "sprintboard-light"\n', encoding="utf-8")
    shown = ok(demo, "config", "show")
    assert shown.splitlines()[0].startswith('user = ""  # not set')
    assert 'theme = "sprintboard-light"' in shown
    assert ok(demo, "config", "set", "user", "  Sanne   de Vries ") == (
        f'user = "Sanne de Vries" (in {path})\n'
    )
    assert path.read_text(encoding="utf-8") == (
        '# my settings\ntheme = "sprintboard-light"\nuser = "Sanne de Vries"\n'
    )
    assert js(demo, "config", "show")["user"] == SANNE
    assert ok(demo, "config", "set", "wip_limits.doing", "4").startswith("wip_limits.doing = 4")
    assert js(demo, "config", "show")["wip_limits"]["doing"] == 4

    for args, words in (
        (("user", ""), "config: user = '': must be a person's name"),
        (("user", "a\x1bb"), "must be a person's name"),
        (("colour", "red"), "config: unknown key 'colour'; the keys are user, theme"),
        (("wip_limits.doing", "many"), "must be a whole number 0-10000"),
        (("feedback_red_days", "-3"), "must be a whole number 0-3650"),
        (("feedback_red_days", "1"), "must be at least feedback_amber_days (2)"),
        (("theme", "no-such-theme"), "no such theme"),
    ):
        before = path.read_text(encoding="utf-8")
        assert words in refused(demo, "config", "set", *args), args
        assert path.read_text(encoding="utf-8") == before

    assert ok(demo, "config", "unset", "user") == f"user removed from {path}; the default applies\n"
    assert "user" not in path.read_text(encoding="utf-8")
    assert ok(demo, "config", "unset", "user").startswith("user is not set")
    assert "unknown key 'nope'" in refused(demo, "config", "unset", "nope")


def test_config_show_names_a_bad_value_after_the_values(demo: Any, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('user = ""\n', encoding="utf-8")
    result = demo("config", "show")
    assert result.code == 2 and result.out.startswith('user = ""')
    assert result.err.startswith("error: config: user = ''") and result.err.count("\n") == 1
