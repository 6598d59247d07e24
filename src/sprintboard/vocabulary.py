"""The domain's fixed words: columns, priorities, formats, categories, card keys.

Plain enums and constants, no pydantic: the board and the store's read paths import this
at start-up; `models` (validation, pydantic) is imported only where input is validated.
"""

from __future__ import annotations

import re
from enum import StrEnum

# C0 and C1 control characters except tab and newline; DEL too. ESC is among them, so a
# pasted "\x1b[2J" is stored as the harmless literal "[2J".
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control(text: str, *, one_line: bool = False) -> str:
    """Remove terminal control characters (a one-line field folds newlines and tabs too)."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Only line breaks and tabs become spaces; an ESC between two letters leaves no gap.
    return " ".join(text.split()) if one_line else text


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

CARD_KEY = re.compile(r"^([A-Z][A-Z0-9]{0,7})-([1-9][0-9]*)$")
