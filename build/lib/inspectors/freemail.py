"""Free-mail and personal mailbox domains, and `recipients.freemail`.

A business message to a gmail.com or docomo.ne.jp address goes to a person, not to an
organisation's mail system: nobody else there can catch a mistake, and each such address is an
organisation of its own when recipients are counted by organisation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from importlib import resources

from .base import Finding, domain_of, is_within
from .codes import FREEMAIL
from .message import MessageView

DATA_FILE = "data/freemail.txt"


def shipped_domains() -> tuple[str, ...]:
    """The maintained list shipped with the inspectors (inspectors/data/freemail.txt)."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text("utf-8")
    return tuple(_clean(line) for line in text.splitlines() if _clean(line))


def _clean(line: str) -> str:
    return line.split("#", 1)[0].strip().lower().strip(".")


class FreemailDomains:
    """The shipped list plus the organisation's own additions; a domain covers its subdomains."""

    def __init__(self, extra: Iterable[str] = (), *, shipped: bool = True) -> None:
        domains = (shipped_domains() if shipped else ()) + tuple(_clean(d) for d in extra)
        self.domains = frozenset(d for d in domains if d)

    def __contains__(self, domain: str) -> bool:
        labels = domain.lower().strip(".").split(".")
        return any(".".join(labels[i:]) in self.domains for i in range(len(labels) - 1))

    def is_freemail(self, address: str) -> bool:
        return domain_of(address) in self


class FreemailRecipients:
    """`recipients.freemail`: external envelope recipients at free-mail domains.

    count = addresses; evidence = domains with their address counts, never the addresses.
    """

    name = "recipients.freemail"

    def __init__(self, freemail: FreemailDomains, internal_domains: Iterable[str]) -> None:
        self.freemail = freemail
        self.internal_domains = tuple(d.lower().strip(".") for d in internal_domains)

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        found = sorted(
            {
                a.lower()
                for a in message.envelope.rcpt_tos
                if self.freemail.is_freemail(a) and not is_within(domain_of(a), self.internal_domains)
            }
        )
        if not found:
            return []
        visible = {a.lower() for a in message.header_to}, {a.lower() for a in message.header_cc}
        where = ("envelope",) + tuple(
            h for h, seen in zip(("header:To", "header:Cc"), visible) if seen.intersection(found)
        )
        per_domain = Counter(domain_of(a) for a in found)
        evidence = tuple(f"{d} ({n})" for d, n in sorted(per_domain.items(), key=lambda x: (-x[1], x[0])))
        return [Finding(code=FREEMAIL, count=len(found), where=where, evidence=evidence[:10])]
