"""Whose records a list holds: the recipients' organisation, ours, or third parties (issue 14).

A client's own staff list sent back to that client, or our project team's business contacts
sent to the client we work for, is business contact data going to (or coming from) its owner:
a different risk from a customer list leaking to a third party. A person is attributed by
the domain of their mail address:

- the recipients' organisation: every external envelope recipient is within one
  organisation (one registered domain, no free-mail domain, no source-routed address) and
  the person's domain is that domain or a subdomain of it. Look-alikes stay outside:
  a-corp.co.jp.evil.example is within evil.example, evil-a-corp.co.jp is its own domain;
- our organisation: the domain is one of `internal_domains` or a subdomain;
- otherwise third parties: no address, a free-mail or ISP domain (never an organisation:
  gmail.com customers sent to a gmail.com recipient are third parties), another domain.

Tallies are indexes into TALLIES, the order the findings state them in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..base import domain_of, is_internal, is_source_routed, is_within
from ..freemail import FreemailDomains
from ..recipients import registered_domain

TALLIES = ("third_parties", "recipient_org", "own_org")
THIRD, RECIPIENT, OWN = 0, 1, 2


@dataclass(frozen=True)
class Owners:
    recipient_org: tuple[str, ...] = ()  # the recipients' registered domain, when one
    own_org: tuple[str, ...] = ()
    freemail: FreemailDomains | None = None
    _seen: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # by address
    _domains: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def active(self) -> bool:
        """Whether any address can be attributed to an organisation at all."""
        return bool(self.recipient_org or self.own_org)

    def of(self, address: str) -> int:
        """The tally of a person known by `address` (a lower-cased mail address). Cached by
        the address: the answer is the address's, not only its domain's (a source-routed
        x%evil.example@a-corp.co.jp goes elsewhere); every routed address holds %, ! or a
        second @, so the others skip the parse."""
        known = self._seen.get(address)
        if known is None:
            if ("%" in address or "!" in address or address.count("@") > 1) and is_source_routed(address):
                known = THIRD
            else:
                domain = address.rpartition("@")[2]
                known = self._domains.get(domain)
                if known is None:
                    known = self._domains[domain] = self._of_domain(domain)
            self._seen[address] = known
        return known

    def owned(self, addresses: list[str]) -> list[tuple[int, int]]:
        """(index, tally) of the `addresses` that are an organisation's. Only an address that
        ends in an organisation's domain can be one (a test in C); `of` decides."""
        suffixes = tuple(p + d for d in self.own_org + self.recipient_org for p in ("@", "."))
        of = self.of
        return (
            [(i, t) for i, a in enumerate(addresses) if a.endswith(suffixes) and (t := of(a)) != THIRD]
            if suffixes
            else []
        )

    def _of_domain(self, domain: str) -> int:
        if not domain or (self.freemail is not None and domain in self.freemail):
            return THIRD
        if is_within(domain, self.own_org):
            return OWN
        if is_within(domain, self.recipient_org):
            return RECIPIENT
        return THIRD


def owners_for(
    rcpt_tos: Iterable[str], internal_domains: Iterable[str], freemail: FreemailDomains | None
) -> Owners:
    """The owners a message's list may belong to, from its envelope recipients."""
    own = tuple(d.lower().strip(".") for d in internal_domains if d.strip("."))
    external = [a.lower() for a in rcpt_tos if a and not is_internal(a, own)]
    organisations: set[str | None] = set()
    for address in external:
        domain = domain_of(address)
        if not domain or is_source_routed(address) or (freemail is not None and domain in freemail):
            organisations.add(None)  # a person's mailbox, or a hop we cannot see past
        else:
            organisations.add(registered_domain(domain))
    recipient = (organisations.pop(),) if len(organisations) == 1 else ()
    return Owners(recipient_org=tuple(d for d in recipient if d), own_org=own, freemail=freemail)
