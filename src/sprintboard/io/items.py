"""What a format module produces (`Parsed` items), and the helpers the formats share:
reading files with clear errors, dates and points, the column and priority names of
other tools."""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from sprintboard.errors import UserError
from sprintboard.numbers import decimal_number, whole_number
from sprintboard.vocabulary import (
    FIRST_DAY,
    LAST_DAY,
    MAX_POINTS,
    Priority,
    Status,
    replace_surrogates,
)

SPRINT_DAYS = 14
"""Length of a sprint the import creates without dates from the source."""

_STATUS_NAMES: dict[Status, tuple[str, ...]] = {
    Status.BACKLOG: ("backlog", "product backlog", "icebox", "ideas", "someday", "later", "inbox"),
    Status.TODO: (
        "to do",
        "todo",
        "open",
        "new",
        "ready",
        "next",
        "up next",
        "planned",
        "selected for development",
        "ready for development",
        "sprint backlog",
        "this sprint",
        "reopened",
    ),
    Status.DOING: (
        "doing",
        "in progress",
        "wip",
        "working",
        "working on it",
        "in development",
        "in dev",
        "development",
        "started",
        "active",
        "ongoing",
    ),
    Status.REVIEW: (
        "review",
        "in review",
        "code review",
        "peer review",
        "reviewing",
        "ready for review",
        "awaiting review",
        "qa",
        "in qa",
        "ready for qa",
        "test",
        "testing",
        "in testing",
        "verify",
        "verification",
        "acceptance",
    ),
    Status.DONE: (
        "done",
        "closed",
        "resolved",
        "complete",
        "completed",
        "finished",
        "shipped",
        "released",
        "deployed",
        "live",
        "merged",
        "fixed",
    ),
}
# The same columns as other tools name them in French, German, Spanish, Portuguese,
# Italian, Dutch, Japanese and Chinese (Jira's own translations and common board lists).
_LOCALISED_STATUS_NAMES: dict[Status, tuple[str, ...]] = {
    Status.BACKLOG: (
        "carnet de produit",
        "rückstand",
        "pendientes",
        "pendências",
        "バックログ",
        "待办事项",
    ),
    Status.TODO: (
        "à faire",
        "a faire",
        "ouvert",
        "ouverte",
        "nouveau",
        "nouvelle",
        "à traiter",
        "zu erledigen",
        "offen",
        "neu",
        "aufgaben",
        "por hacer",
        "pendiente",
        "abierto",
        "abierta",
        "nuevo",
        "nueva",
        "a fazer",
        "por fazer",
        "aberto",
        "aberta",
        "novo",
        "nova",
        "pendente",
        "da fare",
        "aperto",
        "aperta",
        "nuovo",
        "te doen",
        "nieuw",
        "gepland",
        "未着手",
        "未対応",
        "やること",
        "オープン",
        "新規",
        "作業前",
        "待办",
        "待處理",
        "待处理",
        "要做",
    ),
    Status.DOING: (
        "en cours",
        "en cours de traitement",
        "en progression",
        "in arbeit",
        "in bearbeitung",
        "wird bearbeitet",
        "en curso",
        "en progreso",
        "haciendo",
        "en proceso",
        "em andamento",
        "em progresso",
        "fazendo",
        "em curso",
        "in corso",
        "in lavorazione",
        "in corso di lavorazione",
        "bezig",
        "in uitvoering",
        "mee bezig",
        "onderhanden",
        "進行中",
        "対応中",
        "作業中",
        "処理中",
        "进行中",
        "處理中",
        "处理中",
    ),
    Status.REVIEW: (
        "en revue",
        "en relecture",
        "à valider",
        "à vérifier",
        "en test",
        "en recette",
        "recette",
        "validation",
        "in prüfung",
        "prüfung",
        "zu prüfen",
        "en revisión",
        "revisión",
        "en pruebas",
        "pruebas",
        "em revisão",
        "revisão",
        "em teste",
        "em testes",
        "in revisione",
        "revisione",
        "in verifica",
        "collaudo",
        "ter review",
        "testen",
        "controle",
        "in controle",
        "レビュー",
        "レビュー中",
        "確認中",
        "検証中",
        "レビュー待ち",
        "审核中",
        "审查",
        "测试中",
        "待审核",
    ),
    Status.DONE: (
        "fait",
        "terminé",
        "terminée",
        "fermé",
        "fermée",
        "résolu",
        "résolue",
        "clos",
        "close",
        "livré",
        "livrée",
        "achevé",
        "erledigt",
        "fertig",
        "geschlossen",
        "gelöst",
        "abgeschlossen",
        "erledigt",
        "hecho",
        "terminado",
        "terminada",
        "cerrado",
        "cerrada",
        "resuelto",
        "resuelta",
        "completado",
        "completada",
        "listo",
        "finalizado",
        "feito",
        "concluído",
        "concluido",
        "concluída",
        "fechado",
        "fechada",
        "resolvido",
        "resolvida",
        "fatto",
        "completato",
        "completata",
        "chiuso",
        "chiusa",
        "risolto",
        "risolta",
        "klaar",
        "gedaan",
        "afgerond",
        "gesloten",
        "opgelost",
        "voltooid",
        "完了",
        "クローズ",
        "終了",
        "済み",
        "対応済み",
        "完成",
        "解決済み",
        "クローズ済み",
        "已完成",
        "已关闭",
        "已關閉",
        "已解决",
        "已解決",
    ),
}


