"""Money and KPI history: `currency`, `team rate`, `card cost`, `goal budget|return|money|
measure|history|forecast`, `sprint budget|cost`. Amounts are written `1234.50` or
`1,234.50` in the plan's currency (`sprintboard.money`); `--json` gives whole cents and
exact decimal text, never floats."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.cards import card
from sprintboard.cli.goals import goal
from sprintboard.cli.organisation import team
from sprintboard.cli.output import emit_json, say, table
from sprintboard.cli.params import NUMBER, SPRINT, FilePath, NumberArguments, json_option
from sprintboard.cli.sprints import sprint
from sprintboard.errors import UserError
from sprintboard.money import cents_text, format_amount, parse_amount, percent_text

CLEAR = ("none", "-")
"""An AMOUNT that clears the amount."""


def _amount(store: Any, text: str, field: str) -> int | None:
    if text.strip().lower() in CLEAR:
        return None
    try:
        return parse_amount(text, field=field, currency=store.finance.currency())
    except ValueError as exc:
        raise UserError(f"{exc}; 'none' clears it") from None


@click.command("currency")
@click.argument("code", required=False)
@json_option
@pass_ctx
def currency(ctx: Context, code: str | None, as_json: bool) -> None:
    """Show the plan's currency, or set it to CODE (EUR, USD, ...; default EUR)."""
    store = ctx.store()
    value = store.finance.set_currency(code) if code is not None else store.finance.currency()
    emit_json({"currency": value}) if as_json else say(value)


# -- team rate ------------------------------------------------------------------------------


@team.group("rate")
def rate() -> None:
    """What a team costs: per point, or per working day (external providers)."""


@rate.command("set")
@click.argument("code")
@click.argument("amount")
@click.option(
    "--per", type=click.Choice(["point", "day"]), default="point", show_default=True,
    help="The rate is per story point or per working day.",
)  # fmt: skip
@json_option
@pass_ctx
def rate_set(ctx: Context, code: str, amount: str, per: str, as_json: bool) -> None:
    """Set team CODE's rate to AMOUNT ('none' clears it)."""
    store = ctx.store()
    row = store.finance.set_rate(code, _amount(store, amount, "rate"), per)
    if as_json:
        emit_json(_rate_json(row, store.finance.currency()))
    else:
        say(f"{row['code']} rate: {_rate_text(row, store.finance.currency())}")


def _rate_text(row: dict[str, Any], currency: str) -> str:
    if row.get("rate_cents") is None:
        return "not set"
    return f"{format_amount(row['rate_cents'], currency)} per {row['rate_unit']}"


def _rate_json(row: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "team": row["code"],
        "format": row["format"],
        "rate_cents": row["rate_cents"],
        "rate": cents_text(row["rate_cents"]),
        "per": row["rate_unit"],
        "currency": currency,
    }


@rate.command("show")
@click.argument("code", required=False)
@json_option
@pass_ctx
def rate_show(ctx: Context, code: str | None, as_json: bool) -> None:
    """Show every team's rate (or team CODE's)."""
    store = ctx.store()
    money = store.finance.currency()
    rows = [store.teams.get(code)] if code else store.teams.list()
    if as_json:
        emit_json([_rate_json(r, money) for r in rows])
        return
    table(
        rows,
        [
            ("TEAM", lambda r: r["code"]),
            ("FORMAT", lambda r: r["format"]),
            ("CAPACITY", lambda r: r["capacity"]),
            ("RATE", lambda r: _rate_text(r, money)),
        ],
    )


# -- card cost ------------------------------------------------------------------------------


@card.command("cost")
@click.argument("key")
@click.argument("amount")
@json_option
@pass_ctx
def card_cost(ctx: Context, key: str, amount: str, as_json: bool) -> None:
    """Set card KEY's own cost (an invoice, ad spend) to AMOUNT; 'none' clears it."""
    store = ctx.store()
    row = store.finance.set_card_cost(key, _amount(store, amount, "cost"))
    cents = row["cost_cents"]
    if as_json:
        emit_json({"key": row["key"], "cost_cents": cents, "cost": cents_text(cents)})
    else:
        say(f"{row['key']} cost: {format_amount(cents, store.finance.currency())}")


# -- goals ----------------------------------------------------------------------------------


