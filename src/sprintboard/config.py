"""Settings: where the database lives, the theme, WIP limits; env overrides.

Order of precedence for the database: `--db PATH`, then `SPRINTBOARD_DB`, then
`<user data dir>/sprintboard.db`. Other settings live in `<user config dir>/config.toml`
(`SPRINTBOARD_CONFIG` overrides its path).
"""

from __future__ import annotations

import os
import stat
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
    """The database path to use, and whether it is the default (whose folder we may create)."""
    if option:
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
        return cls._from_data(data, path)

    @classmethod
    def _from_data(cls, data: dict[str, Any], path: Path) -> Settings:
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
        """Write the settings that differ from what the file says, editing it in place:
        comments, order and unknown keys stay, and only a changed key is rewritten.

        A symlinked config file stays a symlink (the file it points at is replaced,
        keeping its permissions); the new text is written beside it and renamed.
        """
        import tomlkit

        path = Path(os.path.realpath(path or config_path()))
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        try:
            document = tomlkit.parse(text)
            current = Settings._from_data(document.unwrap(), path)
        except (UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
            raise UserError(f"config: {path} cannot be read ({exc}); left as it is") from None
        wanted, had = asdict(self), asdict(current)
        changed = False
        for name, value in wanted.items():
            if isinstance(value, dict):
                table = document.get(name)
                if not isinstance(table, dict):
                    table = tomlkit.table()
                for key, item in value.items():
                    if had[name].get(key) != item:
                        table[key] = item
                        changed = True
                if name not in document and len(table):
                    document[name] = table
            elif had[name] != value:
                document[name] = value
                changed = True
        if changed:
            _replace_text(path, tomlkit.dumps(document))


def _replace_text(path: Path, text: str) -> None:
    """Write `text` beside `path` and rename it into place, keeping the file's mode."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        if mode is not None:
            os.chmod(name, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(name, 0o666 & ~umask)
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