PRIORITY_BY_NAME = {
    **dict.fromkeys(("urgent", "highest", "blocker", "critical", "p0"), Priority.URGENT),
    **dict.fromkeys(("high", "major", "p1"), Priority.HIGH),
    **dict.fromkeys(("medium", "normal", "default", "p2"), Priority.MEDIUM),
    **dict.fromkeys(("low", "lowest", "minor", "trivial", "p3", "p4"), Priority.LOW),
    # Jira's own translations and the words boards use in French, German, Spanish,
    # Portuguese, Italian, Dutch, Japanese and Chinese.
    **dict.fromkeys(
        (
            "urgente",
            "plus haute",
            "la plus haute",
            "bloquant",
            "bloquante",
            "critique",
            "höchste",
            "dringend",
            "kritisch",
            "más alta",
            "mas alta",
            "crítica",
            "crítico",
            "critica",
            "bloqueante",
            "mais alta",
            "bloqueador",
            "massima",
            "critico",
            "bloccante",
            "hoogste",
            "blokkerend",
            "kritiek",
            "最高",
            "緊急",
            "至急",
            "紧急",
            "最高优先级",
        ),
        Priority.URGENT,
    ),
    **dict.fromkeys(
        (
            "haute",
            "élevée",
            "elevee",
            "importante",
            "majeur",
            "majeure",
            "hoch",
            "wichtig",
            "schwer",
            "alta",
            "alto",
            "mayor",
            "grave",
            "hoog",
            "belangrijk",
            "高",
            "重要",
            "高い",
            "較高",
        ),
        Priority.HIGH,
    ),
    **dict.fromkeys(
        (
            "moyenne",
            "moyen",
            "normale",
            "mittel",
            "media",
            "medio",
            "média",
            "normaal",
            "gemiddeld",
            "中",
            "普通",
            "通常",
        ),
        Priority.MEDIUM,
    ),
    **dict.fromkeys(
        (
            "basse",
            "plus basse",
            "la plus basse",
            "faible",
            "mineur",
            "mineure",
            "niedrig",
            "niedrigste",
            "gering",
            "geringfügig",
            "leicht",
            "unwichtig",
            "baja",
            "bajo",
            "más baja",
            "mas baja",
            "menor",
            "trivial",
            "baixa",
            "mais baixa",
            "bassa",
            "minima",
            "minore",
            "laag",
            "laagste",
            "klein",
            "低",
            "最低",
            "低い",
            "較低",
        ),
        Priority.LOW,
    ),
}

