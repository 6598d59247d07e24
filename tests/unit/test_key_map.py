"""The key map: one meaning per key across every screen, in the README and the help."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.screen import Screen

import sprintboard.screens as screens_package
from sprintboard.screens.keymap import KEY_MAP, LOCAL_KEYS, markdown_table, meaning_of
from sprintboard.tui import SprintboardApp

README = Path(__file__).resolve().parents[2] / "README.md"


def _screens() -> list[type[Screen[object]]]:
    found = []
    for info in pkgutil.iter_modules(screens_package.__path__):
        module = importlib.import_module(f"sprintboard.screens.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, Screen):
                found.append(cls)
    return found


def _bindings() -> list[tuple[str, str, str]]:
    """(owner, key, action) for every binding of the app and of every screen."""
    rows = []
    owners: list[tuple[str, object]] = [("App", SprintboardApp)]
    owners += [(cls.__name__, cls) for cls in _screens()]
    for owner, cls in owners:
        for binding in vars(cls).get("BINDINGS", []):
            assert isinstance(binding, Binding), f"{owner}: bind with Binding(...)"
            action = binding.action.split("(")[0].removeprefix("app.")
            rows += [(owner, key.strip(), action) for key in binding.key.split(",")]
    return rows


def test_the_screens_are_found() -> None:
    names = {cls.__name__ for cls in _screens()}
    assert {"BoardScreen", "PlanningScreen", "InboxScreen", "FirstStartScreen"} <= names


def test_every_key_runs_only_the_kind_of_action_its_row_names() -> None:
    wrong = []
    for owner, key, action in _bindings():
        if (owner, key) in LOCAL_KEYS:
            continue
        row = meaning_of(key)
        if row is None:
            wrong.append(f"{owner}: {key} is not in the key map")
        elif action not in row.actions:
            wrong.append(f"{owner}: {key} runs {action}, but {row.shown} means {row.meaning}")
    assert wrong == []


def test_a_key_bound_to_another_kind_of_action_fails_the_check() -> None:
    row = meaning_of("d")
    assert row is not None and "delete_card" in row.actions
    assert "choose" not in row.actions  # the welcome dialog's old "d loads the demo"


def test_every_local_exception_is_still_needed_and_says_why() -> None:
    bound = {(owner, key) for owner, key, _ in _bindings()}
    for (owner, key), reason in LOCAL_KEYS.items():
        assert (owner, key) in bound, f"{owner} no longer binds {key}: drop its exception"
        assert len(reason) > 20


def test_no_key_has_two_rows() -> None:
    keys = [key for row in KEY_MAP for key in row.keys]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("key", "kind"),
    [("plus", "add_dependency"), ("o", "set_status"), ("m", "filter_mine"), ("s", "pick_sprint")],
)
def test_keys_that_once_meant_several_things_mean_one(key: str, kind: str) -> None:
    actions = {action for owner, k, action in _bindings() if k == key}
    row = meaning_of(key)
    assert row is not None and kind in row.actions
    assert actions <= row.actions


def test_the_readme_shows_the_key_map() -> None:
    assert markdown_table() in README.read_text(encoding="utf-8")
