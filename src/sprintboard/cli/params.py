"""Options and arguments the commands share. Whole numbers are bounded where they are read,
so a number SQLite cannot hold (above 2**63 - 1) is refused in one line instead of failing
in the database; `NumberArguments` lets such an argument be negative."""

from __future__ import annotations

import re
from typing import Any

import click

from sprintboard.vocabulary import INT64_MAX

WHOLE = click.IntRange(-INT64_MAX - 1, INT64_MAX)
"""Any whole number that fits SQLite's 64-bit integers (the records check their own ranges)."""
POSITIVE = click.IntRange(1, INT64_MAX)
"""A count or id of 1 or more."""
DEMO_SIZE = click.IntRange(1, 1_000_000)
"""`demo --cards` and `--per-sprint` (demo.MAX_DEMO_CARDS: the CLI does not import the demo
module until the command runs)."""

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def given(**options: Any) -> dict[str, Any]:
    """The options given on the command line (those not None)."""
    return {k: v for k, v in options.items() if v is not None}


_DASH_DIGIT = re.compile(r"-\d")


class NumberArguments(click.Command):
    """A command whose number arguments may be negative: `sprint capacity S IT -2`.

    Click reads any word starting with '-' as an option and would refuse `-2` as "No such
    option". No option here is a digit, so such a word is read again as an argument and
    its value checked like any other; other unknown options are still refused.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, list(args))  # the parser consumes its list
        except click.NoSuchOption as exc:
            if not _DASH_DIGIT.fullmatch(exc.option_name):
                raise
        ctx.ignore_unknown_options = True
        return super().parse_args(ctx, args)
