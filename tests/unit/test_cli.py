"""The command line, in-process on a temporary database: every verb, JSON shapes, bad input."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from cli_fixtures import (
    JSON_KEYS,
    README,
    TIMESTAMP,
    js,
    keys_of,
    ok,
)

from sprintboard import __version__

pytest_plugins = ["cli_fixtures"]  # its fixtures: demo

# -- JSON shapes -----------------------------------------------------------------------------


def test_readme_documents_these_keys() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("### JSON output", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, list[str]] = {}
    for bullet in re.split(r"\n- ", section)[1:]:
        bullet = bullet.split("\n\n", 1)[0]  # the list ends at a blank line
        name = re.match(r"\*\*(\w+)\*\*", bullet)
        assert name, bullet
        body = bullet.split(":", 1)[1]
        while re.search(r"\([^()]*\)", body):
            body = re.sub(r"\([^()]*\)", "", body)
        documented[name.group(1)] = re.findall(r"`([a-z_]+)`", body)
    assert documented == JSON_KEYS


def test_json_shapes_of_every_list_and_show(demo: Any) -> None:
    cards = js(demo, "card", "list")
    assert len(cards) == 59
    for card in cards:
        keys_of("card", card)
    shown = js(demo, "card", "show", "MKT-2")
    assert list(shown) == [*JSON_KEYS["card"], "comments", "checklist"]
    assert shown["teams"][0] == shown["team"] == "MKT"
    assert {shown["status"]} <= {"backlog", "todo", "doing", "review", "done"}
    assert shown["priority"] in ("low", "medium", "high", "urgent")
    assert TIMESTAMP.match(shown["created_at"]) and TIMESTAMP.match(shown["updated_at"])
    for kind, args in (
        ("sprint", ("sprint", "list")),
        ("goal", ("goal", "list")),
        ("team", ("team", "list", "--all")),
        ("member", ("member", "list")),
        ("dependency", ("dep", "list")),
        ("feedback", ("feedback", "list")),
        ("stock", ("stock", "list")),
    ):
        rows = js(demo, *args)
        assert rows, kind
        for row in rows:
            keys_of(kind, row)
    keys_of("sprint", js(demo, "sprint", "show"))
    keys_of("sprint", js(demo, "sprint", "show", "Sprint 41"))
    keys_of("goal", js(demo, "goal", "show", "1"))
    keys_of("feedback", js(demo, "feedback", "show", "1"))
    ok(demo, "card", "comment", "MKT-2", "Stock is low, @kees")
    ok(demo, "checklist", "add", "MKT-2", "Brief the agency")
    shown = js(demo, "card", "show", "MKT-2")
    for kind, rows in (
        ("comment", shown["comments"]),
        ("comment", js(demo, "comment", "list", "MKT-2")),
        ("comment", js(demo, "comment", "mentions", "--person", "Kees")),
        ("checklist", shown["checklist"]),
        ("checklist", js(demo, "checklist", "list", "MKT-2")),
        ("history", js(demo, "history", "MKT-2")),
    ):
        assert rows, kind
        for row in rows:
            keys_of(kind, row)


def test_json_values_have_documented_types(demo: Any) -> None:
    dep = js(demo, "dep", "list", "--card", "IT-5")[0]
    assert isinstance(dep["cross_team"], bool) and isinstance(dep["open"], bool)
    team = js(demo, "team", "list")[0]
    assert isinstance(team["archived"], bool) and team["colour"].startswith("#")
    feedback = js(demo, "feedback", "list")[0]
    assert isinstance(feedback["urgent"], bool) and isinstance(feedback["shipped"], bool)
    member = js(demo, "member", "list")[0]
    assert all(isinstance(v, bool) for v in member["onboarding"].values())
    sprint = js(demo, "sprint", "show", "current")
    assert sprint["state"] == "active" and TIMESTAMP.match(sprint["started_at"])


# -- --sprint references ---------------------------------------------------------------------


def test_sprint_references(demo: Any) -> None:
    current = js(demo, "card", "list", "--sprint", "current")
    assert current and {c["sprint"] for c in current} == {"Sprint 42"}
    backlog = js(demo, "card", "list", "--sprint", "backlog")
    assert backlog and {c["sprint"] for c in backlog} == {None}
    named = js(demo, "card", "list", "--sprint", "Sprint 43")
    assert named and {c["sprint"] for c in named} == {"Sprint 43"}
    every = js(demo, "card", "list")
    assert len(every) == len(current) + len(backlog) + len(named) + len(
        js(demo, "card", "list", "--sprint", "Sprint 41")
    )
    sprints = {s["name"]: s for s in js(demo, "sprint", "list")}
    assert sprints["Sprint 42"]["cards"] == len(current)


def test_card_list_filters_and_board_order(demo: Any) -> None:
    todo = js(demo, "card", "list", "--status", "todo", "--team", "it")
    assert todo and all(c["status"] == "todo" and "IT" in c["teams"] for c in todo)
    goal = js(demo, "card", "list", "--goal", "2")
    assert goal and all(c["goal"] == 2 for c in goal)
    assert [c["key"] for c in js(demo, "card", "list", "--text", "Klarna")] == ["ECOM-4"]
    order = ["backlog", "todo", "doing", "review", "done"]
    statuses = [order.index(c["status"]) for c in js(demo, "card", "list", "--sprint", "current")]
    assert statuses == sorted(statuses)


def test_plain_text_output(demo: Any) -> None:
    out = ok(demo, "card", "list", "--sprint", "current")
    assert out.splitlines()[0].split() == [
        "KEY",
        "TEAM",
        "STATUS",
        "PTS",
        "SPRINT",
        "BLOCKED",
        "BY",
        "TITLE",
    ]
    assert "IT-5" in out and "IT-4,ECOM-2" in out
    shown = ok(demo, "card", "show", "IT-4")
    assert "key:" in shown and "blocks:" in shown and "IT-5,DATA-2" in shown


# -- the entry points ------------------------------------------------------------------------


def test_python_dash_m_version(tmp_path: Path) -> None:
    env = {**os.environ, "SPRINTBOARD_DB": str(tmp_path / "plan.db")}
    result = subprocess.run(
        [sys.executable, "-m", "sprintboard", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sprintboard, version {__version__}"
    assert not (tmp_path / "plan.db").exists()


def test_help_lists_every_group(cli: Any) -> None:
    out = ok(cli, "--help")
    for group in ("team", "member", "goal", "sprint", "card", "dep", "feedback", "stock"):
        assert f"  {group} " in out
    for command in ("demo", "undo", "history"):
        assert f"  {command} " in out
