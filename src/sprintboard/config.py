"""Settings: where the database lives, the theme, WIP limits; env overrides.

Order of precedence for the database: `--db PATH`, then `SPRINTBOARD_DB`, then
`<user data dir>/sprintboard.db`. Other settings live in `<user config dir>/config.toml`
(`SPRINTBOARD_CONFIG` overrides its path).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError

APP_NAME = "sprintboard"
DEFAULT_WIP = {"todo": 0, "doing": 8, "review": 5}
"""Work-in-progress limits per column; 0 means no limit."""


def _dirs() -> Any:
    from platformdirs import PlatformDirs

    return PlatformDirs(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return Path(_dirs().user_data_dir) / "sprintboard.db"


def resolve_db_path(option: str | None) -> tuple[Path, bool]:
    """The database path to use, and whether it is the default (whose folder we may create).

    `--db ''` is refused: it looks like a path that went missing in a script, and quietly
    opening the default database instead would write to the wrong plan. An empty
    SPRINTBOARD_DB counts as unset, as empty environment variables conventionally do.
    """
    if option is not None:
        if not option.strip():
            raise UserError(
                "--db: the path is empty (got ''); give a database file, or leave --db out "
                "for the default"
            )
        if option.endswith(("/", os.sep)):
            raise UserError(
                f"--db: a database is a file, not a folder (got {option!r}); give a file "
                "name such as plan.db"
            )
        return Path(option).expanduser(), False
    env = os.environ.get("SPRINTBOARD_DB")
    if env:
        return Path(env).expanduser(), False
    return default_db_path(), True


def config_path() -> Path:
    env = os.environ.get("SPRINTBOARD_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(_dirs().user_config_dir) / "config.toml"


@dataclass
class Settings:
    theme: str = "sprintboard-dark"
    wip_limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WIP))
    urgent_feedback_days: int = 2
    feedback_share_target: int = 20
    # Inbox ageing: an untriaged item turns amber, then red, at these ages in days.
    feedback_amber_days: int = 2
    feedback_red_days: int = 5

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Read the config file; a missing file gives defaults, a broken one a clear error."""
        path = path or config_path()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"config: {path} cannot be read ({exc})") from None
        settings = cls()
        if isinstance(data.get("theme"), str):
            settings.theme = data["theme"]
        wip = data.get("wip_limits")
        if isinstance(wip, dict):
            for column, limit in wip.items():
                if column in DEFAULT_WIP and isinstance(limit, int) and limit >= 0:
                    settings.wip_limits[column] = limit
        for name in (
            "urgent_feedback_days",
            "feedback_share_target",
            "feedback_amber_days",
            "feedback_red_days",
        ):
            value = data.get(name)
            if isinstance(value, int) and value >= 0:
                setattr(settings, name, value)
        if settings.feedback_red_days < settings.feedback_amber_days:
            raise UserError(
                f"config: feedback_red_days ({settings.feedback_red_days}) must be at least "
                f"feedback_amber_days ({settings.feedback_amber_days}) in {path}"
            )
        return settings

    def save(self, path: Path | None = None) -> None:
        import tomli_w

        path = path or config_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(tomli_w.dumps(asdict(self)), encoding="utf-8")
        tmp.replace(path)
