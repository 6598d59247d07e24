"""Bidirectional controls (U+202E and its kin) are kept in the data but shown as escapes
in human output, so a title cannot reorder a terminal line; emoji joiners stay as they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sprintboard.views.text import printable
from sprintboard.vocabulary import show_control

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
BIDI += ["\u200e", "\u200f"]
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji made with joiners


@pytest.mark.parametrize("char", BIDI)
def test_bidi_controls_are_shown_as_escapes(char: str) -> None:
    assert show_control(f"a{char}b") == f"a\\u{ord(char):04x}b"
    assert printable(f"a{char}b") == "a b"


def test_emoji_joiners_stay() -> None:
    assert show_control(FAMILY) == FAMILY and printable(FAMILY) == FAMILY


def test_cli_and_markdown_show_an_override_visibly(cli: Any, tmp_path: Path) -> None:
    title = f"Pay \u202eredro {FAMILY}"
    assert cli("card", "add", title, "--team", "IT").code == 0
    listed = cli("card", "list").out
    shown = cli("card", "show", "IT-1").out
    out = tmp_path / "board.md"
    assert cli("export", "--format", "md", "--sprint", "backlog", "-o", str(out)).code == 0
    for text in (listed, shown, out.read_text(encoding="utf-8")):
        assert "\u202e" not in text and "\\u202e" in text and FAMILY in text
    stored = json.loads(cli("card", "show", "IT-1", "--json").out)
    assert stored["title"] == title  # kept as written; JSON is for programs
