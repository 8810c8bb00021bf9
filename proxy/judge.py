"""The judgement step shared by mail from SMTP and a sender's fix of a held message:
inspect → decide → rewrite, built once at start-up (proxy/server.py) and handed to both."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from inspectors.base import Envelope
from inspectors.limits import Limits
from quarantine.deliveries import DeliveryHistory
from quarantine.judgement import Judgement
from quarantine.link_names import names_taken
from quarantine.rewrite import move_external_to_bcc
from rules import Action, Decision, MessageFacts, RuleSet, decide

from .pipeline import Pipeline

TAG_HEADER = b"X-Misdelivery-Guard"


class Judge:
    """The inspection, the rules' decision and the bytes it says to send (quarantine.judgement)."""

    def __init__(
        self,
        *,
        pipeline: Pipeline,
        history: DeliveryHistory,
        rules: Callable[[], RuleSet],
        is_external: Callable[[str], bool],
        limits: Limits = Limits(),
    ) -> None:
        """`limits`: the inspection's (inspection.limits), for the split the links make."""
        self.pipeline = pipeline
        self.history = history
        self.rules = rules
        self.is_external = is_external
        self.limits = limits

    async def __call__(
        self, raw: bytes, envelope: Envelope, *, sender: str | None = None, links: bool = False
    ) -> Judgement:
        """`sender`: whom the rules see as sending, when not the envelope's (a login's
        null-sender mail). `links`: the sender chose to send the attachments as download
        links (the hold page's fix), as a link_attachments rule would."""
        facts = MessageFacts.of(envelope, sender=sender)
        history = self.history.snapshot(facts.mail_from, facts.rcpt_tos)
        inspection = await self.pipeline.inspect(raw, envelope, history)
        also = (Action.LINK_ATTACHMENTS,) if links else ()
        rules = self.rules()
        decision = decide(inspection.findings, facts, rules, also=also)
        if Action.LINK_ATTACHMENTS in decision.rewrites:
            # Again on the message as the links leave it: only the files the split really
            # takes stop counting (rules/decide.py). Parsing a large message is CPU work.
            linked = await asyncio.to_thread(names_taken, raw, inspection.summary.attachments, self.limits)
            decision = decide(inspection.findings, facts, rules, also=also, linked=linked)
        return Judgement(
            findings=inspection.findings,
            summary=inspection.summary,
            seconds=inspection.seconds,
            decision=decision,
            raw=rewritten(raw, decision, self.is_external),
        )


def rewritten(raw: bytes, decision: Decision, is_external: Callable[[str], bool]) -> bytes:
    """The bytes to send: unchanged unless an enforced rule's action rewrites them. Not for
    link_attachments: the delivery splits the attachments off when it sends
    (quarantine/link_delivery.py), so the held bytes keep them."""
    if Action.BCC_CONVERT in decision.rewrites:
        raw = move_external_to_bcc(raw, is_external)
    if decision.action == Action.TAG:
        rules = ", ".join(m.id for m in decision.deciding).encode("ascii", "replace")
        raw = TAG_HEADER + b": " + rules + b"\r\n" + raw  # RFC 5322 §3.6: any position
    return raw
