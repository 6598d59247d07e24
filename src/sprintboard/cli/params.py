"""Options and arguments the commands share. Whole numbers are bounded where they are read,
so a number SQLite cannot hold (above 2**63 - 1) is refused in one line instead of failing
in the database; `NumberArguments` lets such an argument be negative."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from sprintboard.errors import UserError
from sprintboard.numbers import decimal_number, whole_number
from sprintboard.vocabulary import (
    INT64_MAX,
    MAX_CAPACITY,
    MAX_COUNT,
    MAX_POINTS,
    MAX_REPORTS,
)


def _field(param: click.Parameter | None, argument_field: str | None = None) -> str:
    """How a refusal names the value: an option by its flag, an argument by its name."""
    if isinstance(param, click.Option) and param.opts:
        return max(param.opts, key=len)
    return argument_field or (param.name if param is not None and param.name else "value")


class Whole(click.IntRange):
    """A whole number in ASCII digits (numbers.py) between `low` and `high`. Help shows
    the range as `[0-1000]`; a refusal is one line naming the option, the value and the
    range. `field` names an argument in that line when its own name does not."""

    name = "whole number"

    def __init__(self, low: int, high: int, field: str | None = None) -> None:
        super().__init__(low, high)
        self.field = field

    def _describe_range(self) -> str:
        if self.max == INT64_MAX:
            return f"{self.min} or more" if self.min is not None and self.min >= 0 else "any"
        return f"{self.min}-{self.max}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        field = _field(param, self.field)
        allowed = (
            f"a whole number from {self.min} to {self.max}"
            if self.max != INT64_MAX
            else f"a whole number of {self._describe_range()}"
        )
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = whole_number(str(value))
            except ValueError:
                raise UserError(f"{field}: not a whole number (got {value!r}); {allowed}") from None
        assert self.min is not None and self.max is not None
        if not self.min <= number <= self.max:
            raise UserError(f"{field}: out of range (got {value!r}); {allowed}")
        return number


class Decimal(click.ParamType[float]):
    """A finite number in ASCII digits (numbers.py): goal figures."""

    name = "number"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        try:
            return decimal_number(str(value))
        except ValueError as exc:
            field = _field(param)
            raise UserError(f"{field}: {exc} (got {value!r}); a number like 12.5") from None


class FilePath(click.Path):
    """A file's path as a `Path`; an empty one is refused in one line. (click would make
    `''` the path `.`, the current folder, and the refusal would name that instead.)"""

    def __init__(self, **options: Any) -> None:
        super().__init__(path_type=Path, **options)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            raise UserError(f"{_field(param)}: the path is empty (got {value!r}); name a file")
        return super().convert(value, param, ctx)


class SprintRef(click.ParamType[str]):
    """A `--sprint` value: a name, 'current' or 'backlog'. An empty one is refused: it looks
    like a name that went missing in a script, and reading it as 'no sprint' would put cards
    in the backlog or list every sprint's."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str) and not value.strip():
            raise UserError(
                f"{_field(param)}: the sprint is empty (got {value!r}); give a sprint name, "
                "'current' or 'backlog'"
            )
        return str(value)


WHOLE = Whole(-INT64_MAX - 1, INT64_MAX)
"""Any whole number that fits SQLite's 64-bit integers (the records check their own ranges)."""
POSITIVE = Whole(1, INT64_MAX)
"""A count or id of 1 or more."""
DEMO_SIZE = Whole(1, 1_000_000)
"""`demo --cards` and `--per-sprint` (demo.MAX_DEMO_CARDS: the CLI does not import the demo
module until the command runs)."""
POINTS = Whole(0, MAX_POINTS)
CAPACITY = Whole(0, MAX_CAPACITY, "capacity")
COUNT = Whole(0, MAX_COUNT)
"""Expected orders, throughput per day."""
REPORTS = Whole(1, MAX_REPORTS)
NUMBER = Decimal()
SPRINT = SprintRef()

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
