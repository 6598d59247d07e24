"""How a goal reads on screen: KPI and card progress bars, status, sign-off, cards by team.

Plain functions from the planning layer's `GoalProgress` to `Content`, so the goals list
and the drill-down draw a goal the same way. User text (titles, KPI names, sponsors, who
signed off) goes in as `Content(...)`, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from textual.content import Content

from sprintboard.planning.goals import GoalProgress
from sprintboard.views.text import fit, printable
from sprintboard.vocabulary import STATUS_LABELS, GoalStatus

BAR_WIDTH = 24
NARROW_BAR = 12
"""A bar's width under `WIDE`: room for the time left beside the cards' bar."""
INDENT = Content("      ")

STATUS_TEXT = {status.value: label for status, label in STATUS_LABELS.items()}

STATUS_STYLE = {
    GoalStatus.ON_TRACK: "$success",
    GoalStatus.AT_RISK: "$warning",
    GoalStatus.OFF_TRACK: "$error",
}


def number(value: float) -> str:
    """2.1 -> '2.1', 71.0 -> '71', 420000.0 -> '420,000' (at most two decimals)."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def with_unit(value: float, unit: str) -> str:
    unit = printable(unit).strip()
    if not unit:
        return number(value)
    return f"{number(value)}{unit}" if unit == "%" else f"{number(value)} {unit}"


def percent(fraction: float) -> str:
    return f"{fraction:.0%}"


def bar(fraction: float | None, width: int = BAR_WIDTH, style: str = "$primary") -> Content:
    """A bar `width` cells wide, filled to `fraction` (clamped to 0..1; None: empty)."""
    filled = 0 if fraction is None else round(max(0.0, min(1.0, fraction)) * width)
    return Content.styled("█" * filled, style) + Content.styled("░" * (width - filled), "dim")


def status_badge(status: GoalStatus) -> Content:
    return Content.styled(f"● {status.value}", f"{STATUS_STYLE[status]} bold")


def kpi_range(goal: GoalProgress) -> str:
    """'71% → 68.5% → 60%': baseline, current, target."""
    return " → ".join(with_unit(v, goal.unit) for v in (goal.baseline, goal.current, goal.target))


def direction(goal: GoalProgress) -> str:
    if goal.target > goal.baseline:
        return "↑ higher is better"
    if goal.target < goal.baseline:
        return "↓ lower is better"
    return "no target set"


def short_direction(goal: GoalProgress) -> str:
    """The direction on a narrow line: its arrow, or "no target" whole."""
    return "no target" if goal.target == goal.baseline else direction(goal)[:1]


def cards_text(goal: GoalProgress, room: int) -> str:
    """The cards' count and points in `room` cells, at least two of them blank before the
    bar that follows: the longest form that fits, cut only when even "d/p" does not."""
    done = f"{goal.done_points}/{goal.points}"
    forms = [f"cards {goal.cards} · {done} pts", f"cards {goal.cards} · {done}", f"{done} pts"]
    for form in [*forms, done]:
        if cell_len(form) + 2 <= room:
            return form.ljust(room)
    return fit(done, max(0, room - 1)) + (" " if room else "")


def kpi_bar(goal: GoalProgress, width: int = BAR_WIDTH) -> Content:
    """The KPI's way from baseline to target; a KPI that moved the wrong way says so."""
    progress = goal.kpi_progress
    if progress is None:  # no target: nothing to measure (direction() says so beside it)
        return bar(None, width) + Content("    -")
    style = STATUS_STYLE[goal.suggestion.status]
    shown = bar(progress, width, style=style)
    if progress < 0:
        return shown + Content.styled(f" {percent(progress)} wrong way", "$error bold")
    if progress >= 1:
        return shown + Content.styled(f" {percent(progress)} ✓", "$success bold")
    return shown + Content(f" {percent(progress):>4}")


