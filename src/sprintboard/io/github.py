"""GitHub issues: `gh issue list --json number,title,body,state,labels,milestone,assignees,url`
as gh prints it, or the REST API's list (`/repos/OWNER/NAME/issues`, as GitHub sends it).

Each issue's repository is read from its own addresses (`html_url`, `url`,
`repository_url`, or a `repository` object), on github.com or GitHub Enterprise, so a
file may mix repositories; only a file whose issues carry none of them needs
`--repo OWNER/NAME`. An issue that names its repository keeps it even when `--repo`
names another (the summary says how many). A card's source id is
`github:<owner>/<repo>#<number>` with the repository in lower case: GitHub names are
case-insensitive, so `Acme/Shop` and `acme/shop` are one repository and a re-import
spelled either way updates the same cards. The same number in two repositories is two
cards. The host is not part of the id (a repository moved between github.com and an
Enterprise server keeps its numbers, and its cards).

The milestone becomes the sprint (a new one ends on the milestone's due date), closed
issues are done and open ones to do, labels naming a team give the card its team. An
issue closed as not planned (REST `state_reason`, gh `stateReason`) is done too, as it
is no work left, with the label `not planned` so that it can be told from done work
(a closed duplicate gets `duplicate`); a re-import after it is reopened drops the label.
A priority label gives the card its priority: any case, `priority` or `prio` before or
after the value (`priority: high`, `priority/critical`, `Prio-Low`, `high priority`), or
a bare `P0`..`P4`; the first one on the issue counts. It is not kept as a label unless
its value is unknown, which the summary names. The assignees are `assignees` and the
older single `assignee`, each once.

Pull requests in the list (REST items with `pull_request`, addresses with `/pull/`,
gh's `isPullRequest` or `MERGED` state) are skipped, each named in the summary and the
report; with `include_pulls` they become cards labelled `pull request`, a merged one
done, one closed without merging done and labelled `not merged`.

A task list in the body (`- [ ] step`, `- [x] step`, outside code blocks) becomes the
card's checklist, ticked where GitHub ticks it. Each item is known by its issue and its
text (not its place), so a re-import ticks the same items, and one added on GitHub is
added here; one whose text changed on GitHub is added as a new item (an import never
deletes). The body is kept whole as the description.

Comments (`--json ...,comments`) become the card's comments with their author's login and
time, each kept by its url (else its id) so a re-import updates an edited one. A file
from the REST API holds only a count (`"comments": 3`): the summary says how many
comments it does not hold.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sprintboard.errors import UserError
from sprintboard.io.items import (
    SPRINT_DAYS,
    Dropped,
    Item,
    Parsed,
    Skip,
    SourceCheckItem,
    SourceComment,
    expect,
    load_json_counted,
    normalise_name,
    parse_date,
    parse_moment,
)

_NAME = r"[A-Za-z0-9_.-]+"
_REPO = re.compile(rf"^{_NAME}/{_NAME}$")
# The path of an issue's or pull request's address, web or API, on github.com or an
# Enterprise server: /O/R/issues/N, /O/R/pull/N, /repos/O/R/issues/N,
# /api/v3/repos/O/R/pulls/N.
_ITEM_PATH = re.compile(rf"/({_NAME}/{_NAME})/(issues|pull|pulls)/\d+/?$")
# A repository's API address: /repos/O/R, /api/v3/repos/O/R.
_REPO_PATH = re.compile(rf"/repos/({_NAME}/{_NAME})/?$")
# Matched against the normalised name ('Priority: High' -> 'priority high'); the import
# maps the value (importing._priority), so an unknown one is named in the summary.
_PRIORITY_LABEL = re.compile(r"^(?:(?:priority|prio) \S.*|.*\S (?:priority|prio)|p[0-4])$")
_TASK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\[([ xX])\](?:\s+(.*))?$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

PULL_LABEL = "pull request"
"""The label of a pull request imported with `include_pulls`."""
PULL_SKIPPED = "a pull request, not an issue (--include-pulls imports pull requests)"
_STATES = ("OPEN", "CLOSED", "MERGED")
# Closed for a reason other than done: the reason becomes a label ('not_planned' ->
# 'not planned'); 'completed' and 'reopened' say nothing more than the state.
_PLAIN_REASONS = ("", "completed", "reopened")


def parse_github(path: Path, repo: str | None = None, *, include_pulls: bool = False) -> Parsed:
    given: str | None = None
    if repo is not None:
        given = repo.strip()
        if not _REPO.match(given):
            raise UserError(f"repo: must be OWNER/NAME, e.g. acme/shop (got {repo!r})")
    issues, replaced = load_json_counted(path)
    expect(issues, list, "$", "a list of issues (gh issue list --json ...)")
    parsed = Parsed(source="github", prefix="github:", described="")
    parsed.repaired = replaced
    reader = _Reader(parsed, given, include_pulls)
    for index, issue in enumerate(issues):
        reader.read(issue, f"$[{index}]")
    reader.finish(path)
    return parsed


@dataclass
class _Reader:
    """Reads a file's issues one by one into `parsed`, counting what the summary tells."""

    parsed: Parsed
    given: str | None
    """The --repo value: the repository of issues that name none."""
    include_pulls: bool
    repos: dict[str, str] = field(default_factory=dict)
    """Each repository of the file, in lower case -> as the file first spells it."""
    numbers: dict[str, int] = field(default_factory=dict)
    """Item.identity -> the issue's number."""
    no_milestone: int = 0
    several_priorities: int = 0
    bad_times: list[str] = field(default_factory=list)
    not_given_repo: list[str] = field(default_factory=list)
    """Issues naming a repository other than --repo: where, and which."""

    def read(self, issue: Any, at: str) -> None:
        expect(issue, dict, at, "an issue object")
        number = expect(issue.get("number"), int, f"{at}.number", "the issue number")
        named = self._repo(issue, at)
        ident = f"{named.lower()}#{number}"
        state = expect(issue.get("state", "OPEN"), str, f"{at}.state", "OPEN or CLOSED")
        if state.strip().upper() not in _STATES:
            raise UserError(f"{at}.state: expected OPEN or CLOSED, got {state!r:.40}")
        state = state.strip().upper()
        pull = _is_pull(issue) or state == "MERGED"
        if pull and not self.include_pulls:
            self.parsed.skipped.append(Skip(at, PULL_SKIPPED, ident))
            return
        title = expect(issue.get("title", ""), str, f"{at}.title", "the title as text")
        body = expect(issue.get("body") or "", str, f"{at}.body", "text")
        labels = [
            _name(label, f"{at}.labels[{i}]")
            for i, label in enumerate(
                expect(issue.get("labels") or [], list, f"{at}.labels", "a list")
            )
        ]
        sprint = self._sprint(issue, at, ident)
        priorities = [name for name in labels if _PRIORITY_LABEL.match(normalise_name(name))]
        if len(priorities) > 1:
            self.several_priorities += 1
        status = "closed" if state != "OPEN" else "open"
        if pull:
            labels.append(PULL_LABEL)
            if state == "MERGED" or _merged(issue):
                status = "merged"
            elif state == "CLOSED":
                labels.append("not merged")
        if status == "closed":
            reason = _state_reason(issue, at)
            if reason not in _PLAIN_REASONS:
                labels.append(reason)
        fields: dict[str, Any] = {
            "description": body,
            "labels": [name for name in labels if name.strip()],
            "assignee": ", ".join(_people(issue, at)),
        }
        comments, not_in_file = _comments(issue.get("comments"), at, ident, self.bad_times)
        item = Item(
            external_id=f"github:{ident}",
            where=at,
            title=title,
            fields=fields,
            refs=[ident],
            status_name=status,
            priority_name=priorities[0] if priorities else None,
            sprint=sprint,
            comments=comments,
            comments_not_in_file=not_in_file,
            checklist=_tasks(body, ident, at),
        )
        self.numbers[item.identity] = number
        self.parsed.items.append(item)

    def _repo(self, issue: dict[str, Any], at: str) -> str:
        """The repository the issue names, else --repo; noted when they differ."""
        named = _named_repo(issue)
        if named is None:
            if self.given is None:
                raise UserError(
                    f"{at}: the issue does not say its repository (no url); give --repo "
                    "OWNER/NAME (or export with --json ...,url)"
                )
            named = self.given
        elif self.given is not None and named.lower() != self.given.lower():
            self.not_given_repo.append(f"{at} {named}")
        self.repos.setdefault(named.lower(), named)
        return named

    def _sprint(self, issue: dict[str, Any], at: str, ident: str) -> str | None:
        """The milestone's title (its due date noted for a new sprint), None for no
        milestone; an unreadable due date is left out with a note (the sprint is still
        named, and a new one gets the usual dates)."""
        milestone = issue.get("milestone")
        if milestone is None:
            self.no_milestone += 1
            return None
        expect(milestone, dict, f"{at}.milestone", "a milestone object or null")
        sprint = str(expect(milestone.get("title"), str, f"{at}.milestone.title", "text"))
        due = milestone.get("dueOn") or milestone.get("due_on")
        if due:
            try:
                end = parse_date(expect(due, str, f"{at}.milestone.dueOn", "a date"))
            except ValueError as exc:
                self.parsed.dropped.append(
                    Dropped(f"{at}.milestone.dueOn", ident, "milestone due date", due, str(exc))
                )
                return sprint
            # A due date in year 1 has no earlier start; the sprint is refused later.
            start = max(end, date.min + timedelta(days=SPRINT_DAYS)) - timedelta(
                days=SPRINT_DAYS - 1
            )
            self.parsed.sprint_dates.setdefault(" ".join(sprint.split()), (start, end))
        return sprint

    def finish(self, path: Path) -> None:
        parsed = self.parsed
        if len(self.repos) <= 1:
            # One repository: its issues are also '#12', as GitHub writes them there.
            for item in parsed.items:
                item.refs.insert(0, f"#{self.numbers[item.identity]}")
        # The repositories, not the file's name: a mapping made for them is used again
        # for their next export, whatever it is called.
        parsed.origin = ",".join(sorted(self.repos)) or (self.given or "").lower()
        shown = sorted(self.repos.values(), key=str.lower)
        if not shown and self.given is not None:
            shown = [self.given]
        if len(shown) > 3:
            shown = [*shown[:3], f"{len(shown) - 3} more"]
        if len(self.repos) > 1:
            parsed.described = (
                f"GitHub issues of {len(self.repos)} repositories: {', '.join(shown)} ({path.name})"
            )
        elif shown:
            parsed.described = f"GitHub issues of {shown[0]} ({path.name})"
        else:
            parsed.described = f"GitHub issues ({path.name})"
        if self.not_given_repo:
            parsed.notes.append(
                f"{len(self.not_given_repo)} issue(s) name their own repository, not "
                f"--repo {self.given}: each is filed under its own "
                f"(first: {self.not_given_repo[0]})"
            )
        if self.no_milestone:
            parsed.notes.append(f"{self.no_milestone} issue(s) have no milestone (no sprint)")
        if self.bad_times:
            parsed.notes.append(
                f"{len(self.bad_times)} comment time(s) unreadable, the import's time used "
                f"instead (first: {self.bad_times[0]})"
            )
        if self.several_priorities:
            parsed.notes.append(
                f"{self.several_priorities} issue(s) have more than one priority label; "
                "the first counts"
            )


