"""GitHub issues as `gh issue list --json number,title,body,state,labels,milestone,assignees`
prints them (add `url` and the repository is read from it; else pass `--repo OWNER/NAME`).

The milestone becomes the sprint (a new one ends on the milestone's due date), closed
issues are done and open ones to do, labels naming a team give the card its team. A
priority label gives the card its priority: any case, `priority` or `prio` before or
after the value (`priority: high`, `priority/critical`, `Prio-Low`, `high priority`), or
a bare `P0`..`P4`; the first one on the issue counts. It is not kept as a label unless
its value is unknown, which the summary names. A card's source id is
`github:<owner>/<repo>#<number>`.

Comments (`--json ...,comments`) become the card's comments with their author's login and
time, each kept by its url (else its id) so a re-import updates an edited one. A file
from the REST API holds only a count (`"comments": 3`): the summary says how many
comments it does not hold.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.items import (
    SPRINT_DAYS,
    Item,
    Parsed,
    Skip,
    SourceComment,
    expect,
    load_json_counted,
    normalise_name,
    parse_date,
    parse_moment,
)

_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_ISSUE_URL = re.compile(
    r"^https?://[^/]+/(?:repos/)?([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/(?:issues|pull)/\d+"
)
# Matched against the normalised name ('Priority: High' -> 'priority high'); the import
# maps the value (importing._priority), so an unknown one is named in the summary.
_PRIORITY_LABEL = re.compile(r"^(?:(?:priority|prio) \S.*|.*\S (?:priority|prio)|p[0-4])$")


def parse_github(path: Path, repo: str | None = None, *, include_pulls: bool = False) -> Parsed:
    if repo is not None and not _REPO.match(repo.strip()):
        raise UserError(f"repo: must be OWNER/NAME, e.g. acme/shop (got {repo!r})")
    issues, replaced = load_json_counted(path)
    expect(issues, list, "$", "a list of issues (gh issue list --json ...)")
    parsed = Parsed(
        source="github",
        prefix="github:",
        described=f"GitHub issues of {repo} ({path.name})"
        if repo
        else f"GitHub issues ({path.name})",
    )
    parsed.repaired = replaced
    no_milestone = 0
    several_priorities = 0
    bad_times: list[str] = []
    for index, issue in enumerate(issues):
        at = f"$[{index}]"
        expect(issue, dict, at, "an issue object")
        number = expect(issue.get("number"), int, f"{at}.number", "the issue number")
        owner_repo = _repo(issue, at, repo)
        title = expect(issue.get("title", ""), str, f"{at}.title", "the title as text")
        body = expect(issue.get("body") or "", str, f"{at}.body", "text")
        state = expect(issue.get("state", "OPEN"), str, f"{at}.state", "OPEN or CLOSED")
        if state.upper() not in ("OPEN", "CLOSED"):
            raise UserError(f"{at}.state: expected OPEN or CLOSED, got {state!r}")
        labels = [
            _name(label, f"{at}.labels[{i}]")
            for i, label in enumerate(
                expect(issue.get("labels") or [], list, f"{at}.labels", "a list")
            )
        ]
        people = [
            _login(person, f"{at}.assignees[{i}]")
            for i, person in enumerate(
                expect(issue.get("assignees") or [], list, f"{at}.assignees", "a list")
            )
        ]
        sprint = None
        milestone = issue.get("milestone")
        if milestone is None:
            no_milestone += 1
        else:
            expect(milestone, dict, f"{at}.milestone", "a milestone object or null")
            sprint = expect(milestone.get("title"), str, f"{at}.milestone.title", "text")
            due = milestone.get("dueOn") or milestone.get("due_on")
            if due:
                try:
                    end = parse_date(expect(due, str, f"{at}.milestone.dueOn", "a date"))
                except ValueError as exc:
                    parsed.skipped.append(Skip(f"{at}.milestone.dueOn", str(exc), str(number)))
                    continue
                # A due date in year 1 has no earlier start; the sprint is refused later.
                start = max(end, date.min + timedelta(days=SPRINT_DAYS)) - timedelta(
                    days=SPRINT_DAYS - 1
                )
                parsed.sprint_dates.setdefault(" ".join(sprint.split()), (start, end))
        priorities = [name for name in labels if _PRIORITY_LABEL.match(normalise_name(name))]
        if len(priorities) > 1:
            several_priorities += 1
        fields: dict[str, Any] = {
            "description": body,
            "labels": [name for name in labels if name.strip()],
            "assignee": ", ".join(people),
        }
        comments, not_in_file = _comments(
            issue.get("comments"), at, f"{owner_repo}#{number}", bad_times
        )
        parsed.items.append(
            Item(
                external_id=f"github:{owner_repo}#{number}",
                where=at,
                title=title,
                fields=fields,
                refs=[f"#{number}"],
                status_name="closed" if state.upper() == "CLOSED" else "open",
                priority_name=priorities[0] if priorities else None,
                sprint=sprint,
                comments=comments,
                comments_not_in_file=not_in_file,
            )
        )
    if no_milestone:
        parsed.notes.append(f"{no_milestone} issue(s) have no milestone (no sprint)")
    if bad_times:
        parsed.notes.append(
            f"{len(bad_times)} comment time(s) unreadable, the import's time used instead "
            f"(first: {bad_times[0]})"
        )
    if several_priorities:
        parsed.notes.append(
            f"{several_priorities} issue(s) have more than one priority label; the first counts"
        )
    return parsed


def _repo(issue: dict[str, Any], at: str, repo: str | None) -> str:
    url = issue.get("html_url") or issue.get("url")  # REST: html_url; gh: url
    if isinstance(url, str):
        found = _ISSUE_URL.match(url)
        if found:
            return found.group(1)
    if repo is None:
        raise UserError(
            f"{at}: the issue has no url to tell its repository; give --repo OWNER/NAME "
            "(or export with --json ...,url)"
        )
    return repo.strip()


def _name(label: Any, at: str) -> str:
    if isinstance(label, str):
        return label
    expect(label, dict, at, "a label object")
    return str(expect(label.get("name", ""), str, f"{at}.name", "the label's name as text"))


def _login(person: Any, at: str) -> str:
    if isinstance(person, str):
        return person
    expect(person, dict, at, "an assignee object")
    return str(expect(person.get("login", ""), str, f"{at}.login", "the login as text"))


def _comments(
    given: Any, at: str, issue: str, bad_times: list[str]
) -> tuple[list[SourceComment], int]:
    """The issue's comments (gh's list), or none and how many the source counts (REST)."""
    if given is None:
        return [], 0
    if isinstance(given, int) and not isinstance(given, bool):
        return [], max(given, 0)
    entries = expect(given, list, f"{at}.comments", "a list of comments or their count")
    found: list[SourceComment] = []
    for index, comment in enumerate(entries):
        where = f"{at}.comments[{index}]"
        expect(comment, dict, where, "a comment object")
        body = expect(comment.get("body") or "", str, f"{where}.body", "the comment as text")
        author = comment.get("author")
        login = None
        if isinstance(author, dict):
            login = author.get("login")
        elif isinstance(author, str):
            login = author
        if author is None or (isinstance(author, dict) and not login):
            login = "ghost"  # GitHub's name for a deleted account
        expect(login, str, f"{where}.author.login", "the login as text")
        created: str | None = None
        moment = comment.get("createdAt") or comment.get("created_at")
        if moment is not None:
            try:
                created = parse_moment(expect(moment, str, f"{where}.createdAt", "a time"))
            except ValueError:
                bad_times.append(f"{where}.createdAt")
        ident = comment.get("url") or comment.get("html_url") or comment.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        if not isinstance(ident, str) or not ident.strip():
            ident = f"{issue}:{index}"  # no id: its place on the issue
        found.append(SourceComment(f"github:comment:{ident}", where, body, login, created))
    return found, 0
