"""Running the `git` command for `sprintboard sync`: its environment, its time limits, and
each failure said in one plain line.

git brings the user's SSH keys, credential helpers and proxies, so sync calls it as a
command rather than re-implementing it. A sync may run in the background: it must never
wait on a password prompt, and a remote that stops answering must not hang it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sprintboard.errors import Unavailable, UserError

NETWORK_TIMEOUT_S = 120.0
"""How long a command that talks to the remote (clone, fetch, push) may take."""
LOCAL_TIMEOUT_S = 300.0
"""How long a local command may take (a merge may pack objects on a big history)."""

NOTHING_LOST = "nothing local was lost"

GIT_MISSING = (
    "sync: git is not installed; sprintboard sync uses git to share the plan: "
    "install git and try again"
)

# Settings for every command. A garbage collection git starts "in the background" after a
# commit would outlive the sync's lock and hold git's own lock files while the next sync
# runs; in the foreground it finishes under our lock. Paths are listed as they are.
_SETTINGS = (
    "-c",
    "gc.autoDetach=false",
    "-c",
    "maintenance.autoDetach=false",
    "-c",
    "core.quotePath=false",
)


class SyncError(UserError):
    """A sync step failed: one line starting 'sync:', saying what and that nothing local
    was lost."""


class SyncUnavailable(SyncError, Unavailable):
    """A sync step failed for a cause outside the command's input (git missing, the network,
    the remote's access rules, another sync running): the CLI exits with status 1."""


class SyncRejected(SyncUnavailable):
    """The remote has commits this laptop has not merged yet (a non-fast-forward push):
    fetch, merge, apply what came in, then push again."""


@dataclass(frozen=True)
class GitResult:
    returncode: int
    stdout: str
    stderr: str


def git_environment(*, interactive: bool, ssh_command: str | None = None) -> dict[str, str]:
    """The environment git runs in: English messages (they are matched below) and, unless
    someone is there to answer, no prompt of any kind.

    `ssh_command` is the repository's `core.sshCommand`, if any: the variable set here
    would replace it, so it is kept and told not to ask either.
    """
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env.pop("LANGUAGE", None)
    if not interactive:
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GCM_INTERACTIVE"] = "never"  # Git Credential Manager's own dialogs
        if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
            env["GIT_SSH_COMMAND"] = f"{ssh_command or 'ssh'} -o BatchMode=yes"
    return env


def run_git(
    args: Sequence[str],
    *,
    folder: Path | None,
    interactive: bool = False,
    network: bool = False,
    url: str | None = None,
    ssh_command: str | None = None,
    check: bool = True,
) -> GitResult:
    """Run `git [-C folder] args`; a failure (when `check`) raises one `SyncError` line.

    Not `subprocess.run(timeout=...)`: it kills git alone, and an ssh that git started
    keeps the output pipes open, so run() would then wait for ssh forever. git runs in a
    session of its own (no terminal to prompt on) and the whole session is ended.
    """
    command = ["git", *(["-C", str(folder)] if folder is not None else []), *_SETTINGS, *args]
    timeout = NETWORK_TIMEOUT_S if network else LOCAL_TIMEOUT_S
    what = _subcommand(args)
    try:
        process = subprocess.Popen(
            command,
            stdin=None if interactive else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",
            env=git_environment(interactive=interactive, ssh_command=ssh_command),
            start_new_session=not interactive,
        )
    except FileNotFoundError:
        raise SyncUnavailable(GIT_MISSING) from None
    except OSError as exc:
        raise SyncUnavailable(f"sync: cannot run git ({exc.strerror}); {NOTHING_LOST}") from None
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end(process, group=not interactive)
        raise SyncUnavailable(
            f"sync: git {what} did not finish within {timeout:.0f} s (the remote is slow or"
            f" cannot be reached); {NOTHING_LOST}"
        ) from None
    except BaseException:  # Ctrl+C does not reach git's own session: end it here
        _end(process, group=not interactive)
        raise
    result = GitResult(process.returncode, stdout, stderr)
    if check and result.returncode != 0:
        raise describe_failure(what, result, url=url)
    return result


def _end(process: subprocess.Popen[str], *, group: bool) -> None:
    with contextlib.suppress(OSError):
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=5)


