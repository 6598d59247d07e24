"""Saving settings edits config.toml in place: comments, order, unknown keys and a
symlink survive, and only the changed key changes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sprintboard.config import Settings
from sprintboard.errors import UserError

HAND_WRITTEN = """\
# My sprintboard settings (kept in my dotfiles)
theme = "sprintboard-dark"   # dark for the evening

[wip_limits]
doing = 6     # we are a small team
# review is the bottleneck
review = 3

[future]
something = "a key this version does not know"
"""


def load(path: Path) -> Settings:
    """The settings the file gives. The unknown `[future]` table is reported when read
    (tests/unit/test_config.py), but a save must never remove it."""
    settings, problems = Settings.read(path)
    assert all("'future'" in problem for problem in problems), problems
    return settings


def test_a_theme_change_touches_only_the_theme(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    settings = load(path)
    settings.theme = "sprintboard-light"
    settings.save(path)
    expected = HAND_WRITTEN.replace('"sprintboard-dark"', '"sprintboard-light"')
    assert path.read_text(encoding="utf-8") == expected
    assert load(path).wip_limits == {"todo": 0, "doing": 6, "review": 3}


def test_a_changed_limit_is_written_into_its_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    settings = load(path)
    settings.wip_limits["review"] = 4
    settings.save(path)
    text = path.read_text(encoding="utf-8")
    assert "review = 4" in text and "# review is the bottleneck" in text
    assert text.replace("review = 4", "review = 3") == HAND_WRITTEN


def test_nothing_changed_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    before = path.stat().st_mtime_ns
    load(path).save(path)
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN
    assert path.stat().st_mtime_ns == before


def test_a_symlinked_config_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "sprintboard.toml"
    real.parent.mkdir()
    real.write_text(HAND_WRITTEN, encoding="utf-8")
    real.chmod(0o600)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    settings = load(link)
    settings.theme = "sprintboard-contrast"
    settings.save(link)
    assert link.is_symlink() and link.resolve() == real
    assert 'theme = "sprintboard-contrast"' in real.read_text(encoding="utf-8")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(p.name for p in real.parent.iterdir()) == ["sprintboard.toml"]


def test_a_new_file_holds_only_what_differs(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    Settings(theme="sprintboard-light").save(path)
    assert path.read_text(encoding="utf-8").strip() == 'theme = "sprintboard-light"'
    assert load(path).theme == "sprintboard-light"


def test_a_broken_file_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError, match="cannot be read"):
        Settings(theme="sprintboard-light").save(path)
    assert path.read_text(encoding="utf-8") == "theme = [unclosed\n"
