"""The card detail with a checklist and a comment thread, and the mentions view, pinned.

The comments hold text that looks like markup (`[bold]`, `[/]`), an emoji and wide
characters: the screenshots show them as typed. Comments are written by two people
(another member through a Store of their own, and the tests' user), at the frozen clock.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from sprintboard.app import make_app
from sprintboard.config import Settings
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.mentions import MentionsScreen
from sprintboard.store import Store
from sprintboard.tui import SprintboardApp

from .conftest import BIG, Snap, board_ready, press_quietly, quiet, until

OTHER = "Sanne de Vries"


def people_plan(store: Store) -> None:
    """ECOM-4 gets a ticked checklist item and a thread; IT-5 mentions the tests' user."""
    path, clock = store.path, store.clock
    with Store(path, clock=clock, actor=OTHER) as sanne:
        sanne.checklists.add("ECOM-4", "Legal: check the Klarna terms")
        sanne.comments.add(
            "ECOM-4",
            "@Priya can we ship this before the [bold]spring[/bold] promo? 🎉\n"
            "Second line: 購物車 and \\[escaped] text.",
        )
        sanne.comments.add("IT-5", "@tester please review the guest checkout 🛒 [red]now[/]")
    items = store.checklists.for_card("ECOM-4")
    store.checklists.tick(items[0]["id"])
    store.comments.add("ECOM-4", "On it. @sanne.de.vries the terms are fine.")


@pytest.fixture
def people_app(demo_store: Store) -> SprintboardApp:
    people_plan(demo_store)
    clock, path = demo_store.clock, demo_store.path
    demo_store.close()
    return make_app(path, clock=clock, settings=Settings(), live_refresh=0)


def test_card_detail_with_thread_and_checklist(snap_compare: Snap, people_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await board_ready(pilot)
        await press_quietly(pilot, "enter")  # ECOM-4
        await until(pilot, lambda: isinstance(pilot.app.screen, CardDetailScreen))
        await quiet(pilot, 3)

    assert snap_compare(people_app, terminal_size=BIG, run_before=run)


def test_mentions_view(snap_compare: Snap, people_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await board_ready(pilot)
        await press_quietly(pilot, "at")
        await until(pilot, lambda: isinstance(pilot.app.screen, MentionsScreen))
        await quiet(pilot, 3)

    assert snap_compare(people_app, terminal_size=BIG, run_before=run)
