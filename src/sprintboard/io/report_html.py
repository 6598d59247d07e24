"""The planning report as a standalone HTML page: user text escaped with html.escape,
charts as inline SVG, so the file opens offline.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import Any

from sprintboard.io.report_data import (
    SEVERITY_MARKS,
    KpiTrend,
    ReportData,
    _by_team,
    _count,
    _kpi,
    _kpi_pct,
    _num,
    _pct,
    _roi,
    _roi_percent,
    _severity_counts,
    _uncertain,
    kpi_fraction,
)
from sprintboard.planning.charts import Burndown
from sprintboard.vocabulary import (
    STATUS_LABELS,
    Status,
    colour_hex,
    show_control,
    without_separators,
)

_CSS = """body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f3f3f3}.over{color:#b00020;font-weight:600}
.bar{background:#eee;width:160px;height:12px;position:relative;display:inline-block}
.bar span{display:block;height:12px}blockquote{border-left:4px solid #ccc;margin:0;
padding:.2em 1em;white-space:pre-wrap}svg text{font:11px sans-serif}
tr.sev-error td{background:#fdecee}tr.sev-error td:first-child{color:#b00020;font-weight:600}
tr.sev-warning td{background:#fff6e0}tr.sev-warning td:first-child{color:#8a5a00;font-weight:600}
tr.sev-info td{color:#555}.fix{color:#1b5e20}"""


def h(text: Any) -> str:
    """User text as HTML: escaped, control characters shown as escapes (`\\x1b`), line and
    paragraph separators (kept in titles) as spaces, so a browser breaks no title."""
    return html.escape(show_control(without_separators("" if text is None else str(text))))


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
        _html_money(data),
        _html_trends(data),
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
    """The findings, a row class per severity (`sev-error`, `sev-warning`, `sev-info`) with
    its colours, and the severity's symbol beside its word."""
    if not data.warnings:
        return "<h2>Seam findings</h2><p>(none: every seam holds)</p>"
    head = "".join(f"<th>{x}</th>" for x in ("Severity", "Rule", "Cards", "Why", "Fix"))
    body = "".join(
        f'<tr class="sev-{h(w["severity"])}">'
        f"<td>{h(SEVERITY_MARKS.get(w['severity'], w['severity']))}</td>"
        f"<td>{h(w['rule'])}</td>"
        f"<td>{h(', '.join(w['cards']) or w['subject'] or '-')}</td>"
        f"<td>{h(w['why'])}</td>"
        f'<td class="fix">{h(w.get("fix") or "")}</td></tr>'
        for w in data.warnings
    )
    return (
        f"<h2>Seam findings</h2><p>{h(_severity_counts(data))}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


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
                h(_roi(g)),
                h(g.sponsor or "-"),
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
            "Expected ROI",
            "Sponsor",
            "Status",
            "Suggested",
            "Signed off",
        ],
        rows,
    )


def _html_money(data: ReportData) -> str:
    """Each goal's return, cost, budget, ROI and what the figures leave out; the sprint's
    cost per team. Amounts exact, in the plan's currency."""
    m = data.money
    rows = []
    for g in m.goals:
        over = f' <span class="over">over by {h(m.amount(g.over_budget))}</span>'
        rows.append(
            [
                h(g.title),
                h(m.amount(g.expected_return)),
                h(m.amount(g.cost.planned)),
                h(m.amount(g.cost.spent)),
                h(m.amount(g.budget)) + (over if g.over_budget else ""),
                h(_roi_percent(g)),
                h(_uncertain(g)),
            ]
        )
    headers = ["Goal", "Return", "Planned cost", "Spent", "Budget", "ROI", "Uncertain"]
    lines = [*m.sprint.teams.items(), ("Total", m.sprint.total)] if m.sprint.teams else []
    teams = [
        [
            "<b>Total</b>" if line is m.sprint.total else h(code),
            h(m.amount(line.planned)),
            h(m.amount(line.spent)),
            h(", ".join([*line.without_rate, *line.without_points]) or "-"),
        ]
        for code, line in lines
    ]
    budget = ""
    if m.sprint_budget is not None:
        left = m.sprint_budget - m.sprint.total.planned
        state = f"{m.amount(-left)} over" if left < 0 else f"{m.amount(left)} left"
        budget = f"<p>Sprint budget {h(m.amount(m.sprint_budget))}: {h(state)}.</p>"
    return (
        f"<h2>Cost and ROI (amounts in {h(m.currency)})</h2>"
        + _html_table(headers, rows)
        + "<p>ROI = (return - planned cost) / planned cost. Planned cost: every card of the "
        "goal; spent: its done cards. What cannot be priced is left out of the sums and "
        "named.</p>"
        + f"<h3>Cost of {h(data.sprint['name'])} per team</h3>"
        + _html_table(["Team", "Planned", "Spent", "Not priced"], teams)
        + budget
    )


def _html_trends(data: ReportData) -> str:
    if not data.money.trends:
        return "<h2>KPI trends</h2><p>(no goal has a measured KPI value yet)</p>"
    parts = ["<h2>KPI trends</h2>"]
    for t in data.money.trends:
        unit = f" {t.unit}" if t.unit else ""
        shipped = ", ".join(f"{k} ({d.isoformat()})" for d, k in t.shipped)
        parts.append(
            f"<h3>G{t.goal} {h(t.title)}</h3>"
            f"<p>{h(t.kpi or 'KPI')}: baseline {t.baseline:g}{h(unit)} → target "
            f"{t.target:g}{h(unit)}; last {t.measures[-1][1]:g}{h(unit)} on "
            f"{t.measures[-1][0].isoformat()} "
            f"({h(_pct(kpi_fraction(t, t.measures[-1][1])))} of the way)</p>"
            + kpi_svg(t)
            + (f"<p>Shipped: {h(shipped)}</p>" if shipped else "")
        )
    return "".join(parts)


def kpi_svg(t: KpiTrend, width: int = 640, height: int = 220) -> str:
    """A goal's KPI as inline SVG: measured values (solid, with dots) against the
    baseline -> target line (dashed) over the same days, a green rule where a card
    shipped (its key as the rule's tooltip)."""
    pad, left = 30, 56
    first = t.measures[0][0]
    last = max(t.measures[-1][0], *(d for d, _ in t.shipped[-1:]))
    span = max(1, (last - first).days)
    values = [v for _, v in t.measures] + [t.baseline, t.target]
    low, high = min(values), max(values)
    margin = (high - low) / 10 or 1
    low, high = low - margin, high + margin

    def x(day: date) -> float:
        return left + (width - left - pad) * (day - first).days / span

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * (v - low) / (high - low)

    measured = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in t.measures)
    dots = "".join(
        f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" fill="#2e86de">'
        f"<title>{d.isoformat()}: {v:g}</title></circle>"
        for d, v in t.measures
    )
    rules = "".join(
        f'<line x1="{x(d):.1f}" y1="{pad}" x2="{x(d):.1f}" y2="{height - pad}" '
        f'stroke="#2e7d32" stroke-dasharray="2 2"><title>{h(k)} shipped {d.isoformat()}'
        "</title></line>"
        for d, k in t.shipped
        if first <= d <= last
    )
    ticks = "".join(
        f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>'
        for v in sorted({t.baseline, t.target})
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="KPI trend of goal {t.goal}">'
        f'<line x1="{left}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        f'stroke="#999"/><line x1="{left}" y1="{pad}" x2="{left}" y2="{height - pad}" '
        f'stroke="#999"/>{ticks}'
        f'<text x="{left}" y="{height - pad + 14}" text-anchor="start">{first.isoformat()}'
        f'</text><text x="{width - pad}" y="{height - pad + 14}" text-anchor="end">'
        f"{last.isoformat()}</text>"
        + rules
        + f'<line x1="{x(first):.1f}" y1="{y(t.baseline):.1f}" x2="{x(last):.1f}" '
        f'y2="{y(t.target):.1f}" stroke="#999" stroke-dasharray="4 3"/>'
        + f'<polyline fill="none" points="{measured}" stroke="#2e86de" stroke-width="2"/>'
        + dots
        + f'<text x="{width - pad}" y="{pad - 10}" text-anchor="end">'
        "measured (blue) · baseline → target (dashed) · a card shipped (green)</text></svg>"
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
