"""How a goal reads on screen: KPI and card progress bars, status, sign-off, cards by team.

Plain functions from the planning layer's `GoalProgress` to `Content`, so the goals list
and the drill-down draw a goal the same way. User text (titles, KPI names, sponsors, who
signed off) goes in as `Content(...)`, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.content import Content

from sprintboard.planning.goals import GoalProgress
from sprintboard.views.text import fit, printable
from sprintboard.vocabulary import STATUS_LABELS, GoalStatus

BAR_WIDTH = 24
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


def kpi_bar(goal: GoalProgress) -> Content:
    """The KPI's way from baseline to target; a KPI that moved the wrong way says so."""
    progress = goal.kpi_progress
    if progress is None:  # no target: nothing to measure (direction() says so beside it)
        return bar(None) + Content("    -")
    style = STATUS_STYLE[goal.suggestion.status]
    shown = bar(progress, style=style)
    if progress < 0:
        return shown + Content.styled(f" {percent(progress)} wrong way", "$error bold")
    if progress >= 1:
        return shown + Content.styled(f" {percent(progress)} ✓", "$success bold")
    return shown + Content(f" {percent(progress):>4}")


def card_bar(goal: GoalProgress) -> Content:
    share = goal.card_progress
    label = f" {percent(share):>4}" if share is not None else "    -"
    return bar(share, style="$accent") + Content(label)


def suggestion_text(goal: GoalProgress) -> Content:
    """The suggested status and why; stressed when people set something else."""
    s = goal.suggestion
    reason = printable(s.reason)
    if s.status == goal.status:
        return Content.styled(f"✓ as suggested: {reason}", "dim")
    return (
        Content.styled("⚠ suggested ", "$warning")
        + status_badge(s.status)
        + Content.styled(f": {reason}", "$warning")
    )


def signoff_text(goal: GoalProgress, hint: bool = True) -> Content:
    if goal.signed_off_by:
        when = (goal.signed_off_at or "").replace("T", " ").rstrip("Z")[:16]
        return (
            Content.styled("✔ signed off by ", "$success")
            + Content.styled(printable(goal.signed_off_by), "$success bold")
            + Content.styled(f" · {when}", "$success")
        )
    return Content.styled("✗ not signed off" + (" (y signs off)" if hint else ""), "$warning")


def team_code(code: str, colours: Mapping[str, str]) -> Content:
    colour = colours.get(code)
    return Content.styled(code, f"{colour} bold") if colour else Content.styled(code, "bold")


def teams_text(goal: GoalProgress, colours: Mapping[str, str]) -> Content:
    """'MKT 0/17 · IT 45/45 ✓ …': done / total points of its cards per owning team."""
    if not goal.teams:
        return Content.styled("no cards yet", "dim")
    parts = []
    for t in goal.teams:
        done = " ✓" if t.cards and t.done_cards == t.cards else ""
        parts.append(team_code(t.team, colours) + Content(f" {t.done_points}/{t.points}{done}"))
    return Content.styled("points done by team  ", "dim") + Content(" · ").join(parts)


def time_text(goal: GoalProgress) -> Content:
    since = f"set {goal.since.isoformat()}"
    if goal.deadline is None:
        return Content.styled(f"{since} · no card in a sprint yet", "dim")
    gone = goal.suggestion.elapsed
    tail = f" · {percent(gone)} of time gone" if gone is not None else ""
    return Content.styled(f"{since} · last sprint ends {goal.deadline.isoformat()}{tail}", "dim")


def roi_text(goal: GoalProgress) -> str:
    roi = "-" if goal.expected_roi is None else number(goal.expected_roi)
    return f"expected ROI {roi}"


def goal_lines(goal: GoalProgress, colours: Mapping[str, str], hint: bool = True) -> list[Content]:
    """The goal in five lines: title and status, KPI, cards and time, by team, sign-off.

    `hint`: say which key signs off (where that key works)."""
    title = Content.styled(f" G{goal.id:<4}", "bold") + Content.styled(
        fit(printable(goal.title), 44), "bold"
    )
    kpi_name = printable(goal.kpi) or "KPI"
    sponsor = printable(goal.sponsor) or "none"
    return [
        title + Content("  ") + status_badge(goal.status) + Content("   ") + suggestion_text(goal),
        INDENT
        + Content(fit(kpi_name, 18) + " ")
        + Content(fit(kpi_range(goal), 24) + " ")
        + kpi_bar(goal)
        + Content(f"  {direction(goal)}")
        + Content.styled(f"   {roi_text(goal)}", "bold"),
        INDENT
        + Content(fit(f"cards {goal.cards} · {goal.done_points}/{goal.points} points done", 34))
        + card_bar(goal)
        + Content("  ")
        + time_text(goal),
        INDENT + teams_text(goal, colours),
        INDENT
        + Content("sponsor ")
        + Content.styled(sponsor, "bold")
        + Content("   ")
        + signoff_text(goal, hint),
    ]


def goal_content(goal: GoalProgress, colours: Mapping[str, str], hint: bool = True) -> Content:
    return Content("\n").join(goal_lines(goal, colours, hint))


def card_line(card: Mapping[str, Any], labels: Mapping[str, str]) -> Content:
    """One card of a goal: key, title, column and points."""
    points = "?" if card["points"] is None else str(card["points"])
    done = card["status"] == "done"
    mark = Content.styled("✓ ", "$success") if done else Content("  ")
    return (
        Content("      ")
        + mark
        + Content.styled(f"{card['key']:<9}", "bold")
        + Content(fit(printable(card["title"]), 70) + "  ")
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
            lines += [(card_line(c, STATUS_TEXT), str(c["key"])) for c in groups[sprint_id]]
    return lines