_NOT_WORD = re.compile(r"[^\w]+")
_LEADING_NUMBER = re.compile(r"^\d+\s+")


@lru_cache(maxsize=4096)
def normalise_name(name: str) -> str:
    """A column, status or team name compared loosely: case, punctuation and emoji ignored."""
    words = " ".join(_NOT_WORD.sub(" ", name.casefold().replace("_", " ")).split())
    return _LEADING_NUMBER.sub("", words)


STATUS_BY_NAME = {
    normalise_name(name): status
    for table in (_STATUS_NAMES, _LOCALISED_STATUS_NAMES)
    for status, names in table.items()
    for name in names
}
"""Column and status names other tools use, normalised, mapped to sprintboard's columns."""

_ASIDE = re.compile(r"\s*[(\[（【].*?[)\]）】]\s*")


def status_for(name: str) -> Status | None:
    """The column a status or list name means; a remark in brackets is ignored when the
    whole name is unknown ('Fait (à livrer)' is 'Fait', 'Done [prod]' is 'Done')."""
    found = STATUS_BY_NAME.get(normalise_name(name))
    if found is None:
        bare = _ASIDE.sub(" ", name).strip()
        if bare and bare != name.strip():
            found = STATUS_BY_NAME.get(normalise_name(bare))
    return found


def priority_for(name: str) -> Priority | None:
    return PRIORITY_BY_NAME.get(normalise_name(name))


# -- what a format module produces --------------------------------------------------------


UNKNOWN_AUTHOR = "(unknown)"
"""The author of an imported comment whose source does not say who wrote it."""


@dataclass
class SourceComment:
    """One comment on an item, as the source has it."""

    external_id: str
    """Kept in comments.external_id: 'trello:action:5f2b…', 'github:https://…#issuecomment-1'."""
    where: str
    body: str
    author: str | None = None
    """None: the source does not say (stored as UNKNOWN_AUTHOR)."""
    created_at: str | None = None
    """UTC, as the store keeps times ('2026-03-11T10:30:00Z'); None: the import's time."""


@dataclass
class SourceCheckItem:
    """One checklist item of an item, in the source's order."""

    external_id: str
    """Kept in checklist_items.external_id: 'trello:checkitem:5f2b…'."""
    where: str
    text: str
    done: bool = False
    former_prefix: str | None = None
    """How the ids an earlier sprintboard gave such items begin, when the id changed since:
    an item stored under such an id with the same text is this one (and takes the new id)."""
    status_name: str | None = None
    """The source's status of the item (a Jira sub-task): the import ticks it when that
    status means done, by --map-status or by name; None: `done` as given."""
    replaced_by: str | None = None
    """The external id of the card this item would be if it held more (a Jira sub-task):
    not imported when that card is in the file or the database."""


