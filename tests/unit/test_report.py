"""The planning report: its sections in Markdown and HTML, and user text kept literal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Cli
from sprintboard.errors import UserError
from sprintboard.io.report import planning_report
from sprintboard.io.report_data import gather
from sprintboard.io.report_html import to_html
from sprintboard.io.report_markdown import md, to_markdown
from sprintboard.models import Card, Goal, validate
from sprintboard.store import Store

SECTIONS = [
    "Sprint goal",
    "Capacity per team",
    "Cards by team",
    "Open cross-team dependencies",
    "Seam findings",
    "Goals",
    "Cost and ROI (amounts in EUR)",
    "KPI trends",
    "Burndown",
    "Velocity",
]
HOSTILE = "<script>alert('x')</script> | *bold* [link](http://x)"


@pytest.fixture
def hostile(demo_store: Store) -> Store:
    """The demo, with user text that would run, or break a table, if not escaped."""
    sprint = demo_store.sprints.get("Sprint 42")
    demo_store.cards.add(
        validate(Card, {"title": HOSTILE, "team": "IT", "points": 2}), sprint_id=sprint["id"]
    )
    demo_store.sprints.edit("Sprint 42", {"goal": "Ship it <b>now</b>\nsecond line & more"})
    demo_store.goals.add(validate(Goal, {"title": "<img src=x onerror=alert(1)>"}))
    return demo_store


def test_markdown_has_every_section(demo_store: Store) -> None:
    text = planning_report(demo_store, fmt="md")
    assert text.startswith("# Planning report: Sprint 42\n")
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings == SECTIONS
    assert "> One-page checkout and the spring promotion, without stock surprises" in text
    assert "| IT | 26 | 40 |" in text  # capacity row: planned, capacity
    assert "### IT · 5 cards · 26 points" in text
    assert "IT-10 (IT, todo, Sprint 43)" in text  # an open seam across sprints
    assert "# remaining   + scope   . ideal" in text  # the text burndown's legend
    assert "Sprint 41    committed" in text


def test_html_has_every_section(demo_store: Store) -> None:
    page = planning_report(demo_store, "Sprint 42", fmt="html")
    assert page.startswith("<!DOCTYPE html>")
    assert re.findall(r"<h2>(.+?)</h2>", page) == SECTIONS
    assert page.count("<svg") == 4 and "polyline" in page  # burndown and three KPI trends
    assert page.rstrip().endswith("</html>")


def test_markdown_shows_user_text_literally(hostile: Store) -> None:
    text = planning_report(hostile, fmt="md")
    assert not re.search(r"(?<!\\)<(script|img|b>|/)", text)  # every '<' is escaped
    assert r"\<script\>alert('x')\</script\> \| \*bold\* \[link\](http://x)" in text
    assert r"> Ship it \<b\>now\</b\>" in text
    assert r"> second line \& more" in text
    # the title's '|' does not add a column to the cards table
    row = next(line for line in text.splitlines() if "alert" in line and line.startswith("|"))
    assert row.replace("\\|", "").count("|") == 6


def test_html_escapes_user_text(hostile: Store) -> None:
    page = planning_report(hostile, fmt="html")
    assert "<script>" not in page and "<img" not in page and "<b>now" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Ship it &lt;b&gt;now&lt;/b&gt;\nsecond line &amp; more" in page


def test_md_escape_keeps_plain_text_plain() -> None:
    assert md("Fix cart (EUR 50) - now!") == "Fix cart (EUR 50) - now!"
    assert md("a_b *c* `d`") == r"a\_b \*c\* \`d\`"
    assert md("two\nlines") == "two lines"


def test_planned_sprint_report_says_burndown_has_not_started(demo_store: Store) -> None:
    data = gather(demo_store, "Sprint 43")
    assert data.burndown is None
    assert "(the sprint has not started)" in to_markdown(data)
    assert "(the sprint has not started)" in to_html(data)
    assert [r.sprint for r in data.velocity.sprints] == ["Sprint 41"]


def test_closed_sprint_report_includes_it_in_velocity(demo_store: Store) -> None:
    data = gather(demo_store, "Sprint 41")
    assert data.burndown is not None and data.burndown.carried_over == 0
    assert [r.sprint for r in data.velocity.sprints] == ["Sprint 41"]


def test_report_without_sprints_is_a_user_error(store: Store) -> None:
    with pytest.raises(UserError, match="no sprints yet"):
        planning_report(store)
    with pytest.raises(UserError, match="format"):
        planning_report(store, fmt="pdf")


def test_report_cli(cli: Cli, tmp_path: Path) -> None:
    assert cli("demo").code == 0
    out = cli("report")
    assert out.code == 0, out.err
    assert out.out.startswith("# Planning report: Sprint 42")
    target = tmp_path / "notes.html"
    written = cli("report", "--sprint", "Sprint 41", "-o", str(target))
    assert written.code == 0, written.err
    assert str(target) in written.out
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    forced = tmp_path / "notes.txt"
    assert cli("report", "--format", "md", "-o", str(forced)).code == 0
    assert forced.read_text(encoding="utf-8").startswith("# Planning report")
    bad = cli("report", "--sprint", "backlog")
    assert bad.code == 2 and bad.err.count("\n") == 1
    missing = cli("report", "-o", str(tmp_path / "no-such-dir" / "r.md"))
    assert missing.code == 2 and "cannot write" in missing.err


def test_chart_commands_cli(cli: Cli) -> None:
    assert cli("demo").code == 0
    burndown = cli("sprint", "burndown", "--json")
    assert burndown.code == 0, burndown.err
    assert '"sprint": "Sprint 42"' in burndown.out
    assert cli("sprint", "burndown").out.startswith("Sprint 42 (active)")
    assert "BACKLOG" in cli("sprint", "flow", "current").out
    velocity = cli("sprint", "velocity", "--team", "it")
    assert velocity.code == 0 and "Sprint 41" in velocity.out
    not_started = cli("sprint", "burndown", "Sprint 43")
    assert not_started.code == 2 and "has not started" in not_started.err


REPORT_PROBE = """
import re, sys
from sprintboard.io.report import planning_report
from sprintboard.store import Store
with Store(sys.argv[1]) as store:
    text = planning_report(store, fmt=sys.argv[2])
