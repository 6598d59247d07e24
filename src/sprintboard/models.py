"""Validated records of the sprintboard domain: pydantic models, no I/O, no Textual."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from sprintboard.errors import UserError

# C0 and C1 control characters except tab and newline; DEL too. ESC is among them, so a
# pasted "\x1b[2J" is stored as the harmless literal "[2J".
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def strip_control(text: str, *, one_line: bool = False) -> str:
    """Remove terminal control characters (a one-line field loses newlines and tabs too)."""
    if one_line:
        return " ".join(_CONTROL_ONE_LINE.sub(" ", text).split())
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _line(value: Any) -> Any:
    return strip_control(value, one_line=True) if isinstance(value, str) else value


def _block(value: Any) -> Any:
    return strip_control(value) if isinstance(value, str) else value


def _not_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


Line = Annotated[str, BeforeValidator(_line)]
"""One line of user text: control characters removed, white space folded."""
Title = Annotated[str, BeforeValidator(_line), AfterValidator(_not_empty), Field(max_length=10_000)]
Text = Annotated[str, BeforeValidator(_block), Field(max_length=100_000)]
"""Free text (descriptions, feedback): newlines kept, other control characters removed."""


class Status(StrEnum):
    """The board's columns, in order."""

    BACKLOG = "backlog"
    TODO = "todo"
    DOING = "doing"
    REVIEW = "review"
    DONE = "done"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.BACKLOG: "Backlog",
    Status.TODO: "To do",
    Status.DOING: "Doing",
    Status.REVIEW: "Review",
    Status.DONE: "Done",
}


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return PRIORITY_RANK[self]


PRIORITY_RANK = {Priority.LOW: 0, Priority.MEDIUM: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class TeamFormat(StrEnum):
    CO_LOCATED = "co-located"
    REMOTE = "remote"
    EXTERNAL = "external provider"


class SprintState(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


class GoalStatus(StrEnum):
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"


class FeedbackCategory(StrEnum):
    CHECKOUT = "checkout"
    CART = "cart"
    PAYMENT = "payment"
    SHIPPING = "shipping"
    PRODUCT = "product"
    SITE = "site"
    ACCOUNT = "account"
    OTHER = "other"


URGENT_CATEGORIES = frozenset(
    {FeedbackCategory.CHECKOUT, FeedbackCategory.CART, FeedbackCategory.PAYMENT}
)


class FeedbackSource(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    REVIEW = "review"
    SOCIAL = "social"
    STORE = "store"
    OTHER = "other"


class Triage(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    DECLINED = "declined"
    SNOOZED = "snoozed"


ONBOARDING_STEPS = ("accounts", "tools", "board walkthrough", "first card shipped")
"""The default onboarding checklist every new member starts with."""

_TEAM_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
CARD_KEY = re.compile(r"^([A-Z][A-Z0-9]{0,7})-([1-9][0-9]*)$")


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

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


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

    @model_validator(mode="after")
    def _end_after_start(self) -> Sprint:
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
