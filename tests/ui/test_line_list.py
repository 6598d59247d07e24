"""LineList, the base of the app's lists, on a small app of its own: what it draws, how it
scrolls with the cursor, the wheel and the page keys, what a click says, and its styles
following the theme and the focus. The model (rows and cursor) lives outside the widget,
as the screens' view models do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import ClassVar

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.events import MouseScrollDown, MouseScrollUp
from textual.pilot import Pilot
from textual.strip import Strip

from sprintboard.widgets.line_list import LineList

HEIGHT = 11  # one header line and ten rows
ROWS = 10_000


@dataclass
class Model:
    rows: list[str] = field(default_factory=lambda: [f"row {i}" for i in range(ROWS)])
    cursor: int = 0


class Numbers(LineList, can_focus=True):
    HEADER_HEIGHT = 1
    COMPONENT_CLASSES: ClassVar[set[str]] = {"numbers--selected"}
    DEFAULT_CSS = """
    Numbers > .numbers--selected { color: $primary; }
    Numbers:focus > .numbers--selected { color: $error; }
    """

    def __init__(self, model: Model) -> None:
        super().__init__(id="numbers")
        self.model = model
        self.empty_text = "Nothing here."
        self.drawn: list[int] = []

    @property
    def row_count(self) -> int:
        return len(self.model.rows)

    @property
    def cursor(self) -> int:
        return self.model.cursor

    def render_header(self, y: int, width: int) -> Strip:
        return Strip([Segment("HEADER".ljust(width))])

    def render_row(self, index: int, width: int) -> Strip:
        self.drawn.append(index)
        mark = ">" if index == self.cursor else " "
        return Strip([Segment(f"{mark}{self.model.rows[index]}".ljust(width))])


class ListApp(App[None]):
    # The keys belong to the app (as they belong to the screens), not to the list.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("down", "down", "Down")]

    def __init__(self, model: Model) -> None:
        super().__init__()
        self.model = model
        self.clicks: list[LineList.Clicked] = []

    def compose(self) -> ComposeResult:
        yield Numbers(self.model)

    def on_mount(self) -> None:
        self.query_one(Numbers).focus()
        self.query_one(Numbers).refresh_list()

    def action_down(self) -> None:
        before = self.model.cursor
        self.model.cursor = min(len(self.model.rows) - 1, before + 1)
        self.query_one(Numbers).refresh_list(moved_from=before)

    def on_line_list_clicked(self, event: LineList.Clicked) -> None:
        self.clicks.append(event)


def lines(widget: LineList) -> list[str]:
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


@asynccontextmanager
async def opened(model: Model) -> AsyncIterator[tuple[ListApp, Numbers, Pilot[None]]]:
    app = ListApp(model)
    async with app.run_test(size=(30, HEIGHT)) as pilot:
        await pilot.pause()
        yield app, app.query_one(Numbers), pilot


def select(numbers: Numbers, cursor: int) -> int:
    """Move the model's cursor as a screen does; the first row the list then shows."""
    numbers.model.cursor = cursor
    numbers.refresh_list()
    return numbers.top


async def test_draws_only_the_rows_on_screen() -> None:
    async with opened(Model()) as (_, numbers, pilot):
        numbers.drawn.clear()
        numbers.refresh()
        await pilot.pause()
        assert 0 < len(numbers.drawn) <= HEIGHT - 1
        assert set(numbers.drawn) <= set(range(10))
        assert lines(numbers)[:3] == ["HEADER", ">row 0", " row 1"]


async def test_the_cursor_is_kept_in_view_and_the_scroll_clamped() -> None:
    async with opened(Model()) as (_, numbers, _pilot):
        assert select(numbers, 500) == 491  # the cursor on the last line
        assert lines(numbers)[-1] == ">row 500"
        assert select(numbers, 495) == 491  # on screen already: no scrolling
        assert select(numbers, 5) == 5 and lines(numbers)[1] == ">row 5"
        assert select(numbers, ROWS - 1) == ROWS - 10
        del numbers.model.rows[20:]
        assert select(numbers, 3) == 3
        numbers.scroll_rows(100)
        assert numbers.top == 10  # no further than the last row at the bottom


async def test_the_wheel_scrolls_three_rows_and_leaves_the_cursor() -> None:
    async with opened(Model()) as (_, numbers, pilot):
        for turn in (MouseScrollDown, MouseScrollDown, MouseScrollUp):
            numbers.post_message(turn(numbers, 2, 3, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert numbers.top == 3 and numbers.model.cursor == 0
        assert lines(numbers)[1] == " row 3"


async def test_a_click_names_the_row_and_the_list() -> None:
    async with opened(Model(rows=[f"row {i}" for i in range(30)])) as (app, numbers, pilot):
        numbers.scroll_rows(4)
        await pilot.click(Numbers, offset=(2, 3))
        await pilot.click(Numbers, offset=(2, 0))  # the header
        await pilot.pause()
        assert [(c.index, c.control) for c in app.clicks] == [(6, numbers)]
        del numbers.model.rows[8:]
        numbers.refresh_list()
        await pilot.click(Numbers, offset=(2, 9))  # below the last row
        await pilot.pause()
        assert len(app.clicks) == 1


async def test_keys_go_to_the_app_and_the_list_follows() -> None:
    async with opened(Model()) as (_, numbers, pilot):
        for _ in range(12):
            await pilot.press("down")
        assert numbers.model.cursor == 12 and numbers.top == 3
        assert numbers.page_step(1) == 9 and numbers.page_step(-2) == -18


async def test_an_empty_list_says_so() -> None:
    async with opened(Model(rows=[])) as (_, numbers, _pilot):
        assert lines(numbers)[:3] == ["HEADER", "  Nothing here.", ""]


async def test_styles_follow_the_theme_and_the_focus() -> None:
    async with opened(Model()) as (app, numbers, pilot):

        def fresh() -> Style:  # what Textual works out now, past every cache of ours
            return numbers.get_component_rich_style("numbers--selected", partial=True)

        focused = numbers.get_style("numbers--selected")
        assert focused == fresh()
        app.theme = "nord"
        await pilot.pause()
        themed = numbers.get_style("numbers--selected")
        assert themed == fresh() and themed != focused
        numbers.blur()
        await pilot.pause()
        blurred = numbers.get_style("numbers--selected")
        assert blurred == fresh() and blurred != themed


def test_a_list_that_does_not_say_its_rows_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="without row_count, cursor, render_row"):

        class Unfinished(LineList):
            pass
