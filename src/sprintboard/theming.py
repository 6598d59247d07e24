"""Themes are data: TOML files in themes/, validated into Textual themes.

A wheel carries them as the `sprintboard.themes` package; an editable install reads the
checkout's themes/ folder. A broken file is reported, never fatal.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

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
    if "primary" not in data:
        raise ValueError(f"{name}: 'primary' colour is required")
    colours: dict[str, str] = {}
    for field in COLOUR_FIELDS:
        if field in data:
            try:
                colours[field] = Color.parse(str(data[field])).hex
            except ColorParseError:
                raise ValueError(f"{name}: {field} is not a colour ({data[field]!r})") from None
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"{name}: 'variables' must be a table")
    theme = Theme(
        name=data["name"],
        primary=colours.pop("primary"),
        dark=bool(data.get("dark", True)),
        variables={str(k): str(v) for k, v in variables.items()},
    )
    for field, value in colours.items():
        setattr(theme, field, value)
    return theme


def load_themes() -> tuple[list[Theme], list[str]]:
    """Every valid theme, and one message per file that could not be used."""
    themes: list[Theme] = []
    problems: list[str] = []
    for file in theme_files():
        try:
            themes.append(parse_theme(file.name, file.read_text(encoding="utf-8")))
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            problems.append(f"theme {exc}")
    return themes, problems
