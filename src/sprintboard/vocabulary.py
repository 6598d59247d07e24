"""The domain's fixed words: columns, priorities, formats, categories, card keys.

Plain enums and constants, no pydantic: the board and the store's read paths import this
at start-up; `models` (validation, pydantic) is imported only where input is validated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from sprintboard.errors import UserError

# C0 and C1 control characters except tab and newline; DEL too. ESC is among them, so a
# pasted "\x1b[2J" is stored as the harmless literal "[2J".
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Bidirectional controls (LRM, RLM, embeddings, overrides, isolates): kept in the data
(right-to-left text may need them) but shown as escapes, since a terminal would let an
override like U+202E reorder the rest of the line. The emoji joiner U+200D is no control."""
_VISIBLE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\ud800-\\udfff{_BIDI}]")


def has_control(text: str) -> bool:
    """Whether `text` holds a character a terminal would act on or reorder by (control,
    bidirectional control, lone surrogate); joiners (U+200C, U+200D) are text."""
    return _VISIBLE.search(text) is not None


_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def needs_cleaning(text: str) -> bool:
    """Whether `text` holds a control character (other than tab and line breaks) or a lone
    surrogate: what the records remove or replace, and importers count."""
    return _NEEDS_CLEANING.search(text) is not None


def replace_surrogates(text: str) -> str:
    """Lone surrogates (undecodable bytes; SQLite cannot store them) as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def show_control(text: str) -> str:
    """Text with control characters (except newline and tab), bidirectional controls and
    lone surrogates written visibly as escapes, e.g. ESC as \\x1b and U+202E as \\u202e:
    for human-readable output, never for JSON."""
    return _VISIBLE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def strip_control(text: str, *, one_line: bool = False) -> str:
    """Remove terminal control characters (a one-line field folds newlines and tabs too)."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Only line breaks and tabs become spaces; an ESC between two letters leaves no gap.
    return " ".join(text.split()) if one_line else text


# What a literal title drops: C0 and C1 controls and DEL, except tab and the next line
# character U+0085 (white space a title keeps as given); line feed and carriage return are
# turned into spaces before this runs.
_TITLE_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x84\x86-\x9f]")
_LINE_END = re.compile(r"\r\n|[\r\n]")


def literal_line(text: str) -> str:
    """A title exactly as given, made safe to store: lone surrogates as U+FFFD, each line
    end (CR, LF or CRLF) as one space, other control characters (ESC, BEL...) removed.
    Tabs, double and leading or trailing spaces, NBSP and U+2028/U+2029/U+0085 are kept;
    `views.text.printable` shows them as spaces so a row never breaks."""
    return _TITLE_CONTROL.sub("", _LINE_END.sub(" ", replace_surrogates(text)))


_SEPARATOR = re.compile("[\x85\u2028\u2029]")


def without_separators(text: str) -> str:
    """Text with the line and paragraph separators a title keeps (U+0085, U+2028, U+2029)
    shown as spaces: a terminal, `splitlines`, a browser or a calendar would break the line
    there. For human output (tables, HTML, Markdown, ICS); JSON and CSV stay literal."""
    return _SEPARATOR.sub(" ", text)


def on_one_line(text: str) -> str:
    """`without_separators`, and tabs as spaces too: a title in a table row or a summary."""
    return without_separators(text).replace("\t", " ")


def title_key(text: str) -> str:
    """How titles are compared when matching (a goal of the same title, a duplicate):
    white space folded and case ignored, while the store keeps the literal title."""
    return strip_control(without_separators(replace_surrogates(text)), one_line=True).casefold()


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
MAX_ONBOARDING_STEPS = 50
"""Steps on one member's checklist, the defaults and those added for that member."""

