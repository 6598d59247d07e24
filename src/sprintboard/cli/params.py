"""Whole-number options and arguments: bounded where they are read, so a number SQLite
cannot hold (above 2**63 - 1) is refused in one line instead of failing in the database."""

from __future__ import annotations

import click

from sprintboard.vocabulary import INT64_MAX

WHOLE = click.IntRange(-INT64_MAX - 1, INT64_MAX)
"""Any whole number that fits SQLite's 64-bit integers (the records check their own ranges)."""
POSITIVE = click.IntRange(1, INT64_MAX)
"""A count or id of 1 or more."""
DEMO_SIZE = click.IntRange(1, 1_000_000)
"""`demo --cards` and `--per-sprint` (demo.MAX_DEMO_CARDS: the CLI does not import the demo
module until the command runs)."""