@dataclass
class Item:
    """One card as a source describes it."""

    external_id: str
    """Source id kept in cards.external_id, e.g. 'trello:5f2b…', 'jira:ABC-12'."""
    where: str
    """Where in the file it came from, for messages: 'line 7', '$.cards[3]'."""
    title: str
    fields: dict[str, Any] = field(default_factory=dict)
    """Card fields the source has (description, points, assignee, due, labels, skus); a
    field the source lacks is absent, so a re-import leaves it alone."""
    refs: list[str] = field(default_factory=list)
    """Names other items of the same file use to link to this one (a Jira key or id)."""
    status_name: str | None = None
    priority_name: str | None = None
    team_refs: list[str] = field(default_factory=list)
    """Team codes or names named by the source (a team column, components); labels that
    name a team count too. Names that are no team are kept as labels."""
    sprint: str | None = None
    blocks: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)
    uuid: str | None = None
    """The card's UUID where the source is a sprintboard export: a card with that UUID here
    is the same card (matched before the external id), and a new card keeps it."""
    own_ref: str | None = None
    """The name the file's own links use for this item; None: the external id without its
    prefix (a CSV row whose external id came from its own column is linked by its key)."""
    comments: list[SourceComment] = field(default_factory=list)
    checklist: list[SourceCheckItem] = field(default_factory=list)
    comments_not_in_file: int = 0
    """Comments the source counts but whose text the file does not hold (a REST dump)."""
    archived: str | None = None
    """Why the source no longer shows this item ('archived on Trello'), or None. A card
    imported before is closed here on a re-import (counted); a new one is skipped."""
    goal: str | None = None
    """The external id of the goal (in `Parsed.goals`) this item belongs to: a Jira epic."""
    why: str | None = None
    """Why the source's item became this card when it is not one to one (a Jira sub-task
    with its own points): the report's reason."""
    replaces: list[str] = field(default_factory=list)
    """External ids of checklist items an earlier import made of this item (a Jira sub-task
    that was only a title and a status): the card replaces them."""

    @property
    def identity(self) -> str:
        """What tells this item from the file's others: its UUID when it has one (a
        sprintboard export's rows), else its external id."""
        return f"uuid:{self.uuid}" if self.uuid else self.external_id

    def link_name(self, prefix: str) -> str:
        """The name the file's own links (and skip messages) use for this item."""
        return self.own_ref or self.external_id.removeprefix(prefix)


@dataclass
class Skip:
    where: str
    reason: str
    ref: str | None = None
    """The skipped item's own source id, so links to it can say why they are missing."""
    title: str | None = None
    """The skipped item's title as the source gives it, for the report."""


@dataclass
class Dropped:
    """One value of an item that was not imported while the item was (a Story Points cell
    holding text): the report lists each, the summary counts them per field."""

    where: str
    ref: str
    """The item's own source id ('SHOP-12')."""
    field: str
    value: str
    reason: str


@dataclass
class SourceGoal:
    """A goal the source describes (a Jira epic): its cards name it in `Item.goal`."""

    external_id: str
    """'jira:SHOP-1'; a re-import finds the goal it made before by it."""
    where: str
    title: str


@dataclass
class Parsed:
    source: str
    """'trello', 'jira', 'github' or 'csv'."""
    prefix: str
    """What every external id of this source starts with ('trello:')."""
    described: str
    """What was read, for the summary: 'Trello board "Shop relaunch"'."""
    items: list[Item] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cleaned: int = 0
    """Text values with control characters removed or lone surrogates replaced."""
    repaired: set[str] = field(default_factory=set)
    """Strings of the source whose lone surrogates the reader replaced (load_json_counted)."""
    sprint_dates: dict[str, tuple[date, date]] = field(default_factory=dict)
    """Dates a source gives for a sprint it names (a GitHub milestone's due date)."""
    dropped: list[Dropped] = field(default_factory=list)
    goals: dict[str, SourceGoal] = field(default_factory=dict)
    """External id -> a goal the source describes (Jira epics)."""
    origin: str = ""
    """What the file is an export of, for remembering mappings per source: a Trello board's
    id, a Jira project's keys, GitHub repositories; empty: the file's name."""
    file: str = ""
    """The file's name, as the summary and undo name the import."""


# -- reading files --------------------------------------------------------------------------


MAX_IMPORT_BYTES = 200 * 1024 * 1024
"""The largest file an import reads (README: Limits); `SPRINTBOARD_MAX_IMPORT_MB` changes it."""
MAX_IMPORT_ITEMS = 1_000_000
"""The most cards, feedback items or stock rows one import takes (README: Limits)."""


def import_limit() -> int:
    """The import size limit in bytes: MAX_IMPORT_BYTES, or SPRINTBOARD_MAX_IMPORT_MB."""
    given = os.environ.get("SPRINTBOARD_MAX_IMPORT_MB", "").strip()
    if not given:
        return MAX_IMPORT_BYTES
    try:
        megabytes = whole_number(given)
    except ValueError:
        megabytes = 0
    if not 1 <= megabytes <= 1_000_000:
        raise UserError(
            f"SPRINTBOARD_MAX_IMPORT_MB: must be a whole number of megabytes 1-1000000 "
            f"(got {given!r})"
        )
    return megabytes * 1024 * 1024


