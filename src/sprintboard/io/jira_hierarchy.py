"""Epics, parents and sub-tasks of a Jira export, as goals, cards and checklist items.

- An issue of type Epic becomes a goal (`SourceGoal`, source id `jira:KEY`), not a card;
  its status, points and comments are not imported (a note counts the epics). An issue
  names its epic through Parent, Parent id or Epic Link, by key or issue id (Epic Link
  also by the epic's name); its card then belongs to that goal.
- A Sub-task that holds only a title and a status becomes a checklist item of its parent
  (`jira:checkitem:KEY`), ticked when its status means done (`--map-status` counts): a
  story split into steps keeps its steps, without a card per step.
- A Sub-task that carries anything more of its own (points, an assignee, a sprint other
  than its parent's, comments, a description, a due date, labels) would lose it as a
  checklist item, so it stays a card that blocks its parent, in its parent's goal; the
  report's reason says so. Its card replaces the checklist item an earlier import made
  of it.
- The issue type becomes a label in lower case (`bug`, `story`, `task`, `sub-task`;
  French, German, Spanish, Portuguese, Italian and Dutch type names in English).
- A parent the file does not hold: the issue is imported without it, and a dropped value
  names the parent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sprintboard.io.items import Dropped, Item, Parsed, SourceCheckItem, SourceGoal, status_for
from sprintboard.vocabulary import Status

EPIC = "epic"
SUB_TASK = "sub-task"
_KINDS = {
    **dict.fromkeys(("epic", "épopée", "epos", "épica", "epico", "epiek"), EPIC),
    **dict.fromkeys(
        (
            "sub-task",
            "subtask",
            "sub task",
            "sous-tâche",
            "unteraufgabe",
            "teilaufgabe",
            "subtarea",
            "subtarefa",
            "sottoattività",
            "subtaak",
        ),
        SUB_TASK,
    ),
    **dict.fromkeys(("bug", "bogue", "fehler", "error", "erro", "errore"), "bug"),
    **dict.fromkeys(("story", "histoire", "récit", "historia", "história", "storia"), "story"),
    **dict.fromkeys(("task", "tâche", "aufgabe", "tarea", "tarefa", "attività", "taak"), "task"),
}


def issue_kind(name: str) -> str:
    """The label an issue type gives: its English name in lower case."""
    given = " ".join(name.split()).casefold()
    return _KINDS.get(given, given)


@dataclass
class Issue:
    """One row of the export, with what the hierarchy needs beside its `Item`."""

    item: Item
    key: str
    kind: str
    """`issue_kind` of its type; '' when the file gives none."""
    parents: list[tuple[str, str]] = field(default_factory=list)
    """(column, value) of its Parent, Parent id and Epic Link cells."""
    epic_name: str = ""
    parent_summary: str = ""
    own: list[str] = field(default_factory=list)
    """What it holds beside a title, a status and a sprint: 'points', 'assignee', …"""


def arrange(issues: list[Issue], parsed: Parsed) -> None:
    """Put the issues into `parsed`: epics as goals, the others as cards in their goals,
    simple sub-tasks as their parents' checklist items."""
    by_ref: dict[str, Issue] = {}
    for issue in issues:
        for ref in issue.item.refs:
            by_ref.setdefault(ref, issue)
    epics = [i for i in issues if i.kind == EPIC]
    by_epic_name = {" ".join((e.epic_name or e.item.title).split()).casefold(): e for e in epics}
    for epic in epics:
        title = epic.item.title.strip() or epic.epic_name.strip()
        parsed.goals[epic.item.external_id] = SourceGoal(
            epic.item.external_id, epic.item.where, title
        )
    parent_of: dict[str, Issue] = {}
    for issue in issues:
        if issue.kind == EPIC:
            continue
        found = _parent(issue, by_ref, by_epic_name)
        if found is not None and found is not issue:
            parent_of[issue.key] = found
        elif issue.parents:
            column, ref = issue.parents[0]
            if issue.parent_summary:
                ref = f"{ref} ({issue.parent_summary})"
            why = "the parent is the issue itself" if found else "the parent is not in the file"
            parsed.dropped.append(Dropped(issue.item.where, issue.key, column, ref, why))
    _break_cycles(issues, parent_of, parsed)
    has_children = {parent.key for parent in parent_of.values()}
    for issue in issues:  # goals first, so a sub-task can take its parent's
        parent = parent_of.get(issue.key)
        if parent is not None and parent.kind == EPIC:
            issue.item.goal = parent.item.external_id
    folded: set[str] = set()
    for issue in issues:
        parent = parent_of.get(issue.key)
        if issue.kind == EPIC or parent is None or parent.kind == EPIC:
            continue
        issue.item.goal = issue.item.goal or parent.item.goal
        if issue.kind != SUB_TASK:
            continue
        own = list(issue.own)
        if issue.key in has_children:  # its own sub-tasks need a card to be steps of
            own.append("sub-tasks")
        if issue.item.sprint and issue.item.sprint != parent.item.sprint:
            own.append("sprint")
        if own:
            issue.item.blocks.append(parent.key)
            issue.item.why = (
                f"a sub-task with its own {', '.join(own)}: a card of its "
                f"own that blocks {parent.key} (a checklist item would lose them)"
            )
            issue.item.replaces.append(f"jira:checkitem:{issue.key}")
            continue
        status = issue.item.status_name
        parent.item.checklist.append(
            SourceCheckItem(
                f"jira:checkitem:{issue.key}",
                issue.item.where,
                issue.item.title,
                done=status is not None and status_for(status) == Status.DONE,
                status_name=status,
                replaced_by=issue.item.external_id,
            )
        )
        folded.add(issue.key)
    parsed.items = [i.item for i in issues if i.kind != EPIC and i.key not in folded]
    if epics:
        parsed.notes.append(
            f"{len(epics)} epic(s) imported as goals, their cards in them (an epic's own "
            "status, points and comments are not imported)"
        )
    if folded:
        parsed.notes.append(
            f"{len(folded)} sub-task(s) with only a title and a status imported as checklist "
            "items of their parents"
        )


def _parent(issue: Issue, by_ref: dict[str, Issue], by_epic_name: dict[str, Issue]) -> Issue | None:
    """The issue's parent in the file; the issue itself when that is all its cells name."""
    itself = None
    for column, ref in issue.parents:
        found = by_ref.get(ref)
        if found is None and "epic" in column.casefold():
            found = by_epic_name.get(" ".join(ref.split()).casefold())
        if found is issue:
            itself = issue
        elif found is not None:
            return found
    return itself


def _break_cycles(issues: list[Issue], parent_of: dict[str, Issue], parsed: Parsed) -> None:
    """Issues whose parents lead back to themselves are imported without a parent, each
    named as a dropped value: no card can be a step of itself."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    for issue in issues:
        path: list[Issue] = []
        node: Issue | None = issue
        while node is not None and node.key not in state:
            state[node.key] = 1
            path.append(node)
            node = parent_of.get(node.key)
        if node is not None and state[node.key] == 1:
            cycle = path[next(i for i, p in enumerate(path) if p is node) :]
            shown = " > ".join(p.key for p in [*cycle, node])
            for member in cycle:
                column = member.parents[0][0] if member.parents else "Parent"
                parent = parent_of.pop(member.key)
                parsed.dropped.append(
                    Dropped(
                        member.item.where,
                        member.key,
                        column,
                        parent.key,
                        f"the parents make a cycle ({shown})",
                    )
                )
        for walked in path:
            state[walked.key] = 2
