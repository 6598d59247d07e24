"""What every import shares: status mappings given and remembered, the report of every
item, the dry run that refuses what the real run refuses, and the undo that names the
import."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import Cli
from sprintboard.io.import_plan import ImportOptions
from sprintboard.io.import_report import report_rows
from sprintboard.io.import_run import ImportRequest, run_import
from sprintboard.io.import_summary import summary_lines
from sprintboard.io.importing import plan_import
from sprintboard.io.items import Dropped, Item, Parsed, SourceComment, SourceGoal
from sprintboard.store import Store

BOARD = "title,team,status,points\n" + "".join(
    f"Card {n},IT,{status},{n}\n"
    for n, status in enumerate(
        ["クローズ済み案件", "クローズ済み案件", "保留中", "done", "Fait (à livrer)"], start=1
    )
)


@pytest.fixture
def board(tmp_path: Path) -> Path:
    path = tmp_path / "board.csv"
    path.write_text(BOARD, encoding="utf-8")
    return path


def _statuses(db_path: Path) -> dict[str, str]:
    with Store(db_path) as store:
        return {r["title"]: r["status"] for r in store.rows("SELECT title, status FROM cards")}


def test_the_dry_run_names_each_unknown_status_with_its_count_and_option(
    cli: Cli, board: Path
) -> None:
    result = cli("import", str(board), "--from", "csv", "--dry-run")
    assert result.code == 0, result.err
    assert "unknown status names (2), each put in backlog:" in result.out
    assert "'クローズ済み案件': 2 card(s); map it with --map-status 'クローズ済み案件=STATUS'" in (
        result.out
    )
    assert "'保留中': 1 card(s); map it with --map-status '保留中=STATUS'" in result.out
    # Localised names other tools use are known: no option needed for them.
    assert "Fait" not in result.out.split("unknown status names")[1]


def test_a_mapping_is_used_and_remembered_for_the_same_source(
    cli: Cli, board: Path, db_path: Path
) -> None:
    first = cli("import", str(board), "--from", "csv", "--map-status", "クローズ済み案件=done")
    assert first.code == 0, first.err
    statuses = _statuses(db_path)
    assert statuses["Card 1"] == statuses["Card 2"] == "done"
    assert statuses["Card 3"] == "backlog" and statuses["Card 5"] == "done"

    # The board changes at the source; imported again without the option, the names map
    # the way they did, and the summary says the mapping was remembered.
    board.write_text(BOARD.replace("Card 3,IT,保留中", "Card 3,IT,クローズ済み案件"), "utf-8")
    again = cli("import", str(board), "--from", "csv")
    assert again.code == 0, again.err
    assert "mappings remembered for this source: status 'クローズ済み案件' -> done" in again.out
    assert _statuses(db_path)["Card 3"] == "done"

    # An option given now beats what was remembered.
    third = cli("import", str(board), "--from", "csv", "--map-status", "クローズ済み案件=review")
    assert third.code == 0, third.err
    assert set(_statuses(db_path).values()) >= {"review"}


def test_a_mapping_is_not_used_for_another_source(
    cli: Cli, board: Path, db_path: Path, tmp_path: Path
) -> None:
    assert cli("import", str(board), "--from", "csv", "--map-status", "保留中=doing").code == 0
    other = tmp_path / "other.csv"
    other.write_text("title,team,status\nElsewhere,IT,保留中\n", encoding="utf-8")
    result = cli("import", str(other), "--from", "csv")
    assert result.code == 0, result.err
    assert _statuses(db_path)["Elsewhere"] == "backlog"
    assert "remembered" not in result.out


def test_a_dry_run_remembers_nothing(cli: Cli, board: Path, db_path: Path) -> None:
    assert cli("team", "list").code == 0
    dry = cli("import", str(board), "--from", "csv", "--map-status", "保留中=doing", "--dry-run")
    assert dry.code == 0, dry.err
    assert "'保留中' -> doing" in dry.out
    result = cli("import", str(board), "--from", "csv")
    assert "remembered" not in result.out
    assert _statuses(db_path)["Card 3"] == "backlog"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("done", "--map-status: expected NAME=STATUS (got 'done')"),
        ("=done", "--map-status: expected NAME=STATUS (got '=done')"),
        ("Closed=", "--map-status: expected NAME=STATUS (got 'Closed=')"),
        ("Closed=finished", "--map-status: 'finished' is not a status (one of: backlog, todo,"),
    ],
)
def test_a_bad_mapping_is_one_line_and_exit_2(
    cli: Cli, board: Path, db_path: Path, given: str, message: str
) -> None:
    result = cli("import", str(board), "--from", "csv", "--map-status", given)
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1
    assert not db_path.exists()


def test_map_column_applies_to_csv_sources_only(cli: Cli, tmp_path: Path) -> None:
    board = tmp_path / "board.json"
    board.write_text("{}", encoding="utf-8")
    result = cli("import", str(board), "--from", "trello", "--map-column", "a=title")
    assert result.code == 2 and "--map-column applies to --from jira and --from csv" in result.err


# -- the dry run refuses what the real run refuses ------------------------------------------


def test_the_dry_run_refuses_a_file_the_import_refuses_with_the_same_line(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "no_team.csv"
    path.write_text("title,status\nA,todo\nB,done\n", encoding="utf-8")
    dry = cli("import", str(path), "--from", "csv", "--dry-run")
    real = cli("import", str(path), "--from", "csv")
    assert dry.code == real.code == 2
    assert dry.err == real.err
    assert "2 card(s) name no team" in real.err and "give --team CODE" in real.err
    assert not db_path.exists()


def test_the_dry_run_counts_what_the_real_run_does(cli: Cli, board: Path) -> None:
    dry = cli("import", str(board), "--from", "csv", "--dry-run")
    real = cli("import", str(board), "--from", "csv")
    assert dry.code == real.code == 0
    assert dry.out.splitlines()[:-1] == real.out.splitlines()[:-1]


# -- the report -------------------------------------------------------------------------------


def test_the_report_lists_every_item_with_its_key_and_reason(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    rows = ["title,team,status,points,due"]
    rows += [f"Card {n},IT,todo,{n}," for n in range(1, 13)]
    rows += [",IT,todo,1,", "=HYPERLINK(1),IT,todo,1,", "Bad due,IT,todo,1,31/31/31"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = tmp_path / "out.csv"
    result = cli("import", str(path), "--from", "csv", "--report", str(report))
    assert result.code == 0, result.err
    assert f"written to {report}" in result.out
    with report.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle))
    created = [r for r in lines if r["outcome"] == "created"]
    with Store(db_path) as store:
        keys = {r["title"]: r["key"] for r in store.rows("SELECT title, key FROM cards")}
    assert len(created) == len(keys) == 14
    assert all(r["key"] == keys[r["title"].removeprefix("'")] for r in created)
    # A cell that would run as a spreadsheet formula is guarded.
    assert any(r["title"] == "'=HYPERLINK(1)" for r in created)
    skipped = [r for r in lines if r["outcome"] == "skipped"]
    assert [r["where"] for r in skipped] == ["line 14"]
    assert all(r["reason"] for r in skipped)
    # A due date that is no date is left out of a card that still comes in.
    (dropped,) = [r for r in lines if r["outcome"] == "dropped value"]
    assert (dropped["where"], dropped["field"], dropped["value"]) == ("line 16", "due", "31/31/31")
    assert dropped["title"] == "Bad due" and dropped["reason"]


def test_the_report_of_a_dry_run_says_what_would_be_done(
    cli: Cli, board: Path, tmp_path: Path
) -> None:
    report = tmp_path / "plan.json"
    result = cli("import", str(board), "--from", "csv", "--dry-run", "--report", str(report))
    assert result.code == 0, result.err
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["dry_run"] is True
    assert [i["outcome"] for i in document["items"]] == ["would be created"] * 5
    assert all(i["key"] == "" for i in document["items"])


@pytest.mark.parametrize("name", ["report.txt", "report", "report.xlsx"])
def test_a_report_that_is_neither_csv_nor_json_is_refused(
    cli: Cli, board: Path, tmp_path: Path, db_path: Path, name: str
) -> None:
    result = cli("import", str(board), "--from", "csv", "--report", str(tmp_path / name))
    assert result.code == 2 and "must end in .csv or .json" in result.err
    assert not db_path.exists() and not (tmp_path / name).exists()


def test_the_report_never_replaces_the_database(cli: Cli, board: Path, db_path: Path) -> None:
    assert cli("team", "list").code == 0
    before = db_path.read_bytes()
    link = db_path.parent / "plan.csv"
    link.symlink_to(db_path)
    result = cli("import", str(board), "--from", "csv", "--report", str(link))
    assert result.code == 2, result.out
    assert db_path.read_bytes() == before


# -- undo names the batch ---------------------------------------------------------------------


def test_undo_names_the_import_its_file_and_its_cards(cli: Cli, board: Path) -> None:
    assert cli("import", str(board), "--from", "csv").code == 0
    result = cli("undo")
    assert result.code == 0, result.err
    assert result.out.startswith("undone: the CSV import of board.csv: 5 cards created"), result.out


def test_undo_of_a_reimport_counts_the_cards_it_updated(
    cli: Cli, board: Path, db_path: Path
) -> None:
    assert cli("import", str(board), "--from", "csv").code == 0
    changed = BOARD.replace("Card 4,IT,done,4", "Card 4,IT,todo,4").replace(",5\n", ",8\n")
    board.write_text(changed, "utf-8")
    assert cli("import", str(board), "--from", "csv").code == 0
    result = cli("undo")
    assert "the CSV import of board.csv: 2 cards updated" in result.out, result.out


# -- goals and cards the source archived --------------------------------------------------------


def _parsed(items: list[Item], goals: dict[str, SourceGoal] | None = None) -> Parsed:
    parsed = Parsed("jira", "jira:", "test", items=items, goals=goals or {})
    parsed.file = "test.csv"
    return parsed


def _run(store: Store, parsed: Parsed) -> None:
    request = ImportRequest("jira", Path("test.csv"), lambda _: parsed, ImportOptions(team="IT"))
    run_import(lambda: store, request)


def test_a_source_goal_is_made_once_and_found_again_when_renamed(store: Store) -> None:
    goal = {"jira:S-1": SourceGoal("jira:S-1", "line 2", "Spring promotion")}
    items = [
        Item("jira:S-2", "line 3", "Banner", goal="jira:S-1"),
        Item("jira:S-3", "line 4", "Checkout", goal="jira:S-1"),
    ]
    _run(store, _parsed(items, goal))
    goals = store.rows("SELECT id, title FROM goals")
    assert [g["title"] for g in goals] == ["Spring promotion"]
    linked = store.rows("SELECT title, goal_id FROM cards ORDER BY id")
    assert {c["goal_id"] for c in linked} == {goals[0]["id"]}

    # Renamed here; imported again: the same goal, not a second one.
    store.goals.edit(goals[0]["id"], {"title": "Spring promo 2027"})
    renamed = {"jira:S-1": SourceGoal("jira:S-1", "line 2", "Spring promotion (renamed)")}
    items.append(Item("jira:S-4", "line 5", "Emails", goal="jira:S-1"))
    plan = plan_import(store, _parsed(items, renamed), ImportOptions(team="IT"))
    assert plan.new_goals == [] and plan.goals_found == 1
    _run(store, _parsed(items, renamed))
    assert store.scalar("SELECT COUNT(*) FROM goals") == 1
    assert store.scalar("SELECT COUNT(DISTINCT goal_id) FROM cards") == 1


def test_a_card_the_source_archived_since_is_closed_and_leaves_its_sprint(store: Store) -> None:
    items = [
        Item("jira:S-1", "line 2", "Kept", status_name="To Do", sprint="Sprint 9"),
        Item("jira:S-2", "line 3", "Archived later", status_name="To Do", sprint="Sprint 9"),
    ]
    _run(store, _parsed(items))
    items[1].archived = "archived at the source"
    items.append(Item("jira:S-3", "line 4", "Archived first", archived="archived at the source"))
    plan = plan_import(store, _parsed(items), ImportOptions(team="IT"))
    assert [c.row["title"] for c in plan.closes] == ["Archived later"]
    assert [s.where for s in plan.skipped] == ["line 4"]
    _run(store, _parsed(items))
    rows = {r["title"]: r for r in store.rows("SELECT title, status, sprint_id FROM cards")}
    assert (
        rows["Archived later"]["status"] == "done" and rows["Archived later"]["sprint_id"] is None
    )
    assert rows["Kept"]["status"] == "todo" and rows["Kept"]["sprint_id"] is not None
    assert "Archived first" not in rows
    # Imported once more: nothing left to close.
    assert plan_import(store, _parsed(items), ImportOptions(team="IT")).closes == []


def test_a_file_read_only_through_its_column_mapping_is_read_again_without_it(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "taken.csv"
    path.write_text("Onderwerp,Team,Status\nNieuwe kassa,IT,todo\n", encoding="utf-8")
    without = cli("import", str(path), "--from", "csv")
    assert without.code == 2 and "no 'title' column" in without.err
    first = cli("import", str(path), "--from", "csv", "--map-column", "Onderwerp=title")
    assert first.code == 0, first.err
    path.write_text("Onderwerp,Team,Status\nNieuwe kassa,IT,done\n", encoding="utf-8")
    again = cli("import", str(path), "--from", "csv")
    assert again.code == 0, again.err
    assert "mappings remembered for this source: column 'Onderwerp' -> title" in again.out
    with Store(db_path) as store:
        assert store.rows("SELECT title, status FROM cards") == [
            {"title": "Nieuwe kassa", "status": "done"}
        ]


def test_a_closed_card_still_takes_its_new_comments(store: Store) -> None:
    items = [Item("jira:S-1", "line 2", "Archived later", status_name="To Do")]
    _run(store, _parsed(items))
    items[0].archived = "archived at the source"
    items[0].comments = [
        SourceComment("jira:comment:S-1:1", "line 2", "Shipped with the spring release", "Ana")
    ]
    plan = plan_import(store, _parsed(items), ImportOptions(team="IT"))
    assert plan.threads.on_skipped_cards["comment"] == 0
    _run(store, _parsed(items))
    assert store.scalar("SELECT status FROM cards") == "done"
    assert [r["body"] for r in store.rows("SELECT body FROM comments")] == [
        "Shipped with the spring release"
    ]


def test_a_skipped_item_is_reported_with_its_title(store: Store) -> None:
    items = [
        Item("jira:S-1", "line 2", "Archived before", archived="archived at the source"),
        Item("jira:S-1", "line 3", "Twice"),
        Item("jira:S-1", "line 4", "Thrice"),
    ]
    plan = plan_import(store, _parsed(items), ImportOptions(team="IT"))
    rows = {r["where"]: r for r in report_rows(plan, dry_run=True)}
    assert rows["line 2"]["title"] == "Archived before"
    assert rows["line 2"]["reason"] == "archived at the source"
    assert rows["line 3"]["title"] == "Twice"


def test_the_summary_caps_dropped_values_and_points_at_the_report(store: Store) -> None:
    items = [Item(f"jira:S-{n}", f"line {n}", f"Card {n}") for n in range(1, 31)]
    parsed = _parsed(items)
    parsed.dropped = [
        Dropped(f"line {n}", f"S-{n}", f"field{n}", "x", f"reason {n}") for n in range(1, 31)
    ]
    plan = plan_import(store, parsed, ImportOptions(team="IT"))
    lines = [line for line in summary_lines(plan) if "dropped" in line]
    assert len(lines) < 15
    assert lines[-1].endswith("(--report FILE lists each)")
    assert len(report_rows(plan, dry_run=True)) >= 60


def test_a_mapping_that_meets_no_name_in_the_file_is_named(cli: Cli, board: Path) -> None:
    result = cli(
        "import", str(board), "--from", "csv", "--dry-run",
        "--map-status", "Nowhere=done", "--map-status", "保留中=todo",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "note: --map-status 'Nowhere' matched no status or list name in this file" in (
        result.out
    )
    assert "'保留中' matched no" not in result.out


def test_mapping_jira_s_summary_away_says_so(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    path.write_text("Issue key,Summary,Status\nSHOP-1,Gift wrap,To Do\n", encoding="utf-8")
    result = cli("import", str(path), "--from", "jira", "--map-column", "Summary=description")
    assert result.code == 2
    assert (
        "no title column: --map-column 'Summary'=description reads the Summary column as "
        "another field"
    ) in result.err
