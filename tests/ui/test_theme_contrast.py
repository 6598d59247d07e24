"""Every sprintboard theme stays readable where people use it: in a truecolor terminal, and
inside tmux or screen, where Rich sends the 256-colour palette instead.

Each theme's main screens are rendered headless; every cell holding text is then taken
the way a terminal would show it: the colours downgraded the way Rich downgrades them for
that colour system, reverse video swapped, dim text halfway to its background, and a
terminal-default colour (`ansi_default`, or none set) judged on both a dark and a light
terminal, since sprintboard cannot know which one it runs in. The WCAG contrast ratio of
the text against its background must be at least `MINIMUM`.

Why 3:1: it is WCAG's AA level for large text and for the parts of an interface one must
see to use it. A terminal cell is not large text, and most of sprintboard's text is far
above this (the body text of every theme is 10:1 or more); but secondary text (the muted
points and initials on a card, an empty column's hint, the help's descriptions) is meant
to recede, and 3:1 is the floor below which it stops being readable on a projector or a
washed-out laptop screen. What is not text is not judged: box-drawing rules and borders,
block characters (the team stripe, bars, scrollbars), braille (the charts' lines) and
emoji (a terminal draws them in their own colours). Nor is text in a team's own colour
(its stripe and marker): the organisation chooses those (`sprintboard team --colour`), not
the theme. A team's code written in its colour (the goals screen) and the selected card's
`▶` marker are judged: they are drawn in the team's colour moved until they read on the
theme (`team_rows.readable_on`, `readable_marker`).

Rules and frames (box drawing) are judged apart, at `STRUCTURE_MINIMUM`: they need not be
read, only seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from rich.color import Color, ColorSystem, ColorType
from rich.color_triplet import ColorTriplet
from rich.style import Style
from textual.pilot import Pilot
from textual.strip import Strip

from sprintboard.config import Settings
from sprintboard.screens.board import BoardScreen
from sprintboard.theming import load_themes
from sprintboard.tui import SprintboardApp

from .conftest import SCREEN_KEYS, SIZE, settle, wait_until

MINIMUM = 3.0
"""The lowest contrast ratio any text may have (see the module's docstring)."""

STRUCTURE_MINIMUM = 1.5
"""The lowest contrast ratio of a rule or frame: structure, not text, but it must show
(the light theme drew the board's header rule and unfocused panels white on white)."""

THEMES = sorted(theme.name for theme in load_themes()[0])
SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT}

# A terminal's own colours, for cells that leave the colour to the terminal.
DARK_TERMINAL = (ColorTriplet(0x1E, 0x1E, 0x1E), ColorTriplet(0xD0, 0xD0, 0xD0))
LIGHT_TERMINAL = (ColorTriplet(0xFF, 0xFF, 0xFF), ColorTriplet(0x20, 0x20, 0x20))
TERMINALS = {"dark terminal": DARK_TERMINAL, "light terminal": LIGHT_TERMINAL}


def _not_text(char: str) -> bool:
    """Cells whose contrast is not text contrast: space, rules and borders, blocks, braille."""
    code = ord(char)
    return (
        char.isspace()
        or 0x2500 <= code <= 0x259F  # box drawing, block elements
        or 0x2800 <= code <= 0x28FF  # braille (plotext's lines)
        or code >= 0x1F000  # emoji: drawn in their own colours, whatever the style says
    )


def _structure(text: str) -> bool:
    """A run of box drawing (rules, frames, the planning screen's divider), maybe spaced."""
    return bool(text.strip()) and all(
        char == " " or 0x2500 <= ord(char) <= 0x257F or char in "▏▕" for char in text
    )


def _luminance(rgb: ColorTriplet) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: ColorTriplet, two: ColorTriplet) -> float:
    """The WCAG 2 contrast ratio of two colours, 1 to 21."""
    high, low = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _shown(color: Color | None, system: ColorSystem, default: ColorTriplet) -> ColorTriplet | None:
    """The colour a terminal of this colour system shows; None when it is the terminal's."""
    if color is None or color.type == ColorType.DEFAULT:
        return None
    downgraded = color.downgrade(system)
    if downgraded.type in (ColorType.STANDARD, ColorType.WINDOWS) or (
        downgraded.type == ColorType.EIGHT_BIT and (downgraded.number or 0) < 16
    ):
        # The 16 ANSI colours are the terminal's to choose: Textual converts them to
        # truecolor itself unless a theme asks for ANSI, so they should not reach here.
        raise AssertionError(f"an ANSI colour reached the terminal: {color.name}")
    return downgraded.get_truecolor()


def _blend(fore: ColorTriplet, back: ColorTriplet, amount: float) -> ColorTriplet:
    return ColorTriplet(*(round(b + (f - b) * amount) for f, b in zip(fore, back, strict=True)))


