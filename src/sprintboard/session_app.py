"""One browser session's app, as `sprintboard serve` starts it.

`python -m sprintboard.session_app SERVER_PID --db PATH`: ties this process's life to the
server's (see `io.processes.die_with_parent`), then runs the ordinary command line, which
opens the board. An app must never outlive the server that relays its screen, and never
creates a database that has gone (deleted while the server ran).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sprintboard.io.processes import die_with_parent


def run(argv: list[str]) -> None:
    if not argv or not argv[0].isdigit():
        print(
            "usage: python -m sprintboard.session_app SERVER_PID [sprintboard args]",
            file=sys.stderr,
        )
        sys.exit(2)
    die_with_parent(int(argv[0]))
    if len(argv) > 2 and argv[1] == "--db" and not Path(argv[2]).exists():
        # The command line would create an empty plan in its place, and the browser would
        # show that as if the plan had been emptied.
        print(f"error: db: the database is no longer there (got {argv[2]!r})", file=sys.stderr)
        sys.exit(2)
    from sprintboard.cli import main

    main(argv[1:])


if __name__ == "__main__":
    run(sys.argv[1:])
