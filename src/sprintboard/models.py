"""Validated records of the sprintboard domain: pydantic models, no I/O, no Textual."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sprintboard.errors import UserError
from sprintboard.numbers import is_number_text
from sprintboard.vocabulary import (  # noqa: F401  (re-exported: models is their old home)
    CARD_KEY,
    FIRST_DAY,
    INT64_MAX,
    LAST_DAY,
    MAX_CAPACITY,
    MAX_COUNT,
    MAX_POINTS,
    MAX_REPORTS,
    MAX_SPRINT_DAYS,
    ONBOARDING_STEPS,
    PRIORITY_RANK,
    STATUS_LABELS,
    URGENT_CATEGORIES,
    FeedbackCategory,
    FeedbackSource,
    GoalStatus,
    Priority,
    SprintState,
    Status,
    TeamFormat,
    Triage,
    colour_hex,
    literal_line,
    replace_surrogates,
    strip_control,
    summary_line,
)

# -- limits: every value entering the store is inside these (README: Limits) ---------------
# The number limits live in vocabulary (the command line shows them without pydantic).

MAX_TITLE = 500
MAX_LINE = 1000
MAX_TEXT = 100_000


def _line(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return strip_control(replace_surrogates(value), one_line=True)


def _literal(value: Any) -> Any:
    return literal_line(value) if isinstance(value, str) else value


def _block(value: Any) -> Any:
    return strip_control(replace_surrogates(value)) if isinstance(value, str) else value


def _at_most(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long; at most {limit:,}")
        return value

    return AfterValidator(check)


def _not_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _number_text(value: Any) -> Any:
    # pydantic alone reads '1_000' as 1000; numbers are written in ASCII digits everywhere.
    if isinstance(value, str) and not is_number_text(value):
        raise ValueError("must be a number written with the digits 0-9")
    return value


Number = BeforeValidator(_number_text)
"""On every number field: text given for it must be plain ASCII digits (numbers.py)."""

Line = Annotated[str, BeforeValidator(_line), _at_most(MAX_LINE)]
"""One line of user text: control characters removed, white space folded, lone surrogates
(undecodable bytes) replaced by U+FFFD."""
Title = Annotated[str, BeforeValidator(_line), AfterValidator(_not_empty), _at_most(MAX_TITLE)]
"""A name (team, member, sprint): one line, white space folded, never empty."""
LiteralTitle = Annotated[
    str, BeforeValidator(_literal), AfterValidator(_not_empty), _at_most(MAX_TITLE)
]
"""A card title, goal title or checklist item, stored as given: tabs, runs of spaces,
leading and trailing spaces, NBSP and U+2028/U+2029/U+0085 kept; line ends (CR, LF) become
spaces, other control characters are removed, lone surrogates replaced by U+FFFD; never
empty or only white space. Shown through `views.text.printable`, which makes the kept
separators spaces; matched through `vocabulary.title_key`."""
Text = Annotated[str, BeforeValidator(_block), _at_most(MAX_TEXT)]
"""Free text (descriptions, feedback): newlines and tabs kept, other control characters
removed, lone surrogates replaced by U+FFFD."""

_DAY_RULE = f"a date like 2026-03-20, between {FIRST_DAY} and {LAST_DAY}"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def _day_given(value: Any) -> Any:
    # pydantic alone reads 0 or '1773273600' as a Unix time; a person means a calendar day.
    if isinstance(value, datetime):
        raise ValueError(f"must be {_DAY_RULE}, not a time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DAY.match(value.strip()):
        return value.strip()
    raise ValueError(f"must be {_DAY_RULE}")


def _moment_given(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_MOMENT.match(value.strip()):
        return value.strip()
    raise ValueError(f"must be {_DAY_RULE}, or an ISO time on such a day")


def day_in_range(day: date) -> bool:
    """Whether `day` lies inside the dates the store accepts."""
    return FIRST_DAY <= day <= LAST_DAY


def _day_in_range(day: date) -> date:
    if not day_in_range(day):
        raise ValueError(f"{day} is out of range; must be {_DAY_RULE}")
    return day


def _moment_in_range(moment: datetime) -> datetime:
    # The store keeps the UTC time, so the range is checked on the UTC day: 23:00 at -05:00
    # on the last day is already the day after in UTC. A time without a zone is UTC already.
    try:
        utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    except OverflowError:  # year 9999 at -05:00 is past the last datetime
        raise ValueError(f"is out of range; must be {_DAY_RULE} in UTC") from None
    if not day_in_range(utc.date()):
        raise ValueError(f"is on {utc.date()} in UTC, out of range; must be {_DAY_RULE} in UTC")
    return moment


Day = Annotated[date, BeforeValidator(_day_given), AfterValidator(_day_in_range)]
"""A calendar day written YYYY-MM-DD (never a Unix time), between FIRST_DAY and LAST_DAY."""
Moment = Annotated[datetime, BeforeValidator(_moment_given), AfterValidator(_moment_in_range)]
"""A date or ISO time (a bare date is its midnight), on a day between FIRST_DAY and LAST_DAY."""


_TEAM_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")


def _team_code(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().upper()
        if not _TEAM_CODE.match(value):
            raise ValueError("must be 1-8 letters or digits starting with a letter, e.g. IT or MKT")
    return value


def _colour(value: Any) -> Any:
    if isinstance(value, str):
        hex_value = colour_hex(value)
        if hex_value is None:
            raise ValueError("must be a colour: #rgb, #rrggbb or a name like red or teal")
        return hex_value
    return value


TeamCode = Annotated[str, BeforeValidator(_team_code)]
Colour = Annotated[str, BeforeValidator(_colour)]


class Record(BaseModel):
    """Base of every record: strict about unknown fields, lenient about str/enum input."""

    # allow_inf_nan=False: "nan" or "inf" for a KPI or ROI is a typo, not a number to store.
    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, use_enum_values=False, allow_inf_nan=False
    )


class Team(Record):
    code: TeamCode
    name: Title
    format: TeamFormat = TeamFormat.CO_LOCATED
    colour: Colour = "#888888"
    capacity: Annotated[int, Number] = Field(default=20, ge=0, le=MAX_CAPACITY)
    throughput_per_day: Annotated[int | None, Number] = Field(default=None, ge=0, le=MAX_COUNT)
    archived: bool = False


class SprintCapacity(Record):
    """A team's capacity in one sprint, instead of its usual one: the same bound as a team's."""

    capacity: Annotated[int, Number] = Field(ge=0, le=MAX_CAPACITY)


class OnboardingStep(Record):
    """A step added to one member's checklist beyond ONBOARDING_STEPS."""

    step: Annotated[str, BeforeValidator(_line), AfterValidator(_not_empty), _at_most(100)]


