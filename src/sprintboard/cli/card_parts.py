"""A card's comments and checklist as the command line prints them: the thread (oldest
first) and the checklist with its progress, for people, and their JSON shapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from sprintboard.cli.output import say
from sprintboard.io.json_shapes import comment_json, item_json
from sprintboard.store import Store

__all__ = [
    "comment_json",
    "item_json",
    "moment",
    "print_card_parts",
    "print_checklist",
    "print_thread",
    "progress",
    "teams_of",
    "who",
]


def teams_of(store: Store) -> dict[str, list[str]]:
    """Member name -> the codes of the teams they are in."""
    found: dict[str, list[str]] = {}
    for member in store.members.list():
        found.setdefault(member["name"], []).append(member["team"])
    return found


def who(name: str, teams: dict[str, list[str]]) -> str:
    """'Sanne de Vries (MKT)' for a team member, the name alone for anyone else."""
    codes = teams.get(name)
    return f"{name} ({','.join(codes)})" if codes else name


def moment(at: str | None) -> str:
    """A logged time for people: '2026-03-11 10:30' (UTC, to the minute)."""
    return "" if at is None else str(at).replace("T", " ")[:16]


def progress(items: Sequence[dict[str, Any]]) -> str:
    """'2/3': checklist items done of all."""
    return f"{sum(1 for i in items if i['done'])}/{len(items)}"


def print_thread(
    comments: Sequence[dict[str, Any]], teams: dict[str, list[str]], indent: str = ""
) -> None:
    """Each comment as a heading line (id, author, when, edited) and its text below it,
    every line as written (control characters shown as escapes)."""
    for row in comments:
        when = moment(row["created_at"])
        if row["edited_at"]:
            when += f", edited {moment(row['edited_at'])}"
        say(f"{indent}#{row['id']}  {who(row['author'], teams)}, {when}")
        for line in str(row["body"]).splitlines() or [""]:
            say(f"{indent}    {line}".rstrip())


def print_checklist(items: Sequence[dict[str, Any]], indent: str = "") -> None:
    """One line per item: '[x] #7  WH: confirm stock'."""
    width = max((len(str(i["id"])) for i in items), default=1)
    for item in items:
        mark = "[x]" if item["done"] else "[ ]"
        say(f"{indent}{mark} #{item['id']:<{width}}  {item['text']}")


def print_card_parts(store: Store, key: str) -> None:
    """The checklist and the comment thread under `card show`, when the card has them."""
    items = store.checklists.for_card(key)
    comments = store.comments.for_card(key)
    if items:
        click.echo()
        say(f"checklist {progress(items)} done:")
        print_checklist(items, "  ")
    if comments:
        click.echo()
        say(f"comments ({len(comments)}):")
        print_thread(comments, teams_of(store), "  ")