def _named_repo(issue: dict[str, Any]) -> str | None:
    """OWNER/NAME as the issue's own addresses or repository object give it."""
    for key in ("html_url", "url"):  # REST: both (url is the API's); gh: url
        address = issue.get(key)
        if isinstance(address, str):
            found = _ITEM_PATH.search(_path(address))
            if found:
                return found.group(1)
    address = issue.get("repository_url")
    if isinstance(address, str):
        found = _REPO_PATH.search(_path(address))
        if found:
            return found.group(1)
    repository = issue.get("repository")  # REST /issues: full_name; gh search: nameWithOwner
    if isinstance(repository, dict):
        repository = repository.get("full_name") or repository.get("nameWithOwner")
    if isinstance(repository, str) and _REPO.match(repository.strip()):
        return repository.strip()
    return None


def _path(address: str) -> str:
    try:
        return urlsplit(address.strip()).path
    except ValueError:  # an address no URL parser reads ('http://[')
        return ""


def _is_pull(issue: dict[str, Any]) -> bool:
    if issue.get("pull_request") is not None or issue.get("isPullRequest") is True:
        return True
    for key in ("html_url", "url"):
        address = issue.get(key)
        if isinstance(address, str):
            found = _ITEM_PATH.search(_path(address))
            if found and found.group(2) != "issues":
                return True
    return False


