"""The screens the number keys switch between, named but not imported.

Both the start-up path (`app.py`) and the Textual app (`tui.py`) read this list; each
screen's module is imported when the screen is first shown.
"""

from __future__ import annotations

# The screens the number keys switch between, in order: (mode, title, "module:Class").
# Each is imported when first shown, so start-up pays only for the board.
SCREENS: list[tuple[str, str, str]] = [
    ("board", "Board", "sprintboard.screens.board:BoardScreen"),
    ("planning", "Planning", "sprintboard.screens.planning:PlanningScreen"),
    ("dependencies", "Dependencies", "sprintboard.screens.dependencies:DependencyScreen"),
    ("inbox", "Inbox", "sprintboard.screens.inbox:InboxScreen"),
    ("goals", "Goals", "sprintboard.screens.goals:GoalsScreen"),
    ("teams", "Teams", "sprintboard.screens.teams:TeamsScreen"),
    ("stock", "Stock", "sprintboard.screens.stock:StockScreen"),
]
