"""One browser session's app, as `sprintboard serve` starts it.

`python -m sprintboard.session_app SERVER_PID --db PATH`: ties this process's life to the
server's (see `io.processes.die_with_parent`), then runs the ordinary command line, which
opens the board. An app must never outlive the server that relays its screen.
"""

from __future__ import annotations

import sys

from sprintboard.io.processes import die_with_parent


def run(argv: list[str]) -> None:
    if not argv or not argv[0].isdigit():
        print(
            "usage: python -m sprintboard.session_app SERVER_PID [sprintboard args]",
            file=sys.stderr,
        )
        sys.exit(2)
    die_with_parent(int(argv[0]))
    from sprintboard.cli import main

    main(argv[1:])


if __name__ == "__main__":
    run(sys.argv[1:])
