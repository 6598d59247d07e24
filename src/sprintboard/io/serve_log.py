"""What `sprintboard serve` logs: with --log-requests one line per request, else nothing.

A request's query may hold the token, and its headers what a browser says about its user:
neither is logged. Whatever comes from the request is logged so that it cannot forge a
line or reach the operator's terminal as a control sequence.
"""

from __future__ import annotations

import logging
import urllib.parse

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class QuietAccessLogger(AbstractAccessLogger):
    """One line per request, without its query (it may hold the token) or user agent."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %.0f ms',
            request.remote,
            request.method,
            logged_path(request.path),
            response.status,
            time * 1000,
        )


def logged_path(path: str) -> str:
    """A request path as it goes into the log: percent-encoded wherever it is not plain
    printable ASCII, so that a path cannot forge a line or move the operator's cursor."""
    return urllib.parse.quote(path, safe="/:@!$&'()*+,;=-._~")


class OneLineErrors(logging.Filter):
    """aiohttp's record of a request it could not handle (a malformed request line or
    header, a handler that failed) as one line: the client and the kind of error, never
    the traceback, which repeats the request line (the token) and header values."""

    def filter(self, record: logging.LogRecord) -> bool:
        kind = type(record.exc_info[1]).__name__ if record.exc_info else None
        record.msg = record.getMessage() + (f" ({kind})" if kind else "")
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def quiet_server_errors(log_requests: bool) -> None:
    """aiohttp logs each malformed request with a traceback that repeats it: one line with
    --log-requests, else nothing."""
    server_log = logging.getLogger("aiohttp.server")
    server_log.addFilter(OneLineErrors())
    server_log.setLevel(logging.INFO if log_requests else logging.CRITICAL + 1)
