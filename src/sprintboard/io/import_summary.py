"""The import summary a person reads before (and after) an import: what is created,
updated and skipped, and how names were mapped, with counts."""

from __future__ import annotations

import shlex
from collections import Counter

from sprintboard.io.import_plan import Plan
from sprintboard.io.items import Skip
from sprintboard.vocabulary import show_control

_MAX_LINES = 8


def summary_lines(plan: Plan) -> list[str]:
    """What the import does, for a person: created, mapped, skipped and why (control
    characters shown as escapes)."""
    p = plan
    lines = [f"import from {p.parsed.described}"]
    lines.append(
        f"  cards: {len(p.creates)} to create, {len(p.updates)} to update, "
        f"{p.unchanged} unchanged, {len(p.skipped) + len(p.no_team)} skipped"
    )
    if p.closes:
        reasons = Counter(close.reason for close in p.closes)
        lines += _counted(
            "  closed here (done), as the source no longer shows them",
            [(reason, n) for reason, n in reasons.items()],
        )
    if p.new_goals or p.goals_found:
        lines.append(
            f"  goals: {len(p.new_goals)} to create, {p.goals_found} already here"
            + (
                " (" + ", ".join(repr(g.goal.title) for g in p.new_goals[:_MAX_LINES]) + ")"
                if p.new_goals
                else ""
            )
        )
    lines += _threads(p)
    lines += _counted(
        "  columns",
        [
            (f"{name!r} -> {column}" + (" (unknown name)" if unknown else ""), n)
            for (name, column, unknown), n in p.columns.items()
        ],
    )
    lines += _counted(
        "  teams",
        [
            (f"{name!r} -> {code}" if name else f"none named -> {code} (--team)", n)
            for (name, code), n in p.teams.items()
        ],
    )
    if p.not_teams:
        lines += _counted(
            "  not a team here, kept as a label", [(repr(n), c) for n, c in p.not_teams.items()]
        )
    lines += _counted("  sprints", [(_sprint_text(*key), n) for key, n in p.sprints.items()])
    for sprint in p.new_sprints:
        lines.append(f"  new sprint {sprint.name!r}: planned, {sprint.start} to {sprint.end}")
    if p.priorities:
        lines += _counted(
            "  priorities",
            [
                (f"{name!r} -> {prio}" if prio else f"{name!r} unknown, left as it was", n)
                for (name, prio), n in p.priorities.items()
            ],
        )
    if p.dependencies or p.known_dependencies:
        shown = ", ".join(named for _, _, named in p.dependencies[:_MAX_LINES])
        more = (
            f", … {len(p.dependencies) - _MAX_LINES} more"
            if len(p.dependencies) > _MAX_LINES
            else ""
        )
        lines.append(
            f"  dependencies: {len(p.dependencies)} to add"
            + (f" ({shown}{more})" if shown else "")
            + (f", {p.known_dependencies} already there" if p.known_dependencies else "")
        )
    for note in p.parsed.notes:
        lines.append(f"  note: {note}")
    lines += _dropped(p)
    lines += _unknown_names(p)
    if p.parsed.cleaned:
        lines.append(
            f"  cleaned: {p.parsed.cleaned} text value(s): control characters removed, "
            "undecodable characters replaced by U+FFFD"
        )
    if p.no_team:
        first = p.no_team[0]
        lines.append(
            f"  skipped {len(p.no_team)}: the source names no team (first: {first.where}); "
            "give --team CODE for them"
        )
    lines += _skips(p.skipped)
    # Names from the file (columns, labels, sprints) may hold control characters.
    return [show_control(line) for line in lines]


