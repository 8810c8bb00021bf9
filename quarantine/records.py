"""Values the store hands out and takes in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from inspectors.base import Finding
from inspectors.message import Summary
from rules.model import Action, Decision


class HoldState(StrEnum):
    """Where a held message stands. The values are the database's and the pages' spelling."""

    HELD = "held"
    RELEASED = "released"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    DELIVERY_FAILED = "delivery_failed"  # a release whose delivery was refused or given up on
    REJECTED = "rejected"  # an approver said no (with a reason): finished, not sent, like CANCELLED


STATES = tuple(HoldState)
# Released by someone (the sender, an approver, an admin, a delay's time): DELIVERY_FAILED is
# a release whose delivery was refused or given up on, until an admin retries it.
RELEASED = (HoldState.RELEASED, HoldState.DELIVERY_FAILED)
# What a page's action moves a hold to: the sender's and an admin's release and cancel, an
# approver's approve and reject.
STATE_AFTER = {
    "release": HoldState.RELEASED,
    "cancel": HoldState.CANCELLED,
    "approve": HoldState.RELEASED,
    "reject": HoldState.REJECTED,
}

Notice = tuple[str, tuple[str, ...], bytes]  # (envelope sender, recipients, raw message)


@dataclass(frozen=True, kw_only=True)
class LinkedNotice:
    """A notice that carries a link, queued without it: no working link is ever at rest. The
    worker mints the link (storing only its hash) and renders the notice when it sends it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    template: str  # one of quarantine.notice.TEMPLATES
    args: dict  # the template's arguments but the link, as JSON values
    role: str  # whose link: sender, approver
    actor: str  # the sender's or the approver's address
    base_url: str  # the link is base_url + "/h/" + token

    def to_json(self) -> str:
        return json.dumps(
            {
                "template": self.template,
                "args": self.args,
                "role": self.role,
                "actor": self.actor,
                "base_url": self.base_url,
            }
        )

    @classmethod
    def from_json(cls, text: str, mail_from: str, rcpt_tos: tuple[str, ...]) -> LinkedNotice:
        d = json.loads(text)
        return cls(
            mail_from=mail_from,
            rcpt_tos=rcpt_tos,
            template=d["template"],
            args=d["args"],
            role=d["role"],
            actor=d["actor"],
            base_url=d["base_url"],
        )


@dataclass(frozen=True, kw_only=True)
class HeldMessage:
    """A message to hold, as the proxy hands it over."""

    id: str
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    decision: Decision
    findings: tuple[Finding, ...]
    summary: Summary
    kind: Action = Action.HOLD  # one of rules.model.HELD


@dataclass(frozen=True, kw_only=True)
class HeldRecord:
    """A held message as the pages show it (the raw bytes stay in the store)."""

    id: str
    state: HoldState
    created_at: float
    updated_at: float
    expires_at: float
    acted_at: float | None
    acted_by: str | None
    mail_from: str
    rcpt_tos: tuple[str, ...]
    decision: Decision
    findings: tuple[Finding, ...]
    summary: Summary
    csrf: str
    kind: Action = Action.HOLD
    note: str | None = None
    approvers: tuple[str, ...] | None = None  # whom approval was asked of (None: not known)
    reminded_at: float | None = None  # the last reminder queued (quarantine/reminders.py)

    @classmethod
    def from_row(cls, row) -> HeldRecord:
        return cls(
            id=row.id,
            state=HoldState(row.state),
            created_at=row.created_at,
            updated_at=row.updated_at,
            expires_at=row.expires_at,
            acted_at=row.acted_at,
            acted_by=row.acted_by,
            mail_from=row.mail_from,
            rcpt_tos=tuple(json.loads(row.rcpt_tos)),
            decision=Decision.from_dict(json.loads(row.decision)),
            findings=tuple(Finding.from_dict(f) for f in json.loads(row.findings)),
            summary=Summary.from_dict(json.loads(row.summary)),
            csrf=row.csrf,
            kind=Action(row.kind),
            note=row.note,
            approvers=None if row.approvers is None else tuple(json.loads(row.approvers)),
            reminded_at=getattr(row, "reminded_at", None),
        )


@dataclass(frozen=True, kw_only=True)
class Link:
    """What a confirmation link opens: the hold, and in whose name it acts."""

    record: HeldRecord
    role: str  # sender, approver
    actor: str  # the sender's or the approver's address


@dataclass(frozen=True, kw_only=True)
class OutboundJob:
    id: int
    kind: str  # release, notice
    message_id: str | None
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes  # empty for a draft: rendered when sent
    attempts: int
    draft: LinkedNotice | None = None
    leased_until: float = 0.0  # this claim's lease: after it the job may be claimed again
    reclaimed: bool = False  # an earlier claim ran out unrecorded: that send may have happened


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    at: float
    message_id: str | None
    actor: str
    client_addr: str | None
    action: str
    detail: str
    comment: str = ""  # what an approver or an admin typed with the decision (trail.comment_of)
