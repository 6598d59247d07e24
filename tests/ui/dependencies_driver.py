"""Driving the dependency screen in tests: the demo's links, reading the view, adding links."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment

from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_picker import CardPickerScreen
from sprintboard.screens.dependencies import DependencyScreen
from sprintboard.screens.dialogs import PickerScreen
from sprintboard.tui import SprintboardApp
from sprintboard.views.dependencies import LINK
from sprintboard.widgets.dependency_view import DependencyView

from .conftest import SCREEN_KEYS, Probe, settle, wait_until

# (blocker, dependent) -> the word the screen must show, and the theme colour it is drawn in
DEMO_IT_ECOM = {("ECOM-2", "IT-5"): "≈ same sprint", ("IT-6", "ECOM-4"): "≈ same sprint"}
EXTRA = {("IT-10", "ECOM-2"): "✗ late", ("ECOM-2", "IT-9"): "✓ ok", ("ECOM-3", "IT-7"): "✓ done"}
COLOUR_OF = {"✗ late": "error", "≈ same sprint": "warning", "✓ ok": "success", "✓ done": "success"}


# -- helpers --------------------------------------------------------------------------------


def screen_of(app: SprintboardApp) -> DependencyScreen:
    """The dependency screen, also while a dialog is open on top of it."""
    return next(s for s in reversed(app.screen_stack) if isinstance(s, DependencyScreen))


def shown_links(app: SprintboardApp) -> dict[tuple[str, str], str]:
    """(blocker, dependent) -> the word of each link row the view holds."""
    rows = screen_of(app).view.rows
    return {
        (r.link.blocker.key, r.link.dependent.key): r.link.style.label
        for r in rows
        if r.kind == LINK and r.link is not None
    }


def view_lines(app: SprintboardApp) -> list[str]:
    view = screen_of(app).query_one(DependencyView)
    return [view.render_line(y).text for y in range(view.size.height)]


def line_with(app: SprintboardApp, *parts: str) -> str:
    """The one drawn line of the view holding every part."""
    found = [line for line in view_lines(app) if all(p in line for p in parts)]
    assert len(found) == 1, (parts, view_lines(app))
    return found[0]


def label_segment(app: SprintboardApp, dependent: str, label: str) -> Segment:
    """The segment drawing a link's word on the row of `dependent`'s link."""
    view = screen_of(app).query_one(DependencyView)
    for y in range(view.size.height):
        strip = view.render_line(y)
        if f" {dependent} " not in f" {strip.text} ":
            continue
        for segment in strip:
            if segment.text.strip() == label:
                return segment
    raise AssertionError(f"no {label!r} drawn for {dependent}")


def header(app: SprintboardApp) -> str:
    return str(screen_of(app).query_one("#deps-header").render())


def stored_pairs(probe: Probe) -> set[tuple[str, str]]:
    with probe.store() as store:
        return set(store.deps.pairs())


def stored_between(probe: Probe, a: str, b: str) -> set[tuple[str, str]]:
    """Links whose two cards belong to teams a and b (either way), from the database."""
    with probe.store() as store:
        rows = store.deps.list()
    return {
        (r["blocker"], r["dependent"])
        for r in rows
        if {r["blocker_team"], r["dependent_team"]} == {a, b}
    }


def add_links(probe: Probe, links: dict[tuple[str, str], str]) -> None:
    with probe.store() as store:
        for blocker, dependent in links:
            store.deps.add(blocker, dependent)


async def open_dependencies(app: SprintboardApp, pilot: Any) -> DependencyScreen:
    """Switch to the dependency screen with its number key and wait until it is drawn."""
    assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
    await pilot.press(SCREEN_KEYS["dependencies"])
    assert await wait_until(
        pilot, lambda: isinstance(app.screen, DependencyScreen) and not app.screen.view.pending
    )
    await settle(app, pilot)
    return screen_of(app)


async def choose(pilot: Any, app: SprintboardApp, starts: str) -> None:
    """In an open PickerScreen, choose the option whose label starts with `starts`."""
    assert await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
    picker = app.screen
    assert isinstance(picker, PickerScreen)
    index = next(i for i, label in enumerate(picker.labels) if label.startswith(starts))
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")


async def pick_card(pilot: Any, app: SprintboardApp, key: str) -> None:
    """In the card finder, type a key and take the best match (which must be that card)."""
    assert await wait_until(pilot, lambda: isinstance(app.screen, CardPickerScreen))
    picker = app.screen
    assert isinstance(picker, CardPickerScreen)
    await pilot.press(*key)
    await pilot.pause()
    assert picker.shown[0]["key"] == key
    await pilot.press("enter")