def _dropped(plan: Plan) -> list[str]:
    """Values left out of cards that were imported, counted per field and reason."""
    by_field: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], str] = {}
    for drop in plan.parsed.dropped:
        key = (drop.field, drop.reason)
        by_field[key] += 1
        first.setdefault(key, f"{drop.ref} at {drop.where}")
    kinds = by_field.most_common()
    lines = [
        f"  dropped {n} {name} value(s), the card imported without it: {reason} "
        f"(first: {first[(name, reason)]})"
        for (name, reason), n in kinds[:_MAX_LINES]
    ]
    if len(kinds) > _MAX_LINES:
        rest = sum(n for _, n in kinds[_MAX_LINES:])
        lines.append(
            f"  dropped {rest} more value(s) for {len(kinds) - _MAX_LINES} other reasons "
            "(--report FILE lists each)"
        )
    return lines


def _unknown_names(plan: Plan) -> list[str]:
    """Each status or list name that means nothing here, with the option that maps it."""
    unknown = [(name, column, n) for (name, column, bad), n in plan.columns.items() if bad]
    if not unknown:
        return []
    lines = [f"  unknown status names ({len(unknown)}), each put in {unknown[0][1]}:"]
    for name, _column, n in sorted(unknown, key=lambda e: -e[2]):
        option = shlex.quote(f"{name}=STATUS")
        lines.append(f"    {name!r}: {n} card(s); map it with --map-status {option}")
    return lines


def _threads(plan: Plan) -> list[str]:
    """Comments and checklist items: added, updated, unchanged, skipped, and what the
    file does not hold."""
    threads = plan.threads
    lines: list[str] = []
    for entity, title in (("comment", "comments"), ("checklist_item", "checklist items")):
        new, updated, unchanged, skipped = threads.count(entity)
        kept = threads.kept_here[entity]
        if new or updated or unchanged or skipped or kept:
            lines.append(
                f"  {title}: {new} to add, {updated} to update, {unchanged} unchanged, "
                f"{skipped} skipped" + (f", kept {kept} changed here" if kept else "")
            )
        if entity == "checklist_item" and threads.removed:
            lines.append(
                f"  checklist items: {len(threads.removed)} to remove, each replaced by a "
                "card of its own"
            )
        on_skipped = threads.on_skipped_cards[entity]
        if on_skipped:
            lines.append(f"  skipped {on_skipped} {title}: their cards are skipped")
    if threads.not_in_file:
        before = (
            f"; {threads.counted_here} imported before are kept" if threads.counted_here else ""
        )
        lines.append(
            f"  comments not in the file: {threads.not_in_file} (it holds only their count"
            f"{before}; export with gh issue list --json ...,comments to bring their text)"
        )
    lines += _skips([skip for _, skip in threads.skipped])
    return lines


def _sprint_text(name: str, how: str) -> str:
    if how == "default":
        return f"{name!r} (--sprint)" if name else "the backlog"
    return f"{name!r}" + (" (new sprint)" if how == "new" else "")


def _counted(title: str, entries: list[tuple[str, int]]) -> list[str]:
    if not entries:
        return []
    entries = sorted(entries, key=lambda e: -e[1])
    shown = [f"{text} ({n})" for text, n in entries[:_MAX_LINES]]
    if len(entries) > _MAX_LINES:
        shown.append(f"… {len(entries) - _MAX_LINES} more")
    return [f"{title}: " + ", ".join(shown)]


def _skips(skipped: list[Skip]) -> list[str]:
    if not skipped:
        return []
    by_reason: dict[str, list[str]] = {}
    for skip in skipped:
        by_reason.setdefault(skip.reason, []).append(skip.where)
    lines = []
    for reason, wheres in list(by_reason.items())[:_MAX_LINES]:
        if len(wheres) == 1:
            lines.append(f"  skipped {wheres[0]}: {reason}")
        else:
            lines.append(f"  skipped {len(wheres)}: {reason} (first: {wheres[0]})")
    if len(by_reason) > _MAX_LINES:
        rest = sum(len(w) for w in list(by_reason.values())[_MAX_LINES:])
        lines.append(f"  skipped {rest} more for other reasons (--report FILE lists each)")
    return lines
