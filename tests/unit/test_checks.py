"""Seam checks: one crafted store per rule (with its no-findings cases), the demo, the CLI."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from checks_fixtures import (
    Plan,
)

from sprintboard.config import Settings
from sprintboard.errors import UserError
from sprintboard.models import Card, Feedback, Goal, StockItem, Team
from sprintboard.planning.checks import (
    RULES,
    Finding,
    Severity,
    run_checks,
    summary,
)
from sprintboard.store import Store
from sprintboard.vocabulary import FeedbackCategory, TeamFormat

pytest_plugins = ["checks_fixtures"]  # its fixtures: plan


def test_an_empty_plan_has_no_findings(plan: Plan) -> None:
    assert plan.findings() == []
    assert summary([]) == "no findings: every seam holds"


# -- dep-order ---------------------------------------------------------------------------


def test_dep_order_blocker_in_a_later_sprint_is_an_error(plan: Plan) -> None:
    blocker, dependent = plan.card("IT", "S2"), plan.card("ECOM", "S1")
    plan.store.deps.add(blocker, dependent)
    (finding,) = plan.findings("dep-order")
    assert finding.severity is Severity.ERROR
    assert finding.cards == (blocker, dependent)
    assert finding.why == f"{dependent} (ECOM, S1) waits on {blocker} (IT), planned later in S2"


def test_dep_order_blocker_in_the_backlog_is_an_error(plan: Plan) -> None:
    blocker, dependent = plan.card("IT", None), plan.card("ECOM", "S2")
    plan.store.deps.add(blocker, dependent)
    (finding,) = plan.findings("dep-order")
    assert finding.severity is Severity.ERROR
    assert finding.why.endswith("still in the backlog")


def test_dep_order_same_sprint_is_information(plan: Plan) -> None:
    blocker, dependent = plan.card("IT", "S2"), plan.card("ECOM", "S2")
    plan.store.deps.add(blocker, dependent)
    (finding,) = plan.findings("dep-order")
    assert finding.severity is Severity.INFO
    assert finding.cards == (blocker, dependent)
    assert finding.why == (
        f"{dependent} (ECOM, S2) waits on {blocker} (IT) in the same sprint: it can start "
        "only when it is done"
    )
    assert finding.fix == f"finish {blocker} early in S2, or plan it in an earlier sprint"


def test_dep_order_same_sprint_is_one_finding_per_waiting_card(plan: Plan) -> None:
    first, second, dependent = plan.card("IT", "S2"), plan.card("WH", "S2"), plan.card("ECOM", "S2")
    plan.store.deps.add(first, dependent)
    plan.store.deps.add(second, dependent)
    (finding,) = plan.findings("dep-order")
    assert finding.severity is Severity.INFO
    assert finding.cards == (first, second, dependent)
    assert f"waits on {first} (IT), {second} (WH) in the same sprint" in finding.why
    assert finding.fix == f"finish {first}, {second} early in S2, or plan them in an earlier sprint"


def test_dep_order_fixes_name_the_move(plan: Plan) -> None:
    late_b, late_d = plan.card("IT", "S2"), plan.card("ECOM", "S1")
    back_b, back_d = plan.card("IT", None), plan.card("WH", "S1")
    plan.store.deps.add(late_b, late_d)
    plan.store.deps.add(back_b, back_d)
    fixes = {f.cards: f.fix for f in plan.findings("dep-order")}
    assert fixes == {
        (late_b, late_d): f"move {late_b} to S1 or earlier, or {late_d} to S2 or later",
        (back_b, back_d): f"plan {back_b} in S1 or earlier, or move {back_d} out of S1",
    }


def test_dep_order_no_findings_when_the_order_holds(plan: Plan) -> None:
    earlier = plan.card("IT", "S1"), plan.card("ECOM", "S2")
    done = plan.card("IT", "S3", status="done"), plan.card("ECOM", "S1")
    unplanned = plan.card("IT", "S3"), plan.card("ECOM", None)
    for blocker, dependent in (earlier, done, unplanned):
        plan.store.deps.add(blocker, dependent)
    assert plan.findings("dep-order") == []


def test_dep_order_with_sprint_only_looks_at_that_sprint(plan: Plan) -> None:
    plan.store.deps.add(plan.card("IT", "S2"), plan.card("ECOM", "S1"))
    assert len(plan.findings("dep-order", sprint="S2")) == 1
    assert len(plan.findings("dep-order", sprint="current")) == 1
    assert plan.findings("dep-order", sprint="S3") == []


# -- capacity ----------------------------------------------------------------------------


def test_capacity_over_is_a_warning_and_over_120_percent_an_error(plan: Plan) -> None:
    # IT's default capacity is 40 points a sprint
    keys = [plan.card("IT", "S1", points=22), plan.card("IT", "S1", points=22)]
    (finding,) = plan.findings("capacity")
    assert finding.severity is Severity.WARNING
    assert finding.cards == tuple(keys)
    assert finding.subject == "S1/IT"
    assert finding.why == "IT has 44 points planned in S1, over its capacity of 40 (110%)"
    assert finding.fix == "move 4 points of IT's cards out of S1, or raise IT's capacity there"
    plan.card("IT", "S1", points=4)  # 48 points: exactly 120% is still a warning
    assert plan.findings("capacity")[0].severity is Severity.WARNING
    plan.card("IT", "S1", points=4)
    (finding,) = plan.findings("capacity")
    assert finding.severity is Severity.ERROR
    assert "(130%)" in finding.why


def test_capacity_uses_the_sprint_override(plan: Plan) -> None:
    plan.card("IT", "S2", points=50)
    assert plan.findings("capacity")[0].severity is Severity.ERROR
    plan.store.sprints.set_capacity("S2", "IT", 60)
    assert plan.findings("capacity") == []
    plan.store.sprints.set_capacity("S2", "IT", 0)
    (finding,) = plan.findings("capacity")
    assert finding.severity is Severity.ERROR and "it has none" in finding.why


def test_capacity_no_findings_at_exactly_capacity_or_in_the_backlog(plan: Plan) -> None:
    plan.card("IT", "S1", points=40)
    plan.card("IT", None, points=100)
    plan.card("ECOM", "S2", points=36)  # 120% of 30 is a warning, not an error
    (finding,) = plan.findings("capacity")
    assert (finding.severity, finding.subject) == (Severity.WARNING, "S2/ECOM")
    assert plan.findings("capacity", sprint="S1") == []


# -- promotions ----------------------------------------------------------------------------


def stock(
    store: Store, sku: str, on_hand: int, threshold: int, restock: date | None = None
) -> None:
    store.stock.upsert(
        [StockItem(sku=sku, on_hand=on_hand, threshold=threshold, restock_date=restock)]
    )


def test_promo_stock_under_threshold_is_an_error(plan: Plan) -> None:
    stock(plan.store, "GF-1001", 14, 40)
    mkt = plan.card("MKT", skus=["GF-1001"])  # a Marketing card about SKUs
    labelled = plan.card("ECOM", "S2", labels=["Promotion"], skus=["GF-1001"])
    found = plan.findings("promo-stock")
    assert [f.cards for f in found] == [(mkt,), (labelled,)]
    assert found[0].line() == (
        f"error promo-stock {mkt}: SKU GF-1001 has 14 on hand, under its threshold of 40; "
        "fix: wait for a restock of GF-1001, pick another SKU, or ask WH"
    )


def test_promo_stock_out_of_stock_is_an_error_even_without_threshold(plan: Plan) -> None:
    stock(plan.store, "KT-1", 0, 0)
    plan.card("MKT", skus=["KT-1"])
    (finding,) = plan.findings("promo-stock")
    assert finding.why == "SKU KT-1 is out of stock"
    assert finding.fix == "wait for a restock of KT-1, pick another SKU, or ask WH"


def test_promo_stock_no_findings(plan: Plan) -> None:
    stock(plan.store, "GF-1001", 14, 40)
    stock(plan.store, "GF-1002", 180, 60)
    plan.card("MKT", skus=["GF-1002"])  # enough stock
    plan.card("MKT", skus=["GF-1001"], status="done")  # promotion already over
    plan.card("IT", skus=["GF-1001"])  # not a promotion
    plan.card("MKT", skus=["NO-SUCH"])  # no stock record to check against
    assert plan.findings("promo-stock") == []


def test_promo_restock_after_the_due_date_is_an_error(plan: Plan) -> None:
    stock(plan.store, "GF-1001", 14, 40, restock=date(2026, 3, 20))
    key = plan.card("MKT", skus=["GF-1001"], due=date(2026, 3, 15))
    (finding,) = plan.findings("promo-restock")
    assert finding.severity is Severity.ERROR and finding.cards == (key,)
    assert finding.why == (
        "SKU GF-1001 (14 on hand) restocks on 2026-03-20, after the promotion's due date 2026-03-15"
    )
    assert finding.fix == (
        "move the promotion after the restock on 2026-03-20, pick another SKU, or ask WH"
    )


def test_promo_restock_without_due_date_uses_the_sprint_end(plan: Plan) -> None:
    stock(plan.store, "GF-1001", 14, 40, restock=date(2026, 3, 20))
    plan.card("MKT", "S1", skus=["GF-1001"])
    (finding,) = plan.findings("promo-restock")
    assert finding.why.endswith("after the end of S1 (2026-03-17)")


def test_promo_restock_counts_expected_orders(plan: Plan) -> None:
    stock(plan.store, "GF-1002", 100, 40, restock=date(2026, 3, 20))
    plan.card("MKT", skus=["GF-1002"], due=date(2026, 3, 15), expected_orders=50)
    assert plan.findings("promo-restock") == []  # plenty on hand: a late restock is no risk
    plan.card("MKT", skus=["GF-1002"], due=date(2026, 3, 15), expected_orders=150)
    assert len(plan.findings("promo-restock")) == 1


def test_promo_restock_no_findings(plan: Plan) -> None:
    stock(plan.store, "GF-1001", 14, 40, restock=date(2026, 3, 12))
    stock(plan.store, "GF-1003", 5, 40)  # no restock planned: promo-stock's business
    plan.card("MKT", skus=["GF-1001"], due=date(2026, 3, 15))  # restocked in time
    plan.card("MKT", None, skus=["GF-1001", "GF-1003"])  # no date to compare with
    assert plan.findings("promo-restock") == []


def test_promo_throughput_over_the_warehouse_a_day_is_a_warning(plan: Plan) -> None:
    # the seeded Warehouse team ships 1,200 orders a day
    key = plan.card("MKT", labels=["promotion"], expected_orders=1800)
    plan.card("MKT", labels=["promotion"], expected_orders=1200)
    plan.card("MKT", expected_orders=5000)  # not a promotion
    (finding,) = plan.findings("promo-throughput")
    assert (finding.severity, finding.cards) == (Severity.WARNING, (key,))
    assert finding.why == (
        "expects 1800 orders, more than the Warehouse team's throughput of 1200 a day"
    )
    assert finding.fix == (
        "spread the promotion over more days, or plan the extra shipping with WH"
    )
    plan.store.teams.edit("WH", {"throughput_per_day": None})
    assert plan.findings("promo-throughput") == []


# -- feedback -----------------------------------------------------------------------------


def feedback(store: Store, category: str, days_ago: int, reports: int = 1) -> int:
    item = Feedback(
        text="It broke",
        category=FeedbackCategory(category),
        reports=reports,
        received_at=store.clock() - timedelta(days=days_ago),  # the frozen test clock
    )
    return int(store.feedback.add(item)["id"])


def test_urgent_feedback_untriaged_too_long_is_a_warning(plan: Plan) -> None:
    old = feedback(plan.store, "checkout", 3, reports=4)
    feedback(plan.store, "cart", 2)  # exactly the limit: not yet
    feedback(plan.store, "shipping", 30)  # not urgent
    (finding,) = plan.findings("feedback-untriaged")
    assert finding.severity is Severity.WARNING
    assert finding.subject == f"FB-{old}" and finding.cards == ()
    assert finding.line() == (
        f"warning feedback-untriaged FB-{old}: urgent checkout feedback FB-{old} (4 reports) "
        "has waited 3 days untriaged, over the limit of 2; "
        f"fix: triage FB-{old} in the inbox: accept, merge, decline or snooze it"
    )


def test_triaged_feedback_is_not_untriaged_until_its_snooze_is_due(plan: Plan) -> None:
    declined = feedback(plan.store, "checkout", 5)
    plan.store.feedback.decline(declined, "works as designed")
    snoozed = feedback(plan.store, "cart", 5)
    plan.store.feedback.snooze(snoozed, date(2026, 3, 14))
    assert plan.findings("feedback-untriaged") == []
    (finding,) = plan.findings("feedback-untriaged", today=date(2026, 3, 14))
    assert finding.subject == f"FB-{snoozed}"
    assert "has waited 8 days" in finding.why


def test_urgent_feedback_limit_comes_from_settings(plan: Plan) -> None:
    feedback(plan.store, "payment", 3)
    assert plan.findings("feedback-untriaged", settings=Settings(urgent_feedback_days=5)) == []
    assert len(plan.findings("feedback-untriaged", today=date(2026, 3, 20))) == 1
    assert plan.findings("feedback-untriaged", sprint="S1") == []  # belongs to no sprint


def test_urgent_feedback_limit_read_from_the_config_file(
    plan: Plan, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    feedback(plan.store, "payment", 3)
    config = tmp_path / "checks.toml"
    config.write_text("urgent_feedback_days = 7\n", encoding="utf-8")
    monkeypatch.setenv("SPRINTBOARD_CONFIG", str(config))
    assert [f for f in run_checks(plan.store) if f.rule == "feedback-untriaged"] == []


# -- incomplete cards, empty goals ----------------------------------------------------------


def test_card_in_the_active_sprint_without_points_is_a_warning(plan: Plan) -> None:
    key = plan.card("IT", "S1", points=None)
    plan.card("IT", "S1", points=0)  # zero is an estimate
    later = plan.card("IT", "S2", points=None)  # not in the active sprint
    plan.card("IT", None, points=None)
    (finding,) = plan.findings("card-incomplete")
    assert (finding.severity, finding.cards) == (Severity.WARNING, (key,))
    assert finding.why == f"{key} in S1 has no points"
    assert finding.fix == "estimate its points"
    assert [f.cards for f in plan.findings("card-incomplete", sprint="S2")] == [(later,)]


def test_card_of_an_archived_team_is_a_warning(plan: Plan) -> None:
    plan.store.teams.add(Team(code="OLD", name="Old team"))
    key = plan.card("OLD", "S1", status="done")
    plan.store.teams.archive("OLD")
    (finding,) = plan.findings("card-incomplete")
    assert finding.why == f"{key} in S1 belongs to archived team OLD"
    assert finding.fix == "give it to an active team"


def test_no_active_sprint_no_incomplete_cards(store: Store) -> None:
    store.cards.add(Card(title="unpointed", team="IT"))
    assert run_checks(store, settings=Settings()) == []


def test_goal_without_cards_is_info(plan: Plan) -> None:
    empty = plan.store.goals.add(Goal(title="Grow repeat orders"))["id"]
    used = plan.store.goals.add(Goal(title="Faster checkout"))["id"]
    plan.card("IT", goal=used)
    (finding,) = plan.findings("goal-empty")
    assert finding.severity is Severity.INFO
    assert finding.line() == (
        f"info goal-empty goal {empty}: goal {empty} 'Grow repeat orders' has no cards; "
        "fix: roll cards up to it (a card's goal), or remove the goal"
    )
    assert plan.findings("goal-empty", sprint="S1") == []


# -- external providers ------------------------------------------------------------------


def test_external_provider_without_a_sprint_of_slack_is_a_warning(plan: Plan) -> None:
    plan.store.teams.add(Team(code="EXT", name="Agency", format=TeamFormat.EXTERNAL))
    same = plan.card("EXT", "S1"), plan.card("IT", "S1")
    adjacent = plan.card("EXT", "S1"), plan.card("IT", "S2")
    slack = plan.card("EXT", "S1"), plan.card("IT", "S3")
    late = plan.card("EXT", "S2"), plan.card("IT", "S1")  # a dep-order error instead
    inside = plan.card("EXT", "S1"), plan.card("EXT", "S1")  # the provider's own work
    in_house = plan.card("ECOM", "S1"), plan.card("IT", "S2")
    for pair in (same, adjacent, slack, late, inside, in_house):
        plan.store.deps.add(*pair)
    found = plan.findings("external-slack")
    assert [f.cards for f in found] == [same, adjacent]
    assert all(f.severity is Severity.WARNING for f in found)
    assert found[0].why.endswith(
        "from external provider EXT in the same sprint: leave a sprint of slack"
    )
    assert "in S1, the sprint just before" in found[1].why
    assert found[0].fix == f"plan {same[0]} at least two sprints before S1, or move {same[1]} later"
    assert plan.findings("external-slack", sprint="S3") == []


# -- checklists ----------------------------------------------------------------------------


def test_a_done_card_with_open_checklist_items_is_a_warning(plan: Plan) -> None:
    store = plan.store
    open_two = plan.card("IT", "S1", teams=["ECOM", "WH"])  # one item per team
    store.checklists.add(open_two, "Load test")
    ticked = plan.card("IT", "S1", teams=["ECOM"])
    for item in store.checklists.for_card(ticked):
        store.checklists.tick(item["id"])
    not_done = plan.card("IT", "S1", teams=["CNT"])
    for key in (open_two, ticked):
        store.cards.move(key, status="done")
    wh_item = next(i for i in store.checklists.for_card(open_two) if i["team"] == "WH")
    store.checklists.tick(wh_item["id"])

    (finding,) = plan.findings("done-open-checklist")
    assert finding.severity is Severity.WARNING
    assert finding.cards == (open_two,)
    assert finding.why == f"{open_two} is done with 2 checklist items still open (ECOM)"
    assert not_done not in finding.line()
    assert [f.cards for f in plan.findings("done-open-checklist", sprint="S1")] == [(open_two,)]
    assert plan.findings("done-open-checklist", sprint="S2") == []


def test_done_open_checklist_names_one_item_and_no_team(plan: Plan) -> None:
    key = plan.card("IT", "S1")
    plan.store.checklists.add(key, "Tell the service desk")
    plan.store.cards.move(key, status="done")
    (finding,) = plan.findings("done-open-checklist")
    assert finding.why == f"{key} is done with 1 checklist item still open"
    assert finding.fix == (
        f"tick the open items (or remove those no longer needed), or move {key} back out of Done"
    )
    # A closed sprint's leftovers are history, not a warning about the plan ahead.
    plan.store.sprints.close("S1", None)
    assert plan.findings("done-open-checklist") == []


# -- done-while-blocked ------------------------------------------------------------------


def test_done_while_a_blocker_is_open_is_a_warning(plan: Plan) -> None:
    first, second = plan.card("IT", "S1"), plan.card("WH", "S1", status="review")
    dependent = plan.card("ECOM", "S1", status="done")
    plan.store.deps.add(first, dependent)
    plan.store.deps.add(second, dependent)
    (finding,) = plan.findings("done-while-blocked")
    assert finding.severity is Severity.WARNING
    assert finding.cards == (dependent, first, second)
    assert finding.why == f"{dependent} is done while it waits on {first}, {second}, still open"
    assert finding.fix == (
        f"finish {first}, {second} (or remove the link if {dependent} no longer needs them), "
        f"or move {dependent} back out of Done"
    )
    plan.store.cards.move(first, status="done")
    (finding,) = plan.findings("done-while-blocked")
    assert finding.cards == (dependent, second)
    assert "needs it)" in finding.fix


def test_done_while_blocked_no_findings(plan: Plan) -> None:
    plan.store.deps.add(
        plan.card("IT", "S1", status="done"), plan.card("ECOM", "S1", status="done")
    )
    plan.store.deps.add(plan.card("IT", "S1"), plan.card("ECOM", "S1", status="review"))
    plan.store.deps.add(plan.card("IT", "S1", status="done"), plan.card("WH", "S1"))
    assert plan.findings("done-while-blocked") == []


def test_done_while_blocked_follows_the_sprint_checked(plan: Plan) -> None:
    dependent = plan.card("ECOM", "S2", status="done")
    plan.store.deps.add(plan.card("IT", "S1"), dependent)
    assert len(plan.findings("done-while-blocked")) == 1
    assert len(plan.findings("done-while-blocked", sprint="S2")) == 1
    assert plan.findings("done-while-blocked", sprint="S1") == []


# -- ordering, output shapes, entry points ---------------------------------------------------


def test_findings_come_errors_first_then_warnings_then_info(plan: Plan) -> None:
    plan.store.goals.add(Goal(title="Empty"))
    plan.card("IT", "S1", points=None)
    plan.store.deps.add(plan.card("IT", "S2"), plan.card("ECOM", "S1"))
    found = plan.findings()
    assert [f.severity for f in found] == [Severity.ERROR, Severity.WARNING, Severity.INFO]
    assert summary(found) == "1 error, 1 warning, 1 info"
    ranks = [f.severity.rank for f in found]
    assert ranks == sorted(ranks)


def test_finding_line_cuts_long_card_lists_and_json_keys_are_stable() -> None:
    finding = Finding(Severity.WARNING, "capacity", tuple(f"IT-{i}" for i in range(1, 9)), "why")
    assert finding.line() == "warning capacity IT-1,IT-2,IT-3,IT-4,IT-5 +3 more: why"
    assert list(finding.as_json()) == ["severity", "rule", "cards", "why", "subject", "fix"]
    assert finding.as_json()["fix"] is None
    fixed = Finding(Severity.INFO, "goal-empty", (), "why", subject="goal 1", fix="do this")
    assert fixed.line() == "info goal-empty goal 1: why; fix: do this"
    assert fixed.as_json()["fix"] == "do this"
    assert finding.as_json()["cards"] == [f"IT-{i}" for i in range(1, 9)]


def test_rules_have_stable_ids_and_summaries() -> None:
    assert [r.id for r in RULES] == [
        "dep-order",
        "dep-cycle",
        "capacity",
        "promo-stock",
        "promo-restock",
        "promo-throughput",
        "feedback-untriaged",
        "card-incomplete",
        "goal-empty",
        "external-slack",
        "done-open-checklist",
        "done-while-blocked",
        "stored-range",
        "sprint-overlap",
        "goal-budget",
        "sprint-budget",
        "provider-cost",
    ]
    assert all(r.summary for r in RULES)


def test_sprint_must_be_a_sprint(plan: Plan) -> None:
    with pytest.raises(UserError, match="not the backlog"):
        plan.findings(sprint="backlog")
    with pytest.raises(UserError, match="no sprint named"):
        plan.findings(sprint="S9")
    plan.store.sprints.close("S1", None)
    with pytest.raises(UserError, match="no active sprint"):
        plan.findings(sprint="current")


def test_demo_findings(demo_store: Store) -> None:
    found = run_checks(demo_store, settings=Settings())
    email = demo_store.cards.query(text="Spring promotion e-mail")[0]["key"]
    carrier = demo_store.cards.query(text="Shipping label API integration")[0]["key"]
    printer = demo_store.cards.query(text="Label printer throughput test")[0]["key"]
    lines = [f.line() for f in found]
    assert (
        f"error promo-stock {email}: SKU GF-1001 has 14 on hand, under its threshold of 40; "
        "fix: wait for a restock of GF-1001, pick another SKU, or ask WH"
    ) in lines
    (broken,) = [f for f in found if f.rule == "dep-order" and f.severity is Severity.ERROR]
    assert broken.cards == (carrier, printer)
    assert broken.why == (
        f"{printer} (WH, Sprint 42) waits on {carrier} (IT), planned later in Sprint 43"
    )
    assert any(f.rule == "promo-throughput" and f.cards == (email,) for f in found)
    assert found[0].severity is Severity.ERROR
    # Same-sprint links are information, and no longer outnumber errors and warnings.
    assert summary(found) == "5 errors, 5 warnings, 7 info"  # one: the goal over budget
    assert [f.rule for f in found].count("goal-budget") == 1
    assert {f.rule for f in found if f.severity is Severity.INFO} == {"dep-order"}
    assert all(f.fix for f in found)  # every demo finding says what resolves it
