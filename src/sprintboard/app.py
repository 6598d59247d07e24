"""Placeholder replaced below."""

from pathlib import Path


def run_app(db_path: Path, *, create_parent: bool = False) -> None:
    raise SystemExit("the board is not built yet")
