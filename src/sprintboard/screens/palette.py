"""A screen's keys as command palette entries, and how the palette names a key.

Light on purpose: every screen imports it at start-up. The palette itself (every screen's
actions by name, synonyms, recent commands) is screens/command_provider.py, imported when
the palette first opens.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen


def key_label(binding: Binding) -> str:
    """How a binding's key is named in the palette: its display, else its first key."""
    return binding.key_display or binding.key.split(",")[0]


def key_help(where: str, binding: Binding) -> str:
    """The palette's line under a command, naming its key: "Planning: start (key S)"."""
    return f"{where}: {binding.description.lower()} (key {key_label(binding)})"


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
        yield SystemCommand(
            binding.description,
            key_help(where, binding),
            lambda action=action: screen.run_action(action),
        )
