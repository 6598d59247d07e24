"""A team's colour as the colour of its code: readable on the theme's background."""

from __future__ import annotations

import pytest
from textual.color import Color

from sprintboard.widgets.team_rows import contrast_ratio, readable_on

LIGHT = Color.parse("#f6f7f9")
DARK = Color.parse("#1b1f27")


def test_contrast_ratio_runs_from_one_to_twenty_one() -> None:
    assert contrast_ratio(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21, abs=0.01)
    assert contrast_ratio(LIGHT, LIGHT) == pytest.approx(1)


@pytest.mark.parametrize("colour", ["#f4a261", "#2a9d8f", "#e9c46a", "#ffffff", "#8ab17d"])
def test_a_pale_team_colour_is_darkened_on_a_light_theme(colour: str) -> None:
    shown = readable_on(colour, [LIGHT])
    assert contrast_ratio(Color.parse(shown), LIGHT) >= 5.5


@pytest.mark.parametrize("colour", ["#264653", "#000000", "#3a0ca3"])
def test_a_dark_team_colour_is_lightened_on_a_dark_theme(colour: str) -> None:
    shown = readable_on(colour, [DARK])
    assert contrast_ratio(Color.parse(shown), DARK) >= 5.5


def test_a_colour_that_already_reads_is_kept() -> None:
    assert readable_on("#f4a261", [DARK]) == "#f4a261"
    assert readable_on("#264653", [LIGHT]) == "#264653"


def test_the_colour_reads_on_every_background_given() -> None:
    selected = Color.parse("#b6cbe5")
    shown = readable_on("#00b4d8", [LIGHT, selected])
    assert min(contrast_ratio(Color.parse(shown), b) for b in (LIGHT, selected)) >= 5.5