@goal.command("budget", cls=NumberArguments)
@click.argument("goal_id")
@click.argument("amount")
@pass_ctx
def goal_budget(ctx: Context, goal_id: str, amount: str) -> None:
    """Set goal GOAL_ID's budget to AMOUNT ('none' clears it)."""
    store = ctx.store()
    row = store.finance.set_goal_money(goal_id, budget=_amount(store, amount, "budget"))
    say(f"goal {row['id']} budget: {format_amount(row['budget_cents'], store.finance.currency())}")


@goal.command("return", cls=NumberArguments)
@click.argument("goal_id")
@click.argument("amount")
@pass_ctx
def goal_return(ctx: Context, goal_id: str, amount: str) -> None:
    """Set goal GOAL_ID's expected return to AMOUNT ('none' clears it)."""
    store = ctx.store()
    row = store.finance.set_goal_money(goal_id, ret=_amount(store, amount, "return"))
    money = store.finance.currency()
    say(f"goal {row['id']} expected return: {format_amount(row['return_cents'], money)}")


@goal.command("money", cls=NumberArguments)
@click.argument("goal_id", required=False)
@json_option
@pass_ctx
def goal_money(ctx: Context, goal_id: str | None, as_json: bool) -> None:
    """Budget, planned and spent cost, expected return, ROI and what is still uncertain."""
    from sprintboard.planning.finance import Books

    store = ctx.store()
    books = Books.load(store)
    goals = [store.goals.get(goal_id)] if goal_id else store.goals.list()
    found = [books.goal(g) for g in goals]
    if as_json:
        emit_json({"currency": books.currency, "goals": [m.to_dict() for m in found]})
        return
    money = books.currency
    table(
        [m.to_dict() for m in found],
        [
            ("ID", lambda r: r["goal"]),
            ("TITLE", lambda r: r["title"]),
            ("BUDGET", lambda r: format_amount(r["budget_cents"], whole=True)),
            ("PLANNED", lambda r: format_amount(r["planned_cents"], whole=True)),
            ("SPENT", lambda r: format_amount(r["spent_cents"], whole=True)),
            ("RETURN", lambda r: format_amount(r["return_cents"], whole=True)),
            ("ROI", lambda r: f"{r['roi_percent']}%" if r["roi_percent"] else "-"),
            ("UNCERTAIN", lambda r: "; ".join(r["uncertain"]) or "-"),
        ],
    )
    say(f"amounts in {money}")


@goal.command("measure", cls=NumberArguments)
@click.argument("goal_id", required=False)
@click.argument("value", type=NUMBER, required=False)
@click.option("--on", "day", metavar="DATE", help="The day it was measured (default: today).")
@click.option(
    "--csv", "csv_file", type=FilePath(exists=True, dir_okay=False),
    help="Import a Data export: columns goal (id or KPI name), date, value.",
)  # fmt: skip
@json_option
@pass_ctx
def goal_measure(
    ctx: Context,
    goal_id: str | None,
    value: float | None,
    day: str | None,
    csv_file: Path | None,
    as_json: bool,
) -> None:
    """Record goal GOAL_ID's KPI as VALUE (kept in its history), or import --csv FILE."""
    store = ctx.store()
    if csv_file is not None:
        if goal_id is not None or day is not None:
            raise UserError("csv: give either --csv FILE or GOAL_ID VALUE [--on DATE], not both")
        from sprintboard.io.measures_csv import read_measures

        rows = store.finance.record_measures(
            read_measures(store, csv_file), action="goal.measure.import"
        )
        emit_json({"recorded": len(rows)}) if as_json else say(f"{len(rows)} values recorded")
        return
    if goal_id is None or value is None:
        raise UserError("measure: give GOAL_ID VALUE (e.g. 'goal measure 3 2.75'), or --csv FILE")
    row = store.finance.measure(goal_id, value, day)
    if as_json:
        emit_json({k: row[k] for k in ("id", "goal_id", "day", "value")})
    else:
        say(f"goal {row['goal_id']}: {row['value']:g} on {row['day']}")


