"""A sprint's board as Markdown for meeting notes: capacity, then each team's cards by column,
then each card's checklist and comments (author, time and text, oldest first).

User text is escaped (`escape`, the one Markdown escaper of sprintboard), so a `|` or `*`
in a title cannot break a table or start emphasis, a `#` cannot start a heading, and a
control character shows as `\\x1b` instead of reaching the reader's terminal.
"""

from __future__ import annotations

import re
from typing import Any

from sprintboard.store import Store
from sprintboard.vocabulary import STATUS_LABELS, Status, on_one_line, show_control

# Characters Markdown (CommonMark, GitHub) gives a meaning to anywhere in a line; any
# ASCII punctuation may be backslash-escaped.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$#])")
# What starts a block only at the start of a line (list item, setext underline, ordered
# list): escaped there, since callers put text after `> ` or at a line's start.
_LEADING = re.compile(r"^([-+=]|\d+(?=[.)]))")


def escape(text: Any) -> str:
    """User text as literal one-line Markdown (safe inside a table cell, a heading or a
    quote): white space folded (a title's tabs and U+2028 too: titles are stored as given),
    control characters shown as escapes, punctuation that Markdown reads escaped."""
    line = _SPECIAL.sub(r"\\\1", " ".join(show_control(on_one_line(str(text))).split()))
    match = _LEADING.match(line)
    if match is None:
        return line
    if match.group(1).isdigit():  # `1.` -> `1\.`: escape the dot, not the digits
        end = match.end()
        return line[:end] + "\\" + line[end:]
    return "\\" + line


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def board_markdown(store: Store, sprint: dict[str, Any] | None) -> str:
    """The board of `sprint` (a sprints row), or of the backlog when None."""
    sprint_id = None if sprint is None else int(sprint["id"])
    cards = store.cards.query(sprint=sprint_id)
    teams = store.teams.list(include_archived=True)
    lines: list[str] = []
    if sprint is None:
        lines += ["# Backlog", ""]
    else:
        lines += [f"# {escape(sprint['name'])}", ""]
        if sprint["goal"]:
            lines += [f"**Sprint goal:** {escape(sprint['goal'])}", ""]
        points = sum(c["points"] or 0 for c in cards)
        done = sum(c["points"] or 0 for c in cards if c["status"] == "done")
        lines += [
            f"{sprint['start']} to {sprint['end']} · {sprint['state']} · {len(cards)} cards · "
            f"{points} points, {done} done",
            "",
        ]
    by_team: dict[str, list[dict[str, Any]]] = {}
    for card in cards:
        by_team.setdefault(card["team"], []).append(card)
    if not cards:
        lines.append("No cards.")
        return "\n".join(lines) + "\n"
    if sprint is not None:
        lines += [
            _row(["Team", "Planned", "Capacity", "Done"]),
            _row(["---", "---:", "---:", "---:"]),
        ]
        for team in teams:
            mine = by_team.get(team["code"], [])
            if not mine:
                continue
            lines.append(
                _row(
                    [
                        escape(team["code"]),
                        sum(c["points"] or 0 for c in mine),
                        store.teams.capacity(team["code"], sprint_id),
                        sum(c["points"] or 0 for c in mine if c["status"] == "done"),
                    ]
                )
            )
        lines.append("")
    for team in teams:
        mine = by_team.get(team["code"], [])
        if not mine:
            continue
        lines += [
            f"## {escape(team['name'])} ({escape(team['code'])})",
            "",
            _row(["Column", "Card", "Title", "Points", "Assignee", "Waits on"]),
            _row(["---", "---", "---", "---:", "---", "---"]),
        ]
        for card in mine:  # already in board order: column, then position
            lines.append(
                _row(
                    [
                        STATUS_LABELS[Status(card["status"])],
                        escape(card["key"]),
                        escape(card["title"]),
                        "" if card["points"] is None else card["points"],
                        escape(card["assignee"]),
                        escape(", ".join(card["blocked_by"])),
                    ]
                )
            )
        lines.append("")
        lines += _threads(store, mine)
    return "\n".join(lines)


def _threads(store: Store, cards: list[dict[str, Any]]) -> list[str]:
    """Each card's checklist and comments, for the cards that have any."""
    ids = [int(c["id"]) for c in cards]
    progress = store.checklists.progress(ids)
    counts = store.comments.counts(ids)
    lines: list[str] = []
    for card in cards:
        if int(card["id"]) not in progress and int(card["id"]) not in counts:
            continue
        lines += [f"### {escape(card['key'])} {escape(card['title'])}", ""]
        if int(card["id"]) in progress:
            done, total = progress[int(card["id"])]
            lines += [f"Checklist ({done}/{total} done):", ""]
            for item in store.checklists.for_card(card["key"]):
                mark = "x" if item["done"] else " "
                team = f" ({escape(item['team'])})" if item["team"] else ""
                lines.append(f"- [{mark}] {escape(item['text'])}{team}")
            lines.append("")
        if int(card["id"]) in counts:
            lines += [f"Comments ({counts[int(card['id'])]}):", ""]
            for comment in store.comments.for_card(card["key"]):
                edited = " (edited)" if comment["edited_at"] else ""
                lines.append(
                    f"> **{escape(comment['author'])}** · {escape(comment['created_at'])}{edited}"
                )
                lines.append(">")
                lines += _quoted(comment["body"])
                lines.append("")
    return lines


def _quoted(text: str) -> list[str]:
    """A comment as quoted lines that keep its line breaks: a line followed by another in
    the same paragraph ends in a hard break (a backslash), so '- list' or '> quote' on
    their own lines do not run together with the line before them."""
    lines = [escape(line) for line in _lines(text)]
    quoted: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        quoted.append((f"> {line}" + ("\\" if line and following else "")).rstrip())
    return quoted


def _lines(text: str) -> list[str]:
    """A comment's lines as it was written (blank lines kept, none at either end)."""
    return text.replace("\r\n", "\n").strip("\n").split("\n")
