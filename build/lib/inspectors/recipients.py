"""Facts about where a message goes (DESIGN.md: recipients.*).

The envelope, not the headers, says who really gets a message; the To/Cc headers say who
every recipient can see. Counts that a rule may compare besides the finding's own count are
written as leading `name=N` evidence items ("organisations=3"), before any sample.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .base import Finding, domain_of, is_internal, is_source_routed, is_within
from .clients import Client
from .codes import EXTERNAL, SUPPRESSED, VISIBLE_EXTERNAL
from .freemail import FreemailDomains
from .message import MessageView

# Registries that sell names one level down: a-corp.co.jp is an organisation, co.jp is not.
# (No public-suffix list: a wrong guess only merges or splits an organisation count.)
_SECOND_LEVEL = frozenset(
    {
        "co.jp",
        "ne.jp",
        "or.jp",
        "ac.jp",
        "go.jp",
        "lg.jp",
        "ed.jp",
        "gr.jp",
        "ad.jp",
        "co.uk",
        "org.uk",
        "ac.uk",
        "com.au",
        "net.au",
        "org.au",
        "com.cn",
        "net.cn",
        "com.tw",
        "co.kr",
        "com.sg",
        "co.nz",
        "co.in",
        "com.br",
        "com.hk",
        "co.th",
        "com.my",
    }
)
SAMPLES = 10


def mask_address(address: str) -> str:
    """f***@example.net: enough to recognise, not enough to be personal data."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else f"***@{domain}"


def registered_domain(domain: str) -> str:
    labels = domain.lower().strip(".").split(".")
    keep = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


class Organisations:
    """Which organisation an address belongs to, so that recipients can be counted by it.

    A free-mail address is its own organisation; a client's domains (a-corp.co.jp and
    a-corp.com) are one; otherwise the registered domain (tokyo.b.example is b.example).
    """

    def __init__(self, freemail: FreemailDomains, clients: Iterable[Client] = ()) -> None:
        self.freemail = freemail
        self._clients: dict[str, str] = {}
        for client in clients:
            for domain in client.domains:
                self._clients.setdefault(domain.lower().strip("."), f"client:{client.name}")

    def of(self, address: str) -> str:
        domain = domain_of(address)
        if domain in self.freemail:
            return address.lower()
        labels = domain.split(".")
        for i in range(len(labels) - 1):
            owner = self._clients.get(".".join(labels[i:]))
            if owner:
                return owner
        return registered_domain(domain)

    def count(self, addresses: Iterable[str]) -> int:
        return len({self.of(a) for a in addresses})


class ExternalRecipients:
    """`recipients.external`: envelope recipients outside the organisation's domains.

    Subdomains of an internal domain are internal; a source-routed address (`user%x@ours`)
    is external whatever its domain, and shown as "DOMAIN (routed)". count = addresses;
    evidence = their domains, preceded by "organisations=N" when constructed with
    `organisations` (without a free-mail list the inspector cannot tell organisations apart,
    so it claims no figure).
    """

    name = "recipients"

    def __init__(
        self, internal_domains: Iterable[str], *, organisations: Organisations | None = None
    ) -> None:
        self.internal_domains = tuple(d.lower().strip(".") for d in internal_domains)
        self.organisations = organisations

    def is_external(self, address: str) -> bool:
        return not is_internal(address, self.internal_domains)

    def external(self, addresses: Iterable[str]) -> list[str]:
        """The distinct external addresses, lower-cased and sorted (one without a domain
        counts as external: nothing says it stays inside)."""
        return sorted({a.lower() for a in addresses if self.is_external(a)})

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        external = self.external(message.envelope.rcpt_tos)
        if not external:
            return []
        domains = sorted({domain_of(a) + (" (routed)" if is_source_routed(a) else "") for a in external})
        tally = (f"organisations={self.organisations.count(external)}",) if self.organisations else ()
        return [
            Finding(
                code=EXTERNAL,
                count=len(external),
                where=("envelope",),
                evidence=tally + tuple(domains[:SAMPLES]),
            )
        ]


class VisibleExternalRecipients:
    """`recipients.visible_external`: external addresses every recipient can read in To/Cc
    (the Bcc mistake). Envelope-only recipients (a proper Bcc) are not visible; a message that
    reaches nobody outside exposes nothing outside, so it has no finding.

    count = visible external addresses; evidence = "organisations=N", then domain counts.
    """

    name = "recipients.visible_external"

    def __init__(self, internal_domains: Iterable[str], organisations: Organisations) -> None:
        self.recipients = ExternalRecipients(internal_domains)
        self.organisations = organisations

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        if not self.recipients.external(message.envelope.rcpt_tos):
            return []
        to = self.recipients.external(message.header_to)
        cc = self.recipients.external(message.header_cc)
        visible = sorted(set(to) | set(cc))
        if not visible:
            return []
        where = tuple(h for h, found in (("header:To", to), ("header:Cc", cc)) if found)
        per_domain = Counter(domain_of(a) for a in visible)
        samples = [f"{d} ({n})" for d, n in sorted(per_domain.items(), key=lambda x: (-x[1], x[0]))]
        return [
            Finding(
                code=VISIBLE_EXTERNAL,
                count=len(visible),
                where=where,
                evidence=(f"organisations={self.organisations.count(visible)}", *samples[:SAMPLES]),
            )
        ]


class SuppressedRecipients:
    """`recipients.suppressed`: a recipient on the do-not-contact list (unsubscribed,
    withdrawn). Entries are addresses, or domains ("example.net", "@example.net") that
    cover their subdomains; matching ignores case.
    """

    name = "recipients.suppressed"

    def __init__(self, entries: Iterable[str]) -> None:
        addresses, domains = set(), set()
        for entry in (e.strip().lower() for e in entries):
            local, at, domain = entry.rpartition("@")
            if local and at:
                addresses.add(entry)
            elif domain.lstrip("*.").strip("."):
                domains.add(domain.lstrip("*.").strip("."))
        self.addresses, self.domains = frozenset(addresses), tuple(sorted(domains))

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        hits = sorted({a.lower() for a in message.envelope.rcpt_tos if self._listed(a)})
        if not hits:
            return []
        headers = (("header:To", message.header_to), ("header:Cc", message.header_cc))
        where = ("envelope",) + tuple(
            h for h, values in headers if {v.lower() for v in values}.intersection(hits)
        )
        evidence = tuple(mask_address(a) + ("" if a in self.addresses else " (domain entry)") for a in hits)
        return [Finding(code=SUPPRESSED, count=len(hits), where=where, evidence=evidence[:SAMPLES])]

    def _listed(self, address: str) -> bool:
        return address.lower() in self.addresses or is_within(domain_of(address), self.domains)
