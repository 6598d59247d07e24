"""The checks `serve` makes before answering, the addresses it prints, and its options."""

from __future__ import annotations

import socket

import pytest

from sprintboard.errors import UserError
from sprintboard.io import serve_access
from sprintboard.io.serve_access import (
    Access,
    check_token,
    is_loopback,
    open_urls,
    parse_bind_host,
    split_host_header,
    token_matches,
)

TOKEN = "t" * 43


@pytest.fixture(autouse=True)
def _machine_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "planner")


@pytest.mark.parametrize(
    ("bind", "urls"),
    [
        ("127.0.0.1", ["http://127.0.0.1:8000/?token=T"]),
        ("localhost", ["http://localhost:8000/?token=T"]),
        ("::1", ["http://[::1]:8000/?token=T"]),
        ("192.168.1.10", ["http://192.168.1.10:8000/?token=T"]),
        ("fe80::1", ["http://[fe80::1]:8000/?token=T"]),
        ("", ["http://planner:8000/?token=T", "http://127.0.0.1:8000/?token=T"]),
        ("0.0.0.0", ["http://planner:8000/?token=T", "http://127.0.0.1:8000/?token=T"]),
        ("::", ["http://planner:8000/?token=T", "http://[::1]:8000/?token=T"]),
    ],
)
def test_the_printed_urls_are_well_formed(bind: str, urls: list[str]) -> None:
    assert open_urls(bind, 8000, "T") == urls


@pytest.mark.parametrize(
    ("text", "bind"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("", ""),
        ("  ", ""),
        ("::", "::"),
        ("[::1]", "::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("LocalHost.", "localhost"),
        ("planner.office.example", "planner.office.example"),
    ],
)
def test_bind_hosts_are_read_and_normalised(text: str, bind: str) -> None:
    assert parse_bind_host(text) == bind


@pytest.mark.parametrize(
    "text", ["http://127.0.0.1", "999.1.1.1.1.x!", "[::1", "[127.0.0.1]", "a b", "-x-", "::1]"]
)
def test_a_bad_bind_host_is_one_clear_error(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_bind_host(text)
    message = str(caught.value)
    assert message.startswith("host: not an IP address or host name (got ")
    assert "\n" not in message


def test_loopback_addresses() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.1.1"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.10", "example.org", "::", ""))


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("LOCALHOST", ("localhost", None)),
        ("[::1]:8000", ("::1", 8000)),
        ("::1", None),  # IPv6 in a Host header needs brackets
        ("[localhost]:8000", None),
        ("127.0.0.1:80x", None),
        ("127.0.0.1:8000:1", None),
        ("evil.example/x", None),
        ("", None),
    ],
)
def test_host_headers_are_parsed_strictly(header: str, parsed: object) -> None:
    assert split_host_header(header) == parsed


def test_a_loopback_server_answers_to_loopback_names_only() -> None:
    access = Access.for_bind("127.0.0.1", 8000, TOKEN)
    for good in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LocalHost:8000"):
        assert access.host_allowed(good, "127.0.0.1"), good
    # A page on another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its name.
    for bad in ("evil.example:8000", "127.0.0.1.evil.example", "planner:8000", "", None):
        assert not access.host_allowed(bad, "127.0.0.1"), bad


def test_the_host_header_must_name_the_port_listened_on() -> None:
    access = Access.for_bind("127.0.0.1", 8000, TOKEN)
    for bad in ("localhost:1", "localhost:99999", "[::1]", "localhost", "127.0.0.1:443"):
        assert not access.host_allowed(bad, "127.0.0.1"), bad
    # No port means 80: a server on 80 answers to the bare name.
    assert Access.for_bind("127.0.0.1", 80, TOKEN).host_allowed("localhost", "127.0.0.1")
    # A TLS proxy in front presents its own name without a port, or with 80/443.
    proxied = Access.for_bind("127.0.0.1", 8000, TOKEN, ("board.office.example",))
    for good in ("board.office.example", "board.office.example:443", "board.office.example:8000"):
        assert proxied.host_allowed(good, "127.0.0.1"), good
    assert not proxied.host_allowed("board.office.example:1", "127.0.0.1")
    assert not proxied.host_allowed("localhost", "127.0.0.1")


