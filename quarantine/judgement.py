"""The judgement seam: what a message is found to carry, what the rules decide, and the bytes
that decision says to send.

The SMTP handler and the sender's fix page judge a message the same way; the pages reach that
step only through the `Judge` protocol, so quarantine never imports the proxy that builds it
(proxy/judge.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from inspectors.base import Envelope, Finding
from inspectors.message import Summary
from rules.model import Decision


@dataclass(frozen=True, kw_only=True)
class Judgement:
    findings: tuple[Finding, ...]
    summary: Summary
    seconds: float  # the inspection's own time, for the metrics and the log line
    decision: Decision
    raw: bytes  # the bytes to send: the message as the decision's rewrites leave it


class Judge(Protocol):
    async def __call__(
        self, raw: bytes, envelope: Envelope, *, sender: str | None = None, links: bool = False
    ) -> Judgement:
        """`sender`: whom the rules see as sending, when not the envelope's (a login's
        null-sender mail). `links`: decide as if a link_attachments rule matched (the sender
        chose to send the attachments as download links)."""
        ...
