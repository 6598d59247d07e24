"""How teams, members and onboarding steps read on the teams screen, as `Content` lines.

Names, roles and steps are user text: they go in as `Content(...)`, never as markup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.style import Style as RichStyle
from textual.color import Color
from textual.content import Content

from sprintboard.views.text import fit, printable

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
FORMAT_SHORT = {"co-located": "co-located", "remote": "remote", "external provider": "external"}


def safe_colour(value: Any) -> str | None:
    """The colour if it is a '#rrggbb' hex (the only kind the models let in), else None."""
    return value if isinstance(value, str) and _HEX.match(value) else None


def _luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast_ratio(one: Color, other: Color) -> float:
    """WCAG's contrast ratio of two colours, 1 (none) to 21 (black on white)."""
    a, b = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _until_it_reads(found: Color, reads: Callable[[Color], bool], light: bool) -> Color:
    """`found`, or the first step of it towards black (on a light background) or white that
    `reads`; black or white when none does."""
    target = Color(0, 0, 0) if light else Color(255, 255, 255)
    for step in range(21):
        moved = found.blend(target, step / 20)
        if reads(moved):
            return moved
    return target


def readable_on(colour: str, backgrounds: Sequence[Color], ratio: float = 5.5) -> str:
    """`colour` as text on each of `backgrounds` (a list's rows, its selected row): itself
    when it reads at `ratio` on all of them, else moved towards black or white (away from
    the backgrounds) until it does. A team's colour is chosen for its stripe; as the colour
    of its code it must still read on a light theme, and in 256 colours, hence 5.5:1."""
    found = Color.parse(colour)
    if all(contrast_ratio(found, back) >= ratio for back in backgrounds):
        return colour
    light = sum(_luminance(back) for back in backgrounds) / len(backgrounds) > 0.18
    return _until_it_reads(
        found, lambda c: all(contrast_ratio(c, back) >= ratio for back in backgrounds), light
    ).hex


def readable_marker(colour: str, back: RichStyle, ratio: float = 3.0) -> str:
    """`colour` for a glyph (the selected card's `▶`) drawn on `back`'s background: itself
    when it reads at `ratio` there, else moved towards black or white until it does, as a
    truecolor terminal draws it and as tmux's 256 colours do (both colours rounded)."""
    if back.bgcolor is None:
        return colour
    true_back = Color(*back.bgcolor.get_truecolor())
    palette_back = Color(*back.bgcolor.downgrade(ColorSystem.EIGHT_BIT).get_truecolor())

    def reads(fore: Color) -> bool:
        palette = RichColor.from_rgb(fore.r, fore.g, fore.b).downgrade(ColorSystem.EIGHT_BIT)
        return (
            contrast_ratio(fore, true_back) >= ratio
            and contrast_ratio(Color(*palette.get_truecolor()), palette_back) >= ratio
        )

    found = Color.parse(colour)
    if reads(found):
        return colour
    return _until_it_reads(found, reads, _luminance(true_back) > 0.18).hex


@functools.lru_cache(maxsize=256)
def marker_style(colour: str, back: RichStyle) -> RichStyle:
    """The selected row's `▶` in its team's colour on `back` (the selection, which carries
    the theme and focus), readable at 3:1: worked out once per colour and background, not
    per cell. The board and the planning lists share it."""
    return back + RichStyle(color=readable_marker(colour, back), bold=True)


def swatch(colour: Any, width: int = 2) -> Content:
    found = safe_colour(colour)
    return Content.styled("█" * width, found) if found else Content("?" * width)


def onboarding_counts(checklist: Mapping[str, bool]) -> tuple[int, int]:
    return sum(1 for done in checklist.values() if done), len(checklist)


def dots(done: int, total: int) -> Content:
    """'●●●○ 3/4': one dot per step."""
    style = "$success" if total and done == total else "$warning"
    shown = min(total, 8)
    filled = min(done, shown)
    return (
        Content.styled("●" * filled, style)
        + Content.styled("○" * (shown - filled), "dim")
        + Content(f" {done}/{total}")
    )


def team_line(
    team: Mapping[str, Any], members: Sequence[Mapping[str, Any]], *, compact: bool = False
) -> Content:
    """Swatch, code, name, format, capacity, members and how many are fully onboarded;
    `compact`: swatch, code and name only (the summary beside the list has the rest)."""
    ready = sum(1 for m in members if all(m["onboarding"].values()))
    fmt = FORMAT_SHORT.get(team["format"], printable(str(team["format"])))
    line = swatch(team["colour"]) + Content.styled(f" {fit(team['code'], 5)}", "bold")
    if compact:
        line += Content(printable(team["name"]))
        return line.stylize("dim") if team["archived"] else line
    line += Content(fit(printable(team["name"]), 18)) + Content(
        f" {fit(fmt, 10)} {team['capacity']:>3} pts"
    )
    if team["archived"]:
        # In place of the members: an archived team plans no more work.
        return line.stylize("dim") + Content.styled("  archived", "italic")
    return line + Content(f"  {len(members):>2} ppl {ready:>2} ready")


def team_summary(team: Mapping[str, Any], members: Sequence[Mapping[str, Any]]) -> Content:
    """The selected team in two lines, above its members."""
    name = printable(team["name"])
    first = (
        swatch(team["colour"], 4)
        + Content.styled(f" {team['code']}  ", "bold")
        + Content.styled(name, "bold")
        + (Content.styled("  (archived)", "italic $warning") if team["archived"] else Content(""))
    )
    details = [
        f"format {team['format']}",
        f"colour {team['colour']}",
        f"capacity {team['capacity']} points per sprint",
    ]
    if team.get("throughput_per_day") is not None:
        details.append(f"throughput {team['throughput_per_day']} orders/day")
    done = sum(onboarding_counts(m["onboarding"])[0] for m in members)
    ready = sum(1 for m in members if all(m["onboarding"].values()))
    total = sum(onboarding_counts(m["onboarding"])[1] for m in members)
    people = (
        f"{len(members)} members, {ready} fully onboarded · onboarding {done}/{total} steps done"
    )
    return first + Content("\n" + " · ".join(details) + "\n" + people)


def member_line(member: Mapping[str, Any], *, compact: bool = False) -> Content:
    """Name, role, onboarding dots; `compact`: name, dots, then the role, which the list's
    ellipsis may cut, never the name."""
    done, total = onboarding_counts(member["onboarding"])
    role = printable(member["role"]) or "-"
    if compact:
        name = Content(fit(printable(member["name"]), 20) + " ")
        return name + dots(done, total) + Content(" ") + Content.styled(role, "italic")
    return (
        Content(fit(printable(member["name"]), 24) + " ")
        + Content.styled(fit(role, 34), "italic")
        + Content(" ")
        + dots(done, total)
    )


def step_line(step: str, done: bool) -> Content:
    box = Content.styled("☑ ", "$success bold") if done else Content.styled("☐ ", "bold")
    text = Content(printable(step))
    return box + (text.stylize("dim") if done else text)