def _too_big(path: Path, limit: int) -> UserError:
    return UserError(
        f"{path}: larger than the import limit of {limit // (1024 * 1024):,} MB; "
        "split the file or raise SPRINTBOARD_MAX_IMPORT_MB"
    )


class _Bounded(io.RawIOBase):
    """A byte stream that stops with one clear error past `limit` bytes: a file that grows
    while read, a FIFO or a device never ends in running out of memory."""

    def __init__(self, raw: BinaryIO, limit: int, path: Path) -> None:
        self._raw, self._left, self._limit, self._path = raw, limit, limit, path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        # Read at most one byte past the limit: enough to know it was passed.
        n = self._raw.readinto(view[: min(len(view), self._left + 1)])  # type: ignore[attr-defined]
        n = n or 0
        self._left -= n
        if self._left < 0:
            raise _too_big(self._path, self._limit)
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_text(path: Path, *, newline: str | None = None) -> TextIO:
    """Open a UTF-8 file (a BOM is allowed) for reading, bounded by the import limit: a
    regular file's size is checked before anything is read, any other file stops at the
    limit. Raises the OSError of opening it (callers turn those into one line)."""
    limit = import_limit()
    raw = path.open("rb", buffering=0)
    try:
        info = os.fstat(raw.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise _too_big(path, limit)
    except BaseException:
        raw.close()
        raise
    buffered = io.BufferedReader(_Bounded(raw, limit, path))
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", newline=newline)


def not_utf8(path: Path, exc: UnicodeDecodeError) -> UserError:
    """The one line for a file that is not UTF-8 text, naming the first bad byte's offset
    in the file. A file read as a stream is decoded in chunks, and the error's own offset
    counts from its chunk: a regular file is read again (bounded) to find the real one."""
    offset: int | None = None
    with contextlib.suppress(OSError):
        if path.is_file() and path.stat().st_size <= import_limit():
            decoder = codecs.getincrementaldecoder("utf-8")()
            done = 0
            with path.open("rb") as raw:
                while chunk := raw.read(1 << 16):
                    pending = len(decoder.getstate()[0])
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as found:
                        offset = done - pending + found.start
                        break
                    done += len(chunk)
    where = f"byte {offset}: " if offset is not None else ""
    return UserError(f"{path}: not UTF-8 text ({where}{exc.reason}); save it as UTF-8")


def read_text(path: Path) -> str:
    """A UTF-8 text file (a BOM is allowed), or one clear error line; bounded by the
    import limit (`open_text`)."""
    try:
        with open_text(path) as handle:
            return handle.read()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror})") from None