class Member(Record):
    team: TeamCode
    name: Title
    role: Line = ""
    onboarding: dict[str, bool] = Field(
        default_factory=lambda: dict.fromkeys(ONBOARDING_STEPS, False)
    )


class Goal(Record):
    title: LiteralTitle
    kpi: Line = ""
    unit: Line = ""
    baseline: Annotated[float, Number] = Field(default=0.0, ge=-1e15, le=1e15)
    target: Annotated[float, Number] = Field(default=0.0, ge=-1e15, le=1e15)
    current: Annotated[float, Number] = Field(default=0.0, ge=-1e15, le=1e15)
    expected_roi: Annotated[float | None, Number] = Field(default=None, ge=-1e15, le=1e15)
    sponsor: Line = ""
    status: GoalStatus = GoalStatus.ON_TRACK


class Measure(Record):
    """One KPI value as measured on a day (a goal's history; its latest is `current`)."""

    day: Day
    value: Annotated[float, Number] = Field(ge=-1e15, le=1e15)


class Sprint(Record):
    name: Title
    goal: Text = ""
    start: Day
    end: Day
    state: SprintState = SprintState.PLANNED

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: date, info: ValidationInfo) -> date:
        # A field validator (not a model one) so the error names the field: 'end: ...'.
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"must not be before start {start}")
        if start is not None and (end - start).days + 1 > MAX_SPRINT_DAYS:
            raise ValueError(
                f"makes a sprint of {(end - start).days + 1} days; at most {MAX_SPRINT_DAYS}"
            )
        return end

    @model_validator(mode="after")
    def _still_in_order(self) -> Sprint:
        # Assigning a later `start` to a built sprint does not run the `end` validator.
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.end - self.start >= timedelta(days=MAX_SPRINT_DAYS):
            raise ValueError(f"a sprint lasts at most {MAX_SPRINT_DAYS} days")
        return self


