"""One browser session's app process, as `sprintboard serve` starts and ends it.

No shell, its own process group, no token in its environment; and ended for sure once its
browser has gone: its session's slot is free only when the process has exited.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
from pathlib import Path
from typing import Any

from textual_serve.app_service import AppService

from sprintboard.io.processes import end_process

QUIT_GRACE_S = 5.0
"""How long a closed browser session's app gets to quit on its own before it is ended."""
TOKEN_ENV = "SPRINTBOARD_SERVE_TOKEN"


def app_argv(db_path: Path, server_pid: int) -> list[str]:
    """The command of one session's app: no shell, the path as one argument."""
    return [
        sys.executable,
        "-m",
        "sprintboard.session_app",
        str(server_pid),
        "--db",
        str(db_path.resolve()),
    ]


class SessionApp(AppService):
    """One browser session's app process: started without a shell, in a process group of
    its own (so a Ctrl+C in the server's terminal reaches the server alone, which then
    ends the apps in order), and ended even if it will not quit."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = argv

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        environment = self._build_environment(width=width, height=height)
        environment.pop(TOKEN_ENV, None)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the app to quit; once it has exited (or been ended) return.

        textual-serve asks the app to quit and waits for ever for its output to end, but
        not for the process: an app that closed its output, or is busy with queued keys,
        or is stuck (seen spinning, deaf to SIGTERM) would keep running, holding the
        database, after its slot was freed. So the process itself gets QUIT_GRACE_S in
        all, then SIGTERM and SIGKILL (`end_process`)."""
        process = self._process
        loop = asyncio.get_running_loop()
        deadline = loop.time() + QUIT_GRACE_S
        try:
            await asyncio.wait_for(asyncio.shield(super().stop()), QUIT_GRACE_S)
        except TimeoutError:
            pass
        except asyncio.CancelledError:
            # textual-serve's relay task may end cancelled (its stderr reader is cancelled
            # before it ran); only a cancellation of this task itself goes on up.
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
        if process is None:
            return
        try:
            await asyncio.wait_for(process.wait(), max(deadline - loop.time(), 0.0))
        except TimeoutError:
            await end_process(process)
