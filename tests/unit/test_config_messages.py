"""`config check` knows the theme names the app has; a settings file that cannot be read is
one plain line; saving keeps the file's owner."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from sprintboard.config import Settings
from sprintboard.errors import UserError


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "settings.toml"
    monkeypatch.setenv("SPRINTBOARD_CONFIG", str(path))
    return path


def test_check_refuses_an_unknown_theme(cli: Any, config_file: Path) -> None:
    config_file.write_text('theme = "nosuch"\n', encoding="utf-8")
    result = cli("config", "check")
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert "theme = 'nosuch'" in result.err and "no such theme" in result.err
    assert "sprintboard-light" in result.err and "nord" in result.err


@pytest.mark.parametrize("theme", ["sprintboard-contrast", "nord", "textual-dark"])
def test_check_takes_the_app_and_textual_themes(cli: Any, config_file: Path, theme: str) -> None:
    config_file.write_text(f'theme = "{theme}"\n', encoding="utf-8")
    result = cli("config", "check")
    assert result.code == 0 and result.out.endswith(": ok\n"), result.err


def test_a_folder_as_the_config_file_is_one_line(
    cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    monkeypatch.setenv("SPRINTBOARD_CONFIG", str(folder))
    result = cli("config", "check")
    assert result.code == 2
    assert result.err == f"error: config: {folder} is a directory; it must be a TOML file\n"
    with pytest.raises(UserError, match="is a directory"):
        Settings().save(folder)


def test_a_config_not_in_utf8_is_one_line(cli: Any, config_file: Path) -> None:
    config_file.write_bytes(b'theme = "\xff"\n')
    result = cli("config", "check")
    assert result.code == 2
    assert f"config: {config_file} is not UTF-8 text (byte 9)" in result.err
    assert "codec" not in result.err and result.err.count("\n") == 1
    settings = Settings(theme="nord")
    with pytest.raises(UserError, match="not UTF-8 text"):
        settings.save(config_file)
    assert config_file.read_bytes() == b'theme = "\xff"\n'


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_saving_as_root_keeps_the_owner(config_file: Path) -> None:
    config_file.write_text('theme = "sprintboard-dark"\n', encoding="utf-8")
    os.chown(config_file, 4321, 4321)
    Settings(theme="nord").save(config_file)
    assert 'theme = "nord"' in config_file.read_text(encoding="utf-8")
    info = config_file.stat()
    assert (info.st_uid, info.st_gid) == (4321, 4321)
