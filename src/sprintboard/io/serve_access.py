"""Who may use a served board: the bind address, the URL to open, and the request checks.

Plain functions, no web framework, so each check is tested on its own:
- the token: a per-server secret, compared in constant time;
- the Host header: names this server answers to, with the port it listens on (a page on
  another site that has its name resolve to 127.0.0.1 sends its own name, and is refused);
  names given with --allow-host (a TLS proxy in front) also without a port or with 80/443;
- the WebSocket's Origin: the page that opens it must come from this same server, over
  http (https only through an --allow-host name, the TLS proxy's).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
import socket
from dataclasses import dataclass, field

from sprintboard.errors import UserError

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"", "0.0.0.0", "::"})
"""Bind addresses that mean every interface of this machine."""
TOKEN_MIN_LENGTH = 16
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def check_token(token: str) -> str:
    """A token given with --token or SPRINTBOARD_SERVE_TOKEN, refused if guessable or if it
    would need quoting in a URL. The token itself is never repeated in the message."""
    if len(token) < TOKEN_MIN_LENGTH or not _TOKEN_CHARS.fullmatch(token):
        raise UserError(
            f"token: too short or holds other characters (got {len(token)} characters); "
            f"use at least {TOKEN_MIN_LENGTH} of A-Z a-z 0-9 . _ ~ -"
        )
    return token


def token_matches(given: str | None, token: str) -> bool:
    if given is None:
        return False
    # Bytes: compare_digest refuses str with non-ASCII characters, which a query may hold.
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), token.encode("utf-8"))


def _normal_name(name: str) -> str | None:
    """An IP address in its canonical form, or a lower-case DNS name; None if neither
    (non-ASCII included: case-folding would turn look-alikes such as 'ſ' into ASCII)."""
    name = name.strip()
    if not name.isascii():
        return None
    name = name.lower().removesuffix(".")
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        labels = name.split(".")
        if name and len(name) <= 253 and all(_LABEL.fullmatch(label) for label in labels):
            return name
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def parse_bind_host(text: str) -> str:
    """The --host value as an address to bind: '' for every interface, else an IP address
    (IPv6 may be written in brackets) or a host name of this machine."""
    stripped = text.strip()
    if stripped == "":
        return ""
    bracketed = stripped.startswith("[") and stripped.endswith("]")
    name = _normal_name(stripped[1:-1] if bracketed else stripped)
    if name is None or (bracketed and ":" not in name):
        raise UserError(
            f"host: not an IP address or host name (got {text!r}); use an address of this "
            "machine such as 127.0.0.1 (default), ::1, a LAN address, 0.0.0.0 or :: for all"
        )
    return name


def is_loopback(host: str) -> bool:
    name = _normal_name(host.strip().strip("[]"))
    if name == "localhost":
        return True
    try:
        return name is not None and ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def url_host(name: str) -> str:
    """A host name or address as it goes into a URL: IPv6 in brackets."""
    return f"[{name}]" if ":" in name else name


def open_urls(bind: str, port: int, token: str) -> list[str]:
    """The URLs to print: the one to share first; for a bind to every interface, also the
    loopback one for a browser on this machine."""
    query = f"/?token={token}"
    if bind in WILDCARDS:
        return [
            f"http://{url_host(socket.gethostname())}:{port}{query}",
            f"http://{url_host('::1' if bind == '::' else '127.0.0.1')}:{port}{query}",
        ]
    return [f"http://{url_host(bind)}:{port}{query}"]


def split_host_header(value: str) -> tuple[str, int | None] | None:
    """`name[:port]` or `[v6]:port` as (normal name, port); None if malformed."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if ":" not in name:
            return None
    else:
        name, _, port_text = value.partition(":")
        rest = f":{port_text}" if _ else ""
    port: int | None = None
    if rest:
        digits = rest[1:]  # ASCII only: str.isdigit() alone takes '٣' and int() reads it
        if not rest.startswith(":") or not (digits.isascii() and digits.isdigit()) or len(rest) > 6:
            return None
        port = int(rest[1:])
    normal = _normal_name(name)
    return None if normal is None else (normal, port)


@dataclass(frozen=True)
class Access:
    """What a request must show to be served: the token, and a Host (and, for the
    WebSocket, an Origin) naming this server."""

    token: str
    port: int
    hosts: frozenset[str] = field(default_factory=frozenset)
    proxied: frozenset[str] = field(default_factory=frozenset)
    """Names given with --allow-host: a proxy in front may present them without a port,
    with 80 or 443, and over https."""

    @classmethod
    def for_bind(cls, bind: str, port: int, token: str, allowed: tuple[str, ...] = ()) -> Access:
        """Loopback names for a loopback or all-interfaces bind; the bound name, and this
        machine's host name for any bind beyond loopback; plus each --allow-host."""
        hosts = {name for name in (_normal_name(h) for h in allowed) if name}
        if bind and bind not in WILDCARDS:
            hosts.add(bind)
        if bind in WILDCARDS or is_loopback(bind):
            hosts |= LOOPBACK_NAMES
        if not is_loopback(bind) and (name := _normal_name(socket.gethostname())):
            # Its name, and the name mDNS gives it on the LAN; no DNS look-up (offline, a
            # look-up can hang for seconds): other names come with --allow-host.
            hosts |= {name, f"{name.split('.')[0]}.local"}
        proxied = frozenset(name for name in (_normal_name(h) for h in allowed) if name)
        return cls(token=token, port=port, hosts=frozenset(hosts), proxied=proxied)

    def host_allowed(self, header: str | None, local_address: str | None = None) -> bool:
        """The Host header names this server: an allowed name, or the very address the
        connection came in on (an address cannot be made to point elsewhere, a name can);
        and the port it listens on (none only if that is 80), or for an --allow-host name
        none, 80 or 443 too."""
        parsed = split_host_header(header) if header else None
        if parsed is None:
            return False
        name, port = parsed
        if not (
            name in self.hosts
            or (local_address is not None and name == _normal_name(local_address))
        ):
            return False
        if name in self.proxied:
            return port in (None, self.port, *_DEFAULT_PORTS.values())
        return (port or _DEFAULT_PORTS["http"]) == self.port

    def origin_allowed(self, origin: str | None, host_header: str | None) -> bool:
        """The Origin of a WebSocket is the server the request was sent to (scheme, name
        and port): http, or https for an --allow-host name (a TLS proxy in front that
        keeps the Host header; this server itself speaks no TLS)."""
        if not origin or not host_header:
            return False
        scheme, sep, authority = origin.partition("://")
        scheme = scheme.casefold()
        if not sep or scheme not in _DEFAULT_PORTS or "/" in authority:
            return False
        from_origin = split_host_header(authority)
        from_host = split_host_header(host_header)
        if from_origin is None or from_host is None:
            return False
        if scheme == "https" and from_origin[0] not in self.proxied:
            return False
        default = _DEFAULT_PORTS[scheme]
        return (from_origin[0], from_origin[1] or default) == (
            from_host[0],
            from_host[1] or default,
        )
