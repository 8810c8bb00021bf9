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
        ends_at = self._ends_at(decision)
        token = new_token()
        approver_tokens = self._approver_tokens(qid, mail_from, kind)
        notices = self._notices(mail_from, summary, decision, ends_at, approver_tokens)
        if mail_from:   # the null sender (bounces) cannot be asked anything
            notices.insert(0, (self.policy.notice_from, (mail_from,), hold_notice(
                notice_from=self.policy.notice_from, sender=mail_from, subject=summary.subject,
                link=self._link(token), decision=decision, kind=kind, when_text=_when(ends_at),
                approvers=tuple(a for _, a in approver_tokens))))
        message = HeldMessage(id=qid, mail_from=mail_from, rcpt_tos=rcpt_tos, raw=raw, kind=kind,
                              decision=decision, findings=findings, summary=summary)
        await self.store.hold(message, token=token, csrf=new_csrf(), expires_at=ends_at,
                              notices=notices, approver_tokens=approver_tokens)
        self.on_queued()

    async def refix(self, record: HeldRecord, *, raw: bytes, rcpt_tos: tuple[str, ...],
                    findings: tuple[Finding, ...], summary: Summary, decision: Decision,
                    client_addr: str | None, detail: str) -> bool:
        """The sender's fixed message, as the rules judge it now: sent when clean, cancelled
        when refused, otherwise held again under what the new decision says (a hold that now
        needs approval gets its approvers; the sender's link only shows it). False when the
        hold changed meanwhile."""
        then = {"pass": "released", "reject": "cancelled"}.get(decision.verdict)
        kind = record.kind if then else decision.action
        ends_at = record.expires_at if kind == record.kind else self._ends_at(decision)
        approver_tokens = [] if kind == record.kind else self._approver_tokens(record.id, record.mail_from, kind)
        notices = self._notices(record.mail_from, summary, decision, ends_at, approver_tokens)
        changed = await self.store.replace_held(
            record.id, read_at=record.updated_at, raw=raw, rcpt_tos=rcpt_tos, findings=findings,
            summary=summary, decision=decision, kind=kind, expires_at=ends_at, actor="sender",
            client_addr=client_addr, detail=detail, then=then, notices=notices,
            approver_tokens=approver_tokens)
        if changed:
            self.on_queued()
        return changed

    def _ends_at(self, decision: Decision) -> float:
        return time.time() + (decision.delay if decision.action == "delay" else self.policy.hold_expiry)

    def _approver_tokens(self, qid: str, sender: str, kind: str) -> list[tuple[str, str]]:
        if kind != "hold_for_approval":
            return []
        approvers = self.approvers(sender)
        if not approvers:
            log.warning("qid=%s event=no_approver_configured detail=an_admin_must_decide", qid)
        return [(new_token(), a) for a in approvers]

    def _notices(self, sender: str, summary: Summary, decision: Decision, ends_at: float,
                 approver_tokens: list[tuple[str, str]]) -> list[Notice]:
        return [(self.policy.notice_from, (approver,), approval_request(
                    notice_from=self.policy.notice_from, approver=approver, sender=sender or "<>",
                    subject=summary.subject, link=self._link(token), decision=decision,
                    when_text=_when(ends_at)))
                for token, approver in approver_tokens]

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


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(at))
