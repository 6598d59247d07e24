"""Theme files are checked before Textual sees them: a bad value or a taken name is reported
in one line and the file skipped; the app always starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sprintboard import theming
from sprintboard.theming import load_themes, parse_theme
from sprintboard.tui import SprintboardApp

GOOD = 'name = "{name}"\nprimary = "#336699"\n'


def _use_folder(monkeypatch: pytest.MonkeyPatch, folder: Path, files: dict[str, str]) -> None:
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    monkeypatch.setattr(
        theming, "theme_files", lambda: sorted(folder.glob("*.toml"), key=lambda f: f.name)
    )


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[variables]\nblock-cursor-background = "red; } Screen {"', "neither a colour"),
        ('[variables]\nblock-cursor-background = "url(x)"', "neither a colour"),
        ('[variables]\nblock-cursor-background = "$primary"', "neither a colour"),
        ('[variables]\nblock-cursor-background = "notacolour"', "neither a colour"),
        ('[variables]\ntext-muted = "auto 200%"', "neither a colour"),
        ('[variables]\ntext-muted = "auto 50%; }"', "neither a colour"),
        ('[variables]\n"bad name{" = "red"', "is not a name"),
        ("[variables]\nborder = 3", "must be text"),
        ('secondary = "red;}"', "secondary is not a colour"),
        ("secondary = 12", "secondary is not a colour"),
        ('dark = "yes"', "'dark' must be true or false"),
    ],
)
def test_bad_values_are_refused_in_one_line(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match=needle) as raised:
        parse_theme("t.toml", GOOD.format(name="t") + text)
    assert "\n" not in str(raised.value)


def test_colours_and_text_styles_are_fine() -> None:
    theme = parse_theme(
        "t.toml",
        GOOD.format(name="t")
        + '[variables]\nblock-cursor-background = "#ff0000"\n'
        + 'block-cursor-text-style = "bold reverse"\nborder = "ansi_blue"\n'
        + 'text-muted = "auto 72%"\n',
    )
    assert theme.variables["block-cursor-text-style"] == "bold reverse"
    assert theme.variables["text-muted"] == "auto 72%"


def test_a_name_taken_by_a_builtin_or_an_earlier_file_is_skipped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _use_folder(
        monkeypatch,
        tmp_path,
        {
            "a.toml": GOOD.format(name="mine"),
            "b.toml": GOOD.format(name="mine"),
            "c.toml": GOOD.format(name="nord"),
        },
    )
    themes, problems = load_themes()
    assert [t.name for t in themes] == ["mine"]
    assert problems == [
        "theme b.toml: name 'mine' is already used by a.toml; rename it (skipped)",
        "theme c.toml: name 'nord' is already a built-in theme; rename it (skipped)",
    ]


async def test_the_app_starts_with_a_broken_theme_and_reports_it(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    board_app: Callable[..., SprintboardApp],
) -> None:
    folder = tmp_path / "themes"
    folder.mkdir()
    _use_folder(
        monkeypatch,
        folder,
        {
            "broken.toml": GOOD.format(name="broken")
            + '[variables]\nblock-cursor-background = "red; } Screen {"\n',
            "sprintboard-dark.toml": GOOD.format(name="sprintboard-dark"),
        },
    )
    app = board_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "broken" not in app.available_themes
        assert any("broken.toml" in p for p in app.startup_problems)
        assert app.theme == "sprintboard-dark"
