"""The CLI and store work end to end on the demo organisation."""

from __future__ import annotations

import json


def test_demo_then_current_sprint(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("demo").code == 0
    result = cli("card", "list", "--sprint", "current", "--json")
    assert result.code == 0
    cards = json.loads(result.out)
    assert cards and all(c["sprint"] == "Sprint 42" for c in cards)


def test_bad_points_is_one_line_and_exit_2(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("card", "add", "Fix cart", "--team", "IT", "--points", "-3")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "points" in result.err