def card_bar(goal: GoalProgress, width: int = BAR_WIDTH) -> Content:
    share = goal.card_progress
    label = f" {percent(share):>4}" if share is not None else "    -"
    return bar(share, width, style="$accent") + Content(label)


def suggestion_text(goal: GoalProgress, short: bool = False) -> Content:
    """The suggested status and why; stressed when people set something else.

    `short`: without the why (a narrow screen keeps the verdict)."""
    s = goal.suggestion
    reason = printable(s.reason)
    if s.status == goal.status:
        return Content.styled("✓ as suggested" + ("" if short else f": {reason}"), "dim")
    shown = Content.styled("⚠ suggested ", "$warning") + status_badge(s.status)
    return shown if short else shown + Content.styled(f": {reason}", "$warning")


def signoff_text(goal: GoalProgress, hint: bool = True, short: bool = False) -> Content:
    """Who signed off and when; `short` keeps the date and drops the signer's name (the
    sponsor beside it is usually the signer) and the time."""
    if goal.signed_off_by:
        when = (goal.signed_off_at or "").replace("T", " ").rstrip("Z")[:16]
        if short:
            return Content.styled(f"✔ signed off {when[:10]}", "$success")
        return (
            Content.styled("✔ signed off by ", "$success")
            + Content.styled(printable(goal.signed_off_by), "$success bold")
            + Content.styled(f" · {when}", "$success")
        )
    return Content.styled("✗ not signed off" + (" (y signs off)" if hint else ""), "$warning")


def team_code(code: str, colours: Mapping[str, str]) -> Content:
    colour = colours.get(code)
    return Content.styled(code, f"{colour} bold") if colour else Content.styled(code, "bold")


def teams_text(goal: GoalProgress, colours: Mapping[str, str], short: bool = False) -> Content:
    """'MKT 0/17 · IT 45/45 ✓ …': done / total points of its cards per owning team."""
    if not goal.teams:
        return Content.styled("no cards yet", "dim")
    parts = []
    for t in goal.teams:
        done = " ✓" if t.cards and t.done_cards == t.cards else ""
        parts.append(team_code(t.team, colours) + Content(f" {t.done_points}/{t.points}{done}"))
    label = "by team " if short else "points done by team  "
    return Content.styled(label, "dim") + Content(" · " if not short else " ").join(parts)


def time_text(goal: GoalProgress) -> Content:
    since = f"set {goal.since.isoformat()}"
    if goal.deadline is None:
        return Content.styled(f"{since} · no card in a sprint yet", "dim")
    gone = goal.suggestion.elapsed
    tail = f" · {percent(gone)} of time gone" if gone is not None else ""
    return Content.styled(f"{since} · last sprint ends {goal.deadline.isoformat()}{tail}", "dim")


def time_parts(goal: GoalProgress) -> list[Content]:
    """The time, most telling first, for a narrow line to take as many as fit."""
    if goal.deadline is None:
        return [Content.styled("no card in a sprint yet", "dim")]
    gone = goal.suggestion.elapsed
    parts = [f"{percent(gone)} of time gone"] if gone is not None else []
    parts += [f"ends {goal.deadline.isoformat()}", f"set {goal.since.isoformat()}"]
    return [Content.styled(part, "dim") for part in parts]


def roi_text(goal: GoalProgress) -> str:
    roi = "-" if goal.expected_roi is None else number(goal.expected_roi)
    return f"expected ROI {roi}"


WIDE = 124
"""Cells from which a goal shows every part at full length (the five lines' widest)."""


def _crop(line: Content, width: int) -> Content:
    """The line cut by cell width, with an ellipsis where it was cut."""
    return line if line.cell_length <= width else line.truncate(width, ellipsis=True)


def _then(line: Content, part: Content, width: int, gap: str = "  ") -> Content:
    """`line` with `part` after it when both fit in `width` cells, else `line` alone."""
    joined = line + Content(gap) + part
    return joined if joined.cell_length <= width else line


