"""What a seam check finds: how bad, which rule, which cards, and why.

Shared by every rule (`findings_index.py`), the CLI's `check` and the board's
findings panel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the most severe: findings sort by it."""
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One warning before a seam breaks: how bad, which rule, which cards, and why.

    `subject` names what the finding is about when that is not a card: `FB-12` (feedback),
    `goal 3`, `Sprint 42/IT` (a team's load in a sprint). `fix` says what resolves it, when
    the rule knows ("" when it does not).
    """

    severity: Severity
    rule: str
    cards: tuple[str, ...]
    why: str
    subject: str = ""
    fix: str = ""

    def line(self, *, max_cards: int = 5) -> str:
        """`SEVERITY RULE cards: why` (then `; fix: what to do`, when the rule knows); a long
        list of cards is cut to the first few."""
        shown = ",".join(self.cards[:max_cards])
        if len(self.cards) > max_cards:
            shown += f" +{len(self.cards) - max_cards} more"
        line = f"{self.severity.value} {self.rule} {shown or self.subject or '-'}: {self.why}"
        return f"{line}; fix: {self.fix}" if self.fix else line

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "rule": self.rule,
            "cards": list(self.cards),
            "why": self.why,
            "subject": self.subject or None,
            "fix": self.fix or None,
        }


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """How many findings of each severity, most severe first (zeros included)."""
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def finding_teams(finding: Finding, teams_of: dict[str, str]) -> frozenset[str]:
    """The teams a finding is about: its cards' owners (a card not in `teams_of` by its
    key's prefix), and the team of a sprint load (`Sprint 42/IT`)."""
    found = {teams_of.get(key) or key.rsplit("-", 1)[0] for key in finding.cards}
    if finding.rule == "capacity" and "/" in finding.subject:
        found.add(finding.subject.rsplit("/", 1)[1])
    return frozenset(found)
