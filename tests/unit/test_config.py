"""The settings file: every key understood or named in one line, never silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli
from sprintboard.config import DEFAULT_WIP, Settings
from sprintboard.errors import UserError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    settings, problems = Settings.read(tmp_path / "absent.toml")
    assert problems == []
    assert settings == Settings()


def test_good_values_are_all_applied(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = "sprintboard-light"\nurgent_feedback_days = 4\nfeedback_share_target = 30\n'
        "feedback_amber_days = 3\nfeedback_red_days = 9\n[wip_limits]\ndoing = 3\ntodo = 0\n",
    )
    settings = Settings.load(path)
    assert settings.theme == "sprintboard-light"
    assert (settings.urgent_feedback_days, settings.feedback_share_target) == (4, 30)
    assert (settings.feedback_amber_days, settings.feedback_red_days) == (3, 9)
    assert settings.wip_limits == {**DEFAULT_WIP, "doing": 3, "todo": 0}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("wip_limt = 3\n", "unknown key 'wip_limt'"),
        ("urgent_feedback_days = -1\n", "urgent_feedback_days = -1"),
        ("feedback_share_target = 101\n", "feedback_share_target = 101"),
        ('feedback_red_days = "5"\n', "feedback_red_days = '5'"),
        ("feedback_amber_days = true\n", "feedback_amber_days = True"),
        ("feedback_amber_days = 2.5\n", "feedback_amber_days = 2.5"),
        ("theme = 3\n", "theme = 3"),
        ('wip_limits = "8"\n', "wip_limits = '8'"),
        ("[wip_limits]\ndoing = -2\n", "wip_limits.doing = -2"),
        ("[wip_limits]\nbacklog = 2\n", "wip_limits.backlog = 2"),
        ("feedback_amber_days = 6\nfeedback_red_days = 5\n", "feedback_red_days (5)"),
        ("theme = [\n", "cannot be read"),
    ],
)
def test_each_problem_is_one_line_naming_the_key(tmp_path: Path, text: str, named: str) -> None:
    path = write(tmp_path, text)
    _, problems = Settings.read(path)
    assert len(problems) == 1, problems
    assert named in problems[0]
    assert "\n" not in problems[0]
    with pytest.raises(UserError, match="config: "):
        Settings.load(path)


def test_good_keys_survive_a_bad_neighbour(tmp_path: Path) -> None:
    path = write(tmp_path, "urgent_feedback_days = 7\nnonsense = 1\n[wip_limits]\nreview = 2\n")
    settings, problems = Settings.read(path)
    assert [p.split(" in ")[0] for p in problems] == ["config: unknown key 'nonsense'"]
    assert settings.urgent_feedback_days == 7
    assert settings.wip_limits["review"] == 2


def test_config_check_lists_every_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    path = write(tmp_path, "a = 1\nb = 2\nurgent_feedback_days = 1\n")
    monkeypatch.setenv("SPRINTBOARD_CONFIG", str(path))
    result = cli("config", "check")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 2
    assert "'a'" in lines[0] and "'b'" in lines[1]
    assert all(line.startswith("error: config: ") for line in lines)


def test_config_check_and_path_on_a_good_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    path = write(tmp_path, "# comment\nurgent_feedback_days = 1\n")
    monkeypatch.setenv("SPRINTBOARD_CONFIG", str(path))
    assert cli("config", "check").out.strip() == f"config: {path}: ok"
    assert cli("config", "path").out.strip() == str(path)


def test_a_command_that_reads_settings_refuses_a_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.setenv("SPRINTBOARD_CONFIG", str(write(tmp_path, "urgent_feedback_dayz = 1\n")))
    result = cli("check")
    assert result.code == 2
    assert "unknown key 'urgent_feedback_dayz'" in result.err
    assert "Traceback" not in result.err
