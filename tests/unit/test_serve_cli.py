"""The `serve` command's options, bind errors and README entry (in-process, nothing served)."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import pytest

from conftest import Cli
from sprintboard.io import serve

TOKEN = "test-token-0123456789abcdef"


@pytest.fixture
def served_with(monkeypatch: pytest.MonkeyPatch) -> list[serve.ServeOptions]:
    calls: list[serve.ServeOptions] = []
    monkeypatch.setattr(serve, "serve", calls.append)
    monkeypatch.delenv("SPRINTBOARD_SERVE_TOKEN", raising=False)
    return calls


def test_loopback_by_default_with_a_fresh_token(
    cli: Cli, served_with: list[serve.ServeOptions]
) -> None:
    assert cli("serve").code == 0
    result = cli("serve", "--port", "8123")
    assert result.code == 0 and result.err == ""
    first, second = served_with
    assert (first.bind, first.port, second.port) == ("127.0.0.1", 8000, 8123)
    assert len(first.access.token) >= 40 and first.access.token != second.access.token
    assert (first.max_sessions, first.idle_timeout_s, first.log_requests) == (8, 3600, False)
    assert "localhost" in first.access.hosts
    assert first.warning is None


@pytest.mark.parametrize(
    ("host", "bind"), [("0.0.0.0", "0.0.0.0"), ("", ""), ("::", "::"), ("192.0.2.7", "192.0.2.7")]
)
def test_beyond_loopback_is_one_warning_line(
    cli: Cli, served_with: list[serve.ServeOptions], host: str, bind: str
) -> None:
    result = cli("serve", "--host", host)
    assert result.code == 0
    assert served_with[0].bind == bind
    warning = served_with[0].warning  # printed once the address is really bound
    assert warning and warning.startswith("warning: listening on ") and "\n" not in warning


def test_options_reach_the_server(
    cli: Cli, served_with: list[serve.ServeOptions], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPRINTBOARD_SERVE_TOKEN", TOKEN)
    result = cli(
        "serve",
        "--allow-host", "board.office.example",
        "--allow-host", "Planner.Local",
        "--max-sessions", "3",
        "--idle-timeout", "1.5",
        "--log-requests",
    )  # fmt: skip
    assert result.code == 0
    options = served_with[0]
    assert options.access.token == TOKEN
    assert {"board.office.example", "planner.local"} <= options.access.hosts
    assert (options.max_sessions, options.idle_timeout_s, options.log_requests) == (3, 90, True)
    assert cli("serve", "--token", "x" * 20).code == 0
    assert served_with[1].access.token == "x" * 20


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (
            ["--host", "not a host"],
            "error: host: not an IP address or host name (got 'not a host')",
        ),
        (["--host", "[::1"], "error: host: "),
        (["--allow-host", "evil example"], "error: host: "),
        (["--token", "short"], "error: token: "),
        (["--max-sessions", "0"], "error: "),
        (["--idle-timeout", "-1"], "error: "),
        (["--token", ""], "error: token: "),
        (["--idle-timeout", "nan"], "error: idle-timeout: "),
        (["--idle-timeout", "inf"], "error: idle-timeout: "),
    ],
)
def test_bad_options_are_one_error_line(
    cli: Cli, served_with: list[serve.ServeOptions], args: list[str], start: str
) -> None:
    result = cli("serve", *args)
    assert result.code == 2
    assert result.err.startswith(start) and result.err.count("\n") == 1
    assert served_with == []


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (
            socket.gaierror(-2, "Name or service not known"),
            "host: no such name here (got 'nosuch.invalid'); use an address of this machine",
        ),
        (
            OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"),
            "host: not an address of this machine (got 'nosuch.invalid'); use 127.0.0.1",
        ),
        (
            OSError(errno.EADDRINUSE, "Address already in use"),
            "cannot serve on nosuch.invalid:8000 (Address already in use); try --port",
        ),
    ],
)
def test_an_address_that_cannot_be_bound_is_one_error_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, exc: OSError, message: str
) -> None:
    def refuse(options: serve.ServeOptions) -> None:
        raise exc

    monkeypatch.setattr(serve, "serve", refuse)
    result = cli("serve", "--host", "nosuch.invalid")
    assert result.code == 2
    assert result.err.startswith(f"error: {message}") and result.err.count("\n") == 1


def test_the_readme_documents_every_serve_option() -> None:
    from sprintboard.cli.exchange import serve as command

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Sharing a planning session", 1)[1].split("\n## ", 1)[0]
    for option in command.params:
        for name in getattr(option, "opts", []):
            assert f"`{name}" in section, name
    assert "### Security of `serve`" in section
