"""The top of the card detail: the card's fields, description, dependencies both ways and
linked feedback, as one block of plain Content (user text drawn as typed)."""

from __future__ import annotations

from textual.content import Content

from sprintboard.planning.findings import Finding, Severity
from sprintboard.views.board import LABELS
from sprintboard.views.card_detail import Detail
from sprintboard.views.sync_state import conflict_line
from sprintboard.views.text import printable


def summary(detail: Detail) -> Content:
    """The card's fields, description, dependencies and linked feedback."""
    card = detail.card
    bold = "bold"
    teams = card["teams"]
    lines: list[Content] = [
        Content.styled(f"{card['key']}  ", bold) + Content(printable(card["title"])),
        Content(
            f"team {card['team']}"
            + (f" with {', '.join(teams[1:])}" if len(teams) > 1 else "")
            + f" · {LABELS[card['status']]} · "
        )
        + Content(printable(card["sprint"] or "backlog"))
        + Content(
            f" · {card['points'] if card['points'] is not None else '?'} points"
            + f" · {card['priority']}"
            + (f" · due {card['due']}" if card["due"] else "")
            + (f" · goal {card['goal']}" if card["goal"] else "")
        ),
    ]
    if card.get("assignee"):
        lines.append(Content("assignee: " + printable(detail.people.person(card["assignee"]))))
    if card["labels"] or card["skus"]:
        lines.append(
            Content(
                printable(
                    f"labels: {', '.join(card['labels']) or '-'} · SKUs: "
                    f"{', '.join(card['skus']) or '-'}"
                )
            )
        )
    lines += [
        Content.styled("⇅ conflict: ", "bold $warning")
        + Content(conflict_line(c))
        + Content.styled(" — & lists conflicts", "dim")
        for c in detail.conflicts
    ]
    if detail.findings is not None:
        lines += [Content(""), Content.styled("Findings", bold)]
        lines += [line for f in detail.findings for line in finding_lines(f)] or [
            Content("  none: every seam of this card holds")
        ]
    lines += [Content(""), Content.styled("Description", bold)]
    lines += [Content(printable(line)) for line in (card["description"] or "(none)").split("\n")]
    lines += [Content(""), Content.styled("Waits on", bold)]
    waits = [d for d in detail.deps if d["dependent"] == card["key"]]
    blocks = [d for d in detail.deps if d["blocker"] == card["key"]]
    lines += [
        Content(
            f"  {'⊘' if d['open'] else '✓'} {d['blocker']} ({d['blocker_team']}, "
            f"{LABELS[d['blocker_status']]})"
        )
        for d in waits
    ] or [Content("  nothing")]
    lines += [Content.styled("Blocks", bold)]
    lines += [
        Content(f"  → {d['dependent']} ({d['dependent_team']}, {LABELS[d['dependent_status']]})")
        for d in blocks
    ] or [Content("  nothing")]
    lines += [Content(""), Content.styled("Customer feedback", bold)]
    lines += [
        Content(f"  FB-{f['id']} {f['category']} ×{f['reports']} ({f['state']}): ")
        + Content(printable(" ".join(f["text"].split())))
        for f in detail.feedback
    ] or [Content("  none linked")]
    return Content("\n").join(lines)


SEVERITY_MARKS = {
    Severity.ERROR: ("✗ error", "bold $error"),
    Severity.WARNING: ("⚠ warning", "bold $warning"),
    Severity.INFO: ("· info", "$text-muted"),
}
"""Each severity's word, with a symbol so colour is never the only signal."""


def finding_lines(finding: Finding) -> list[Content]:
    """'  ✗ error dep-order: why', then '    fix: what resolves it' when the rule knows."""
    word, style = SEVERITY_MARKS[finding.severity]
    lines = [
        Content("  ")
        + Content.styled(word, style)
        + Content(f" {finding.rule}: ")
        + Content(printable(finding.why))
    ]
    if finding.fix:
        lines.append(Content("    fix: " + printable(finding.fix)))
    return lines
