"""Supervisor Bcc (上長Bcc): a rule's `add_bcc`, checked when the rules load and resolved into
addresses when a message is decided.

The added addresses join the envelope only; the headers are not touched, which is the point
of a Bcc. They must be internal: a supervisor Bcc to an outside address would itself be the
leak the guard exists to stop, so the loader refuses one, and decide() drops any approver
outside organization.internal_domains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from aiosmtplib.email import quote_address

from inspectors.base import is_internal, mailbox_of

from .approvers import NO_DIRECTORY, OrgView, resolve_approvers
from .errors import RuleError
from .model import APPROVERS, DELIVERING, MAX_ADD_BCC, Action, MatchedRule, MessageFacts, Mode, Organization

# RFC 5322 dot-atom, ASCII only, without '%' and '!' (source routing, see is_source_routed):
# anything else (a comment '(', '[', a quote, a control or non-ASCII character) aiosmtplib
# would rewrite or an upstream refuse, so the Bcc would go elsewhere or bounce every message.
_ATOM = r"[A-Za-z0-9#$&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")


def sent_as_written(address: str) -> bool:
    """Whether the address is one plain mailbox that RCPT TO carries exactly as written."""
    return (
        len(address) <= 254
        and _ADDRESS.fullmatch(address) is not None
        and quote_address(address) == f"<{address}>"
    )


def bcc_allowed(address: str, internal_domains: Iterable[str]) -> bool:
    """Whether a supervisor Bcc may go to the address: a plain mailbox (sent_as_written)
    inside the internal domains, with nothing in its local part routing it elsewhere."""
    return sent_as_written(address) and is_internal(address, internal_domains)


def parse_add_bcc(
    value: Any,
    action: Action,
    source: str,
    rule_id: str,
    organization: Organization,
    approvers: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The rule's add_bcc entries (addresses lower-cased), or a RuleError naming the key.
    `approvers`: the rule's own approver entries, which APPROVERS then names."""
    if not isinstance(value, list) or not value or not all(isinstance(e, str) and e for e in value):
        raise RuleError(source, rule_id, "add_bcc", "must be a list of internal addresses and/or approvers")
    if len(value) > MAX_ADD_BCC:
        raise RuleError(source, rule_id, "add_bcc", f"{len(value)} entries; at most {MAX_ADD_BCC}")
    if action not in DELIVERING:
        raise RuleError(
            source,
            rule_id,
            "add_bcc",
            f"only goes with an action that delivers ({', '.join(DELIVERING)}); got {str(action)!r}",
        )
    out: dict[str, None] = {}
    for entry in value:
        if entry == APPROVERS:
            if not approvers and not any(organization.approvers.values()):
                raise RuleError(
                    source,
                    rule_id,
                    "add_bcc",
                    "approvers: no group has approvers (define organization.groups.NAME.approvers)",
                )
        elif not sent_as_written(entry):
            # One plain ASCII address (see _ADDRESS); the wording is rule_words.py's to translate.
            raise RuleError(source, rule_id, "add_bcc", f"{entry!r} is not an address or approvers")
        elif not bcc_allowed(entry, organization.internal_domains):
            raise RuleError(
                source,
                rule_id,
                "add_bcc",
                f"{entry!r} is not internal (a Bcc outside organization.internal_domains would be a leak)",
            )
        out[entry.lower()] = None
    return tuple(out)


def added_bcc(
    matched: Iterable[MatchedRule],
    facts: MessageFacts,
    organization: Organization,
    in_group: Callable[[str, str], bool],
    org: OrgView = NO_DIRECTORY,
) -> tuple[str, ...]:
    """The union of the enforced matches' add_bcc, in rule order: APPROVERS as the rule's own
    approvers, else those of the sender's first group that has some, resolved through the
    directory `org` (his manager included), internal addresses only, compared as mailboxes
    (case, quotes and `+detail` do not make another person), never the sender nor an address
    already in the envelope. `in_group(address, name)`: whether the address is of the group."""
    taken = {mailbox_of(r) for r in facts.rcpt_tos} | {mailbox_of(facts.mail_from)}
    out: list[str] = []
    for m in matched:
        if m.mode != Mode.ENFORCE:
            continue
        for entry in m.add_bcc:
            for address in (
                _approvers(facts.mail_from, m.approvers, organization, in_group, org)
                if entry == APPROVERS
                else (entry,)
            ):
                key = mailbox_of(address)
                # An approver is configuration text: checked again here as an add_bcc entry is.
                if key in taken or not bcc_allowed(address, organization.internal_domains):
                    continue
                taken.add(key)
                out.append(address.lower())
    return tuple(out)


def _approvers(
    sender: str,
    own: tuple[str, ...],
    organization: Organization,
    in_group: Callable[[str, str], bool],
    org: OrgView,
) -> tuple[str, ...]:
    """As proxy.settings.approvers_for, without its fall-back to the admins: a Bcc to every
    admin of every sender's external mail is not what anybody asked for."""
    if own:
        return resolve_approvers(own, sender, org, organization.internal_domains)
    for name, approvers in organization.approvers.items():
        if approvers and in_group(sender, name):
            return resolve_approvers(approvers, sender, org, organization.internal_domains)
    return ()
