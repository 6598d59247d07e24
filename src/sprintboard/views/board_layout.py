"""How the board fits a card, a column header and the selected card's status line into the
cells it has: what each part keeps as the width shrinks, in priority order.

Plain Python: each function returns `Piece`s, (text, role) pairs the board grid turns into
styled segments (`role` names a component class without its `board--` prefix). Widths are
terminal cells (`cell_len`), so wide characters and emoji are cut where they fit, and user
text reaches the terminal only through `printable`.

Priorities, from kept longest to dropped first:
- a card: its key; its badges (shown as ✗ ⚠ ⊘ ⇄ ✉n ◷nd !late ☑ ✎; given up in the order
  of `Badge.rank`, after shortening ✉9 ◷3d !late to ✉ ◷ !); its points.
  Below `COMPACT_BELOW` cells a column shows one line per card: key, badges, and the title
  as far as it fits (the status line shows it whole).
- a column header: its name; its count and WIP (n/limit, ⚠ when over); its points.
- the status line: the key and the whole title; the team, points, assignee and the badges
  in words, then as glyphs, as far as room allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len

from sprintboard.planning.findings import Severity
from sprintboard.views.board import Card, Face
from sprintboard.views.card_findings import GLYPHS
from sprintboard.views.text import fit, printable
from sprintboard.vocabulary import stored_day

Piece = tuple[str, str]
"""(text, role): what the grid draws in the style of `board--<role>`."""

COMPACT_BELOW = 18
"""Columns narrower than this many cells show one line per card (at 80 terminal columns a
column has 15; from 94 it has 18: room for a key, a few badges and the title's start on
the title line of a full card)."""

MIN_TITLE = 5
"""A compact card keeps this many cells of its title before it shows the checklist,
comment and assignee badges (which the status line lists too)."""

OPTIONAL_ROLES = frozenset({"checklist", "checklist-done", "comments"})
"""Badges a compact card gives up first, for room for its title."""


@dataclass(frozen=True, slots=True)
class Badge:
    glyph: str  # as on the card: "⊘", "✉9", "!late"
    role: str  # its style: "blocked", "feedback", ...
    words: str  # what the status line says: "⊘ blocked by IT-6"

    @property
    def rank(self) -> int:
        """How long a narrow card keeps it (0: longest): what will break, what waits or is
        late, what customers said, then the rest."""
        return RANKS.get(self.role, len(RANKS))

    @property
    def short(self) -> str:
        """The glyph without its number or word ("✉", "◷", "!"), for a tight card."""
        return SHORT.get(self.role, self.glyph)


RANKS = {
    "finding-error": 0,
    "finding-warning": 0,
    "blocked": 1,
    "overdue": 2,
    "feedback": 3,
    "due": 4,
    "cross": 5,
    "checklist": 6,
    "checklist-done": 6,
    "comments": 7,
}
SIGNALS = RANKS["due"]
"""Badges up to this rank are signals (a finding, blocked, late, feedback, due soon): the
status line gives up the card's team, points and assignee before them."""
SHORT = {"due": "◷", "feedback": "✉", "overdue": "!"}
SHORTENED_FIRST = ("due", "feedback", "overdue")


