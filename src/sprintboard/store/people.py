"""People in the plan: a name matched to a team member, initials, and `@name` mentions.

A person is a name, as the activity log records it. Where the name is a team member's
(any case, or the first name when only one member has it), the member's own spelling is
used, so 'sanne', 'Sanne' and 'Sanne de Vries' are one person in history, undo and
filters. Names that match no member (an outside agency, an assistant) stay as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MENTION = re.compile(r"(?<![\w@])@([^\W_][\w.\-']*)")
"""`@sanne`, `@sanne.de.vries`, `@Sanne_de_Vries`: an @ not inside a word or an e-mail
address, then letters, digits and . _ - ' (a trailing dot ends a sentence, not the name)."""


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _joined(name: str) -> set[str]:
    """The ways a full name is written as one @word: sanne.de.vries, sanne_de_vries,
    sanne-de-vries, sannedevries."""
    parts = name.casefold().split()
    return {sep.join(parts) for sep in (".", "_", "-", "")}


def canonical(name: str, members: Iterable[str]) -> str:
    """The member's spelling of `name` when it names one member (full name in any case, or a
    first name only one member has), else `name` as given."""
    return Members(members).canonical(name)


def possessive(name: str) -> str:
    """'Omar Haddad's', but 'Sanne de Vries'' and 'Kees'': English drops the s after an s."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


class Members:
    """`canonical` for many names against one list of members (an import of thousands of
    cards): the members are read and folded once, each name is then one look-up."""

    def __init__(self, members: Iterable[str]) -> None:
        names = list(dict.fromkeys(members))
        self._full: dict[str, str] = {}
        for member in names:
            self._full.setdefault(_fold(member), member)
        firsts: dict[str, list[str]] = {}
        for member in names:
            words = member.split()
            if words:
                firsts.setdefault(words[0].casefold(), []).append(member)
        self._first = {word: found[0] for word, found in firsts.items() if len(found) == 1}

    def canonical(self, name: str) -> str:
        """The member's spelling of `name` (see `canonical`), else `name` as given."""
        wanted = _fold(name)
        found = self._full.get(wanted)
        if found is not None:
            return found
        if " " not in wanted:
            return self._first.get(wanted, name)
        return name


def same_person(a: str, b: str) -> bool:
    return _fold(a) == _fold(b)


def initials(name: str) -> str:
    """Two letters for a card face: 'Sanne de Vries' -> 'SV', 'root' -> 'RO', '' -> ''."""
    words = [w for w in re.split(r"[\s._\-]+", name) if w and w[0].isalnum()]
    if not words:
        return ""
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


@dataclass(frozen=True)
class Mention:
    """`@word` in a text at [start, end), and the member it names ('' when it names none)."""

    start: int
    end: int
    person: str


def mentions(text: str, members: Iterable[str]) -> Iterator[Mention]:
    """Each `@name` in `text`, matched to a member by first name (when only one member has
    it) or by the whole name written as one word (`@sanne.de.vries`, `@SanneDeVries`)."""
    names = list(dict.fromkeys(members))
    by_word: dict[str, set[str]] = {}
    for member in names:
        words = member.split()
        if not words:
            continue
        by_word.setdefault(words[0].casefold(), set()).add(member)
        for joined in _joined(member):
            by_word.setdefault(joined, set()).add(member)
    for found in MENTION.finditer(text):
        word = found.group(1).rstrip(".'-")
        matches = by_word.get(word.casefold(), set())
        person = next(iter(matches)) if len(matches) == 1 else ""
        yield Mention(found.start(), found.start(1) + len(word), person)


def mentioned(text: str, members: Iterable[str]) -> list[str]:
    """The members `text` names with @, each once, in the order first named."""
    return list(dict.fromkeys(m.person for m in mentions(text, members) if m.person))
