"""The columns of a Jira CSV export, by the names real exports give them.

Jira names a column in the language of the person who exported it (`Résumé`, `Clé de
ticket`, `Zusammenfassung`), wraps custom fields as `Custom field (Story Points)`,
`Champ personnalisé (Sprint)`, `Benutzerdefiniertes Feld (…)` or `Campo personalizado
(…)`, and repeats a column once per value (Sprint, Labels, Comment, Watchers). Each
header is read as one of `FIELDS`; repeated ones keep every column, in file order.

`--map-column HEADER=FIELD` reads HEADER as FIELD (a field's name, or any header Jira
gives it: `Punkte=Story Points`); a mapping beats the built-in names, so a column the
built-in names would read as that field is not read (the summary says so). A mapped
HEADER the file lacks is a note, since mappings are remembered per project. Every
column read as no field is named once in a grouped note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sprintboard.errors import UserError

FIELDS = (
    "key",
    "id",
    "title",
    "type",
    "status",
    "priority",
    "assignee",
    "assignee id",
    "reporter",
    "reporter id",
    "creator",
    "creator id",
    "description",
    "due",
    "labels",
    "sprint",
    "points",
    "team",
    "comment",
    "parent",
    "parent summary",
    "epic link",
    "epic name",
    "blocks",
    "blocked by",
    "project",
)
"""What a column can be read as (the names --map-column takes)."""

_NAMES: dict[str, tuple[str, ...]] = {
    "key": (
        "issue key",
        "clé de ticket",
        "clé du ticket",
        "clé",
        "schlüssel",
        "vorgangsschlüssel",
        "clave de incidencia",
        "clave",
    ),
    "id": ("issue id", "id de ticket", "id du ticket", "vorgangs-id", "id de incidencia"),
    "title": ("summary", "résumé", "zusammenfassung", "resumen", "resumo", "riepilogo"),
    "type": (
        "issue type",
        "type de ticket",
        "vorgangstyp",
        "tipo de incidencia",
        "tipo de item",
        "tipo di ticket",
    ),
    "status": ("status", "état", "statut", "estado", "stato"),
    "priority": ("priority", "priorité", "priorität", "prioridad", "prioridade", "priorità"),
    "assignee": ("assignee", "responsable", "bearbeiter", "responsável", "assegnatario"),
    "assignee id": ("assignee id", "id du responsable", "id de responsable", "bearbeiter-id"),
    "reporter": ("reporter", "rapporteur", "autor", "melder", "informador", "relator"),
    "reporter id": ("reporter id", "id du rapporteur", "id de rapporteur", "autor-id"),
    "creator": ("creator", "créateur", "ersteller", "creador", "criador"),
    "creator id": ("creator id", "id du créateur", "id de créateur", "ersteller-id"),
    "description": ("description", "beschreibung", "descripción", "descrição", "descrizione"),
    "due": (
        "due date",
        "due",
        "duedate",
        "échéance",
        "date d'échéance",
        "fällig",
        "fälligkeitsdatum",
        "fecha de vencimiento",
        "fecha límite",
        "data de entrega",
        "data di scadenza",
    ),
    "labels": ("labels", "label", "étiquettes", "stichwörter", "etiquetas", "etichette"),
    "sprint": ("sprint", "sprints"),
    "points": (
        "story points",
        "story point estimate",
        "story point",
        "points",
        "points d'histoire",
        "estimation des points d'histoire",
        "estimation de story points",
        "story-points",
        "schätzung der story points",
        "puntos de historia",
        "estimación de puntos de historia",
    ),
    "team": (
        "team",
        "équipe",
        "component/s",
        "components",
        "component",
        "composants",
        "komponenten",
        "componentes",
        "componenti",
    ),
    "comment": ("comment", "commentaire", "kommentar", "comentario", "comentário", "commento"),
    "parent": ("parent", "parent id", "parent key", "übergeordnet", "padre"),
    "parent summary": ("parent summary", "résumé du parent", "résumé parent"),
    "epic link": ("epic link", "lien d'epic", "lien de l'epic", "epic-verknüpfung"),
    "epic name": ("epic name", "nom de l'epic", "epic-name", "nombre de épica"),
    "blocks": ("outward issue link (blocks)",),
    "blocked by": ("inward issue link (blocks)",),
    "project": ("project key", "clé de projet", "clé du projet", "projektschlüssel"),
}
_BY_NAME = {name: f for f, names in _NAMES.items() for name in (f, *names)}

# 'Custom field (Story Points)' in English, French, German, Spanish/Portuguese, Italian, Dutch.
_CUSTOM = re.compile(
    r"^(?:custom field|champ personnalisé|benutzerdefiniertes feld|campo personalizado"
    r"|campo personalizzato|aangepast veld)\s*\((.*)\)$"
)
_SHOWN = 12
"""Names the 'columns not imported' note shows before it counts the rest."""


def header_key(name: str) -> str:
    """A header as compared: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def builtin_field(name: str) -> str | None:
    """The field a header means by the names Jira gives it, or None."""
    key = header_key(name)
    found = _BY_NAME.get(key)
    if found is None:
        inner = _CUSTOM.match(key)
        if inner is not None:
            found = _BY_NAME.get(inner.group(1).strip())
    return found