def csv_delimiter(text: str) -> str:
    """The CSV's separator: a comma, or the `;` or tab of a header row holding no comma
    and no quote (a spreadsheet saved with a European locale writes `;`)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if "," in first or '"' in first:
        return ","
    return next((sep for sep in (";", "\t") if sep in first), ",")


def load_json(path: Path) -> Any:
    """Parse a JSON file; a broken or truncated one names the line and column. Lone
    surrogates (`"\\ud800"` escapes, which SQLite cannot store) become U+FFFD."""
    return load_json_counted(path)[0]


def load_json_counted(path: Path) -> tuple[Any, set[str]]:
    """`load_json`, and the strings that had lone surrogates replaced (as replaced)."""
    return _replace_surrogates(parse_json_file(path))


def _replace_surrogates(document: Any) -> tuple[Any, set[str]]:
    """Replace lone surrogates in every string (keys too), walking without recursion."""
    replaced: set[str] = set()

    def fix(text: str) -> str:
        fixed = replace_surrogates(text)
        if fixed != text:
            replaced.add(fixed)
        return fixed

    if isinstance(document, str):
        return fix(document), replaced
    stack = [document] if isinstance(document, dict | list) else []
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str):
                    node[i] = fix(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
        else:
            for key in list(node):
                value = node[key]
                if isinstance(key, str) and fix(key) != key:
                    del node[key]
                    key = replace_surrogates(key)
                    node[key] = value
                if isinstance(value, str):
                    node[key] = fix(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
    return document, replaced


def parse_json_file(path: Path) -> Any:
    """Parse a JSON file as it is (lone surrogates kept: for a reader that checks and
    counts them itself); a broken or truncated one names the line and column."""
    text = read_text(path)
    if not text.strip():
        raise UserError(f"{path}: the file is empty (expected JSON)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        unclosed = exc.msg.startswith("Unterminated string")
        what = "a text value is never closed" if unclosed else exc.msg
        ended = unclosed or exc.pos >= len(text.rstrip())
        hint = " (the file ends too soon: is it complete?)" if ended else ""
        raise UserError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON: {what}{hint}"
        ) from None
    except RecursionError:
        raise UserError(f"{path}: JSON nested too deeply") from None
    except ValueError:  # Python reads no number of more than 4,300 digits
        raise UserError(f"{path}: not valid JSON: a number has more than 4,300 digits") from None


def csv_problem(exc: Exception) -> str:
    """A csv.Error as one line for a person."""
    if "unexpected end of data" in str(exc):
        return "a quoted field is never closed (the file ends too soon: is it complete?)"
    return f"not a readable CSV file ({exc})"


def expect(value: Any, kind: type | tuple[type, ...], path: str, what: str) -> Any:
    """`value` if it is of `kind`, else a UserError naming the JSON path."""
    if isinstance(value, bool) and kind in (int, (int, float)):
        raise UserError(f"{path}: expected {what}, got true/false")
    if not isinstance(value, kind):
        raise UserError(f"{path}: expected {what}, got {_json_kind(value)}")
    return value


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%b/%y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%y",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%Y/%m/%d",
)


def parse_date(text: str) -> date:
    """A calendar day from ISO dates, ISO times (their UTC day) or Jira's '20/Mar/26'."""
    text = text.strip()
    if "T" in text:
        try:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            return _strp(text)
        try:
            return (moment.astimezone(UTC) if moment.tzinfo else moment).date()
        except OverflowError:  # year 9999 at -05:00: past the last day there is
            raise ValueError(f"not a date in range: {text!r}") from None
    return _strp(text)


def _strp(text: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD)")


def moment_text(moment: datetime) -> str:
    """A time as the store keeps it: UTC, to the second ('2026-03-11T10:30:00Z'); a time
    without a zone is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(text: str) -> str:
    """An ISO time ('2026-03-11T10:30:00.123Z', '2026-03-11T11:30:00+01:00') as the store
    keeps times; raises ValueError for anything else or a year out of range."""
    given = text.strip()
    try:
        moment = datetime.fromisoformat(given[:-1] + "+00:00" if given.endswith("Z") else given)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"not a time: {text!r:.60} (expected an ISO time)") from None
    return in_range(moment, text)


def in_range(moment: datetime, text: str) -> str:
    """`moment` as the store keeps times, if its day is one the store accepts."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise ValueError(f"not a time in range: {text!r:.60} ({FIRST_DAY} to {LAST_DAY})")
    return moment_text(moment)


def parse_points(text: str) -> int | None:
    """Story points as a whole number; fractions round up (0.5 -> 1), blank is none."""
    text = text.strip()
    if not text:
        return None
    try:
        value = decimal_number(text)
    except ValueError as exc:
        raise ValueError(f"points: {exc} (got {text!r}); 0 to {MAX_POINTS} in digits 0-9") from None
    if value < 0:
        raise ValueError(f"points: must be 0 or more (got {text!r})")
    return math.ceil(value)
