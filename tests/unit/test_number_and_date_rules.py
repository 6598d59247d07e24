"""The same rule for a value wherever it enters: timestamps are range-checked on the UTC day
that is stored, bounded numbers use the model's bound on every write path, and numbers are
read from ASCII digits only (command line, records and every importer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sprintboard.errors import UserError
from sprintboard.io.items import parse_points
from sprintboard.models import Feedback, StockItem, validate
from sprintboard.numbers import decimal_number, whole_number
from sprintboard.store import Store


def refused(result: Any, *needles: str) -> str:
    assert result.code == 2, (result.out, result.err)
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    for needle in needles:
        assert needle in result.err, result.err
    return str(result.err)


@pytest.fixture
def demo(cli: Any, demo_store: Store) -> Any:
    return cli


# -- timestamps: the UTC day is the one checked ----------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        "2200-12-31T23:00:00-05:00",  # 2201-01-01 in UTC
        "2200-12-31T23:30:00-09:00",
        "1900-01-01T01:00:00+05:00",  # 1899-12-31 in UTC
        "9999-12-31T23:00:00-05:00",  # past the last datetime once in UTC
    ],
)
def test_times_whose_utc_day_is_out_of_range_are_refused(given: str) -> None:
    with pytest.raises(UserError, match=r"received_at: .*out of range"):
        validate(Feedback, {"text": "x", "received_at": given})


def test_a_time_whose_utc_day_is_in_range_is_taken(store: Store) -> None:
    # 00:00 at +05:00 on 2201-01-01 is 2200-12-31 19:00 UTC: the last day, allowed.
    item = validate(Feedback, {"text": "edge", "received_at": "2201-01-01T00:00:00+05:00"})
    row = store.feedback.get(store.feedback.add(item)["id"])
    assert row["received_at"] == "2200-12-31T19:00:00Z"


def test_feedback_import_refuses_a_utc_day_out_of_range(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "tz.csv"
    path.write_text(
        "text,received_at\nedge,2200-12-31T23:00:00-05:00\nlow,1900-01-01T01:00:00+05:00\n",
        encoding="utf-8",
    )
    result = cli("feedback", "import", str(path))
    assert result.code == 2
    assert "2201-01-01 in UTC" in result.err and "1899-12-31 in UTC" in result.err
    assert json.loads(cli("feedback", "list", "--json").out) == []


def test_feedback_add_refuses_a_utc_day_out_of_range(cli: Any) -> None:
    refused(cli("feedback", "add", "x", "--received", "2200-12-31T23:30:00-09:00"), "received_at:")


# -- bounded values: the model's bound on every write path -----------------------------------


@pytest.mark.parametrize("points", ["10001", str(2**63 - 1), "-2"])
def test_sprint_capacity_has_the_team_capacity_bound(demo: Any, points: str) -> None:
    refused(demo("sprint", "capacity", "Sprint 43", "IT", points), "capacity:", "0 to 10000")
    refused(demo("team", "edit", "IT", "--capacity", points), "--capacity:", "0 to 10000")


def test_sprint_capacity_bound_holds_in_the_store(demo_store: Store) -> None:
    with pytest.raises(UserError, match="capacity:"):
        demo_store.sprints.set_capacity("Sprint 43", "IT", 10_001)
    demo_store.sprints.set_capacity("Sprint 43", "IT", 10_000)


def test_onboarding_takes_only_the_known_steps(demo: Any) -> None:
    member = json.loads(demo("member", "list", "--json").out)[0]
    ident = str(member["id"])
    message = refused(demo("member", "onboard", ident, "x" * 2000), "step: not an onboarding step")
    assert "accounts, tools, board walkthrough, first card shipped" in message
    assert len(message) < 300
    after = json.loads(demo("member", "list", "--json").out)[0]
    assert after["onboarding"] == member["onboarding"]
    shown = json.loads(demo("member", "onboard", ident, " Board  Walkthrough ", "--json").out)
    assert shown["onboarding"]["board walkthrough"] is True
    assert len(shown["onboarding"]) == 4


# -- numbers: ASCII digits only --------------------------------------------------------------

NOT_NUMBERS = ["٣", "３", "1_000", "", " ", "3a", "++3"]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_shared_parsers_take_ascii_digits_only(text: str) -> None:
    with pytest.raises(ValueError):
        whole_number(text)
    with pytest.raises(ValueError):
        decimal_number(text)


def test_shared_parsers_take_plain_numbers() -> None:
    assert whole_number(" -12 ") == -12 and whole_number("+3") == 3
    assert decimal_number("0.5") == 0.5 and decimal_number("1e3") == 1000.0
    with pytest.raises(ValueError, match="in range"):
        decimal_number("1e400")


@pytest.mark.parametrize("text", ["٣", "３", "1_000"])
def test_cli_numbers_are_ascii_digits(demo: Any, text: str) -> None:
    before = demo("card", "list", "--json").out
    refused(demo("card", "add", "t", "--team", "IT", "--points", text), "--points: not a whole")
    refused(demo("feedback", "add", "x", "--reports", text), "--reports: not a whole")
    refused(demo("goal", "edit", "1", "--target", text), "--target: not a number")
    refused(demo("goal", "show", text), "goal: must be a goal id")
    refused(demo("feedback", "show", text), "feedback: must be a feedback id")
    assert demo("card", "list", "--json").out == before


@pytest.mark.parametrize("text", ["٣", "1_000", "1e400", "nan"])
def test_importers_share_one_number_rule(text: str) -> None:
    with pytest.raises(ValueError, match="points: not a number"):
        parse_points(text)
    with pytest.raises(UserError):
        validate(StockItem, {"sku": "A", "on_hand": text})
    with pytest.raises(UserError):
        validate(Feedback, {"text": "x", "reports": text})


def test_jira_story_points_in_other_digits_are_dropped(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    path.write_text(
        "Summary,Issue key,Status,Story Points\nA,A-1,To Do,3\nB,A-2,To Do,٣\n", encoding="utf-8"
    )
    result = cli("import", str(path), "--from", "jira", "--team", "IT", "--dry-run")
    assert result.code == 0, result.err
    assert "cards: 2 to create" in result.out
    assert "dropped 1 Story Points value(s), the card imported without it: not a number" in (
        result.out
    )
    assert "in digits 0-9 (first: A-2 at line 3)" in result.out


def test_help_shows_the_real_ranges(demo: Any) -> None:
    shown = " ".join(demo("card", "add", "--help").out.split())
    assert "[0-1000]" in shown and "9223372036854775807" not in shown
    shown = " ".join(demo("team", "add", "--help").out.split())
    assert "0-10000" in shown and "0-1000000000" in shown
    shown = " ".join(demo("feedback", "add", "--help").out.split())
    assert "1-1000000" in shown and "9223372036854775807" not in shown


def test_an_empty_number_is_one_clear_line(demo: Any) -> None:
    message = refused(demo("card", "add", "t", "--team", "IT", "--points", ""))
    assert "integer range" not in message and "--points: not a whole number (got '')" in message


@pytest.mark.parametrize(
    "command", [("show",), ("edit", "--target", "3"), ("signoff", "--by", "A")]
)
def test_a_negative_goal_id_is_read_as_a_number(demo: Any, command: tuple[str, ...]) -> None:
    verb, *rest = command
    message = refused(demo("goal", verb, "-1", *rest), "goal: must be a goal id number (got '-1')")
    assert "No such option" not in message


def test_a_step_is_added_only_on_purpose(demo_store: Store) -> None:
    member = demo_store.members.list()[0]
    with pytest.raises(UserError, match="not an onboarding step"):
        demo_store.members.onboard(member["id"], "warehouse safety")
    added = demo_store.members.add_step(member["id"], " Warehouse  safety ")
    assert added["onboarding"]["Warehouse safety"] is False
    ticked = demo_store.members.onboard(member["id"], "WAREHOUSE SAFETY")
    assert ticked["onboarding"]["Warehouse safety"] is True
    with pytest.raises(UserError, match="already on the checklist"):
        demo_store.members.add_step(member["id"], "warehouse safety")
    with pytest.raises(UserError, match="step: is 101 characters long"):
        demo_store.members.add_step(member["id"], "x" * 101)


def test_the_import_limit_variable_takes_ascii_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    from sprintboard.io.items import import_limit

    monkeypatch.setenv("SPRINTBOARD_MAX_IMPORT_MB", "٣")
    with pytest.raises(UserError, match="SPRINTBOARD_MAX_IMPORT_MB"):
        import_limit()
    monkeypatch.setenv("SPRINTBOARD_MAX_IMPORT_MB", " 3 ")
    assert import_limit() == 3 * 1024 * 1024


def test_a_host_header_port_takes_ascii_digits() -> None:
    from sprintboard.io.serve_access import split_host_header

    assert split_host_header("localhost:8000") == ("localhost", 8000)
    assert split_host_header("localhost:٨٠٠٠") is None
