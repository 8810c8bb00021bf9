"""The web visitor's address, as the audit trail and the login throttle see it.

Behind a reverse proxy every request comes from the proxy; the proxy names the real client in
X-Forwarded-For. Anyone can send that header, so it is believed only from a configured proxy
(`web.trusted_proxies`, empty by default: the header is ignored). From a trusted proxy the list
is read right to left, skipping further trusted proxies; the first other entry is the client,
and it must parse as an IP address, or the proxy's own address is kept. What reaches the audit
log is therefore always the socket peer or a well-formed IP address, never free text.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ForwardedFor:
    """ASGI middleware: sets scope["client"] from X-Forwarded-For of a trusted proxy."""

    def __init__(self, app, trusted_proxies: Iterable[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted_proxies)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            host = client_of(scope["client"][0], _header(scope, b"x-forwarded-for"), self.trusted)
            if host != scope["client"][0]:
                scope = {**scope, "client": (host, 0)}
        await self.app(scope, receive, send)


def client_of(peer: str, forwarded: str | None, trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy that names one."""
    if not forwarded or not _is_trusted(peer, trusted):
        return peer
    for entry in reversed([e.strip() for e in forwarded.split(",")]):
        address = _address(entry)
        if address is None:
            return peer  # a malformed hop: believe nothing further left
        if not _is_trusted(address, trusted):
            return address
    return peer


LOOPBACK: tuple[Network, ...] = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))


def only_from(peer: str, forwarded: str | None, networks: tuple[Network, ...]) -> bool:
    """True when the request comes from `networks` and was relayed for nobody else: the peer
    and every X-Forwarded-For entry in them. Whatever else (a malformed entry, an outside
    address a proxy names) answers False; a forged header can only take detail away."""
    if not _is_trusted(peer, networks):
        return False
    entries = [e.strip() for e in forwarded.split(",")] if forwarded else []
    return all((a := _address(e)) is not None and _is_trusted(a, networks) for e in entries)


def _address(text: str) -> str | None:
    """A plain IP address, or None: an IPv6 zone ("fe80::1%eth0") is free text, and a client
    across a proxy has none."""
    if len(text) > 45 or "%" in text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _is_trusted(host: str, trusted: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in trusted)


def _header(scope, name: bytes) -> str | None:
    values = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == name]
    return ",".join(values) if values else None
