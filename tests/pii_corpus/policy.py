"""The shipped policy applied to the corpus: which messages the default rules would hold.

Issue 14 measures holds with the real rules engine instead of a copy of the policy: the
personal-data rules of rules/defaults.yaml (`sensitive-id-external`, `personal-data-list-external`)
decide on PersonalData's findings plus `recipients.external`, built as proxy/pipeline.py builds
them: the sender's organisation is the internal domain, free-mail domains are the shipped list.
The owner rule (`personal-data-list-owner`, monitor mode) is reported, never counted as a hold.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from inspectors.base import Finding, domain_of
from inspectors.freemail import FreemailDomains
from inspectors.personal_data import PersonalData
from inspectors.recipients import ExternalRecipients
from rules.decide import decide
from rules.loader import load_rules
from rules.model import MessageFacts, RuleSet

ENFORCED = ("sensitive-id-external", "personal-data-list-external")
MONITORED = ("personal-data-list-owner",)
OWNERS = ("third_parties", "recipient_org", "own_org")  # pii.records' tallies, in their order


@dataclass(frozen=True)
class Verdict:
    findings: tuple[Finding, ...]  # PersonalData's findings only
    held: bool  # an enforced personal-data rule holds the message
    monitored: tuple[str, ...]  # monitor-mode personal-data rules that matched


class Policy:
    """One detector per sending organisation (its domain is internal), one rule set."""

    def __init__(self, today: datetime.date) -> None:
        rules = load_rules()
        self.rules = RuleSet(
            rules=tuple(r for r in rules.rules if r.id in ENFORCED + MONITORED), groups=rules.groups
        )
        self.freemail = FreemailDomains()
        self.today = today
        self.detectors: dict[str, PersonalData] = {}

    def detector(self, domain: str) -> PersonalData:
        if domain not in self.detectors:
            self.detectors[domain] = PersonalData(
                today=self.today, internal_domains=(domain,), freemail=self.freemail
            )
        return self.detectors[domain]

    def verdict(self, view) -> Verdict:
        sender = view.envelope.mail_from
        domain = domain_of(sender)
        findings = tuple(self.detector(domain).inspect(view))
        recipients = tuple(ExternalRecipients((domain,)).inspect(view))
        decision = decide(
            findings + recipients, MessageFacts(mail_from=sender, rcpt_tos=view.envelope.rcpt_tos), self.rules
        )
        return Verdict(
            findings=findings,
            held=decision.verdict == "hold",
            monitored=tuple(m.id for m in decision.matched if m.mode == "monitor"),
        )