MAX_POINTS = 1000
TEAM_PARTS = {
    "MKT": "brief the campaign",
    "IT": "build and test",
    "CS": "brief the service team",
    "ECOM": "set it up in the shop",
    "WH": "confirm stock",
    "EXEC": "sign off",
    "CNT": "write the content",
    "DATA": "set up the tracking",
    "FIN": "approve the budget",
}
"""A contributing team's part of a card, as its default checklist item ('WH: confirm
stock'); a team not listed here gets 'do its part'."""
MAX_CAPACITY = 10_000
MAX_REPORTS = 1_000_000
MAX_COUNT = 1_000_000_000
"""Orders, throughput, stock on hand and thresholds: far below SQLite's int64."""

INT64_MAX = 2**63 - 1
"""The largest integer SQLite stores; every whole number taken in is checked against it."""

CARD_KEY = re.compile(r"^([A-Z][A-Z0-9]{0,7})-([1-9][0-9]*)$")

MAX_CARD_NUMBER = 1_000_000_000
"""The highest number a team's card key gets (IT-1000000000): the key counter stops there."""


def numbers_used_up(team_code: str, last: object) -> str:
    """The line that refuses a new card when its team's key counter is at the end."""
    return (
        f"team: {team_code} has used up its card numbers (got counter {last}); card numbers "
        f"go up to {MAX_CARD_NUMBER:,}: add the card to another team"
    )


NAMED_COLOURS = {
    "black": "#000000",
    "white": "#ffffff",
    "red": "#ff0000",
    "green": "#008000",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "orange": "#ffa500",
    "purple": "#800080",
    "magenta": "#ff00ff",
    "cyan": "#00ffff",
    "teal": "#008080",
    "navy": "#000080",
    "maroon": "#800000",
    "olive": "#808000",
    "lime": "#00ff00",
    "aqua": "#00ffff",
    "fuchsia": "#ff00ff",
    "silver": "#c0c0c0",
    "gray": "#808080",
    "grey": "#808080",
    "brown": "#a52a2a",
    "pink": "#ffc0cb",
    "gold": "#ffd700",
    "indigo": "#4b0082",
    "violet": "#ee82ee",
    "coral": "#ff7f50",
    "salmon": "#fa8072",
    "turquoise": "#40e0d0",
}
"""Colour names a team colour may be given as; stored as their #rrggbb."""

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-f]{3}|[0-9a-f]{6})$")


def colour_hex(value: str) -> str | None:
    """`value` (#rgb, #rrggbb or a name in NAMED_COLOURS) as lower-case #rrggbb, else None.

    Only such strings reach CSS, terminal styles or the store, so a colour cannot carry
    anything else (a `;` or `}` in a crafted colour would end the style it is put in).
    """
    text = value.strip().lower()
    if text in NAMED_COLOURS:
        return NAMED_COLOURS[text]
    if not _HEX_COLOUR.match(text):
        return None
    if len(text) == 4:
        return "#" + "".join(c * 2 for c in text[1:])
    return text


FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
"""Dates (due, sprint start and end, received, restock) lie between these days."""
MAX_SPRINT_DAYS = 366
"""A sprint lasts at most a year (start and end day included)."""

_STORED_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def stored_day(value: Any) -> date | None:
    """The calendar day a stored date or time starts with, or None when it is no such day
    or lies outside FIRST_DAY..LAST_DAY: a database written before dates were checked may
    hold `999-12-31` or `9999-12-31`, and readers skip those instead of failing."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _STORED_DAY.match(value):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return None
    else:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def sprint_span(sprint: Mapping[str, Any]) -> tuple[date, date]:
    """A stored sprint's first and last day, or one clear error when they are out of range
    (a chart or calendar over them would run for centuries)."""
    start, end = stored_day(sprint.get("start")), stored_day(sprint.get("end"))
    if start is None or end is None or not 0 <= (end - start).days < MAX_SPRINT_DAYS:
        raise UserError(
            f"sprint {sprint.get('name')!r}: stored dates {sprint.get('start')} to "
            f"{sprint.get('end')} are not a sprint (dates {FIRST_DAY} to {LAST_DAY}, at most "
            f"{MAX_SPRINT_DAYS} days); fix them with 'sprintboard sprint edit'"
        )
    return start, end


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
