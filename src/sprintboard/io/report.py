"""The planning report: a sprint's plan, capacity, seams, goals and charts, in Markdown or HTML.

`gather()` reads everything from the store once; `to_markdown()` and `to_html()` only
format. User text is data: Markdown escapes its punctuation so it shows literally, and
HTML escapes it with html.escape. Charts are text (plotext) in Markdown and inline SVG in
HTML, so the file can be pasted into meeting notes or opened offline.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.io.markdown import escape
from sprintboard.planning.capacity import VELOCITY_SPRINTS as VELOCITY_SPRINTS_CAPACITY
from sprintboard.planning.capacity import SprintCapacity, sprint_capacity
from sprintboard.planning.charts import (
    Burndown,
    SprintHistory,
    Velocity,
    burndown,
    closed_before,
    sprint_result,
)
from sprintboard.planning.goals import GoalProgress, goal_progress
from sprintboard.vocabulary import STATUS_LABELS, Status, colour_hex, show_control, sprint_span

if TYPE_CHECKING:
    from sprintboard.store import Store

FORMATS = ("md", "html")
VELOCITY_SPRINTS = 6
"""How many closed sprints the velocity chart shows."""


@dataclass(frozen=True)
class ReportData:
    generated_at: str
    sprint: dict[str, Any]
    capacity: SprintCapacity
    cards: list[dict[str, Any]]  # the sprint's cards (Cards.query rows), in board order
    dependencies: list[dict[str, Any]]  # open cross-team links touching the sprint
    goals: list[GoalProgress]
    burndown: Burndown | None  # None before the sprint starts
    velocity: Velocity
    warnings: list[dict[str, Any]]  # the checks' findings: severity, rule, cards, why, subject


def default_sprint(store: Store) -> dict[str, Any]:
    """The active sprint, else the next planned one, else the last closed one."""
    planned = store.sprints.in_state("planned")
    found = store.sprints.active() or (planned[0] if planned else None)
    if found is None:
        closed = store.sprints.in_state("closed")
        found = closed[-1] if closed else None
    if found is None:
        raise UserError("sprint: there are no sprints yet; add one with 'sprint add'")
    return dict(found)


def gather(store: Store, sprint: str | None = None) -> ReportData:
    """Everything the report shows, for the named sprint (default: see default_sprint)."""
    row = default_sprint(store) if sprint is None else store.sprints.resolve(sprint)
    if row is None:
        raise UserError("sprint: 'backlog' is not a sprint; name a sprint or 'current'")
    today = date.fromisoformat(store.today())
    history = SprintHistory.load(store, row)
    cards = store.cards.query(sprint=row["id"])
    # The velocity chart and the capacity's recent velocity share the replayed sprints.
    before = closed_before(store, VELOCITY_SPRINTS, row)
    shown = [*before[1:], row] if row["state"] == "closed" else before
    needed = {s["id"]: s for s in [*before, *shown]}
    results = {
        i: sprint_result(history if i == row["id"] else SprintHistory.load(store, s))
        for i, s in needed.items()
    }
    recent = Velocity([results[s["id"]] for s in before[-VELOCITY_SPRINTS_CAPACITY:]])
    return ReportData(
        generated_at=store.now(),
        sprint=dict(row),
        capacity=sprint_capacity(store, row["name"], recent=recent),
        cards=cards,
        dependencies=_open_seams(store, cards),
        goals=goal_progress(store),
        burndown=_burndown_or_none(history, today),
        velocity=Velocity([results[s["id"]] for s in shown]),
        warnings=_warnings(store, row["name"]),
    )


def _burndown_or_none(history: Any, today: date) -> Burndown | None:
    """The burndown, or None before the sprint starts or when its stored dates are out of
    range (written before dates were checked): the report is still made, without it."""
    if not history.started:
        return None
    try:
        sprint_span(history.sprint)
    except UserError:
        return None
    return burndown(history, today=today)


def _open_seams(store: Store, cards: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open cross-team dependencies with at least one side in the sprint, with both sides'
    sprints (a blocker planned after its dependent is the seam about to break)."""
    keys = {c["key"] for c in cards}
    links = [
        d
        for d in store.deps.list()
        if d["cross_team"] and d["open"] and (d["blocker"] in keys or d["dependent"] in keys)
    ]
    wanted = sorted({d["blocker"] for d in links} | {d["dependent"] for d in links})
    sprint_of = {c["key"]: c["sprint"] for c in store.cards.query(keys=wanted)} if wanted else {}
    return [
        {
            **d,
            "blocker_sprint": sprint_of.get(d["blocker"]),
            "dependent_sprint": sprint_of.get(d["dependent"]),
        }
        for d in links
    ]


