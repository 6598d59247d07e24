"""`config`: where the settings file is, and whether every key in it is understood."""

from __future__ import annotations

from pathlib import Path

import click

from sprintboard.config import Settings, config_path
from sprintboard.errors import UserError


@click.group("config")
def config() -> None:
    """The settings file (config.toml): its path, and a check of every key."""


@config.command("path")
def path() -> None:
    """Print where the settings file is (SPRINTBOARD_CONFIG overrides it)."""
    click.echo(str(config_path()))


@config.command("check")
def check() -> None:
    """Check the settings file: one line per unknown key or bad value; exit 2 if any."""
    where = config_path()
    settings, problems = Settings.read(where)
    if not problems:
        problems = _theme_problems(settings.theme, where)
    if not problems:
        state = "ok" if where.exists() else "not there (the defaults apply)"
        click.echo(f"config: {where}: {state}")
        return
    for line in problems[:-1]:
        click.echo(f"error: {line}", err=True)
    raise UserError(problems[-1])


def _theme_problems(theme: str, where: Path) -> list[str]:
    """The app would start with its default theme (and a notice) for an unknown name."""
    # Theme files are read with Textual's Theme and colours: only this command needs them.
    from sprintboard.theming import theme_names

    names = theme_names()
    if theme in names:
        return []
    return [f"config: theme = {theme!r} in {where}: no such theme; one of {', '.join(names)}"]


COMMANDS = [config]
