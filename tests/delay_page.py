"""The sender's page of a delayed message (遅延送信), served as the guard serves it: the
Pages and Quarantine the guard builds, in a zone of the test's choosing, on a clock the test
may move. Used by the HTTP tests (TestClient) and the browser tests (uvicorn on a thread)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from inspectors.base import Envelope
from inspectors.message import Summary
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.judgement import Judgement
from quarantine.records import HeldMessage
from quarantine.store import Store
from quarantine.web import Pages, create_app
from rules.model import Action, Decision, MatchedRule, Mode

from .sender_page import guard_pages
from .served import Served

TOKYO = ZoneInfo("Asia/Tokyo")
SENDER = "taro@example.co.jp"
RCPTS = ("buyer@client.example", "sato@partner.example")
SUBJECT = "明日の打ち合わせ資料"
RAW = f"From: {SENDER}\r\nTo: {', '.join(RCPTS)}\r\nSubject: x\r\n\r\nbody\r\n".encode()
REASON = {
    "ja": "社外宛てのメールは、5分待ってから送信します。",
    "en": "Mail to other companies waits 5 minutes.",
}


def delay_message(qid: str = "730512964801") -> HeldMessage:
    rule = MatchedRule(
        id="delay-external", action=Action.DELAY, mode=Mode.ENFORCE, reason=REASON, findings=(), delay=300
    )
    return HeldMessage(
        id=qid,
        mail_from=SENDER,
        rcpt_tos=RCPTS,
        raw=RAW,
        decision=Decision(action=Action.DELAY, matched=(rule,)),
        findings=(),
        summary=Summary(subject=SUBJECT, header_to=RCPTS),
        kind=Action.DELAY,
    )


async def _no_fix(
    raw: bytes, envelope: Envelope, *, sender: str | None = None, links: bool = False
) -> Judgement:
    raise AssertionError("the delay tests fix nothing")


def pages(store: Store, zone: tzinfo | None = TOKYO, clock: Callable[[], float] = time.time) -> Pages:
    quarantine = Quarantine(
        store,
        HoldPolicy(
            public_url="http://127.0.0.1", hold_expiry=3600, notice_from="guard@example.co.jp", zone=zone
        ),
        approvers=lambda sender: (),
        on_queued=lambda: None,
    )
    return guard_pages(store, quarantine, _no_fix, "example.co.jp", zone=zone, clock=clock)


class Server(Served):
    """The sender's pages on their own event loop in a thread, with delayed messages held
    under the tokens tok-D<i> (i: the index of its seconds left), as the guard would serve them."""

    def __init__(self, tmp_path: Path, lefts: tuple[float, ...]) -> None:
        super().__init__(tmp_path)
        self.lefts = lefts

    def link(self, qid: str) -> str:
        return f"{self.url}/h/tok-{qid}"

    def app(self):
        return create_app(pages(self.store))

    async def seed(self) -> None:
        for i, left in enumerate(self.lefts):
            await self.store.hold(
                delay_message(str(900_000_000_000 + i)),
                token=f"tok-D{i}",
                csrf="c",
                expires_at=time.time() + left,
            )
