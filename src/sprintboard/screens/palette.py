"""A screen's keys as command palette entries: every action reachable by name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen


def binding_commands(
    screen: Screen[Any], where: str, skip: tuple[str, ...] = ("cursor",)
) -> Iterable[SystemCommand]:
    """A screen's bindings for the command palette, one per action (named after its first
    binding and key); actions starting with one of `skip` are left out."""
    seen: set[str] = set()
    for binding in screen.BINDINGS:
        if not isinstance(binding, Binding) or binding.action.startswith(skip):
            continue
        action = binding.action
        if action in seen:
            continue
        seen.add(action)
        key = binding.key_display or binding.key.split(",")[0]
        yield SystemCommand(
            binding.description,
            f"{where}: {binding.description.lower()} (key {key})",
            lambda action=action: screen.run_action(action),
        )
