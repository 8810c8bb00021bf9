"""Facts about where a message goes (DESIGN.md: recipients.*)."""
from __future__ import annotations

from typing import Iterable

from .base import Finding, domain_of, is_within
from .message import MessageView


class ExternalRecipients:
    """`recipients.external`: envelope recipients outside the organisation's domains.

    The envelope, not the headers, says who really gets the message; subdomains of an
    internal domain are internal.
    """
    name = "recipients"

    def __init__(self, internal_domains: Iterable[str]) -> None:
        self.internal_domains = tuple(d.lower().strip(".") for d in internal_domains)

    def is_external(self, address: str) -> bool:
        return not is_within(domain_of(address), self.internal_domains)

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        external = sorted({a.lower() for a in message.envelope.rcpt_tos if self.is_external(a)})
        if not external:
            return []
        domains = sorted({domain_of(a) for a in external})
        return [Finding(code="recipients.external", count=len(external),
                        where=("envelope",), evidence=tuple(domains[:10]))]
