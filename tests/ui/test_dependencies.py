"""The dependency screen driven from the keyboard: what it shows checked against the store,
and every added or removed link checked in the database.

The demo organisation links IT and Ecommerce twice, both in Sprint 42 (amber):
ECOM-2 -> IT-5 and IT-6 -> ECOM-4. Tests that need every colour add three links first:
IT-10 (Sprint 43) -> ECOM-2 (Sprint 42) is late (red), ECOM-2 -> IT-9 (Sprint 43) is ok
(green), and ECOM-3 (done) -> IT-7 is done (green).
"""

from __future__ import annotations

from textual.color import Color

from sprintboard.planning.graph import DependencyGraph
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.dependencies import DependencyScreen
from sprintboard.screens.dialogs import PickerScreen
from sprintboard.widgets.team_matrix import TeamMatrix

from .conftest import SIZE, AppFactory, Probe, messages, settle, wait_until
from .dependencies_driver import (
    COLOUR_OF,
    DEMO_IT_ECOM,
    EXTRA,
    add_links,
    choose,
    header,
    label_segment,
    line_with,
    open_dependencies,
    pick_card,
    screen_of,
    shown_links,
    stored_between,
    stored_pairs,
    view_lines,
)

# -- what the screen shows ------------------------------------------------------------------


async def test_default_pair_shows_it_ecom_links_with_their_colour_words(
    board_app: AppFactory, probe: Probe
) -> None:
    add_links(probe, EXTRA)
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_dependencies(app, pilot)
        expected = DEMO_IT_ECOM | EXTRA
        assert shown_links(app) == expected
        assert set(expected) == stored_between(probe, "IT", "ECOM")
        assert "IT ↔ ECOM, both directions · list" in header(app)
        assert "5 links: 1 ✗ late · 2 ≈ same sprint · 1 ✓ ok · 1 ✓ done" in header(app)

        # Grouped by team pair, dependent first: "X waits on Y", with its word and colour.
        lines = view_lines(app)
        assert lines[0].startswith(" IT waits on ECOM   (ECOM → IT, 3 links")
        theme = app.current_theme
        for (blocker, dependent), word in expected.items():
            line = line_with(app, f" {dependent} ", f"waits on  {blocker} ")
            assert word in line
            colour = getattr(theme, COLOUR_OF[word])
            style = label_segment(app, dependent, word).style
            assert style is not None and style.color is not None
            assert style.color.triplet is not None
            drawn = style.color.triplet
            wanted = Color.parse(colour)
            # Textual's colour maths may round a channel by one.
            assert abs(drawn.red - wanted.r) <= 2, (word, colour, drawn.hex)
            assert abs(drawn.green - wanted.g) <= 2, (word, colour, drawn.hex)
            assert abs(drawn.blue - wanted.b) <= 2, (word, colour, drawn.hex)
        # Late links head their group; links of other pairs are not shown.
        group = [line for line in lines if "waits on  IT-" in line]
        assert "✗ late" in group[0]
        assert not any("WH-3" in line or "MKT-2" in line for line in lines)

        # The legend says what each colour means, with its symbol and word.
        legend = str(screen_of(app).query_one("#deps-legend").render())
        for word in ("✗ late", "≈ same sprint", "✓ ok", "✓ done", "★ critical path"):
            assert word in legend