@dataclass
class Columns:
    """Which columns of the file are read as which field."""

    header: list[str]
    by_field: dict[str, list[int]] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.by_field

    def cells(self, row: list[str], *names: str) -> list[tuple[str, str]]:
        """(header, value) of every non-blank cell of the fields, repeated columns in file
        order."""
        return [
            (self.header[i].strip(), row[i].strip())
            for n in names
            for i in self.by_field.get(n, [])
            if row[i].strip()
        ]

    def values(self, row: list[str], *names: str) -> list[str]:
        return [value for _, value in self.cells(row, *names)]

    def first(self, row: list[str], name: str) -> str | None:
        """The field's first column's value (blank -> ''), or None when no column is."""
        found = self.by_field.get(name)
        return None if not found else row[found[0]]

    def named(self, name: str) -> str:
        """The header of the field's first column, as the file writes it."""
        found = self.by_field.get(name)
        return self.header[found[0]].strip() if found else name


def _mapping(mapped: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """--map-column pairs: header (as compared) -> (field, the header as given)."""
    found: dict[str, tuple[str, str]] = {}
    for given, target in mapped.items():
        name = builtin_field(target)
        if name is None:
            raise UserError(
                f"--map-column {given}={target}: {target!r:.40} is not a field of the Jira "
                f"import (one of: {', '.join(FIELDS)})"
            )
        found[header_key(given)] = (name, given)
    return found


def read_header(header: list[str], mapped: Mapping[str, str], notes: list[str]) -> Columns:
    """The file's columns as fields; notes on mappings and on columns read as nothing."""
    mapping = _mapping(mapped)
    keys = [header_key(h) for h in header]
    for key, (target, given) in mapping.items():
        if key not in keys:
            notes.append(f"--map-column {given}={target}: the file has no {given!r}")
    targets = {target: given for key, (target, given) in mapping.items() if key in keys}
    columns = Columns(header)
    ignored: dict[str, int] = {}
    beaten: dict[str, str] = {}
    for index, (raw, key) in enumerate(zip(header, keys, strict=True)):
        if key in mapping:
            name: str | None = mapping[key][0]
        else:
            name = builtin_field(raw)
            if name is not None and name in targets:  # the mapping beats the file's own
                beaten.setdefault(raw.strip(), name)
                continue
        if name is None:
            if raw.strip():
                ignored[raw.strip()] = ignored.get(raw.strip(), 0) + 1
            continue
        columns.by_field.setdefault(name, []).append(index)
    for raw, name in beaten.items():
        notes.append(f"column {raw!r} not imported: --map-column reads {targets[name]!r} as {name}")
    if ignored:
        names = list(ignored)
        shown = ", ".join(names[:_SHOWN])
        more = f", … {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
        total = sum(ignored.values())
        notes.append(f"columns not imported: {shown}{more} ({total} columns)")
    return columns