def cell_contrast(style: Style, system: ColorSystem, terminal: tuple[ColorTriplet, ...]) -> float:
    """The contrast of a cell's text on a terminal of `system` with these own colours."""
    term_back, term_fore = terminal
    fore = _shown(style.color, system, term_fore) or term_fore
    back = _shown(style.bgcolor, system, term_back) or term_back
    if style.reverse:
        fore, back = back, fore
    if style.dim:  # terminals draw dim text about halfway to its background
        fore = _blend(fore, back, 0.5)
    return contrast(fore, back)


@dataclass(frozen=True)
class Cell:
    screen: str
    row: int
    text: str  # the run of text the cell belongs to, to name it in a failure
    style: Style
    structure: bool = False  # a rule or frame, judged at STRUCTURE_MINIMUM


def screen_cells(app: SprintboardApp, screen: str) -> Iterator[Cell]:
    """Every text cell on the terminal, modals and the screens under them included."""
    top = app.screen
    # Under a dialog the screen behind is faded on purpose: only the dialog is to be read.
    # A scrolled widget's region runs past its container: only its clipped part shows.
    regions = [
        region.intersection(clip)
        for widget, (region, clip) in top._compositor.visible_widgets.items()
        if widget is not top or not top.is_modal
    ]
    update = top._compositor.render_update(full=True, screen_stack=app._background_screens)
    for row, line in enumerate(getattr(update, "strips")):  # noqa: B009
        x = 0
        for segment in Strip.join(line):
            start, x = x, x + segment.cell_length
            if segment.control or not segment.text:
                continue
            if not any(r.contains(start, row) for r in regions):
                continue
            if any(not _not_text(char) for char in segment.text):
                yield Cell(screen, row, segment.text.strip(), segment.style or Style())
            elif _structure(segment.text):
                yield Cell(screen, row, segment.text.strip(), segment.style or Style(), True)


def _uses_default(style: Style) -> bool:
    return any(c is None or c.type == ColorType.DEFAULT for c in (style.color, style.bgcolor))


@dataclass
class Finding:
    theme: str
    system: str
    terminal: str
    cell: Cell
    ratio: float

    def __str__(self) -> str:
        return (
            f"{self.theme} {self.system} ({self.terminal}) {self.cell.screen} row "
            f"{self.cell.row}: {self.ratio:.2f}:1 {self.cell.text[:40]!r} "
            f"fg={self.cell.style.color and self.cell.style.color.name} "
            f"bg={self.cell.style.bgcolor and self.cell.style.bgcolor.name}"
        )


def judge(
    theme: str, cells: list[Cell], minimum: float = MINIMUM
) -> tuple[dict[str, float], list[Finding]]:
    """The lowest ratio per colour system, and every cell below `minimum`."""
    lowest: dict[str, float] = {}
    findings: list[Finding] = []
    seen: set[tuple[str, str, str, str, Style]] = set()
    for system_name, system in SYSTEMS.items():
        lowest[system_name] = 21.0
        for cell in cells:
            terminals = TERMINALS if _uses_default(cell.style) else {"": DARK_TERMINAL}
            for terminal_name, terminal in terminals.items():
                ratio = cell_contrast(cell.style, system, terminal)
                lowest[system_name] = min(lowest[system_name], ratio)
                key = (system_name, terminal_name, cell.screen, cell.text, cell.style)
                if ratio < minimum and key not in seen:
                    seen.add(key)
                    findings.append(Finding(theme, system_name, terminal_name, cell, ratio))
    return lowest, findings


def summary(findings: list[Finding], most: int = 80) -> str:
    """One line per colour pair that fails, worst first, with where and what it shows."""
    groups: dict[tuple[str, str, str, str], list[Finding]] = {}
    for f in findings:
        fg, bg = f.cell.style.color, f.cell.style.bgcolor
        key = (f.system, f.terminal, fg.name if fg else "default", bg.name if bg else "default")
        groups.setdefault(key, []).append(f)
    lines = []
    for (system, terminal, fg_name, bg_name), group in sorted(
        groups.items(), key=lambda g: g[1][0].ratio
    ):
        screens = sorted({f.cell.screen for f in group})
        texts = sorted({f.cell.text[:20] for f in group})[:4]
        where = f"{system} {terminal}".strip()
        lines.append(
            f"{group[0].theme} {where}: {group[0].ratio:.2f}:1 fg={fg_name} bg={bg_name} "
            f"on {', '.join(screens)}: {texts}"
        )
    return "\n".join(lines[:most])


# -- the screens ---------------------------------------------------------------------------

Visit = Callable[[Pilot[Any]], Any]


