"""Who has been mailed before, and `recipients.first_time`.

The relay keeps the history (a table updated when mail is actually delivered); the inspector
only sees a frozen snapshot cut for one message: of this message's external recipients and
their domains, the ones this sender, and the organisation as a whole, have mailed before. So
the snapshot is as small as the recipient list, whatever the size of the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .base import Finding, domain_of, is_internal
from .codes import FIRST_TIME
from .message import MessageView
from .recipients import SAMPLES, mask_address


@dataclass(frozen=True, kw_only=True)
class RecipientHistory:
    """What was mailed before, restricted to the addresses and domains a store was asked
    about (`lookup_keys`). Addresses and domains are lower-case; domains are exact (the store
    records the domain of each delivered address, so a.example and tokyo.a.example differ)."""

    sender: str
    sender_addresses: frozenset[str] = frozenset()
    sender_domains: frozenset[str] = frozenset()
    organisation_addresses: frozenset[str] = frozenset()
    organisation_domains: frozenset[str] = frozenset()

    @staticmethod
    def lookup_keys(recipients: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
        """(addresses, domains) a store looks up to build the snapshot for these recipients."""
        addresses = frozenset(a.lower() for a in recipients if "@" in a)
        return addresses, frozenset(domain_of(a) for a in addresses)

    @classmethod
    def from_deliveries(
        cls, sender: str, recipients: Iterable[str], deliveries: Iterable[tuple[str, str]]
    ) -> RecipientHistory:
        """The snapshot from (sender, recipient address) pairs of past deliveries — what a
        store's query returns, and what tests write by hand."""
        addresses, domains = cls.lookup_keys(recipients)
        sender = sender.lower()
        s_addr, s_dom, o_addr, o_dom = set(), set(), set(), set()
        for who, address in deliveries:
            address = address.lower()
            domain = domain_of(address)
            mine = who.lower() == sender
            if address in addresses:
                o_addr.add(address)
                if mine:
                    s_addr.add(address)
            if domain in domains:
                o_dom.add(domain)
                if mine:
                    s_dom.add(domain)
        return cls(
            sender=sender,
            sender_addresses=frozenset(s_addr),
            sender_domains=frozenset(s_dom),
            organisation_addresses=frozenset(o_addr),
            organisation_domains=frozenset(o_dom),
        )


class FirstTimeRecipients:
    """`recipients.first_time`: external recipients this sender has never mailed.

    count = such addresses. Evidence leads with "new_domains=N" (domains nobody in the
    organisation has mailed: the typo and wrong-company case) and "new_to_organisation=N"
    (addresses nobody has mailed), then samples saying how new each one is.
    """

    name = "recipients.first_time"

    def __init__(self, history: RecipientHistory, internal_domains: Iterable[str]) -> None:
        self.history = history
        self.internal_domains = tuple(d.lower().strip(".") for d in internal_domains)

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        h = self.history
        external = sorted(
            {
                a.lower()
                for a in message.envelope.rcpt_tos
                if "@" in a and not is_internal(a, self.internal_domains)
            }
        )
        new = [a for a in external if a not in h.sender_addresses]
        if not new:
            return []
        new_domains = sorted({domain_of(a) for a in new} - h.organisation_domains)
        unknown = [a for a in new if a not in h.organisation_addresses]
        samples = [f"{d} (domain new to the organisation)" for d in new_domains]
        samples += [
            f"{d} (domain new to the sender)"
            for d in sorted({domain_of(a) for a in new} - h.sender_domains - set(new_domains))
        ]
        samples += [
            f"{mask_address(a)} (address new to the {'organisation' if a in unknown else 'sender'})"
            for a in new
            if domain_of(a) in h.sender_domains
        ]
        return [
            Finding(
                code=FIRST_TIME,
                count=len(new),
                where=("envelope",),
                evidence=(
                    f"new_domains={len(new_domains)}",
                    f"new_to_organisation={len(unknown)}",
                    *samples[:SAMPLES],
                ),
            )
        ]