@goal.command("history", cls=NumberArguments)
@click.argument("goal_id")
@json_option
@pass_ctx
def goal_history(ctx: Context, goal_id: str, as_json: bool) -> None:
    """A goal's KPI values as measured, oldest first, with its baseline and target."""
    store = ctx.store()
    row = store.goals.get(goal_id)
    values = store.finance.measures(row["id"])
    if as_json:
        emit_json(
            {
                "goal": row["id"],
                "kpi": row["kpi"],
                "unit": row["unit"],
                "baseline": row["baseline"],
                "target": row["target"],
                "measures": [{"day": m["day"], "value": m["value"]} for m in values],
            }
        )
        return
    kpi = row["kpi"] or "KPI"
    say(f"goal {row['id']} {kpi}: baseline {row['baseline']:g}, target {row['target']:g}")
    table(values, [("DATE", lambda m: m["day"]), ("VALUE", lambda m: f"{m['value']:g}")])


@goal.command("forecast", cls=NumberArguments)
@click.argument("goal_id", required=False)
@json_option
@pass_ctx
def goal_forecast(ctx: Context, goal_id: str | None, as_json: bool) -> None:
    """When each goal is likely done (optimistic / likely / pessimistic, from recent
    velocity) and its cost by then."""
    from sprintboard.planning.finance import forecasts

    money, found = forecasts(
        ctx.store(), int(ctx.store().goals.get(goal_id)["id"]) if goal_id else None
    )
    if as_json:
        emit_json({"currency": money, "goals": [f.to_dict() for f in found]})
        return

    def when(s: Any) -> str:
        if s.done_by is None:
            return "no end in sight"
        return (
            f"{s.done_by} ({format_amount(s.cost, whole=True)})"
            if s.cost is not None
            else str(s.done_by)
        )

    rows = [
        {
            "id": f.goal,
            "title": f.title,
            "open": f.open_points,
            **{s.name: when(s) for s in f.scenarios},
        }
        for f in found
    ]
    table(
        rows,
        [
            ("ID", lambda r: r["id"]),
            ("TITLE", lambda r: r["title"]),
            ("OPEN", lambda r: r["open"]),
            ("OPTIMISTIC", lambda r: r["optimistic"]),
            ("LIKELY", lambda r: r["likely"]),
            ("PESSIMISTIC", lambda r: r["pessimistic"]),
        ],
    )
    for f in found:
        if f.unknown:
            say(f"goal {f.goal}: " + "; ".join(f.unknown))
    say(f"cost at that date in {money}; a range from recent velocity, not a promise")


# -- sprints --------------------------------------------------------------------------------


@sprint.command("budget")
@click.argument("name", type=SPRINT)
@click.argument("amount")
@pass_ctx
def sprint_budget(ctx: Context, name: str, amount: str) -> None:
    """Set sprint NAME's budget to AMOUNT ('none' clears it)."""
    store = ctx.store()
    row = store.finance.set_sprint_budget(name, _amount(store, amount, "budget"))
    say(f"{row['name']} budget: {format_amount(row['budget_cents'], store.finance.currency())}")


@sprint.command("cost")
@click.argument("name", type=SPRINT, default="current")
@json_option
@pass_ctx
def sprint_cost(ctx: Context, name: str, as_json: bool) -> None:
    """Planned and spent cost per team of sprint NAME (default: the active sprint)."""
    from sprintboard.planning.finance import Books

    store = ctx.store()
    found = store.sprints.resolve(name)
    if found is None:
        raise UserError("sprint: no active sprint; name a sprint (the backlog has no cost sheet)")
    books = Books.load(store)
    sheet = books.sprint(found["name"])
    budget = found.get("budget_cents")
    if as_json:
        emit_json(
            {
                "sprint": found["name"],
                "currency": books.currency,
                "budget_cents": budget,
                "budget": cents_text(budget),
                **sheet.to_dict(),
            }
        )
        return
    rows = [{"team": code, **line.to_dict()} for code, line in sheet.teams.items()]
    rows.append({"team": "TOTAL", **sheet.total.to_dict()})
    table(
        rows,
        [
            ("TEAM", lambda r: r["team"]),
            ("PLANNED", lambda r: format_amount(r["planned_cents"])),
            ("SPENT", lambda r: format_amount(r["spent_cents"])),
            (
                "NOT PRICED",
                lambda r: ", ".join(r["cards_without_points"] + r["teams_without_rate"]) or "-",
            ),
        ],
    )
    share = ""
    if budget:
        share = f" ({percent_text(Fraction(sheet.total.planned, budget))}% of it planned)"
    say(f"budget: {format_amount(budget, books.currency)}{share}; amounts in {books.currency}")


COMMANDS = [currency]