def card_badges(
    card: Card, face: Face, severity: Severity | None, today: date, *, words: bool = False
) -> list[Badge]:
    """The card's badges in the order a card shows them; `words` also says each in words
    (for the status line: the grid draws the glyphs of every visible card on every frame,
    so it skips them)."""
    badges: list[Badge] = []
    if severity is not None:
        glyph = GLYPHS[severity]
        said = f"{glyph} {severity} (!)" if words else ""
        badges.append(Badge(glyph, f"finding-{severity.value}", said))
    if card["blocked_by"]:
        said = "⊘ blocked by " + ", ".join(map(printable, card["blocked_by"])) if words else ""
        badges.append(Badge("⊘", "blocked", said))
    teams = card.get("teams") or []
    if card["cross_team"] or len(teams) > 1:
        others = ", ".join(printable(t) for t in teams if t != card["team"]) if words else ""
        badges.append(Badge("⇄", "cross", (f"⇄ with {others}" if others else "⇄ cross-team")))
    if card["feedback"]:
        n = card.get("reports") or 0
        said = f"✉{n} report{'' if n == 1 else 's'}" if words else ""
        badges.append(Badge(f"✉{n}", "feedback", said))
    due = stored_day(card.get("due"))  # None also for a date stored out of range
    if due is not None and card["status"] != "done":
        days = (due - today).days
        if days < 0:
            late = f"{-days} day{'' if days == -1 else 's'}"
            badges.append(Badge("!late", "overdue", f"!late by {late}"))
        elif days <= 3:
            when = {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
            badges.append(Badge(f"◷{days}d", "due", f"◷ due {when}"))
    if face.checklist:
        role = "checklist-done" if face.checklist_done else "checklist"
        badges.append(Badge(f"☑{face.checklist}", role, f"☑ checklist {face.checklist}"))
    if face.comments:
        n = int(face.comments)
        said = f"✎{n} comment{'' if n == 1 else 's'}" if words else ""
        badges.append(Badge(f"✎{n}", "comments", said))
    return badges


def _width(pieces: list[Piece]) -> int:
    return sum(cell_len(text) for text, _ in pieces)


def _glyphs(badges: list[Badge], spaced: bool) -> list[Piece]:
    """' ⊘ ⇄ ✉9' (spaced) or ' ⊘⇄✉9': one space before the first either way."""
    return [(" " + b.glyph if spaced or not i else b.glyph, b.role) for i, b in enumerate(badges)]


def key_line(
    key: str, points: int | None, badges: list[Badge], width: int, *, narrow: bool = False
) -> list[Piece]:
    """A card's first line, exactly `width` cells: key, badges, points at the right.

    Narrowing, it drops the points, then closes the gaps between the badges, then gives
    up badges (`_tighter`), and crops the key last. `narrow` (a two-line card in a narrow
    column): badges without gaps and no points on any card, so the cards of a column look
    alike (the column header has the points, the status line the card's).
    """
    key = printable(key)
    shown_points = "" if points is None or narrow else f"{points}pt"
    forms = [(False, False)] if narrow else [(True, True), (True, False), (False, False)]
    for spaced, with_points in forms:
        tail = [(" " + shown_points, "muted")] if with_points and shown_points else []
        line = [(key, "key"), *_glyphs(badges, spaced)]
        if _width(line) + _width(tail) <= width:
            return _pad_before(line, tail, width)
    for kept in _tighter(badges):
        line = [(key, "key"), *_tight(kept)]
        if _width(line) <= width:
            kept = _refill(key, kept, badges, width)
            return _pad_before([(key, "key"), *_tight(kept)], [], width)
    return [(fit(key, width), "key")]


def _refill(
    key: str, kept: list[tuple[Badge, bool]], badges: list[Badge], width: int
) -> list[tuple[Badge, bool]]:
    """`kept` with the badges `_tighter` dropped put back, most important first, each one
    that still fits in `width` (a ✗ card that lost ☑1/4 and ✎4 together keeps ☑1/4 when
    there is room for it alone)."""
    shown = {id(b): short for b, short in kept}
    for badge in sorted((b for b in badges if id(b) not in shown), key=lambda b: b.rank):
        trial = {**shown, id(badge): False}
        line = [(key, "key"), *_tight([(b, trial[id(b)]) for b in badges if id(b) in trial])]
        if _width(line) <= width:
            shown = trial
    return [(b, shown[id(b)]) for b in badges if id(b) in shown]


def _tighter(badges: list[Badge]) -> list[list[tuple[Badge, bool]]]:
    """Ever shorter badge lists for a tight card, each (badge, short?) in card order: all;
    without the checklist and comments; without cross-team; with ◷ ✉ ! shortened one by
    one; then without the least important, one at a time, down to none."""
    forms = [[(b, False) for b in badges]]

    def without(rank: int) -> None:
        last = forms[-1]
        if any(b.rank >= rank for b, _ in last):
            forms.append([(b, short) for b, short in last if b.rank < rank])

    without(RANKS["checklist"])
    without(RANKS["cross"])
    for role in SHORTENED_FIRST:
        last = forms[-1]
        if any(b.role == role for b, _ in last):
            forms.append([(b, short or b.role == role) for b, short in last])
    while forms[-1]:
        last = forms[-1]
        worst = max(range(len(last)), key=lambda i: (last[i][0].rank, i))
        forms.append(last[:worst] + last[worst + 1 :])
    return forms


def _tight(kept: list[tuple[Badge, bool]]) -> list[Piece]:
    """' ⊘⇄✉9': badges with no gaps, one space before the first."""
    return [
        (("" if i else " ") + (b.short if short else b.glyph), b.role)
        for i, (b, short) in enumerate(kept)
    ]


def _pad_before(left: list[Piece], right: list[Piece], width: int) -> list[Piece]:
    gap = width - _width(left) - _width(right)
    return [*left, (" " * max(0, gap), ""), *right]


def title_line(title: str, initials: str, width: int) -> list[Piece]:
    """A full card's second line: the title, and the assignee's initials at its end when a
    few letters of the title still fit beside them."""
    who = f" {initials}" if initials else ""
    if cell_len(who) + 6 > width:
        who = ""
    return [(fit(printable(title), width - cell_len(who)), "title"), (who, "assignee")]


def compact_line(card: Card, initials: str, badges: list[Badge], width: int) -> list[Piece]:
    """A narrow column's one-line card, exactly `width` cells: key, badges (no gaps), the
    title as far as it fits, the initials at the end when the title keeps `MIN_TITLE`.

    Badges tighten as on a key line (`_tighter`); the checklist and comments also give way
    when the title would get fewer than `MIN_TITLE` cells (the status line lists them).
    """
    key = printable(card["key"])
    if cell_len(key) >= width:
        return [(fit(key, width), "key")]
    line: list[Piece] = [(key, "key")]
    for kept in _tighter(badges):
        line = [(key, "key"), *_tight(kept)]
        room = width - _width(line) - 1
        optional = any(b.role in OPTIONAL_ROLES for b, _ in kept)
        if room >= 0 and (room >= MIN_TITLE or not optional):
            break
    room = width - _width(line) - 1  # a space before the title
    who = f" {initials}" if initials else ""
    if room - cell_len(who) < MIN_TITLE:
        who = ""
    if room > 0:
        line.append((" " + fit(printable(card["title"]), room - cell_len(who)), "title"))
        if who:
            line.append((who, "assignee"))
    return _pad_before(line, [], width)


def column_header(
    label: str, count: int, points: int, limit: int, shown: int, width: int
) -> tuple[str, bool]:
    """A column's header text, exactly `width` cells, and whether the column is over its
    WIP limit. The longest form that fits: the points go before the count and the WIP do,
    then the words ("of"), and the name is cropped last, never the numbers."""
    over = bool(limit) and count > limit
    wip = f"{count}/{limit}"
    forms: list[str]
    if over:
        extra = f"{points}pt" if shown == count else f"{shown} shown"
        forms = [
            f" {label} ⚠ OVER WIP {wip} · {extra}",
            f" {label} ⚠ OVER WIP {wip}",
            f" {label} ⚠ OVER {wip}",
        ]
        numbers = [f" ⚠{wip}"]
    elif shown != count and limit:  # a filter hides some: what is shown, of the whole
        forms = [f" {label} {shown} of {count} · WIP {wip}", f" {label} {shown} of {wip}"]
        numbers = [f" {shown} of {wip}", f" {shown} of {count}", f" {shown}/{count}"]
    elif shown != count:
        forms = [f" {label} {shown} of {count} · {points}pt", f" {label} {shown} of {count}"]
        numbers = [f" {shown} of {count}", f" {shown}/{count}"]
    elif limit:
        forms = [f" {label} {count} · {points}pt WIP {wip}", f" {label} WIP {wip}"]
        numbers = [f" {wip}"]
    else:
        forms = [f" {label} {count} · {points}pt"]
        numbers = [f" {count}"]
    # The words go before the name is cut: "Review 0/5" before "Revi… 0 of 5/5".
    forms += [f" {label}{tail}" for tail in numbers]
    for text in forms:
        if cell_len(text) <= width:
            return fit(text, width), over
    shortest = numbers[-1]
    room = width - cell_len(shortest)
    if room >= 3:  # " Do…" and the numbers
        return fit(" " + fit(label, room - 1) + shortest, width), over
    return fit(shortest, width), over


def status_line(
    card: Card | None, badges: list[Badge], assignee: str, initials: str, width: int
) -> list[Piece]:
    """The selected card in one line of `width` cells: its key and whole title (cropped only
    at the edge), then, right-aligned as far as room allows: its team, points, assignee and
    badges in words (as glyphs, and the assignee as initials, when the words do not fit)."""
    if card is None:
        return [(fit(" no card selected", width), "status-muted")]
    key = " " + printable(card["key"]) + "  "
    if cell_len(key) >= width:
        return [(fit(key, width), "status-key")]
    title = printable(card["title"])
    used = cell_len(key) + cell_len(title)
    if used > width:  # the title cropped at the screen's edge, nothing after it
        return [(key, "status-key"), (fit(title, width - cell_len(key)), "status")]
    head: list[Piece] = [(key, "status-key"), (title, "status")]
    team = printable(card["team"] or "no team")
    points = "no points" if card["points"] is None else f"{card['points']}pt"
    # Ever shorter tails: the assignee as initials, then badges as glyphs from the last.
    tails = [(printable(assignee), len(badges))]
    tails += [(initials, words) for words in range(len(badges), -1, -1)]
    for who, words in tails:
        items: list[list[Piece]] = [[(team, "status-muted")], [(points, "status-muted")]]
        if who:
            items.append([(who, "status-assignee")])
        items += [[(b.words, b.role)] for b in badges[:words]]
        if words < len(badges):  # the rest as glyphs, one item: ⊘ ⇄ ✉9
            items.append(_spaced(badges[words:]))
        line = _join_tail(items)
        if used + 2 + _width(line) <= width:
            return _pad_before(head, line, width)
    # Not even so: the badges tighten (keeping the signals: rank up to `SIGNALS`) before
    # the assignee, the points, then the team give way; the signals go last.
    fixed: list[list[Piece]] = [[(team, "status-muted")], [(points, "status-muted")]]
    if initials:
        fixed.append([(initials, "status-assignee")])
    forms = _tighter(badges)
    signals = sum(1 for b in badges if b.rank <= SIGNALS)
    keep_signals = [f for f in forms if sum(1 for b, _ in f if b.rank <= SIGNALS) == signals]
    tries = [(n, kept) for n in range(len(fixed), -1, -1) for kept in keep_signals]
    for n, kept in tries + [(0, kept) for kept in forms]:
        tight = _tight(kept)
        group = [(text.lstrip(), role) for text, role in tight[:1]] + tight[1:]
        line = _join_tail(fixed[:n] + ([group] if group else []))
        if used + 2 + _width(line) <= width:
            return _pad_before(head, line, width)
    return _pad_before(head, [], width)


def _spaced(badges: list[Badge]) -> list[Piece]:
    """'⊘ ⇄ ✉9': glyphs with a space between them."""
    return [(b.glyph if not i else " " + b.glyph, b.role) for i, b in enumerate(badges)]


def _join_tail(items: list[list[Piece]]) -> list[Piece]:
    """Items separated by ' · ', with a space after the last."""
    out: list[Piece] = []
    for i, item in enumerate(items):
        if i:
            out.append((" · ", "status-muted"))
        out.extend(item)
    if out:
        out.append((" ", "status"))
    return out