async def test_another_pair_and_all_teams(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        await pilot.press("t")
        await choose(pilot, app, "IT ↔ WH")
        assert await wait_until(
            pilot, lambda: screen.teams == ("IT", "WH") and not screen.view.pending
        )
        await settle(app, pilot)
        assert shown_links(app) == {("IT-10", "WH-4"): "≈ same sprint", ("IT-10", "WH-3"): "✗ late"}
        assert set(shown_links(app)) == stored_between(probe, "IT", "WH")
        assert "IT ↔ WH, both directions" in header(app)
        assert "✗ late" in line_with(app, " WH-3 ", "waits on  IT-10 ")
        assert not any("ECOM-" in line for line in view_lines(app))

        await pilot.press("asterisk")
        assert await wait_until(pilot, lambda: screen.teams is None and not screen.view.pending)
        await settle(app, pilot)
        with probe.store() as store:
            cross = {(r["blocker"], r["dependent"]) for r in store.deps.list() if r["cross_team"]}
        assert set(shown_links(app)) == cross
        assert len(cross) == 12
        assert "all teams, both directions" in header(app)

        # i adds the links inside one team (IT-4 -> IT-5, MKT-3 -> MKT-2, WH-3 -> WH-4).
        await pilot.press("I")
        assert await wait_until(pilot, lambda: screen.internal and not screen.view.pending)
        await settle(app, pilot)
        assert set(shown_links(app)) == stored_pairs(probe)
        assert "with links inside a team" in header(app)


async def test_the_team_matrix(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        await pilot.press("M")
        await pilot.pause()
        matrix = screen.query_one(TeamMatrix)
        assert matrix.display and not screen.view.display
        assert "team-by-team matrix" in header(app)
        lines = [matrix.render_line(y).text for y in range(matrix.size.height)]
        assert any("blocker ↓ waits →" in line for line in lines)
        # The cell under the cursor starts on the pair shown before: IT -> ECOM.
        assert matrix.selected == ("IT", "ECOM")

        # Every ordered pair of teams, against the planning layer's matrix of the store.
        with probe.store() as store:
            graph = DependencyGraph.from_rows(
                store.deps.plan_cards(), store.deps.pairs(), store.sprints.list()
            )
        oracle = {(c.blocker_team, c.dependent_team): c for c in graph.matrix()}
        codes = [code for code, _ in matrix.teams]
        width = matrix.column_width
        for i, blocker in enumerate(codes):
            row = matrix.render_line(4 + matrix.pitch * i).text
            for j, dependent in enumerate(codes):
                cell = row[18 + j * width : 18 + (j + 1) * width].strip(" ▶")
                found = oracle.get((blocker, dependent))
                if blocker == dependent:
                    assert cell == "—"
                elif found is None:
                    assert cell == "·"
                else:
                    expected = f"{found.open} open"
                    expected += f" ✗{found.red}" if found.red else ""
                    expected += f" ≈{found.amber}" if found.amber else ""
                    assert cell == expected, (blocker, dependent)
        it_row = matrix.render_line(4 + matrix.pitch * codes.index("IT")).text
        assert "2 open ✗1 ≈1" in it_row  # IT -> WH: IT-10 blocks WH-3 (late) and WH-4
        assert any(
            "12 links between teams · 11 open · 1 ✗ late · 9 ≈ same sprint" in line
            for line in lines
        )

        # enter on a cell shows that pair's links.
        await pilot.press("right")  # IT -> WH
        assert matrix.selected == ("IT", "WH")
        await pilot.press("enter")
        assert await wait_until(
            pilot, lambda: screen.teams == ("IT", "WH") and not screen.view.pending
        )
        await settle(app, pilot)
        assert (matrix.display, screen.view.display) == (False, True)
        assert set(shown_links(app)) == {("IT-10", "WH-4"), ("IT-10", "WH-3")}


async def test_graph_view_marks_the_critical_path(board_app: AppFactory, probe: Probe) -> None:
    add_links(probe, EXTRA)
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        await pilot.press("v")
        await pilot.pause()
        assert "· graph ·" in header(app)
        lines = view_lines(app)
        assert lines[0].startswith("── layer 1 · ")
        # Open chain by points among the shown links: IT-10 (8) -> ECOM-2 (5) -> IT-5 (8).
        path = str(screen.query_one("#deps-path").render())
        assert "★ critical path (open cards, 21 points): IT-10 → ECOM-2 → IT-5" in path
        assert "cycles: none" in path
        card_line = next(line for line in lines if line.startswith("  ★ IT-10 "))
        assert "Sprint 43" in card_line
        branch = next(line for line in lines if "→  ✗ late" in line and "ECOM-2" in line)
        assert "★ ECOM-2" in branch and "✗ late" in branch
        # A link off the path has no star.
        assert "★" not in next(line for line in lines if "→  ✓ done" in line)
        # v again: the list, with the path's steps starred too.
        await pilot.press("v")
        assert "★ ✗ late" in line_with(app, " ECOM-2 ", "waits on  IT-10 ")


async def test_enter_opens_the_selected_card(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        assert screen.view.selected_key == "IT-5"  # the first link's dependent
        await pilot.press("right")  # its blocker
        assert screen.view.selected_key == "ECOM-2"
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
        assert app.screen.key == "ECOM-2"  # type: ignore[attr-defined]


# -- adding and removing ----------------------------------------------------------------------


async def test_add_a_dependency_with_the_card_finder(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    before = stored_pairs(probe)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        assert screen.view.selected_key == "IT-5"
        await pilot.press("plus")
        await pick_card(pilot, app, "ECOM-5")
        await choose(pilot, app, "IT-5 waits on ECOM-5")
        assert await wait_until(pilot, lambda: ("ECOM-5", "IT-5") in shown_links(app))
        await settle(app, pilot)
        assert stored_pairs(probe) == before | {("ECOM-5", "IT-5")}
        assert shown_links(app)[("ECOM-5", "IT-5")] == "✗ late"  # ECOM-5 is in Sprint 43
        assert "✗ late" in line_with(app, " IT-5 ", "waits on  ECOM-5 ")
        assert "added: IT-5 waits on ECOM-5" in messages(app)
        assert "3 links: 1 ✗ late" in header(app)


async def test_a_cycle_is_refused_and_named(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    before = stored_pairs(probe)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        assert screen.view.selected_key == "IT-5"
        # EXEC-1 -> IT-4 -> IT-5 already: EXEC-1 waiting on IT-5 would close the circle.
        await pilot.press("plus")
        await pick_card(pilot, app, "EXEC-1")
        await choose(pilot, app, "EXEC-1 waits on IT-5")
        cycle = (
            "not saved: dependency: refused, it would make a cycle: "
            "EXEC-1 -> IT-4 -> IT-5 -> EXEC-1"
        )
        assert await wait_until(pilot, lambda: cycle in messages(app))
        await settle(app, pilot)
        assert stored_pairs(probe) == before
        assert [n.severity for n in app._notifications] == ["error"]
        assert isinstance(app.screen, DependencyScreen)
        assert shown_links(app) == DEMO_IT_ECOM


async def test_remove_a_dependency(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        await pilot.press("down")  # ECOM-4 waits on IT-6
        assert screen.view.selected_key == "ECOM-4"
        await pilot.press("minus")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert picker.values == [("IT-6", "ECOM-4")]
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: ("IT-6", "ECOM-4") not in shown_links(app))
        await settle(app, pilot)
        assert ("IT-6", "ECOM-4") not in stored_pairs(probe)
        assert shown_links(app) == {("ECOM-2", "IT-5"): "≈ same sprint"}
        assert "removed: ECOM-4 no longer waits on IT-6" in messages(app)


async def test_add_and_remove_from_the_board(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    before = stored_pairs(probe)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert board.model.selected == "ECOM-4"
        await pilot.press("plus")
        await pick_card(pilot, app, "IT-9")
        await choose(pilot, app, "ECOM-4 waits on IT-9")
        assert await wait_until(pilot, lambda: ("IT-9", "ECOM-4") in stored_pairs(probe))
        await settle(app, pilot)
        assert stored_pairs(probe) == before | {("IT-9", "ECOM-4")}
        card = board.model.selected_card()
        assert card is not None and list(card["blocked_by"]) == ["IT-6", "IT-9"]

        # The dependency screen shows it, and - removes it there (the picker lists both).
        await open_dependencies(app, pilot)
        # IT-9 is planned in Sprint 43, after ECOM-4's Sprint 42.
        assert shown_links(app)[("IT-9", "ECOM-4")] == "✗ late"
        await pilot.press("1")
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await pilot.press("minus")
        await choose(pilot, app, "ECOM-4 waits on IT-9")
        assert await wait_until(pilot, lambda: ("IT-9", "ECOM-4") not in stored_pairs(probe))
        await settle(app, pilot)
        assert stored_pairs(probe) == before
        card = board.model.selected_card()
        assert card is not None and list(card["blocked_by"]) == ["IT-6"]


async def test_the_screen_and_dep_graph_show_one_critical_path(
    board_app: AppFactory, probe: Probe
) -> None:
    """Same plan, same teams, same choice of links inside a team: the same path, said the
    same way as `sprintboard dep graph`."""
    import subprocess
    import sys

    def cli_path(*args: str) -> str:
        """What `sprintboard dep graph` says, run as the user runs it (another process)."""
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "sprintboard",
                "--db",
                str(probe.db_path),
                "dep",
                "graph",
                *args,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith("critical path"))
        scope = next(x for x in out.splitlines() if x.startswith("  counted over"))
        return line.split(": ", 1)[1].replace(" -> ", " → ") + " | " + scope.split(" (")[0].strip()

    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        await settle(app, pilot)

        def screen_path() -> str:
            text = str(screen.query_one("#deps-path").render())
            first, second = text.split("\n")
            path = first.split(": ", 1)[1].split(" · ")[0]
            return path + " | " + second.split(" (")[0].strip()

        expected = "ECOM-2 → IT-5 | counted over the links shown; links inside a team not counted"
        assert screen_path() == cli_path() == expected
        await pilot.press("I")  # links inside a team too: IT-4 -> IT-5 now counts
        assert await wait_until(pilot, lambda: not screen.view.pending and screen.internal)
        await settle(app, pilot)
        assert (
            screen_path()
            == cli_path("--internal")
            == ("IT-4 → IT-5 | counted over the links shown; links inside a team counted")
        )
