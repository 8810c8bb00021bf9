"""What `check` reports for a message: shared by the command line and the admin console's
"test against a message"."""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Any

from inspectors.base import Envelope, Finding
from inspectors.charsets import decode_header_value
from inspectors.limits import Limits
from inspectors.message import Summary
from quarantine.link_names import names_taken
from rules import Action, MessageFacts, RuleSet, decide
from rules.decide import explain


def envelope_of(raw: bytes, mail_from: str | None = None, rcpts: list[str] | tuple = ()) -> Envelope:
    """The envelope given, or the one the headers imply: From, and To/Cc/Bcc."""
    headers = BytesHeaderParser().parsebytes(header_section(raw))

    def addresses(*names: str) -> list[str]:
        values = [decode_header_value(v) for n in names for v in headers.get_all(n, [])]
        return [a for _, a in getaddresses(values) if "@" in a]

    sender = mail_from if mail_from is not None else next(iter(addresses("From")), "")
    return Envelope(mail_from=sender, rcpt_tos=tuple(rcpts or addresses("To", "Cc", "Bcc")))


# The empty line that ends the header section (or a message that starts with one: no headers).
_HEADERS_END = re.compile(rb"(?:\A|\n)\r?\n")


def header_section(raw: bytes) -> bytes:
    """The headers and the empty line after them: the header parser would otherwise take
    the whole message in (decoded to one str) only to keep the body as an unread payload,
    a tenth of a second for a 10 MB message. It stops at the same place either way."""
    end = _HEADERS_END.search(raw)
    return raw if end is None else raw[: end.end()]


def links_take(
    raw: bytes,
    findings: tuple[Finding, ...],
    summary: Summary,
    envelope: Envelope,
    rules: RuleSet,
    limits: Limits,
) -> frozenset[str] | None:
    """The files the links would take when `rules` send this message's attachments as links
    (report's `linked`, as proxy/judge.py finds them); None when they do not. CPU work: the
    admin console runs it off the event loop; the `check` command, which forks, on its own."""
    if Action.LINK_ATTACHMENTS not in decide(findings, MessageFacts.of(envelope), rules).rewrites:
        return None
    return names_taken(raw, summary.attachments, limits)


def report(
    findings: tuple[Finding, ...],
    envelope: Envelope,
    rules: RuleSet,
    with_explanation: bool,
    linked: frozenset[str] | None = None,
) -> dict:
    """{"verdict", "rules", "findings"} (the documented JSON contract) and, if asked, "explain".
    `linked`: the files the links take (links_take), as decide() wants them."""
    facts = MessageFacts.of(envelope)
    decision = decide(findings, facts, rules, linked=linked)
    out: dict[str, Any] = {
        "verdict": decision.verdict,
        "rules": [
            {
                "id": m.id,
                "action": m.action,
                "mode": m.mode,
                "reason": m.reason.get("en", ""),
                "reason_ja": m.reason.get("ja", ""),
            }
            for m in decision.matched
        ],
        "findings": [f.to_dict() for f in findings],
    }
    if decision.links is not None:  # a link_attachments rule: the terms the links would get
        out["links"] = decision.links.to_dict()
    if with_explanation:
        out["explain"] = [
            {
                "id": rule.id,
                "matched": m is not None,
                "mode": rule.mode,
                "action": rule.action,
                "source": rule.source,
                "findings": [f.to_dict() for f in (m.findings if m else ())],
            }
            for rule, m in explain(findings, facts, rules)
        ]
    return out