def test_host_names_are_ascii_only() -> None:
    access = Access.for_bind("127.0.0.1", 8000, TOKEN)
    # 'ſ' (long s) case-folds to 's': it must not pass for "localhost".
    for bad in ("localho\u017ft:8000", "LOCALHOST\u0130:8000", "\uff4cocalhost:8000"):
        assert not access.host_allowed(bad, "127.0.0.1"), bad
    assert split_host_header("localho\u017ft") is None


def test_a_lan_server_answers_to_its_address_its_name_and_allowed_names() -> None:
    access = Access.for_bind("192.168.1.10", 8000, TOKEN, ("board.office.example",))
    for good in ("192.168.1.10:8000", "planner:8000", "Planner.local:8000", "board.office.example"):
        assert access.host_allowed(good, "192.168.1.10"), good
    for bad in ("localhost:8000", "evil.example", "10.0.0.1:8000", "planner.evil.example:8000"):
        assert not access.host_allowed(bad, "192.168.1.10"), bad


def test_an_all_interfaces_server_answers_to_the_address_a_connection_came_in_on() -> None:
    access = Access.for_bind("", 8000, TOKEN)
    assert access.host_allowed("10.1.2.3:8000", "10.1.2.3")
    assert access.host_allowed("10.1.2.3:8000", "::ffff:10.1.2.3")  # IPv4 on a dual-stack socket
    assert access.host_allowed("127.0.0.1:8000", "127.0.0.1")
    assert access.host_allowed("planner:8000", "10.1.2.3")
    assert not access.host_allowed("10.9.9.9:8000", "10.1.2.3")
    assert not access.host_allowed("evil.example:8000", "10.1.2.3")


def test_the_websocket_must_come_from_the_server_s_own_page() -> None:
    access = Access.for_bind("127.0.0.1", 8000, TOKEN)
    host = "127.0.0.1:8000"
    assert access.origin_allowed("http://127.0.0.1:8000", host)
    assert access.origin_allowed("HTTP://127.0.0.1:8000", host)
    for bad in (
        "https://127.0.0.1:8000",  # this server speaks no TLS: only a proxy's name may
        "http://evil.example",
        "http://evil.example:8000",
        "http://127.0.0.1:8001",
        "http://localhost:8000",  # another origin, though the same machine
        "null",
        "file://",
        "http://127.0.0.1:8000/path",
        "",
        None,
    ):
        assert not access.origin_allowed(bad, host), bad
    # Behind a TLS proxy (named with --allow-host) that keeps the Host header.
    proxied = Access.for_bind("127.0.0.1", 8000, TOKEN, ("board.office.example",))
    assert proxied.origin_allowed("https://board.office.example", "board.office.example")
    assert proxied.origin_allowed("https://board.office.example", "board.office.example:443")
    assert not proxied.origin_allowed("https://127.0.0.1:8000", host)
    assert not access.origin_allowed("http://127.0.0.1:8000", None)


def test_tokens_are_compared_whole() -> None:
    assert token_matches(TOKEN, TOKEN)
    for bad in (None, "", TOKEN[:-1], TOKEN + "x", "é" * 43, "\udcff"):
        assert not token_matches(bad, TOKEN)
    assert serve_access.new_token() != serve_access.new_token()
    assert len(serve_access.new_token()) >= 40


def test_a_given_token_must_be_long_enough_and_url_safe() -> None:
    assert check_token("a-long_token.of~20chars") == "a-long_token.of~20chars"
    for bad in ("abc12", "with space in the middle", "x" * 15, "quote'" * 4):
        with pytest.raises(UserError) as caught:
            check_token(bad)
        assert bad not in str(caught.value)  # a secret is not repeated on screen
        assert str(caught.value).startswith("token: ")
