"""The inspectors' seam (DESIGN.md): the Inspector protocol, the Finding it reports, the
Envelope and MessageView it reads, and the address predicates that rules, quarantine and the
proxy share with the inspectors. Finding and the views are defined in leaf modules
(finding.py, view.py), so that parsing and extraction can name them without importing this one;
other packages take them from here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from .finding import Finding
from .view import Envelope, MessageView

__all__ = [
    "Envelope",
    "Finding",
    "Inspector",
    "MessageView",
    "domain_of",
    "is_internal",
    "is_source_routed",
    "is_within",
    "mailbox_of",
]


class Inspector(Protocol):
    name: str

    def inspect(self, message: MessageView) -> Iterable[Finding]: ...


def domain_of(address: str) -> str:
    """The lower-cased domain of an address; '' when there is none."""
    _, _, domain = address.rpartition("@")
    return domain.strip().strip(">").rstrip(".").lower()


def is_within(domain: str, parents: Iterable[str]) -> bool:
    """True when `domain` is one of `parents` or a subdomain of one."""
    domain = domain.lower()
    return any(domain == p or domain.endswith("." + p) for p in parents)


def is_source_routed(address: str) -> bool:
    """An address that names a further hop inside its local part or before it:
    `user%other.example@ours`, `other.example!user@ours`, `"user@other.example"@ours`,
    `@relay:user@ours`. RFC 5321 §3.6.1 and Appendix C leave such routing to the receiving
    MTA; many (Postfix's defaults among them) act on it and send the mail outside."""
    local, at, _ = address.strip().strip("<>").rpartition("@")
    return bool(at) and any(c in local for c in "%!@")


def is_internal(address: str, internal_domains: Iterable[str]) -> bool:
    """True when the address stays inside `internal_domains`: its domain is one of them (or
    a subdomain) and nothing in the local part routes it elsewhere."""
    return not is_source_routed(address) and is_within(domain_of(address), internal_domains)


def mailbox_of(address: str) -> str:
    """The mailbox an address delivers to, for telling whether two addresses are one person:
    lower-cased, the local part unquoted and without a `+detail` sub-address (RFC 5233, which
    Postfix and most MTAs deliver to the same mailbox), the domain without a trailing dot."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = re.sub(r"\\(.)", r"\1", local[1:-1])
    return f"{local.partition('+')[0]}@{domain.rstrip('.')}".lower()