def _subcommand(args: Sequence[str]) -> str:
    """The git command's name ('fetch') among options such as `-c x=y`."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-c", "-C"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return "command"


_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x1f\x7f]")
_CREDENTIALS = re.compile(r"(\w+://)[^/\s]*@")


PLAIN_CHARS = 300
"""Text from git or a remote is cut to this many characters (a line stays a line)."""


def plain(text: str) -> str:
    """Text from git or a remote, safe on one terminal line: no escape sequences, no
    passwords or tokens written into a URL, no more than PLAIN_CHARS characters."""
    text = _CREDENTIALS.sub(r"\1", _CONTROL.sub(" ", text)).strip()
    return text if len(text) <= PLAIN_CHARS else text[: PLAIN_CHARS - 1] + "…"


def shown_url(url: str | None) -> str | None:
    """A remote's address as sprintboard shows or stores it for people: without the
    password or token a URL may carry (git keeps the address it needs in its config)."""
    return None if url is None else plain(url)


_UNREACHABLE = (
    ("could not resolve host", "the host name cannot be resolved"),
    ("connection refused", "the connection was refused"),
    ("timed out", "the connection timed out"),
    ("network is unreachable", "the network is unreachable"),
    ("no route to host", "there is no route to the host"),
    ("failed to connect", "the connection failed"),
)
_AUTH = (
    "authentication failed",
    "permission denied",
    "could not read username",
    "could not read password",
    "terminal prompts disabled",
    "returned error: 401",
    "returned error: 403",
)
_NOT_FOUND = (
    "repository not found",
    "does not appear to be a git repository",
    "does not exist",
    "returned error: 404",
    "not a git repository",
)


def describe_failure(what: str, result: GitResult, *, url: str | None = None) -> SyncError:
    """git's output as one plain line (a `SyncRejected` for a push that needs a merge)."""
    output = f"{result.stderr}\n{result.stdout}"
    lowered = output.lower()
    remote = f" {plain(url)}" if url else ""
    if "[rejected]" in lowered and ("fetch first" in lowered or "non-fast-forward" in lowered):
        return SyncRejected(
            f"sync: the remote{remote} has changes this laptop has not merged yet; fetch and"
            f" merge, then push again; {NOTHING_LOST}"
        )
    if "[remote rejected]" in lowered:
        return SyncUnavailable(
            f"sync: the remote{remote} refused the push ({_rejection(output)}); {NOTHING_LOST}:"
            " the changes stay committed here"
        )
    if "host key verification failed" in lowered:
        return SyncUnavailable(
            f"sync: ssh does not know the key of the remote{remote} yet: connect to it once"
            f" with git or ssh in a terminal to accept it; {NOTHING_LOST}"
        )
    if any(sign in lowered for sign in _AUTH):
        return SyncUnavailable(
            f"sync: the remote{remote} refused access (authentication failed): check your SSH"
            f" key or access token; {NOTHING_LOST}"
        )
    for sign, cause in _UNREACHABLE:
        if sign in lowered:
            return SyncUnavailable(
                f"sync: cannot reach the remote{remote}: {cause}; {NOTHING_LOST} (the changes"
                " go out with the next sync)"
            )
    if any(sign in lowered for sign in _NOT_FOUND) and what in ("clone", "fetch", "push"):
        return SyncError(
            f"sync: there is no git repository at{remote or ' the remote'}: check the address"
            f" and your access to it; {NOTHING_LOST}"
        )
    return SyncError(f"sync: git {what} failed: {_first_problem(result)}; {NOTHING_LOST}")


def _rejection(output: str) -> str:
    """The remote's reason: its own 'remote: error:' line, else git's '(reason)'."""
    reason = ""
    for line in output.splitlines():
        text = line.strip()
        if text.lower().startswith("remote: error:") and not reason:
            reason = text[len("remote: error:") :]
        elif "[remote rejected]" in text and not reason:
            found = re.search(r"\((.*)\)\s*$", text)
            reason = found.group(1) if found else ""
    return plain(reason).rstrip(".") or "no reason given"


def _first_problem(result: GitResult) -> str:
    lines = [plain(line) for line in result.stderr.splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        for prefix in ("fatal:", "error:"):
            if line.lower().startswith(prefix):
                return line[len(prefix) :].strip()
    return lines[0] if lines else f"exit status {result.returncode}"
