"""`config`: where the settings file is, whether every key in it is understood, and
showing and setting its keys."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from sprintboard.cli.output import emit_json, say
from sprintboard.cli.params import NumberArguments
from sprintboard.config import (
    Settings,
    config_path,
    forget_setting,
    setting_keys,
    setting_value,
)
from sprintboard.errors import UserError


@click.group("config")
def config() -> None:
    """The settings file (config.toml): show, set and unset keys, its path, a check."""


def _refuse_problems(problems: list[str]) -> None:
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UserError(f"{problems[0]}{more}; see 'sprintboard config check'")


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(as_json: bool) -> None:
    """Print every setting as it applies (the file's value, else the default)."""
    settings, problems = Settings.read(config_path())
    values = asdict(settings)
    if as_json:
        emit_json(values)
    else:
        for key in setting_keys():
            name, _, column = key.partition(".")
            value = values[name][column] if column else values[name]
            line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
            if key == "user" and not value:
                line += "  # not set: git's user.name, else your account ('sprintboard whoami')"
            say(line)
    _refuse_problems(problems)


@config.command("set", cls=NumberArguments)
@click.argument("key", metavar="KEY")
@click.argument("value", metavar="VALUE")
def set_key(key: str, value: str) -> None:
    """Set KEY (user, theme, wip_limits.COLUMN or a number setting) to VALUE."""
    where = config_path()
    settings, _ = Settings.read(where)
    checked = setting_value(key, value, settings)
    if key == "theme":
        problems = _theme_problems(checked, where)
        if problems:
            raise UserError(problems[0].replace(f" in {where}", "", 1))
    name, _, column = key.partition(".")
    if column:
        getattr(settings, name)[column] = checked
    else:
        setattr(settings, name, checked)
    settings.save(where)
    say(f"{key} = {json.dumps(checked, ensure_ascii=False)} (in {where})")


@config.command("unset")
@click.argument("key", metavar="KEY")
def unset_key(key: str) -> None:
    """Remove KEY from the settings file: its default applies again."""
    where = config_path()
    if forget_setting(key, where):
        say(f"{key} removed from {where}; the default applies")
    else:
        say(f"{key} is not set in {where}; the default applies")


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
