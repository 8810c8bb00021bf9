"""Putting a message on hold: its links, its notices and the record, committed together."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

from inspectors.base import Finding
from inspectors.message import Summary
from rules.model import Decision

from .notice import approval_request, approval_result, hold_notice
from .records import HeldMessage, HeldRecord, Notice
from .store import Store
from .tokens import new_csrf, new_token

log = logging.getLogger("guard.quarantine")


@dataclass(frozen=True, kw_only=True)
class HoldPolicy:
    public_url: str            # base of the links
    hold_expiry: float         # seconds before an unanswered hold is cancelled
    notice_from: str


class Quarantine:
    def __init__(self, store: Store, policy: HoldPolicy,
                 approvers: Callable[[str], tuple[str, ...]], on_queued: Callable[[], None]) -> None:
        self.store = store
        self.policy = policy
        self.approvers = approvers
        self.on_queued = on_queued

    async def hold(self, *, qid: str, mail_from: str, rcpt_tos: tuple[str, ...], raw: bytes,
                   findings: tuple[Finding, ...], summary: Summary, decision: Decision) -> None:
        kind = decision.action
        ends_at = time.time() + (decision.delay if kind == "delay" else self.policy.hold_expiry)
        when = time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(ends_at))
        token = new_token()
        approvers = self.approvers(mail_from) if kind == "hold_for_approval" else ()
        if kind == "hold_for_approval" and not approvers:
            log.warning("qid=%s event=no_approver_configured detail=an_admin_must_decide", qid)
        notices: list[Notice] = []
        if mail_from:   # the null sender (bounces) cannot be asked anything
            notices.append((self.policy.notice_from, (mail_from,), hold_notice(
                notice_from=self.policy.notice_from, sender=mail_from, subject=summary.subject,
                link=self._link(token), decision=decision, kind=kind, when_text=when,
                approvers=approvers)))
        approver_tokens = [(new_token(), a) for a in approvers]
        for approver_token, approver in approver_tokens:
            notices.append((self.policy.notice_from, (approver,), approval_request(
                notice_from=self.policy.notice_from, approver=approver, sender=mail_from or "<>",
                subject=summary.subject, link=self._link(approver_token), decision=decision,
                when_text=when)))
        message = HeldMessage(id=qid, mail_from=mail_from, rcpt_tos=rcpt_tos, raw=raw, kind=kind,
                              decision=decision, findings=findings, summary=summary)
        await self.store.hold(message, token=token, csrf=new_csrf(), expires_at=ends_at,
                              notices=notices, approver_tokens=approver_tokens)
        self.on_queued()

    async def approval_decided(self, record: HeldRecord, approver: str, approved: bool,
                               note: str) -> None:
        """Tell the sender what the approver (or an admin acting for one) decided."""
        if record.mail_from:
            raw = approval_result(notice_from=self.policy.notice_from, sender=record.mail_from,
                                  subject=record.summary.subject, approver=approver,
                                  approved=approved, note=note)
            await self.store.enqueue("notice", record.id, self.policy.notice_from,
                                     [record.mail_from], raw)
        self.on_queued()

    def _link(self, token: str) -> str:
        return f"{self.policy.public_url}/h/{token}"