def _warnings(store: Store, sprint: str) -> list[dict[str, Any]]:
    """The seam checks' findings for the sprint (planning/checks.py), as JSON rows."""
    from sprintboard.planning.checks import run_checks

    return [f.as_json() for f in run_checks(store, sprint=sprint)]


def planning_report(store: Store, sprint: str | None = None, *, fmt: str = "md") -> str:
    """The report for a sprint as Markdown (`md`) or a standalone HTML page (`html`)."""
    if fmt not in FORMATS:
        raise UserError(f"format: must be one of {', '.join(FORMATS)} (got {fmt!r})")
    data = gather(store, sprint)
    return to_markdown(data) if fmt == "md" else to_html(data)


# -- shared -------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _kpi_pct(goal: GoalProgress) -> str:
    return "no target" if goal.kpi_progress is None else _pct(goal.kpi_progress)


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _by_team(data: ReportData) -> dict[str, list[dict[str, Any]]]:
    """The sprint's cards per owning team, teams in their usual order, cards in board order."""
    teams: dict[str, list[dict[str, Any]]] = {t.team: [] for t in data.capacity.teams}
    for card in data.cards:
        teams.setdefault(card["team"], []).append(card)
    return {team: cards for team, cards in teams.items() if cards}


def _count(cards: Sequence[Any]) -> str:
    return f"{len(cards)} card" + ("" if len(cards) == 1 else "s")


def _kpi(goal: GoalProgress) -> str:
    unit = goal.unit
    values = f"{goal.baseline:g}{unit} → {goal.current:g}{unit} → {goal.target:g}{unit}"
    return f"{goal.kpi}: {values}" if goal.kpi else values


def _bar(fraction: float | None, width: int) -> str:
    full = 0 if fraction is None else max(0, min(width, round(fraction * width)))
    return "█" * full + "░" * (width - full)


# -- Markdown -----------------------------------------------------------------------------

md = escape
"""User text shown literally in Markdown (the one escaper: io/markdown.py)."""


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return ["(none)", ""]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def to_markdown(data: ReportData) -> str:
    s = data.sprint
    out = [
        f"# Planning report: {md(s['name'])}",
        "",
        f"{s['start']} to {s['end']} · {s['state']} · generated {data.generated_at}",
        "",
        "## Sprint goal",
        "",
    ]
    goal_lines = [line for line in s["goal"].splitlines() if line.strip()]
    out += [f"> {md(line)}" for line in goal_lines] or ["(no sprint goal set)"]
    out += ["", *_md_capacity(data), *_md_cards(data), *_md_seams(data)]
    out += _md_warnings(data)
    out += _md_goals(data)
    out += _md_burndown(data)
    out += _md_velocity(data)
    return "\n".join(out).rstrip() + "\n"


