"""Settings: where the database lives, who is at the keyboard, the theme, WIP limits.

Order of precedence for the database: `--db PATH`, then `SPRINTBOARD_DB`, then
`<user data dir>/sprintboard.db`. For the person: `--as NAME`, then `SPRINTBOARD_USER`,
then `user` in the config file, then git's `user.name`, then the OS account. Other
settings live in `<user config dir>/config.toml` (`SPRINTBOARD_CONFIG` overrides its path).
"""

from __future__ import annotations

import contextlib
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
MAX_WIP = 10_000
NUMBERS: dict[str, tuple[int, int, str]] = {
    "urgent_feedback_days": (0, 3650, "days before untriaged urgent feedback is a finding"),
    "feedback_share_target": (0, 100, "percent of a team's sprint for customer feedback"),
    "feedback_amber_days": (0, 3650, "days before an untriaged item turns amber"),
    "feedback_red_days": (0, 3650, "days before an untriaged item turns red"),
}
"""The numeric settings: (lowest, highest, what the number means)."""
MAX_PERSON = 100
"""The longest name a person may go by, in characters."""
MAX_RECENT = 5
"""How many of the command palette's last commands are remembered."""
MAX_COMMAND_ID = 100
"""The longest command id the palette's recent list keeps, in characters."""


def _whole(value: Any, low: int, high: int) -> bool:
    # TOML's true/false are Python bools, which are ints: not a number here.
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _columns() -> str:
    return ", ".join(DEFAULT_WIP)


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
                f"--db: the path is empty (got {option!r}); give a database file, or leave "
                "--db out for the default"
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


def person_name(value: str) -> str | None:
    """`value` as a person's name: white space folded, control characters and direction
    controls refused (None), at most MAX_PERSON characters (None if longer). Joiners stay:
    Persian names and emoji sequences need them."""
    from sprintboard.vocabulary import has_control

    # Tabs and line breaks are white space to fold; any other control character, or a
    # direction override that would reorder what a terminal shows, is no part of a name.
    if has_control(value.replace("\t", " ").replace("\n", " ").replace("\r", " ")):
        return None
    name = " ".join(value.replace("\ufeff", "").split())
    return name if 0 < len(name) <= MAX_PERSON else None


@dataclass(frozen=True)
class Person:
    """Who is at the keyboard: the name changes are recorded under, and where it came from
    ('--as', 'SPRINTBOARD_USER', 'config', 'git', 'account')."""

    name: str
    source: str


