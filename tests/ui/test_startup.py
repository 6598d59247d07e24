"""Starting with a flawed settings file: the app opens, says what it skipped, keeps the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprintboard.app import make_app
from sprintboard.store.database import Clock

from .conftest import SIZE, messages, wait_until


async def test_bad_config_keys_are_reported_and_good_ones_kept(
    demo_db: Path, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("wip_limt = 3\n[wip_limits]\ndoing = 2\n", encoding="utf-8")
    monkeypatch.setenv("SPRINTBOARD_CONFIG", str(config))
    app = make_app(demo_db, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert await wait_until(pilot, lambda: bool(messages(app)))
        shown = messages(app)
        assert len(shown) == 1
        assert "unknown key 'wip_limt'" in shown[0]
        assert app.settings.wip_limits["doing"] == 2
