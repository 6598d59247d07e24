"""The planning report as Markdown: user text escaped so it shows literally, the burndown
as a plain-text chart (plotext), so the file can be pasted into meeting notes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sprintboard.io.markdown import escape
from sprintboard.io.report_data import (
    SEVERITY_MARKS,
    KpiTrend,
    ReportData,
    _bar,
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
    shipped_by_measure,
)
from sprintboard.planning.charts import Burndown
from sprintboard.vocabulary import STATUS_LABELS, Status

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
    out += _md_money(data)
    out += _md_trends(data)
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
    """The findings; the first column marks the severity with a symbol and its word."""
    rows = [
        [
            SEVERITY_MARKS.get(w["severity"], w["severity"]),
            w["rule"],
            md(", ".join(w["cards"]) or w["subject"] or "-"),
            md(w["why"]),
            md(w.get("fix") or ""),
        ]
        for w in data.warnings
    ]
    if not rows:
        return ["## Seam findings", "", "(none: every seam holds)", ""]
    headers = ["Severity", "Rule", "Cards", "Why", "Fix"]
    return ["## Seam findings", "", _severity_counts(data), "", *_md_table(headers, rows)]


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
                _roi(g),
                md(g.sponsor) or "-",
                g.status.value,
                f"{g.suggestion.status.value}: {md(g.suggestion.reason)}",
                signed,
            ]
        )
    headers = ["Goal", "KPI", "Progress", "Cards (done/total points)", "Expected ROI", "Sponsor"]
    headers += ["Status", "Suggested"]
    return ["## Goals", "", *_md_table([*headers, "Signed off"], rows)]


def _md_money(data: ReportData) -> list[str]:
    """Each goal's return, cost, budget, ROI and what the figures leave out; the sprint's
    cost per team. Amounts exact, in the plan's currency."""
    m = data.money
    rows = []
    for g in m.goals:
        over = f" **over by {m.amount(g.over_budget)}**" if g.over_budget else ""
        rows.append(
            [
                md(g.title),
                m.amount(g.expected_return),
                m.amount(g.cost.planned),
                m.amount(g.cost.spent),
                m.amount(g.budget) + over,
                _roi_percent(g),
                md(_uncertain(g)),
            ]
        )
    headers = ["Goal", "Return", "Planned cost", "Spent", "Budget", "ROI", "Uncertain"]
    out = [f"## Cost and ROI (amounts in {m.currency})", "", *_md_table(headers, rows)]
    out += [
        "ROI = (return - planned cost) / planned cost. Planned cost: every card of the goal; "
        "spent: its done cards. What cannot be priced is left out of the sums and named.",
        "",
        f"### Cost of {md(data.sprint['name'])} per team",
        "",
    ]
    lines = [*m.sprint.teams.items(), ("Total", m.sprint.total)]
    team_rows = [
        [
            "**Total**" if line is m.sprint.total else md(code),
            m.amount(line.planned),
            m.amount(line.spent),
            md(", ".join([*line.without_rate, *line.without_points])) or "-",
        ]
        for code, line in (lines if m.sprint.teams else [])
    ]
    out += _md_table(["Team", "Planned", "Spent", "Not priced"], team_rows)
    budget = m.sprint_budget
    if budget is not None:
        left = budget - m.sprint.total.planned
        state = f"{m.amount(-left)} over" if left < 0 else f"{m.amount(left)} left"
        out += [f"Sprint budget {m.amount(budget)}: {state}.", ""]
    return out


def _md_trends(data: ReportData) -> list[str]:
    out = ["## KPI trends", ""]
    if not data.money.trends:
        return [*out, "(no goal has a measured KPI value yet)", ""]
    for t in data.money.trends:
        out += _md_trend(t)
    return out


def _md_trend(t: KpiTrend) -> list[str]:
    """A goal's measured values, each with a bar from baseline (empty) to target (full)
    and the cards shipped since the value before."""
    unit = f" {t.unit}" if t.unit else ""
    out = [
        f"### G{t.goal} {md(t.title)}",
        "",
        f"{md(t.kpi or 'KPI')}: baseline {t.baseline:g}{md(unit)} → target {t.target:g}{md(unit)}",
        "",
    ]
    shipped, after = shipped_by_measure(t)
    rows = [
        [
            day.isoformat(),
            f"{value:g}",
            f"`{_bar(kpi_fraction(t, value), 10)}` {_pct(kpi_fraction(t, value))}",
            md(", ".join(keys)) or "-",
        ]
        for (day, value), keys in zip(t.measures, shipped, strict=True)
    ]
    out += _md_table(["Day", "Value", "Baseline → target", "Shipped"], rows)
    if after:
        out += [f"Shipped after the last value: {md(', '.join(after))}.", ""]
    return out


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