print(re.sub(r"generated \\S+", "generated <now>", text))
"""


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_is_the_same_in_every_process(demo_store: Store, fmt: str) -> None:
    # Set iteration order follows the per-process hash seed (plotext's point dedupe did);
    # a report pasted twice must not differ where the plan didn't.
    demo_store.close()
    outputs = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", REPORT_PROBE, str(demo_store.path), fmt],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "# remaining" in done.stdout or "<svg" in done.stdout
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_report_carries_goal_roi_and_sponsor(demo_store: Store) -> None:
    text = planning_report(demo_store, fmt="md")
    assert "| Expected ROI | Sponsor |" in text
    assert "| 420,000 | Ingrid Bakker |" in text  # Lift conversion rate
    page = planning_report(demo_store, fmt="html")
    assert "<th>Expected ROI</th><th>Sponsor</th>" in page
    assert "<td>120,000</td><td>Marc Dubois</td>" in page


def test_report_marks_and_colours_findings_by_severity(demo_store: Store) -> None:
    data = gather(demo_store)
    severities = [w["severity"] for w in data.warnings]
    assert {"error", "warning", "info"} <= set(severities)
    text = to_markdown(data)
    section = text.split("## Seam findings")[1].split("## Goals")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| Severity | Rule | Cards | Why | Fix |"
    marks = [row.split(" | ")[0].removeprefix("| ") for row in rows[1:]]
    expected = {"error": "✗ error", "warning": "⚠ warning", "info": "· info"}
    assert marks == [expected[s] for s in severities]
    assert (
        "| ✗ error | promo-restock | MKT-2 |" in section
        and "move the promotion after the restock on 2026-" in section
    )
    counts = f"{severities.count('error')} errors, "
    assert counts in section

    page = to_html(data)
    for severity, colour in (("error", "#b00020"), ("warning", "#8a5a00"), ("info", "#555")):
        assert f"tr.sev-{severity} td" in page and colour in page
    found = re.findall(r'<tr class="sev-(\w+)"><td>([^<]+)</td>', page)
    assert found == [(s, expected[s]) for s in severities]
    assert '<td class="fix">move the promotion after the restock on 2026-' in page
