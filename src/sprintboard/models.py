"""Validated records of the sprintboard domain: pydantic models, no I/O, no Textual."""

from __future__ import annotations

import re
from datetime import date, datetime
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
from sprintboard.vocabulary import (  # noqa: F401  (re-exported: models is their old home)
    CARD_KEY,
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
    strip_control,
)


def _line(value: Any) -> Any:
    return strip_control(value, one_line=True) if isinstance(value, str) else value


def _block(value: Any) -> Any:
    return strip_control(value) if isinstance(value, str) else value


def _not_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


Line = Annotated[str, BeforeValidator(_line)]
"""One line of user text: control characters removed, white space folded."""
Title = Annotated[str, BeforeValidator(_line), AfterValidator(_not_empty), Field(max_length=10_000)]
Text = Annotated[str, BeforeValidator(_block), Field(max_length=100_000)]
"""Free text (descriptions, feedback): newlines kept, other control characters removed."""


_TEAM_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _team_code(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().upper()
        if not _TEAM_CODE.match(value):
            raise ValueError("must be 1-8 letters or digits starting with a letter, e.g. IT or MKT")
    return value


def _colour(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not _COLOUR.match(value):
            raise ValueError("must be a hex colour like #1f77b4")
        value = value.lower()
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
    capacity: int = Field(default=20, ge=0, le=10_000)
    throughput_per_day: int | None = Field(default=None, ge=0)
    archived: bool = False


class Member(Record):
    team: TeamCode
    name: Title
    role: Line = ""
    onboarding: dict[str, bool] = Field(
        default_factory=lambda: dict.fromkeys(ONBOARDING_STEPS, False)
    )


class Goal(Record):
    title: Title
    kpi: Line = ""
    unit: Line = ""
    baseline: float = 0.0
    target: float = 0.0
    current: float = 0.0
    expected_roi: float | None = None
    sponsor: Line = ""
    status: GoalStatus = GoalStatus.ON_TRACK


class Sprint(Record):
    name: Title
    goal: Text = ""
    start: date
    end: date
    state: SprintState = SprintState.PLANNED

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: date, info: ValidationInfo) -> date:
        # A field validator (not a model one) so the error names the field: 'end: ...'.
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"must not be before start {start}")
        return end

    @model_validator(mode="after")
    def _still_in_order(self) -> Sprint:
        # Assigning a later `start` to a built sprint does not run the `end` validator.
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Card(Record):
    """A card as entered: the key is allocated by the store."""

    title: Title
    description: Text = ""
    team: TeamCode
    teams: list[TeamCode] = Field(default_factory=list)
    status: Status = Status.BACKLOG
    points: int | None = Field(default=None, ge=0, le=1000)
    priority: Priority = Priority.MEDIUM
    assignee: Line = ""
    due: date | None = None
    labels: list[Line] = Field(default_factory=list)
    skus: list[Line] = Field(default_factory=list)
    expected_orders: int | None = Field(default=None, ge=0)


class Feedback(Record):
    text: Annotated[str, BeforeValidator(_block), AfterValidator(_not_empty)]
    source: FeedbackSource = FeedbackSource.EMAIL
    customer: Line = ""
    category: FeedbackCategory = FeedbackCategory.OTHER
    reported_by: Line = ""
    received_at: datetime | None = None
    reports: int = Field(default=1, ge=1)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    # pydantic alone would read '1773273600' as a Unix time; a person means a calendar day.
    if isinstance(value, str):
        value = value.strip()
        if not _ISO_DATE.match(value):
            raise ValueError("must be a date like 2026-03-20")
    return value


class Decline(Record):
    """Why a feedback item is declined: one line, required."""

    reason: Annotated[
        str, BeforeValidator(_line), AfterValidator(_not_empty), Field(max_length=1000)
    ]


class Snooze(Record):
    """Until when a feedback item stays out of the inbox (it is back on that day)."""

    until: Annotated[date, BeforeValidator(_iso_date)]


def summary_line(text: str, width: int = 80) -> str:
    """The first non-blank line of `text`, white space folded, cut at a word to `width`."""
    line = next((" ".join(part.split()) for part in text.splitlines() if part.strip()), "")
    if len(line) <= width:
        return line
    cut = line[: width - 1]
    space = cut.rfind(" ")
    if space > width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


class StockItem(Record):
    sku: Annotated[str, BeforeValidator(_line), AfterValidator(_not_empty)]
    name: Line = ""
    on_hand: int = Field(ge=0)
    threshold: int = Field(default=0, ge=0)
    restock_date: date | None = None


M = TypeVar("M", bound=BaseModel)


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming the first bad field, the value given and what is allowed."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "value"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    ctx = err.get("ctx") or {}
    if err["type"] == "enum" and "expected" in ctx:
        msg = f"must be one of {ctx['expected']}"
    given = err.get("input")
    if isinstance(given, dict | BaseModel):
        return f"{field}: {msg}"
    shown = repr(given) if len(repr(given)) <= 60 else repr(given)[:57] + "..."
    return f"{field}: {msg} (got {shown})"


def validate(model: type[M], data: dict[str, Any]) -> M:
    """Build a model, turning a validation error into a one-line UserError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UserError(describe_validation_error(exc)) from None
