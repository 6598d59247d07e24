"""Every command the CLI has is documented in the README's command tables."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from sprintboard.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
CONTEXT = click.Context(cli)


def rows() -> dict[str, str]:
    """The command tables: first cell (a group, or — for top-level commands) -> the row."""
    found: dict[str, str] = {}
    for line in README.splitlines():
        match = re.match(r"^\| (`[a-z-]+`|—) \| (.*) \|$", line)
        if match:
            found[match.group(1).strip("`")] = found.get(match.group(1).strip("`"), "") + (
                " " + match.group(2)
            )
    return found


def commands() -> list[tuple[str, str | None]]:
    """(command, verb) for every command: verb None for a command without sub-commands."""
    found: list[tuple[str, str | None]] = []
    for name in cli.list_commands(CONTEXT):
        command = cli.get_command(CONTEXT, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found += [(name, verb) for verb in command.list_commands(CONTEXT)]
        else:
            found.append((name, None))
    return found


@pytest.mark.parametrize(("name", "verb"), commands(), ids=lambda v: v or "")
def test_every_command_is_in_the_readme(name: str, verb: str | None) -> None:
    table = rows()
    if verb is None:
        assert re.search(rf"`{name}\b", table.get("—", "")), f"{name}: not in the — row"
    else:
        assert name in table, f"group {name}: no row in the README's command table"
        assert re.search(rf"`{verb}\b", table[name]), f"{name} {verb}: not in the {name} row"