def goal_lines(
    goal: GoalProgress, colours: Mapping[str, str], hint: bool = True, width: int = WIDE
) -> list[Content]:
    """The goal in five lines: title and status, KPI, cards and time, by team, sign-off.

    `hint`: say which key signs off (where that key works). `width`: the cells there are;
    under `WIDE` the bars narrow and the why of the suggested status, the day the goal was
    set, who signed off and the KPI's direction go first (ROI moves to the sponsor's line),
    so name, status, KPI baseline → current → target, progress and sign-off stay whole.
    """
    wide = width >= WIDE
    badge = status_badge(goal.status)
    verdict = suggestion_text(goal, short=not wide)
    head = Content.styled(f" G{goal.id:<4}", "bold")
    title = printable(goal.title)
    short_verdict = suggestion_text(goal, short=True)
    beside = width - head.cell_length - 2 - badge.cell_length - 2
    # Titles up to the cap are padded to it, so the badges of a list line up; a longer
    # title takes the room the row has, down to the verdict without its why.
    title_width = max(16, min(44 if wide else 40, beside - verdict.cell_length))
    if cell_len(title) > title_width:
        title_width = max(title_width, min(cell_len(title), beside - short_verdict.cell_length))
    line1 = head + Content.styled(fit(title, title_width), "bold") + Content("  ") + badge
    gap1 = "   " if wide else "  "
    with_verdict = _then(line1, verdict, width, gap1)
    if with_verdict is line1:
        with_verdict = _then(line1, short_verdict, width, gap1)
    line1 = _crop(with_verdict, width)

    kpi_name = printable(goal.kpi) or "KPI"
    sponsor = printable(goal.sponsor) or "none"
    kpi_range_text = kpi_range(goal)
    if wide:
        lead = INDENT + Content(fit(kpi_name, 18) + " ") + Content(fit(kpi_range_text, 24) + " ")
        bar_width = BAR_WIDTH
    else:
        name_width = min(cell_len(kpi_name), 16)
        lead = (
            INDENT
            + Content(fit(kpi_name, name_width) + "  ")
            + Content(fit(kpi_range_text, min(cell_len(kpi_range_text), 26)) + "  ")
        )
        # what follows the bar: " 43%", or " -43% wrong way" / " 100% ✓"
        tail = kpi_bar(goal, 0).cell_length
        bar_width = max(4, min(NARROW_BAR, width - lead.cell_length - tail - 2))
    line2 = lead + kpi_bar(goal, bar_width)
    line2 = _then(line2, Content(direction(goal) if wide else short_direction(goal)), width)
    roi = Content.styled(roi_text(goal), "bold")
    roi_on_kpi = wide and _then(line2, roi, width, "   ") is not line2
    if roi_on_kpi:
        line2 = _then(line2, roi, width, "   ")

    cards = f"cards {goal.cards} · {goal.done_points}/{goal.points} points done"
    if wide:
        line3 = INDENT + Content(fit(cards, 34)) + card_bar(goal)
    else:
        lead3 = INDENT + Content(cards_text(goal, lead.cell_length - INDENT.cell_length))
        line3 = lead3 + card_bar(goal, bar_width)
    if wide:
        line3 = _crop(line3 + Content("  ") + time_text(goal), width)
    else:
        for n, part in enumerate(time_parts(goal)):
            longer = _then(line3, part, width, " · " if n else "  ")
            if longer is line3:
                break
            line3 = longer

    line4 = _crop(INDENT + teams_text(goal, colours, short=not wide), width)

    # The sign-off state stays whole; a long sponsor's name is cut to make room for it.
    signed = signoff_text(goal, hint, short=not wide)
    gap = "   " if wide else "  "
    sponsor_width = width - INDENT.cell_length - 8 - len(gap) - signed.cell_length
    sponsor_width = max(6, min(cell_len(sponsor), sponsor_width))
    line5 = INDENT + Content("sponsor ") + Content.styled(fit(sponsor, sponsor_width), "bold")
    line5 = line5 + Content(gap) + signed
    if not roi_on_kpi:
        line5 = _then(line5, roi, width, "  ")
    return [line1, _crop(line2, width), line3, line4, _crop(line5, width)]