def _git_user_name() -> str | None:
    """git's `user.name` (as git resolves it for this folder); None without git, without
    the setting, or when git takes too long."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "config", "--get", "user.name"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _account_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def resolve_person(option: str | None, settings: Settings | None = None) -> Person:
    """The person at the keyboard. `--as` and `SPRINTBOARD_USER` given but unusable are
    refused in one line (a script meant someone); a bad config value was reported by the
    config check and is skipped, as a git name that is not a name is."""
    env = os.environ.get("SPRINTBOARD_USER")
    for source, given in (("--as", option), ("SPRINTBOARD_USER", env or None)):
        if given is None:
            continue
        name = person_name(given)
        if name is None:
            raise UserError(
                f"{source}: a person's name is 1-{MAX_PERSON} characters of text, without "
                f"control or direction characters (got {given!r})"
            )
        return Person(name, source)
    if settings is None:
        settings, _ = Settings.read()
    if settings.user:
        return Person(settings.user, "config")
    git = _git_user_name()
    if git and (name := person_name(git)) is not None:
        return Person(name, "git")
    return Person(person_name(_account_name()) or "unknown", "account")


@dataclass
class Settings:
    user: str = ""
    """The name this laptop's changes are recorded under ('' : git's user.name or the OS
    account)."""
    theme: str = "sprintboard-dark"
    wip_limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WIP))
    urgent_feedback_days: int = 2
    feedback_share_target: int = 20
    # Inbox ageing: an untriaged item turns amber, then red, at these ages in days.
    feedback_amber_days: int = 2
    feedback_red_days: int = 5
    palette_recent: list[str] = field(default_factory=list)
    """The command palette's last commands, newest first ('planning.start_sprint'). The
    app's own memory, not a setting: a value it cannot use is dropped, never a problem."""

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Read the config file; a missing file gives defaults. A file that cannot be
        read, an unknown key or a bad value is a UserError naming the key and what is
        allowed (`read` keeps going instead, for the app, which reports and carries on)."""
        settings, problems = cls.read(path)
        if problems:
            more = f" (and {len(problems) - 1} more; see 'sprintboard config check')"
            raise UserError(problems[0] + (more if len(problems) > 1 else ""))
        return settings

    @classmethod
    def read(cls, path: Path | None = None) -> tuple[Settings, list[str]]:
        """The settings the file gives, defaults where it gives none or a bad value, and
        one line for each problem found (nothing is silently ignored)."""
        path = path or config_path()
        try:
            text = _config_text(path)
        except ValueError as exc:
            return cls(), [str(exc)]
        if text is None:
            return cls(), []
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return cls(), [f"config: {path} cannot be read ({exc})"]
        return cls._from_data(data, path)

    @classmethod
    def _from_data(cls, data: dict[str, Any], path: Path) -> tuple[Settings, list[str]]:
        settings = cls()
        problems: list[str] = []

        def problem(key: str, value: Any, allowed: str) -> None:
            problems.append(f"config: {key} = {value!r} in {path}: {allowed}")

        for key, value in data.items():
            if key == "user":
                name = person_name(value) if isinstance(value, str) else None
                if name is not None:
                    settings.user = name
                else:
                    problem(
                        key,
                        value,
                        f"must be a person's name: 1-{MAX_PERSON} characters of text, "
                        "without control or direction characters",
                    )
            elif key == "theme":
                if isinstance(value, str) and value.strip():
                    settings.theme = value
                else:
                    problem(key, value, "must be a theme name (text)")
            elif key == "wip_limits":
                if not isinstance(value, dict):
                    problem(key, value, f"must be a table of {_columns()} limits")
                    continue
                for column, limit in value.items():
                    name = f"wip_limits.{column}"
                    if column not in DEFAULT_WIP:
                        problem(name, limit, f"unknown column; the columns are {_columns()}")
                    elif not _whole(limit, 0, MAX_WIP):
                        problem(name, limit, f"must be a whole number 0-{MAX_WIP} (0: no limit)")
                    else:
                        settings.wip_limits[column] = limit
            elif key == "palette_recent":
                settings.palette_recent = recent_commands(value)
            elif key in NUMBERS:
                low, high, meaning = NUMBERS[key]
                if _whole(value, low, high):
                    setattr(settings, key, value)
                else:
                    problem(key, value, f"must be a whole number {low}-{high} ({meaning})")
            else:
                known = ", ".join(["user", "theme", "wip_limits", *NUMBERS])
                problems.append(f"config: unknown key {key!r} in {path}; the keys are {known}")
        if settings.feedback_red_days < settings.feedback_amber_days:
            problems.append(
                f"config: feedback_red_days ({settings.feedback_red_days}) must be at least "
                f"feedback_amber_days ({settings.feedback_amber_days}) in {path}"
            )
            settings.feedback_amber_days = Settings.feedback_amber_days
            settings.feedback_red_days = Settings.feedback_red_days
        return settings, problems

    def save(self, path: Path | None = None) -> None:
        """Write the settings that differ from what the file says, editing it in place:
        comments, order and unknown keys stay, and only a changed key is rewritten.

        A symlinked config file stays a symlink (the file it points at is replaced,
        keeping its permissions); the new text is written beside it and renamed.
        """
        import tomlkit

        path = Path(os.path.realpath(path or config_path()))
        try:
            text = _config_text(path) or ""
        except ValueError as exc:
            raise UserError(f"{exc}; left as it is") from None
        try:
            document = tomlkit.parse(text)
            current, _ = Settings._from_data(document.unwrap(), path)
        except tomlkit.exceptions.ParseError as exc:
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


def recent_commands(value: Any) -> list[str]:
    """The usable part of a stored palette history: ids of printable text, each once, at
    most MAX_RECENT; anything else (a hand edit, an older version's value) is left out.

    Reading stops at the MAX_RECENT-th id kept, and each item costs one look-up in a set, so
    a hand-made list of any length costs at most one pass (never a pass per item kept)."""
    if not isinstance(value, list):
        return []
    found: list[str] = []
    seen: set[str] = set()
    for item in value:
        if (
            isinstance(item, str)
            and 0 < len(item) <= MAX_COMMAND_ID
            and item not in seen
            and item.isprintable()
        ):
            seen.add(item)
            found.append(item)
            if len(found) == MAX_RECENT:
                break
    return found


def remember_recent(recent: list[str], command: str) -> list[str]:
    """The palette history with `command` run just now: first, once, at most MAX_RECENT."""
    return recent_commands([command, *recent])


def setting_keys() -> list[str]:
    """Every key `config set` takes: 'user', 'theme', 'wip_limits.doing', the numbers."""
    return ["user", "theme", *(f"wip_limits.{c}" for c in DEFAULT_WIP), *NUMBERS]


def setting_value(key: str, text: str, current: Settings | None = None) -> Any:
    """`text` (from the command line) as the value of setting `key`, checked as the file's
    value would be (beside the `current` numbers: red days at least amber days); a bad key
    or value is a UserError naming it and what is allowed."""
    if key not in setting_keys():
        raise UserError(f"config: unknown key {key!r}; the keys are {', '.join(setting_keys())}")
    value: Any = text
    if key != "user" and key != "theme":
        from sprintboard.numbers import whole_number

        with contextlib.suppress(ValueError):  # reported below, with the key's range
            value = whole_number(text)
    name, _, column = key.partition(".")
    data: dict[str, Any] = {n: getattr(current or Settings(), n) for n in NUMBERS}
    data[name] = {column: value} if column else value
    where = Path("<command line>")
    settings, problems = Settings._from_data(data, where)
    if problems:
        raise UserError(problems[0].replace(f" in {where}", "", 1))
    return getattr(settings, name)[column] if column else getattr(settings, name)


def forget_setting(key: str, path: Path | None = None) -> bool:
    """Remove `key` from the settings file so its default applies again, editing the file in
    place as `Settings.save` does; False when the file did not set it."""
    import tomlkit

    if key not in setting_keys():
        raise UserError(f"config: unknown key {key!r}; the keys are {', '.join(setting_keys())}")
    path = Path(os.path.realpath(path or config_path()))
    try:
        text = _config_text(path)
    except ValueError as exc:
        raise UserError(f"{exc}; left as it is") from None
    if text is None:
        return False
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise UserError(f"config: {path} cannot be read ({exc}); left as it is") from None
    name, _, column = key.partition(".")
    holder: Any = document
    if column:
        holder = document.get(name)
        name = column
    if not isinstance(holder, dict) or name not in holder:
        return False
    del holder[name]
    _replace_text(path, tomlkit.dumps(document))
    return True


def _config_text(path: Path) -> str | None:
    """The settings file's text; None when there is none. A file that cannot be read is a
    ValueError with one line saying why (not Python's errno or codec wording)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ValueError(f"config: {path} is a directory; it must be a TOML file") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"config: {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ValueError(f"config: {path} cannot be read ({exc.strerror or exc})") from None


def _keep_owner(partial: str, target: Path) -> None:
    """Give the new file the owner of the one it replaces: saved as root, a user's settings
    file must stay theirs (the rule of store.backups.adopt_owner; config and store are
    independent layers, so neither imports the other)."""
    with contextlib.suppress(OSError):
        old = target.stat()
        if os.geteuid() == 0 and (old.st_uid, old.st_gid) != (0, 0):
            os.chown(partial, old.st_uid, old.st_gid)


def _replace_text(path: Path, text: str) -> None:
    """Write `text` beside `path` and rename it into place, keeping the file's mode and,
    when run as root, its owner."""
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
        _keep_owner(name, path)
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
