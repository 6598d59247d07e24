"""The theme picker ("Theme" in the command palette) lists sprintboard's themes
first, then Textual's built-in ones."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import CommandList, CommandPalette
from textual.theme import BUILTIN_THEMES

from sprintboard.theming import load_themes
from sprintboard.tui import SprintboardApp

from .conftest import SIZE, wait_until


async def test_the_picker_lists_sprintboards_themes_first(
    board_app: Callable[..., SprintboardApp],
) -> None:
    ours = sorted(theme.name for theme in load_themes()[0])
    assert ours, "no theme files found"
    app = board_app()

    def listed() -> list[str]:
        """The palette's entries, each its first line."""
        if not isinstance(app.screen, CommandPalette):
            return []
        options = app.screen.query_one(CommandList).options
        return [str(option.prompt).split("\n")[0] for option in options]

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"theme")
        # The hits for a query arrive as it is typed: wait until "Theme" leads the list.
        assert await wait_until(pilot, lambda: listed()[:1] == ["Theme"]), listed()
        await pilot.pause(0.1)
        assert listed()[:1] == ["Theme"]
        await pilot.press("enter")  # the best match: "Theme", "Change the current theme"

        total = len(app.available_themes)
        assert await wait_until(pilot, lambda: len(listed()) == total), listed()
        names = listed()
        assert names[: len(ours)] == ours
        assert names[len(ours) :] == sorted(BUILTIN_THEMES)

        # Choosing one still sets the theme.
        await pilot.press("down", "enter")
        assert await wait_until(pilot, lambda: app.theme == ours[1])
