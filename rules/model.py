"""The values of the policy layer: rules, conditions and the decision they produce."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from inspectors.base import Envelope, Finding
from inspectors.keyword_dictionary import KeywordDictionary

from .approvers import NO_DIRECTORY, OrgView, group_key
from .link_terms import LinkTerms as LinkTerms  # re-exported: the rules' values live here


class Action(StrEnum):
    """What a rule does. The values are the rule files' and the database's spelling."""

    PASS = "pass"
    TAG = "tag"
    DELAY = "delay"
    HOLD = "hold"
    HOLD_FOR_APPROVAL = "hold_for_approval"
    REJECT = "reject"
    # Not an outcome: rewrites the message (visible external recipients into Bcc) and lets the
    # other rules decide.
    BCC_CONVERT = "bcc_convert"
    # Not an outcome either: the external recipients get the attachments as download links
    # (delivery does it), so the other rules decide without the findings only attachments carry.
    LINK_ATTACHMENTS = "link_attachments"


class Mode(StrEnum):
    ENFORCE = "enforce"
    MONITOR = "monitor"  # recorded, does not act


# Strictest wins (DESIGN.md step 4): the index is the strictness.
ACTIONS = (Action.PASS, Action.TAG, Action.DELAY, Action.HOLD, Action.HOLD_FOR_APPROVAL, Action.REJECT)
MODIFIERS = (Action.BCC_CONVERT, Action.LINK_ATTACHMENTS)
MODES = tuple(Mode)
WHERE_KINDS = ("body", "attachment", "subject", "envelope", "header", "message")
HELD = (Action.DELAY, Action.HOLD, Action.HOLD_FOR_APPROVAL)  # actions that keep the message in quarantine
# The actions after which the message may still go out: a supervisor Bcc (add_bcc) goes with it.
DELIVERING = (Action.PASS, Action.TAG, *HELD, *MODIFIERS)
APPROVERS = "approvers"  # in add_bcc: the rule's approvers, else those of the sender's group
MAX_ADD_BCC = 20
TALLIES = (
    "organisations",
    "new_domains",
    "new_to_organisation",
    "named_clients",
    "third_parties",
    "recipient_org",
    "own_org",
    "places",
)  # pii.*: issue 14


def strictness(action: Action) -> int:
    return ACTIONS.index(action)


@dataclass(frozen=True, kw_only=True)
class CodeCondition:
    """True when some finding has a matching code, count and location."""

    code: str  # exact, or a wildcard pattern such as "pii.*"
    min_count: int = 1
    max_count: int | None = None
    where: str | None = None  # one of WHERE_KINDS
    # Extra counts a finding states as leading "name=N" evidence items, e.g.
    # {"organisations": 2} on recipients.visible_external.
    min_tally: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, kw_only=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, kw_only=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, kw_only=True)
class Not:
    item: Condition


Condition = CodeCondition | AllOf | AnyOf | Not


@dataclass(frozen=True, kw_only=True)
class Scope:
    """Which messages a rule looks at. Entries: an address, "@domain" (subdomains too) or
    "group:NAME" (organization.groups, else the directory's group). Empty means everyone."""

    senders: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()  # matches when any envelope recipient matches


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    when: Condition
    action: Action
    mode: Mode = Mode.ENFORCE
    description: str = ""
    reason: Mapping[str, str] = field(default_factory=dict)  # {"ja": ..., "en": ...}
    scope: Scope = Scope()
    delay: float = 0.0  # seconds, for Action.DELAY
    source: str = ""  # the file the rule came from
    enabled: bool = True
    # Supervisor Bcc (上長Bcc): internal addresses and/or APPROVERS, added to the envelope when
    # the message is delivered; the headers are not touched.
    add_bcc: tuple[str, ...] = ()
    links: LinkTerms | None = None  # for Action.LINK_ATTACHMENTS (rules/link_terms.py)
    # For Action.HOLD_FOR_APPROVAL: who approves (rules/approvers.py), instead of the group's.
    approvers: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Organization:
    """What the rules know of the organisation besides its groups' members: for add_bcc,
    which addresses are internal and who approves each group's mail."""

    internal_domains: tuple[str, ...] = ()
    approvers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # group -> approvers
    directory: bool = False  # a directory: section: chain approvers and its groups may be named


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    rules: tuple[Rule, ...]
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> entries
    organization: Organization = Organization()
    # Keyword dictionaries (issue 17): handed to the inspectors, which report keyword.<id>.
    dictionaries: tuple[KeywordDictionary, ...] = ()
    org: OrgView = NO_DIRECTORY  # the directory in force (rules/book.py puts it in)

    def group(self, name: str) -> tuple[str, ...]:
        """A group's entries: the configuration's, else (none, or a group without members:
        one that only names approvers) the directory's group of that name."""
        return self.known_group(name) or ()

    def known_group(self, name: str) -> tuple[str, ...] | None:
        """The group's entries, or None when neither the configuration (with members) nor the
        directory names it. Directory names compare without case (group_key), and so do the
        configuration's when the exact name is not one."""
        own = self.groups.get(name)
        if own:
            return own
        key = group_key(name)
        own = next((v for k, v in self.groups.items() if v and group_key(k) == key), None)
        return own or self.org.groups.get(key)

    @property
    def active(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.enabled)

    @property
    def active_dictionaries(self) -> tuple[KeywordDictionary, ...]:
        return tuple(d for d in self.dictionaries if d.enabled)


@dataclass(frozen=True, kw_only=True)
class MessageFacts(Envelope):
    """What decide() may know about a message besides its findings: its envelope, except
    that `mail_from` is whom the rules see as sending, which a login's null-sender mail has
    though its envelope does not (proxy/judge.py). A type of its own, not the Envelope, so
    that decide() is not handed a `<>` that would step around the rules scoped to a sender."""

    @classmethod
    def of(cls, envelope: Envelope, *, sender: str | None = None) -> MessageFacts:
        """`sender`: whom the rules see as sending, when not the envelope's."""
        return cls(mail_from=envelope.mail_from if sender is None else sender, rcpt_tos=envelope.rcpt_tos)


@dataclass(frozen=True, kw_only=True)
class MatchedRule:
    id: str
    action: Action
    mode: Mode
    reason: Mapping[str, str]
    findings: tuple[Finding, ...]  # the findings that made the rule match
    delay: float = 0.0
    add_bcc: tuple[str, ...] = ()  # the rule's entries, APPROVERS unresolved
    links: LinkTerms | None = None
    approvers: tuple[str, ...] = ()  # the rule's approver entries, unresolved

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "action": self.action,
            "mode": self.mode,
            "delay": self.delay,
            "reason": dict(self.reason),
            "findings": [f.to_dict() for f in self.findings],
        }
        return (
            out
            | _extras(self.add_bcc, self.links)
            | ({"approvers": list(self.approvers)} if self.approvers else {})
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MatchedRule:
        return cls(
            id=d["id"],
            action=Action(d["action"]),
            mode=Mode(d["mode"]),
            reason=dict(d["reason"]),
            delay=float(d.get("delay", 0.0)),
            findings=tuple(Finding.from_dict(f) for f in d.get("findings", ())),
            add_bcc=tuple(d.get("add_bcc", ())),
            links=_links(d),
            approvers=tuple(d.get("approvers", ())),
        )


def _extras(add_bcc: tuple[str, ...], links: LinkTerms | None) -> dict[str, Any]:
    """The keys written only when set, so that older stored decisions read the same."""
    return ({"add_bcc": list(add_bcc)} if add_bcc else {}) | ({"links": links.to_dict()} if links else {})


def _links(d: Mapping[str, Any]) -> LinkTerms | None:
    return LinkTerms.from_dict(d["links"]) if d.get("links") is not None else None


@dataclass(frozen=True, kw_only=True)
class Decision:
    action: Action  # the strictest action among enforced matches
    matched: tuple[MatchedRule, ...]  # every match, monitor-mode ones included
    rewrites: tuple[Action, ...] = ()  # enforced modifiers, e.g. (Action.BCC_CONVERT,)
    # Supervisor Bcc: the addresses the enforced rules add to the envelope when the message is
    # delivered (now, or on release), resolved and without those already in it.
    add_bcc: tuple[str, ...] = ()
    # Attachment links: the terms of the share, when rewrites hold LINK_ATTACHMENTS.
    links: LinkTerms | None = None

    @property
    def enforced(self) -> tuple[MatchedRule, ...]:
        return tuple(m for m in self.matched if m.mode == Mode.ENFORCE)

    @property
    def verdict(self) -> Action:
        """pass, hold or reject: what the SMTP client is told in the end."""
        if self.action in HELD:
            return Action.HOLD
        return Action.REJECT if self.action == Action.REJECT else Action.PASS

    @property
    def delay(self) -> float:
        """For a delay: the longest delay among the enforced delay rules."""
        return max((m.delay for m in self.enforced if m.action == Action.DELAY), default=0.0)

    @property
    def deciding(self) -> tuple[MatchedRule, ...]:
        """The enforced matches whose action is the decision's: the reasons to show."""
        return tuple(m for m in self.enforced if m.action == self.action)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "action": self.action,
            "rewrites": list(self.rewrites),
            "matched": [m.to_dict() for m in self.matched],
        }
        return out | _extras(self.add_bcc, self.links)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Decision:
        return cls(
            action=Action(d["action"]),
            rewrites=tuple(Action(r) for r in d.get("rewrites", ())),
            matched=tuple(MatchedRule.from_dict(m) for m in d["matched"]),
            add_bcc=tuple(d.get("add_bcc", ())),
            links=_links(d),
        )
