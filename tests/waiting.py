"""Waiting in tests: every wait has a deadline, so a hang fails one test instead of CI.

`wait_until` drives a Textual pilot; `wait_for_process` waits on the world outside the
app (files, processes) with plain sleeps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

DEFAULT_TIMEOUT = 20.0


async def wait_until(
    pilot: Any,
    condition: Callable[[], object],
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = 0.02,
) -> bool:
    """Pause the pilot until `condition()` holds: False if `timeout` seconds pass first.

    Assert on the result (`assert await wait_until(...)`) unless the wait only gives the
    app time and what follows checks the outcome.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            return False
        await pilot.pause(interval)
    return True


def wait_for_process(
    condition: Callable[[], object], timeout: float = DEFAULT_TIMEOUT, interval: float = 0.02
) -> bool:
    """Sleep until `condition()` holds: False if `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True