def goal_content(
    goal: GoalProgress, colours: Mapping[str, str], hint: bool = True, width: int = WIDE
) -> Content:
    return Content("\n").join(goal_lines(goal, colours, hint, width))


def card_line(card: Mapping[str, Any], labels: Mapping[str, str], width: int = WIDE) -> Content:
    """One card of a goal: key, title, column and points; the title takes what the
    others leave of `width`."""
    points = "?" if card["points"] is None else str(card["points"])
    done = card["status"] == "done"
    mark = Content.styled("✓ ", "$success") if done else Content("  ")
    indent = "      " if width >= 100 else "  "
    title_width = max(12, min(70, width - len(indent) - 2 - 9 - 2 - 8 - 8))
    return (
        Content(indent)
        + mark
        + Content.styled(f"{card['key']:<9}", "bold")
        + Content(fit(printable(card["title"]), title_width) + "  ")
        + Content.styled(f"{labels.get(card['status'], card['status']):<8}", "dim" if done else "")
        + Content(f"{points:>4} pts")
    )


def _points(cards: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(done, total) points of the cards."""
    total = sum(c["points"] or 0 for c in cards)
    done = sum(c["points"] or 0 for c in cards if c["status"] == "done")
    return done, total


def sprint_heading(sprint: Mapping[str, Any] | None, cards: Sequence[Mapping[str, Any]]) -> Content:
    done, total = _points(cards)
    if sprint is None:
        where = "Backlog (no sprint)"
    else:
        name = printable(sprint["name"])
        where = f"{name} · {sprint['state']} · {sprint['start']} → {sprint['end']}"
    return Content.styled(f"   {where}", "italic") + Content.styled(
        f" · {done}/{total} points done", "dim"
    )


def card_groups(
    cards: Sequence[Mapping[str, Any]],
    sprints: Sequence[Mapping[str, Any]],
    teams: Sequence[Mapping[str, Any]],
    colours: Mapping[str, str],
    width: int = WIDE,
) -> list[tuple[Content, str | None]]:
    """A goal's cards as lines: (prompt, id) with id 'team:CODE' for a team's heading, None
    for a sprint's heading, the card key for a card. Teams in team order; within a team,
    sprints by date and the backlog last; within a sprint, board order."""
    if not cards:
        return [(Content("No cards serve this goal yet."), None)]
    names = {t["code"]: printable(t["name"]) for t in teams}
    order = {code: i for i, code in enumerate(names)}
    by_id = {s["id"]: s for s in sprints}
    when = {s["id"]: i for i, s in enumerate(sprints)}
    by_team: dict[str, dict[int | None, list[Mapping[str, Any]]]] = {}
    for card in cards:
        by_team.setdefault(card["team"], {}).setdefault(card["sprint_id"], []).append(card)
    lines: list[tuple[Content, str | None]] = []
    for code in sorted(by_team, key=lambda c: order.get(c, len(order))):
        groups = by_team[code]
        owned = [c for group in groups.values() for c in group]
        done, total = _points(owned)
        count = f"{len(owned)} card{'' if len(owned) == 1 else 's'}"
        heading = (
            team_code(code, colours)
            + Content.styled(f"  {names.get(code, code)}", "bold")
            + Content(f" · {count} · {done}/{total} points done")
        )
        lines.append((heading, f"team:{code}"))
        for sprint_id in sorted(groups, key=lambda s: (s is None, when.get(s, 0))):
            lines.append((sprint_heading(by_id.get(sprint_id), groups[sprint_id]), None))
            lines += [(card_line(c, STATUS_TEXT, width), str(c["key"])) for c in groups[sprint_id]]
    return lines
