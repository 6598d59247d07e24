"""Sprint names every command can address, and closed sprints kept as history."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli
from sprintboard.errors import UserError
from sprintboard.models import Sprint
from sprintboard.store import Store

RESERVED = ["current", "backlog", "Current", " BACKLOG ", "BackLog"]


@pytest.mark.parametrize("name", RESERVED)
def test_a_sprint_cannot_be_named_current_or_backlog(cli: Cli, name: str) -> None:
    ran = cli("sprint", "add", name, "--start", "2026-04-01", "--end", "2026-04-14")
    assert ran.code == 2
    assert ran.err == (
        f"error: name: 'current' and 'backlog' cannot name a sprint (got {name.strip()!r}); "
        "they mean the active sprint and the backlog: choose another name\n"
    )
    assert "(none)" in cli("sprint", "list").out


def test_a_sprint_cannot_be_renamed_current_or_backlog(demo_store: Store) -> None:
    for name in ("current", " Backlog "):
        with pytest.raises(UserError, match="cannot name a sprint"):
            demo_store.sprints.edit("Sprint 43", {"name": name})
        with pytest.raises(UserError, match="cannot name a sprint"):
            demo_store.sprints.add(Sprint.model_validate({
                "name": name, "start": "2027-01-01", "end": "2027-01-14"
            }))  # fmt: skip
    assert demo_store.sprints.get("Sprint 43")["name"] == "Sprint 43"
    # Names that merely contain the words are fine.
    assert demo_store.sprints.edit("Sprint 43", {"name": "Backlog grooming"})["name"] == (
        "Backlog grooming"
    )


def test_a_closed_sprint_cannot_be_edited(demo_store: Store) -> None:
    closed = demo_store.sprints.get("Sprint 41")
    assert closed["state"] == "closed"
    entries = demo_store.scalar("SELECT COUNT(*) FROM activity")
    for changes in ({"name": "Sprint 41b"}, {"end": "2026-11-30"}, {"goal": "other"}):
        with pytest.raises(UserError) as refused:
            demo_store.sprints.edit("Sprint 41", changes)
        assert str(refused.value) == (
            "sprint 'Sprint 41' is closed; closed sprints are history and cannot be edited "
            "(their cards can still move)"
        )
    with pytest.raises(UserError, match="is closed"):
        demo_store.sprints.set_capacity("Sprint 41", "IT", 3)
    assert demo_store.sprints.get("Sprint 41") == closed
    assert demo_store.scalar("SELECT COUNT(*) FROM activity") == entries
    # Its cards may still move (its committed and completed points were fixed at closing).
    card = demo_store.cards.query(sprint=closed["id"])[0]
    moved = demo_store.cards.move(card["key"], status="todo", sprint_id=None)
    assert moved["sprint"] is None


def test_the_cli_says_a_closed_sprint_is_history(cli: Cli) -> None:
    assert cli("demo").code == 0
    ran = cli("sprint", "edit", "Sprint 41", "--end", "2026-11-30")
    assert (ran.code, ran.err) == (
        2,
        "error: sprint 'Sprint 41' is closed; closed sprints are history and cannot be edited "
        "(their cards can still move)\n",
    )


def test_an_imported_sprint_named_current_or_backlog_is_renamed(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    source = tmp_path / "cards.csv"
    source.write_text(
        "title,team,sprint\nFirst,IT,Current\nSecond,IT, backlog \nThird,IT,Sprint 9\n",
        encoding="utf-8",
    )
    ran = cli("import", str(source), "--from", "csv")
    assert ran.code == 0, ran.err
    assert (
        "note: sprint 'Current' imported as 'Current (imported)': 'current' and 'backlog' "
        "mean the active sprint and the backlog here"
    ) in ran.out
    assert "note: sprint 'backlog' imported as 'backlog (imported)'" in ran.out
    with Store(db_path) as store:
        sprints = {s["name"] for s in store.sprints.list()}
        cards = {c["title"]: c["sprint"] for c in store.cards.query()}
    assert sprints == {"Current (imported)", "backlog (imported)", "Sprint 9"}
    assert cards == {
        "First": "Current (imported)",
        "Second": "backlog (imported)",
        "Third": "Sprint 9",
    }