async def _press(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(cast(SprintboardApp, pilot.app), pilot, rounds=3)


def _key(key: str) -> Visit:
    return lambda pilot: _press(pilot, key)


VISITS: list[tuple[str, Visit, str]] = [
    # (name, how to get there from the board, how to get back to the board)
    *((mode, _key(key), "1") for mode, key in SCREEN_KEYS.items()),
    ("board: selection moved", _key("l"), ""),
    ("keys (?)", _key("question_mark"), "escape"),
    ("card detail", _key("enter"), "escape"),
    ("findings (!)", _key("exclamation_mark"), "escape"),
    ("command palette", _key("ctrl+p"), "escape"),
]


async def render_screens(app: SprintboardApp, pilot: Pilot[Any]) -> list[Cell]:
    assert await wait_until(
        pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.sprint
    )
    await settle(app, pilot, rounds=3)
    cells: list[Cell] = []
    for name, visit, back in VISITS:
        await visit(pilot)
        cells += screen_cells(app, name)
        if back:
            await _press(pilot, back)
    return cells


_RENDERED: dict[str, list[Cell]] = {}
"""Each theme's cells, rendered once per test process for the tests below."""


async def _cells(board_app: Callable[..., SprintboardApp], theme: str) -> list[Cell]:
    if theme not in _RENDERED:
        app = board_app(settings=Settings(theme=theme), live_refresh=0)
        async with app.run_test(size=SIZE) as pilot:
            cells = await render_screens(app, pilot)
            teams = await app.backend.run(app.store.teams.list)
        team_colours = {Color.parse(team["colour"]).triplet for team in teams}
        _RENDERED[theme] = [
            cell
            for cell in cells
            if cell.style.color is None
            or cell.style.color.triplet not in team_colours
            or cell.text == "▶"  # the selected card's marker is read, in any colour
        ]
        assert {cell.screen for cell in _RENDERED[theme]} >= {name for name, _, _ in VISITS}
    return _RENDERED[theme]


CARD_KEY = re.compile(r"^[A-Z]+-[0-9]+$")


# Both tests of a theme run in one test process, which renders the theme's screens once.
BY_THEME = [pytest.param(t, marks=pytest.mark.xdist_group(f"contrast-{t}")) for t in THEMES]


@pytest.mark.parametrize("theme", BY_THEME)
async def test_card_keys_are_readable_in_truecolor_and_256_colours(
    board_app: Callable[..., SprintboardApp], theme: str
) -> None:
    """The card keys on every screen that lists cards, on the theme's own backgrounds
    (they were white on the light theme's near-white one). On a selected row they are
    in the test below."""
    theme_ = next(t for t in load_themes()[0] if t.name == theme)
    plain = {c.lower() for c in (theme_.background, theme_.surface, theme_.panel) if c}
    keys = [
        cell
        for cell in await _cells(board_app, theme)
        if not cell.structure
        and CARD_KEY.match(cell.text)
        and cell.style.bgcolor
        and cell.style.bgcolor.name in plain
    ]
    assert len({cell.screen for cell in keys}) >= 4
    _, findings = judge(theme, keys)
    assert not findings, f"{len(findings)} card keys below {MINIMUM}:1\n" + summary(findings)


@pytest.mark.parametrize("theme", BY_THEME)
async def test_every_text_cell_is_readable_in_truecolor_and_256_colours(
    board_app: Callable[..., SprintboardApp], theme: str
) -> None:
    text = [cell for cell in await _cells(board_app, theme) if not cell.structure]
    lowest, findings = judge(theme, text)
    print(theme, {system: round(ratio, 2) for system, ratio in lowest.items()})
    assert not findings, f"{len(findings)} cells below {MINIMUM}:1\n" + summary(findings)


@pytest.mark.parametrize("theme", BY_THEME)
async def test_rules_and_frames_show_in_truecolor_and_256_colours(
    board_app: Callable[..., SprintboardApp], theme: str
) -> None:
    """The board's header rule, the teams screen's unfocused panels and every other
    box-drawing line stand out from their background at STRUCTURE_MINIMUM."""
    rules = [cell for cell in await _cells(board_app, theme) if cell.structure]
    assert {"board", "teams"} <= {cell.screen for cell in rules}
    lowest, findings = judge(theme, rules, STRUCTURE_MINIMUM)
    print(theme, {system: round(ratio, 2) for system, ratio in lowest.items()})
    assert not findings, f"{len(findings)} rule cells below {STRUCTURE_MINIMUM}:1\n" + summary(
        findings
    )


def test_every_theme_file_is_checked() -> None:
    _, problems = load_themes()
    assert not problems
    assert THEMES == ["sprintboard-contrast", "sprintboard-dark", "sprintboard-light"]


def test_the_measure_can_fail() -> None:
    """Grey text that is fine in truecolor collapses onto its background in 256 colours."""
    style = Style(color="#5f5f5f", bgcolor="#4e4e4e")
    assert cell_contrast(style, ColorSystem.EIGHT_BIT, DARK_TERMINAL) < MINIMUM
    light_on_default = Style(color="#f6f7f9")
    assert cell_contrast(light_on_default, ColorSystem.TRUECOLOR, LIGHT_TERMINAL) < MINIMUM
    assert contrast(ColorTriplet(0, 0, 0), ColorTriplet(255, 255, 255)) == pytest.approx(21)
    white_rule = Style(color="#ffffff", bgcolor="#f6f7f9")
    assert cell_contrast(white_rule, ColorSystem.EIGHT_BIT, DARK_TERMINAL) < STRUCTURE_MINIMUM
    assert _structure("─────") and _structure("╭─ ")
    assert not _structure("▌") and not _structure("a─")