class Card(Record):
    """A card as entered: the key is allocated by the store."""

    title: LiteralTitle
    description: Text = ""
    team: TeamCode
    teams: list[TeamCode] = Field(default_factory=list)
    status: Status = Status.BACKLOG
    points: Annotated[int | None, Number] = Field(default=None, ge=0, le=MAX_POINTS)
    priority: Priority = Priority.MEDIUM
    assignee: Line = ""
    due: Day | None = None
    labels: list[Line] = Field(default_factory=list, max_length=100)
    skus: list[Line] = Field(default_factory=list, max_length=1000)
    expected_orders: Annotated[int | None, Number] = Field(default=None, ge=0, le=MAX_COUNT)


class Feedback(Record):
    text: Annotated[str, BeforeValidator(_block), AfterValidator(_not_empty), _at_most(MAX_TEXT)]
    source: FeedbackSource = FeedbackSource.EMAIL
    customer: Line = ""
    category: FeedbackCategory = FeedbackCategory.OTHER
    reported_by: Line = ""
    received_at: Moment | None = None
    reports: Annotated[int, Number] = Field(default=1, ge=1, le=MAX_REPORTS)


MAX_COMMENT = 20_000
MAX_CHECKLIST_ITEMS = 200


class Comment(Record):
    """One comment on a card: free text (newlines kept), never empty."""

    body: Annotated[str, BeforeValidator(_block), AfterValidator(_not_empty), _at_most(MAX_COMMENT)]


class ChecklistItem(Record):
    """One thing to do on a card, optionally a team's part of it."""

    text: LiteralTitle
    team: TeamCode | None = None
    done: bool = False


class Decline(Record):
    """Why a feedback item is declined: one line, required."""

    reason: Annotated[str, BeforeValidator(_line), AfterValidator(_not_empty), _at_most(1000)]


class Snooze(Record):
    """Until when a feedback item stays out of the inbox (it is back on that day)."""

    until: Day


class StockItem(Record):
    sku: Annotated[str, BeforeValidator(_line), AfterValidator(_not_empty), _at_most(MAX_LINE)]
    name: Line = ""
    on_hand: Annotated[int, Number] = Field(ge=0, le=MAX_COUNT)
    threshold: Annotated[int, Number] = Field(default=0, ge=0, le=MAX_COUNT)
    restock_date: Day | None = None


M = TypeVar("M", bound=BaseModel)


PLAIN_WORDS = {
    "less_than_equal": "must be at most {le}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "greater_than": "must be more than {gt}",
    "too_long": "holds {actual_length} items; at most {max_length}",
    "int_parsing": "must be a whole number",
    "float_parsing": "must be a number",
}
"""pydantic's error types, in the words sprintboard's own rules use."""


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming the first bad field, the value given and what is allowed."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "value"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "enum" and "expected" in ctx:
        msg = f"must be one of {ctx['expected']}"
    elif kind in PLAIN_WORDS:
        # pydantic's own wording ('Input should be ...') said the way every other rule is.
        msg = PLAIN_WORDS[kind].format(**ctx)
    elif kind.startswith(("date_", "datetime_")) and "error" in ctx:
        msg = f"is not a real date ({ctx['error']}); {_DAY_RULE}"
    given = err.get("input")
    if isinstance(given, dict | BaseModel):
        return f"{field}: {msg}"
    if isinstance(given, date):  # a date read from a file: ISO, never datetime.date(...)
        return f"{field}: {msg} (got {given.isoformat()})"
    shown = repr(given) if len(repr(given)) <= 60 else repr(given)[:57] + "..."
    return f"{field}: {msg} (got {shown})"


def validate(model: type[M], data: dict[str, Any]) -> M:
    """Build a model, turning a validation error into a one-line UserError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UserError(describe_validation_error(exc)) from None