def _md_capacity(data: ReportData) -> list[str]:
    cap = data.capacity
    over = ", ".join(f"{t.team} by {t.over}" for t in cap.over_capacity)
    out = [
        "## Capacity per team",
        "",
        f"{cap.planned} points planned against {cap.capacity} capacity"
        + (f"; over capacity: {over}." if over else "; no team over capacity."),
        "",
    ]
    window = ", ".join(md(n) for n in cap.velocity_sprints) or "no closed sprint yet"
    rows = []
    for t in cap.teams:
        rows.append(
            [
                t.team,
                str(t.planned),
                f"{t.capacity}" + (" (sprint)" if t.capacity_source == "sprint" else ""),
                _num(None if t.velocity is None else round(t.velocity, 1)),
                _pct(t.load) if t.load != float("inf") else "-",
                f"**+{t.over}**" if t.over else "",
                _pct(None if t.feedback_share is None else t.feedback_share / 100)
                + f" / {t.feedback_target}%",
                ", ".join(f"{c.key}→{'+'.join(c.contributors)}" for c in t.cross_team),
            ]
        )
    out += _md_table(
        ["Team", "Planned", "Capacity", "Velocity", "Load", "Over", "Feedback", "Also loads"],
        rows,
    )
    out += [f"Velocity: average done points over {window}.", "", "```text"]
    width = 24
    for t in cap.teams:
        top = max(t.capacity, t.planned, 1)
        bar = _bar(min(t.planned, t.capacity) / top, round(width * t.capacity / top))
        bar += "▲" * round(width * t.over / top)
        note = f" over by {t.over}" if t.over else ""
        out.append(f"{t.team:<5} {bar:<{width}} {t.planned:>4}/{t.capacity}{note}")
    return [*out, "```", ""]


def _md_cards(data: ReportData) -> list[str]:
    out = ["## Cards by team", ""]
    if not data.cards:
        return [*out, "(no cards in this sprint)", ""]
    for team, cards in _by_team(data).items():
        points = sum(c["points"] or 0 for c in cards)
        out += [f"### {team} · {_count(cards)} · {points} points", ""]
        out += _md_table(
            ["Key", "Title", "Status", "Points", "With"],
            [
                [
                    c["key"],
                    md(c["title"]),
                    STATUS_LABELS[Status(c["status"])],
                    _num(c["points"]),
                    ", ".join(c["teams"][1:]),
                ]
                for c in cards
            ],
        )
    return out


def _md_seams(data: ReportData) -> list[str]:
    rows = [
        [
            f"{d['blocker']} ({d['blocker_team']}, {d['blocker_status']}, "
            f"{md(d['blocker_sprint'] or 'backlog')})",
            f"{d['dependent']} ({d['dependent_team']}, {d['dependent_status']}, "
            f"{md(d['dependent_sprint'] or 'backlog')})",
        ]
        for d in data.dependencies
    ]
    return ["## Open cross-team dependencies", "", *_md_table(["Blocker", "Waits on it"], rows)]


def _md_warnings(data: ReportData) -> list[str]:
    rows = [
        [
            w["severity"],
            w["rule"],
            md(", ".join(w["cards"]) or w["subject"] or "-"),
            md(w["why"]),
        ]
        for w in data.warnings
    ]
    return ["## Open warnings", "", *_md_table(["Severity", "Rule", "Cards", "Why"], rows)]


def _md_goals(data: ReportData) -> list[str]:
    rows = []
    for g in data.goals:
        teams = ", ".join(f"{t.team} {t.done_points}/{t.points}" for t in g.teams)
        signed = (
            f"{md(g.signed_off_by)} ({(g.signed_off_at or '')[:10]})" if g.signed_off_by else "no"
        )
        rows.append(
            [
                md(g.title),
                md(_kpi(g)),
                f"`{_bar(g.kpi_progress, 10)}` {_kpi_pct(g)}",
                f"{g.done_points}/{g.points}" + (f" ({teams})" if teams else ""),
                g.status.value,
                f"{g.suggestion.status.value}: {md(g.suggestion.reason)}",
                signed,
            ]
        )
    headers = ["Goal", "KPI", "Progress", "Cards (done/total points)", "Status", "Suggested"]
    return ["## Goals", "", *_md_table([*headers, "Signed off"], rows)]


def _md_burndown(data: ReportData) -> list[str]:
    out = ["## Burndown", ""]
    b = data.burndown
    if b is None:
        return [*out, "(the sprint has not started)", ""]
    out += [
        f"Committed {b.committed} points; scope added {b.scope_added}, removed "
        f"{b.scope_removed}; done {b.completed}"
        + (f"; carried over {b.carried_over}." if b.carried_over is not None else "."),
        "",
        "```text",
        burndown_text(b),
        "```",
        "",
    ]
    if b.changes:
        out.append("Scope changes after the start:")
        out.append("")
        out += [
            f"- {c.day} {c.key} {c.kind} ({c.scope:+d} scope, {c.remaining:+d} remaining)"
            for c in b.changes
        ]
        out.append("")
    return out


