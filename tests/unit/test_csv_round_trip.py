"""The CSV export reads back through the CSV import character for character: formula
guards and list separators are encoded reversibly."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sprintboard.io.cards_csv import _joined, _split, cards_csv, parse_cards_csv, protect, unprotect
from sprintboard.io.import_apply import apply_plan
from sprintboard.io.import_plan import ImportOptions
from sprintboard.io.importing import plan_import
from sprintboard.models import Card
from sprintboard.store import Store

FIELDS = ("title", "description", "assignee", "labels", "skus")

_TRICKY = st.sampled_from(
    [
        "=",
        "+",
        "-",
        "@",
        "'",
        "''",
        '"',
        ";",
        "\\",
        "\\;",
        "\t",
        " ",
        ",",
        "\n",
        "=1+1",
        "🚀",
        "👩‍💻",
        "é",
        "ß",
        "中",
    ]
)
# Printable text without control characters (tabs and newlines come from _TRICKY).
_CHARS = st.characters(blacklist_categories=("Cc", "Cs"))
TEXT = st.lists(st.one_of(_TRICKY, st.text(_CHARS, max_size=6)), max_size=8).map("".join)


def round_trip(card: Card, folder: Path) -> dict[str, object]:
    """`card` stored, exported as CSV, imported into a new database: the stored fields of
    the original and of the copy."""
    with Store(folder / "source.db") as source:
        original = source.cards.add(card)
        exported = cards_csv(source.cards.query())
    path = folder / "cards.csv"
    path.write_text("\ufeff" + exported, encoding="utf-8", newline="")
    with Store(folder / "target.db") as target:
        with target.transaction("import.csv") as tx:
            apply_plan(target, tx, plan_import(target, parse_cards_csv(path), ImportOptions()))
        (copy,) = target.cards.query()
    assert {f: copy[f] for f in FIELDS} == {f: original[f] for f in FIELDS}
    return copy


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=TEXT,
    description=TEXT,
    assignee=TEXT,
    labels=st.lists(TEXT, max_size=4),
    skus=st.lists(TEXT, max_size=3),
)
def test_any_card_text_survives_export_and_import(
    title: str, description: str, assignee: str, labels: list[str], skus: list[str]
) -> None:
    try:
        card = Card(
            title=title,
            description=description,
            assignee=assignee,
            team="IT",
            labels=labels,
            skus=skus,
        )
    except ValidationError:
        reject()  # an empty title: not a card
    if any(not item for item in [*card.labels, *card.skus]):
        reject()  # a blank label is no label (the import drops blank list items)
    with tempfile.TemporaryDirectory() as folder:
        round_trip(card, Path(folder))


@pytest.mark.parametrize(
    ("title", "labels"),
    [
        ("'=x", ["a;b", "c"]),
        ("'", ["\\", "x\\;y", "back\\slash"]),
        ("''already quoted", ["=SUM(A1)", "-1", "@me"]),
        ('=HYPERLINK("http://x")', ["'quoted'", ";"]),
        ("Labels that name a team or a priority", ["IT", "Finance", "medium", "medium"]),
    ],
)
def test_examples_that_used_to_change(title: str, labels: list[str], tmp_path: Path) -> None:
    card = Card(title=title, team="IT", labels=labels, description="\tindented\n- item")
    copy = round_trip(card, tmp_path)
    assert copy["title"] == title and copy["labels"] == labels


@given(TEXT)
@example("'=x")
@example("''")
@example("'+")
def test_protect_is_reversible_and_guards_formulas(value: str) -> None:
    guarded = protect(value)
    assert unprotect(guarded) == value
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))


@given(st.lists(TEXT.filter(lambda t: t.strip() == t and t), max_size=5))
def test_lists_split_back_into_their_items(items: list[str]) -> None:
    assert _split(_joined(items)) == items


def test_hand_written_lists_still_read() -> None:
    assert _split("promotion; feedback ;;") == ["promotion", "feedback"]
    assert _split(r"C:\path;x") == [r"C:\path", "x"]