def _merged(issue: dict[str, Any]) -> bool:
    """Whether a closed pull request was merged (REST: `pull_request.merged_at`)."""
    details = issue.get("pull_request")
    merged = details.get("merged_at") if isinstance(details, dict) else None
    return bool(merged) or bool(issue.get("mergedAt")) or issue.get("merged") is True


def _state_reason(issue: dict[str, Any], at: str) -> str:
    """Why a closed issue was closed, as a label would say it: 'not planned', 'duplicate';
    '' or 'completed' where it was simply done."""
    given = issue.get("state_reason", issue.get("stateReason"))
    if given is None:
        return ""
    reason = expect(given, str, f"{at}.state_reason", "text or null")
    return " ".join(reason.replace("_", " ").casefold().split())


def _people(issue: dict[str, Any], at: str) -> list[str]:
    """The logins of `assignees` and of the older single `assignee`, each once."""
    people = [
        _login(person, f"{at}.assignees[{i}]")
        for i, person in enumerate(
            expect(issue.get("assignees") or [], list, f"{at}.assignees", "a list")
        )
    ]
    single = issue.get("assignee")
    if single is not None:
        people.append(_login(single, f"{at}.assignee"))
    found: dict[str, str] = {}
    for login in people:
        if login.strip():
            found.setdefault(login.strip().casefold(), login.strip())
    return list(found.values())


def _tasks(body: str, ident: str, at: str) -> list[SourceCheckItem]:
    """The task list items of an issue's body, in order; each known by its issue and its
    text, counted up where the same text comes again (':2')."""
    found: list[SourceCheckItem] = []
    seen: dict[str, int] = {}
    fence = ""  # the fence of the code block the line is in: its lines are code
    for line in body.splitlines():
        marks = _FENCE.match(line)
        if fence:
            closing = marks is not None and marks.group(1).startswith(fence)
            if closing and not line.strip().strip(fence[0]):
                fence = ""
            continue
        if marks is not None:
            fence = marks.group(1)
            continue
        task = _TASK.match(line)
        if task is None:
            continue
        text = (task.group(2) or "").strip()
        if not text:
            continue
        digest = hashlib.sha256(" ".join(text.split()).encode("utf-8", "surrogatepass"))
        key = f"github:task:{ident}:{digest.hexdigest()[:20]}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key += f":{seen[key]}"
        where = f"{at}.body, task {len(found) + 1}"
        found.append(SourceCheckItem(key, where, text, done=task.group(1) != " "))
    return found


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