def _md_velocity(data: ReportData) -> list[str]:
    v = data.velocity
    out = ["## Velocity", ""]
    if not v.sprints:
        return [*out, "(no closed sprints yet)", ""]
    top = max(max(r.total_committed, r.total_done) for r in v.sprints) or 1
    out.append("```text")
    for r in v.sprints:
        out.append(
            f"{r.sprint[:12]:<12} committed {_bar(r.total_committed / top, 30)} {r.total_committed}"
        )
        out.append(f"{'':<12} done      {_bar(r.total_done / top, 30)} {r.total_done}")
    out += ["```", ""]
    rows = [
        [
            team,
            *[f"{r.done.get(team, 0)}/{r.committed.get(team, 0)}" for r in v.sprints],
            _num(round(v.average_done(team) or 0, 1)),
        ]
        for team in sorted(v.teams)
    ]
    return out + _md_table(["Team", *[md(r.sprint) for r in v.sprints], "Average done"], rows)


def burndown_text(b: Burndown, width: int = 72, height: int = 18) -> str:
    """The burndown as a plain-text chart (plotext, colours stripped, ASCII markers so it
    pastes anywhere): # remaining, + scope, . ideal; days not reached yet stay blank."""
    import plotext as plt

    from sprintboard.plotting import stable_plotext

    stable_plotext()
    reached = [d for d in b.days if d.remaining is not None]
    xs = list(range(len(b.days)))
    plt.clear_figure()
    plt.theme("clear")
    plt.plotsize(width, height)
    plt.plot(xs, [d.ideal for d in b.days], marker=".")
    if reached:
        plt.plot(xs[: len(reached)], [d.scope or 0 for d in reached], marker="+")
        plt.plot(xs[: len(reached)], [d.remaining or 0 for d in reached], marker="#")
    step = max(1, len(b.days) // 6)
    plt.xticks(xs[::step], [d.day.strftime("%m-%d") for d in b.days][::step])
    plt.ylim(0, max([b.committed, *(d.scope or 0 for d in b.days)]) or 1)
    text = str(plt.uncolorize(plt.build()))
    plt.clear_figure()
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join([*lines, "# remaining   + scope   . ideal"])


# -- HTML ---------------------------------------------------------------------------------

_CSS = """body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f3f3f3}.over{color:#b00020;font-weight:600}
.bar{background:#eee;width:160px;height:12px;position:relative;display:inline-block}
.bar span{display:block;height:12px}blockquote{border-left:4px solid #ccc;margin:0;
padding:.2em 1em;white-space:pre-wrap}svg text{font:11px sans-serif}"""


def h(text: Any) -> str:
    """User text as HTML: escaped, control characters shown as escapes (`\\x1b`)."""
    return html.escape(show_control("" if text is None else str(text)))


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table; headers are escaped here, cells must already be HTML."""
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{h(x)}</th>" for x in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def css_colour(colour: Any) -> str:
    """A stored team colour as CSS: only #rrggbb (or a known name) is written into a style,
    so a colour stored before colours were checked cannot add CSS; anything else is grey."""
    return (colour_hex(colour) if isinstance(colour, str) else None) or "#888888"


def _html_bar(fraction: float | None, colour: str, over: bool = False) -> str:
    width = 0.0 if fraction is None else max(0.0, min(1.0, fraction)) * 100
    fill = "#b00020" if over else css_colour(colour)
    return f'<span class="bar"><span style="width:{width:.0f}%;background:{fill}"></span></span>'


def to_html(data: ReportData) -> str:
    s = data.sprint
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Planning report: {h(s['name'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>Planning report: {h(s['name'])}</h1>",
        f"<p>{h(s['start'])} to {h(s['end'])} · {h(s['state'])} · generated "
        f"{h(data.generated_at)}</p>",
        "<h2>Sprint goal</h2>",
        f"<blockquote>{h(s['goal'])}</blockquote>"
        if s["goal"].strip()
        else "<p>(no sprint goal set)</p>",
        _html_capacity(data),
        _html_cards(data),
        _html_seams(data),
        _html_warnings(data),
        _html_goals(data),
        _html_burndown(data),
        _html_velocity(data),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _html_capacity(data: ReportData) -> str:
    rows = []
    for t in data.capacity.teams:
        top = max(t.capacity, 1)
        over = f'<span class="over">+{t.over}</span>' if t.over else ""
        rows.append(
            [
                h(t.team),
                _html_bar(t.planned / top, t.colour, t.over_capacity)
                + f" {t.planned}/{t.capacity}",
                h(t.capacity_source),
                h(_num(None if t.velocity is None else round(t.velocity, 1))),
                over,
                h(_pct(None if t.feedback_share is None else t.feedback_share / 100))
                + f" / {t.feedback_target}%",
                "<br>".join(f"{h(c.key)} → {h(', '.join(c.contributors))}" for c in t.cross_team),
            ]
        )
    window = ", ".join(data.capacity.velocity_sprints) or "no closed sprint yet"
    return (
        "<h2>Capacity per team</h2>"
        + _html_table(
            [
                "Team",
                "Planned / capacity",
                "Capacity from",
                "Velocity",
                "Over",
                "Feedback",
                "Also loads",
            ],
            rows,
        )
        + f"<p>Velocity: average done points over {h(window)}.</p>"
    )


def _html_cards(data: ReportData) -> str:
    parts = ["<h2>Cards by team</h2>"]
    if not data.cards:
        return parts[0] + "<p>(no cards in this sprint)</p>"
    for team, cards in _by_team(data).items():
        points = sum(c["points"] or 0 for c in cards)
        parts.append(f"<h3>{h(team)} · {_count(cards)} · {points} points</h3>")
        parts.append(
            _html_table(
                ["Key", "Title", "Status", "Points", "With"],
                [
                    [
                        h(c["key"]),
                        h(c["title"]),
                        h(STATUS_LABELS[Status(c["status"])]),
                        h(_num(c["points"])),
                        h(", ".join(c["teams"][1:])),
                    ]
                    for c in cards
                ],
            )
        )
    return "".join(parts)


def _html_seams(data: ReportData) -> str:
    rows = [
        [
            h(
                f"{d['blocker']} ({d['blocker_team']}, {d['blocker_status']}, "
                f"{d['blocker_sprint'] or 'backlog'})"
            ),
            h(
                f"{d['dependent']} ({d['dependent_team']}, {d['dependent_status']}, "
                f"{d['dependent_sprint'] or 'backlog'})"
            ),
        ]
        for d in data.dependencies
    ]
    return "<h2>Open cross-team dependencies</h2>" + _html_table(["Blocker", "Waits on it"], rows)


def _html_warnings(data: ReportData) -> str:
    rows = [
        [
            h(w["severity"]),
            h(w["rule"]),
            h(", ".join(w["cards"]) or w["subject"] or "-"),
            h(w["why"]),
        ]
        for w in data.warnings
    ]
    return "<h2>Open warnings</h2>" + _html_table(["Severity", "Rule", "Cards", "Why"], rows)


def _html_goals(data: ReportData) -> str:
    rows = []
    for g in data.goals:
        teams = ", ".join(f"{t.team} {t.done_points}/{t.points}" for t in g.teams)
        rows.append(
            [
                h(g.title),
                h(_kpi(g)),
                _html_bar(g.kpi_progress, "#2e7d32") + f" {h(_kpi_pct(g))}",
                h(f"{g.done_points}/{g.points}" + (f" ({teams})" if teams else "")),
                h(g.status.value),
                h(f"{g.suggestion.status.value}: {g.suggestion.reason}"),
                h(f"{g.signed_off_by} ({(g.signed_off_at or '')[:10]})")
                if g.signed_off_by
                else "no",
            ]
        )
    return "<h2>Goals</h2>" + _html_table(
        [
            "Goal",
            "KPI",
            "Progress",
            "Cards (done/total points)",
            "Status",
            "Suggested",
            "Signed off",
        ],
        rows,
    )


def _html_burndown(data: ReportData) -> str:
    b = data.burndown
    if b is None:
        return "<h2>Burndown</h2><p>(the sprint has not started)</p>"
    summary = (
        f"Committed {b.committed} points; scope added {b.scope_added}, removed "
        f"{b.scope_removed}; done {b.completed}"
        + (f"; carried over {b.carried_over}." if b.carried_over is not None else ".")
    )
    changes = "".join(
        f"<li>{h(c.day)} {h(c.key)} {h(c.kind)} ({c.scope:+d} scope, "
        f"{c.remaining:+d} remaining)</li>"
        for c in b.changes
    )
    return f"<h2>Burndown</h2><p>{summary}</p>{burndown_svg(b)}" + (
        f"<p>Scope changes after the start:</p><ul>{changes}</ul>" if changes else ""
    )


def burndown_svg(b: Burndown, width: int = 640, height: int = 240) -> str:
    """The burndown as inline SVG: remaining (solid), scope (stepped), ideal (dashed)."""
    pad = 36
    top = max([b.committed, *(d.scope or 0 for d in b.days)]) or 1
    n = len(b.days)

    def x(i: float) -> float:
        return pad + (width - 2 * pad) * (i + 1) / n

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * v / top

    def line(values: list[tuple[float, float]], style: str) -> str:
        pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in values)
        return f'<polyline fill="none" points="{pts}" {style}/>'

    reached = [(i, d) for i, d in enumerate(b.days) if d.remaining is not None]
    ideal = [(x(-1), y(b.start_remaining))] + [(x(i), y(d.ideal)) for i, d in enumerate(b.days)]
    remaining = [(x(-1), y(b.start_remaining))] + [(x(i), y(d.remaining or 0)) for i, d in reached]
    scope: list[tuple[float, float]] = [(x(-1), y(b.committed))]
    for i, d in reached:  # steps: scope changes show as jumps, not slopes
        scope += [(x(i), scope[-1][1]), (x(i), y(d.scope or 0))]
    labels = "".join(
        f'<text x="{x(i):.1f}" y="{height - pad + 14}" text-anchor="middle">{d.day:%m-%d}</text>'
        for i, d in enumerate(b.days)
        if i % max(1, n // 7) == 0
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="burndown">'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        f'stroke="#999"/><line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" '
        f'stroke="#999"/><text x="{pad - 4}" y="{y(top) + 4:.1f}" text-anchor="end">{top}'
        f'</text><text x="{pad - 4}" y="{height - pad + 4}" text-anchor="end">0</text>'
        + line(ideal, 'stroke="#999" stroke-dasharray="4 3"')
        + line(scope, 'stroke="#f4a261"')
        + line(remaining, 'stroke="#2e86de" stroke-width="2"')
        + labels
        + f'<text x="{width - pad}" y="{pad - 10}" text-anchor="end">'
        "remaining (blue) · scope (orange) · ideal (dashed)</text></svg>"
    )


def _html_velocity(data: ReportData) -> str:
    v = data.velocity
    if not v.sprints:
        return "<h2>Velocity</h2><p>(no closed sprints yet)</p>"
    top = max(max(r.total_committed, r.total_done) for r in v.sprints) or 1
    rows = [
        [
            h(r.sprint),
            _html_bar(r.total_committed / top, "#9e9e9e") + f" {r.total_committed}",
            _html_bar(r.total_done / top, "#2e86de") + f" {r.total_done}",
        ]
        for r in v.sprints
    ]
    teams = [
        [
            h(team),
            *[h(f"{r.done.get(team, 0)}/{r.committed.get(team, 0)}") for r in v.sprints],
            h(_num(round(v.average_done(team) or 0, 1))),
        ]
        for team in sorted(v.teams)
    ]
    return (
        "<h2>Velocity</h2>"
        + _html_table(["Sprint", "Committed", "Done"], rows)
        + _html_table(["Team", *[r.sprint for r in v.sprints], "Average done"], teams)
    )
