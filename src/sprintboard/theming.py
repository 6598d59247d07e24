"""Themes are data: TOML files in themes/, validated into Textual themes.

A wheel carries them as the `sprintboard.themes` package; an editable install reads the
checkout's themes/ folder. A broken file is reported, never fatal: every value is checked
here (colours parse, variables are colours or text styles, names are plain), because a
value Textual cannot read would stop the app when its stylesheet is built. A file whose
theme name is taken (a built-in theme, or an earlier file) is reported and skipped.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from functools import partial
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme, ThemeProvider

COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
DEFAULT_THEME = "sprintboard-dark"

_THEME_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_VARIABLE = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
_AUTO_COLOUR = re.compile(r"^\s*auto(\s+(100|[1-9]?[0-9])%)?\s*$")
"""Textual's contrasting text colour, at an opacity: what $text ("auto 87%") is made of."""
TEXT_STYLES = frozenset(
    {"none", "not", "bold", "dim", "italic", "underline", "underline2", "reverse", "strike"}
    | {"blink", "blink2", "overline", "b", "i", "u", "r", "s", "d", "o"}
)
"""Words a text-style variable (e.g. `block-cursor-text-style`) may use."""


def _variable(file: str, key: object, value: object) -> tuple[str, str]:
    """One `[variables]` entry, checked: a colour, `auto` with an opacity, or text-style
    words."""
    if not isinstance(key, str) or not _VARIABLE.match(key):
        raise ValueError(f"{file}: variable {key!r} is not a name like block-cursor-background")
    if not isinstance(value, str):
        raise ValueError(f"{file}: variable {key} must be text (got {value!r})")
    words = value.split()
    if words and all(word in TEXT_STYLES for word in words):
        return key, " ".join(words)
    if _AUTO_COLOUR.match(value):  # e.g. text-muted = "auto 72%", as Textual's own
        return key, " ".join(words)
    try:
        Color.parse(value)
    except ColorParseError:
        raise ValueError(
            f"{file}: variable {key} is neither a colour nor a text style (got {value!r})"
        ) from None
    return key, value.strip()


def theme_files() -> list[Traversable]:
    try:
        folder: Traversable = resources.files("sprintboard.themes")
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parents[2] / "themes"
    if not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def parse_theme(name: str, text: str) -> Theme:
    """One theme file's text -> Theme; ValueError with one line when it is not valid."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: not valid TOML ({exc})") from None
    unknown = set(data) - {"name", "dark", "variables", *COLOUR_FIELDS}
    if unknown:
        raise ValueError(f"{name}: unknown setting {sorted(unknown)[0]!r}")
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise ValueError(f"{name}: 'name' is required")
    if not _THEME_NAME.match(data["name"]):
        raise ValueError(
            f"{name}: name must be lower-case letters, digits, - or _ (got {data['name']!r})"
        )
    if not isinstance(data.get("dark", True), bool):
        raise ValueError(f"{name}: 'dark' must be true or false (got {data['dark']!r})")
    if "primary" not in data:
        raise ValueError(f"{name}: 'primary' colour is required")
    colours: dict[str, str] = {}
    for field in COLOUR_FIELDS:
        if field in data:
            try:
                if not isinstance(data[field], str):
                    raise ColorParseError("not text")
                colours[field] = Color.parse(data[field]).hex
            except ColorParseError:
                raise ValueError(f"{name}: {field} is not a colour ({data[field]!r})") from None
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"{name}: 'variables' must be a table")
    theme = Theme(
        name=data["name"],
        primary=colours.pop("primary"),
        dark=bool(data.get("dark", True)),
        variables=dict(_variable(name, k, v) for k, v in variables.items()),
    )
    for field, value in colours.items():
        setattr(theme, field, value)
    return theme


def load_themes() -> tuple[list[Theme], list[str]]:
    """Every valid theme, and one message per file that could not be used."""
    themes: list[Theme] = []
    problems: list[str] = []
    taken = {name: "a built-in theme" for name in BUILTIN_THEMES}
    for file in theme_files():
        try:
            theme = parse_theme(file.name, file.read_text(encoding="utf-8"))
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            problems.append(f"theme {exc}")
            continue
        if theme.name in taken:
            problems.append(
                f"theme {file.name}: name {theme.name!r} is already {taken[theme.name]}; "
                "rename it (skipped)"
            )
            continue
        taken[theme.name] = f"used by {file.name}"
        themes.append(theme)
    return themes, problems


def theme_names() -> list[str]:
    """The names a `theme` setting may use: Textual's built-in themes and sprintboard's
    valid theme files."""
    themes, _ = load_themes()
    return sorted({*BUILTIN_THEMES, *(theme.name for theme in themes)})


class SprintboardThemeProvider(ThemeProvider):
    """The theme picker's list: sprintboard's own themes first, then Textual's built-in
    ones, each group alphabetical (Textual's own provider sorts them all together)."""

    @property
    def commands(self) -> list[tuple[str, Callable[[], None]]]:
        def set_app_theme(name: str) -> None:
            self.app.theme = name

        names = sorted(self.app.available_themes, key=lambda name: (name in BUILTIN_THEMES, name))
        return [(name, partial(set_app_theme, name)) for name in names]
