"""Putting a message on hold: its notices and the record, committed together (the notices get
their links when they are sent: see LinkedNotice)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from inspectors.base import Envelope, Finding
from inspectors.message import Summary
from rules.model import Action, Decision

from .judgement import Judgement
from .link_delivery import wants_links
from .notice import NOTICE_NAME
from .outcome_notice import admin_decision, approval_result
from .records import HeldMessage, HeldRecord, HoldState, LinkedNotice
from .rendering import when
from .store import Store
from .tokens import new_csrf

log = logging.getLogger("guard.quarantine")


@dataclass(frozen=True, kw_only=True)
class HoldPolicy:
    public_url: str  # base of the links
    hold_expiry: float  # seconds before an unanswered hold is cancelled
    notice_from: str
    notice_name: str = NOTICE_NAME  # the notices' From: display name
    zone: tzinfo | None = None  # web.timezone, for the times the notices name; None: the machine's


class Quarantine:
    def __init__(
        self,
        store: Store,
        policy: HoldPolicy,
        approvers: Callable[..., tuple[str, ...]],
        on_queued: Callable[[], None],
    ) -> None:
        """`approvers(sender)`: who approves the sender's held mail (proxy.settings.approvers_for);
        `approvers(sender, entries)` when the holding rules name their own (rule `approvers`:
        addresses, manager, manager_of_manager), resolved at hold time with the directory in force."""
        self.store = store
        self.policy = policy
        self.approvers = approvers
        self.on_queued = on_queued

    async def hold(
        self,
        *,
        qid: str,
        mail_from: str,
        rcpt_tos: tuple[str, ...],
        raw: bytes,
        findings: tuple[Finding, ...],
        summary: Summary,
        decision: Decision,
        on_behalf_of: str | None = None,
    ) -> Action:
        """Commit the hold and its notices; the kind of hold it became. `on_behalf_of`: whose
        null-sender mail this is (the login, or a trusted MTA's From: address), whose
        approvers are asked."""
        kind = _kind(decision.action, mail_from)
        ends_at = self._ends_at(decision)
        approvers = self._approvers(qid, on_behalf_of or mail_from, kind, decision)
        notices = self._notices(mail_from, summary, decision, ends_at, approvers)
        if mail_from:
            notices.insert(
                0,
                self._notice(
                    "hold_notice",
                    mail_from,
                    "sender",
                    mail_from,
                    sender=mail_from,
                    subject=summary.subject,
                    decision=decision.to_dict(),
                    kind=kind,
                    when_text=when(ends_at, self.policy.zone),
                    approvers=list(approvers or ()),
                ),
            )
        message = HeldMessage(
            id=qid,
            mail_from=mail_from,
            rcpt_tos=rcpt_tos,
            raw=raw,
            kind=kind,
            decision=decision,
            findings=findings,
            summary=summary,
        )
        await self.store.hold(
            message, csrf=new_csrf(), expires_at=ends_at, notices=notices, approvers=approvers
        )
        self.on_queued()
        return kind

    async def refix(
        self,
        record: HeldRecord,
        judged: Judgement,
        *,
        rcpt_tos: tuple[str, ...],
        client_addr: str | None,
        detail: str,
    ) -> bool:
        """The sender's fixed message, as the rules judge it now: sent when clean, cancelled
        when refused, otherwise held again under what the new decision says (a hold that now
        needs approval gets its approvers; the sender's link only shows it). False when the
        hold changed meanwhile."""
        decision = judged.decision
        then = {Action.PASS: HoldState.RELEASED, Action.REJECT: HoldState.CANCELLED}.get(decision.verdict)
        kind = record.kind if then else _kind(decision.action, record.mail_from)
        ends_at = record.expires_at if kind == record.kind else self._ends_at(decision)
        approvers = (
            None if kind == record.kind else self._approvers(record.id, record.mail_from, kind, decision)
        )
        notices = self._notices(record.mail_from, judged.summary, decision, ends_at, approvers)
        changed = await self.store.replace_held(
            record.id,
            read_at=record.updated_at,
            raw=judged.raw,
            rcpt_tos=rcpt_tos,
            findings=judged.findings,
            summary=judged.summary,
            decision=decision,
            kind=kind,
            expires_at=ends_at,
            actor="sender",
            client_addr=client_addr,
            detail=detail,
            then=then,
            notices=notices,
            approvers=approvers,
        )
        if changed:
            self.on_queued()
        return changed

    def wants_links(self, decision: Decision, summary: Summary, rcpt_tos: tuple[str, ...]) -> bool:
        """A passing message whose attachments go to the outside as download links."""
        return wants_links(decision, summary.attachments, rcpt_tos, self.store.internal_domains)

    async def send_linked(self, *, qid: str, env: Envelope, judged: Judgement) -> bool:
        """Commit a passing message with link_attachments as a hold released by "system",
        its share and deliveries with it (issue 19): the worker sends them. False when it had
        no attachment to split off after all: queued as it is."""
        message = HeldMessage(
            id=qid,
            mail_from=env.mail_from,
            rcpt_tos=env.rcpt_tos,
            raw=judged.raw,
            decision=judged.decision,
            findings=judged.findings,
            summary=judged.summary,
        )
        ends_at = time.time() + self.policy.hold_expiry
        linked = await self.store.release_now(message, csrf=new_csrf(), expires_at=ends_at)
        self.on_queued()
        return linked

    def _ends_at(self, decision: Decision) -> float:
        return time.time() + (decision.delay if decision.action == Action.DELAY else self.policy.hold_expiry)

    def _approvers(self, qid: str, sender: str, kind: Action, decision: Decision) -> tuple[str, ...] | None:
        """Whom approval is asked of (None: this hold needs no approval). The callable never
        names the sender himself; with nobody at all, an admin decides in the console."""
        if kind != Action.HOLD_FOR_APPROVAL:
            return None
        entries = rule_approvers(decision)
        approvers = self.approvers(sender, entries) if entries else self.approvers(sender)
        if not approvers:
            log.warning("qid=%s event=no_approver_configured detail=an_admin_must_decide", qid)
        return approvers

    def _notices(
        self,
        sender: str,
        summary: Summary,
        decision: Decision,
        ends_at: float,
        approvers: tuple[str, ...] | None,
    ) -> list[LinkedNotice]:
        return [
            self._notice(
                "approval_request",
                approver,
                "approver",
                approver,
                approver=approver,
                sender=sender or "<>",
                subject=summary.subject,
                decision=decision.to_dict(),
                when_text=when(ends_at, self.policy.zone),
            )
            for approver in approvers or ()
        ]

    def _notice(self, template: str, to: str, role: str, actor: str, **args) -> LinkedNotice:
        """A notice whose link is minted when it is sent (quarantine.notice.render)."""
        return LinkedNotice(
            mail_from=self.policy.notice_from,
            rcpt_tos=(to,),
            template=template,
            args={"notice_from": self.policy.notice_from, "notice_name": self.policy.notice_name, **args},
            role=role,
            actor=actor,
            base_url=self.policy.public_url,
        )

    async def approval_decided(self, record: HeldRecord, approver: str, approved: bool, note: str) -> None:
        """Tell the sender what the approver (or an admin acting for one) decided."""
        await self._tell_sender(record, approval_result, approver=approver, approved=approved, note=note)

    # issue 18 (item 12): the sender hears of an administrator's decision, as of an approver's.
    async def admin_decided(self, record: HeldRecord, actor: str, released: bool, note: str) -> None:
        """Tell the sender that an administrator (actor "admin:<login>") released or cancelled
        his held message, and why."""
        admin = actor.removeprefix("admin:")
        await self._tell_sender(record, admin_decision, admin=admin, released=released, note=note)

    async def _tell_sender(self, record: HeldRecord, notice: Callable[..., bytes], **args) -> None:
        """`notice` to the sender of `record` (the null sender has no one to tell), through the
        outbound queue, as every notice."""
        if record.mail_from:
            raw = notice(
                notice_from=self.policy.notice_from,
                notice_name=self.policy.notice_name,
                sender=record.mail_from,
                subject=record.summary.subject,
                **args,
            )
            await self.store.enqueue("notice", record.id, self.policy.notice_from, [record.mail_from], raw)
        self.on_queued()


def rule_approvers(decision: Decision) -> tuple[str, ...]:
    """The approver entries the rules holding for approval name themselves, in rule order:
    they override the sender's group (issue 21). () when none does."""
    entries = (e for m in decision.deciding if m.action == Action.HOLD_FOR_APPROVAL for e in m.approvers)
    return tuple(dict.fromkeys(entries))


def _kind(action: Action, sender: str) -> Action:
    """The kind of hold. The null sender (a bounce, delivery report, read receipt or
    auto-reply) names nobody to confirm a hold: it is held for approval instead, and approval
    falls back to the admins (an admin decides in the console when there are none). A delay
    keeps its course: it is sent when it ends unless an admin cancels it."""
    return Action.HOLD_FOR_APPROVAL if action == Action.HOLD and not sender else action
