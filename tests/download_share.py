"""The recipient's download pages (/d/{token}) served as the guard serves them, over a share
stored as the delivery stores it (shares.create in a write transaction, a link per recipient):
the HTTP tests use a TestClient, the browser tests uvicorn on a thread (Served)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from inspectors.base import Envelope
from inspectors.message import Summary
from inspectors.recipients import ExternalRecipients
from quarantine import shares
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.judgement import Judgement
from quarantine.metrics import Metrics
from quarantine.records import HeldMessage
from quarantine.schema import outbound
from quarantine.store import Store
from quarantine.web import Pages, create_app
from rules.model import Action, Decision, LinkTerms

from .served import Served

TOKYO = ZoneInfo("Asia/Tokyo")
QID = "Q7301"
SENDER = "taro@example.co.jp"
NOTICE_FROM = "guard@example.co.jp"
BUYER, SATO = "buyer@client.example", "sato@partner.example"
SUBJECT = "御見積書の送付について"
TOKENS = {BUYER: "tokBuyer0123456789abcdef", SATO: "tokSato0123456789abcdefgh"}
PUBLIC_URL = "https://guard.example.co.jp"


@dataclass(frozen=True)
class File:  # link_mime.SharedFile's shape, as shares.create takes it
    name: str
    content_type: str
    data: bytes


FILES = (
    File("御見積書_2026年12月.pdf", "application/pdf", b"%PDF-1.4\n" + bytes(range(256)) * 40),
    File("顧客リスト.xlsx", "application/vnd.ms-excel", b"PK\x03\x04" + b"\x00\xff" * 3000),
)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Woken:
    """on_queued: how often the pages woke the worker."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


async def _no_fix(
    raw: bytes, envelope: Envelope, *, sender: str | None = None, links: bool = False
) -> Judgement:
    raise AssertionError("the download pages judge nothing")


def pages(
    store: Store, clock: Callable[[], float] = time.time, on_queued: Callable[[], None] = lambda: None
) -> Pages:
    quarantine = Quarantine(
        store,
        HoldPolicy(public_url=PUBLIC_URL, hold_expiry=3600, notice_from=NOTICE_FROM, zone=TOKYO),
        approvers=lambda sender: (),
        on_queued=on_queued,
    )
    return Pages(
        store=store,
        is_external=ExternalRecipients(("example.co.jp",)).is_external,
        outbox=None,
        on_queued=on_queued,
        quarantine=quarantine,
        metrics=Metrics(),
        judge=_no_fix,
        zone=TOKYO,
        clock=clock,
    )


async def seed(
    store: Store,
    qid: str = QID,
    *,
    files: tuple[File, ...] = FILES,
    tokens: dict[str, str] | None = None,
    terms: LinkTerms | None = None,
    now: float | None = None,
) -> None:
    """A share of `files` for the recipients of `tokens` (address -> token), each with a link."""
    tokens = TOKENS if tokens is None else tokens
    # The share's id is its held message's (the notices' outbound rows refer to it).
    message = HeldMessage(
        id=qid,
        mail_from=SENDER,
        rcpt_tos=tuple(tokens),
        raw=b"Subject: x\r\n\r\nbody\r\n",
        decision=Decision(action=Action.PASS, matched=()),
        findings=(),
        summary=Summary(subject=SUBJECT),
    )
    await store.hold(message, csrf="c", expires_at=time.time() + 3600)
    async with store.writing() as conn:
        await shares.create(
            conn,
            message_id=qid,
            mail_from=SENDER,
            subject=SUBJECT,
            template=b"Subject: x\r\n\r\nbody\r\n",
            files=files,
            recipients=tuple(tokens),
            terms=terms or LinkTerms(max_downloads=3),
            now=time.time() if now is None else now,
        )
    for address, token in tokens.items():
        assert await store.shares.add_link(qid, address, token)


REVOKED_QID, KATO = "Q7302", "kato@third.example"
LONG = File("とても長い名前の見積書ファイル" * 8 + ".pdf", "application/pdf", b"%PDF-long")


class Server(Served):
    """The pages on a real socket: the share of FILES (and a long-named file) for TOKENS, and
    another share for KATO that a test may revoke."""

    def link(self, address: str) -> str:
        token = {**TOKENS, KATO: "tokKato0123456789abcdefgh"}[address]
        return f"{self.url}/d/{token}"

    def app(self):
        return create_app(pages(self.store))

    async def seed(self) -> None:
        await seed(self.store, files=(*FILES, LONG))
        await seed(self.store, REVOKED_QID, tokens={KATO: "tokKato0123456789abcdefgh"})

    def call(self, coroutine):
        """Run `coroutine` on the server's loop (the store's connections live there)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def set_code(self, address: str, code: str) -> bool:
        """What the worker does when it mails a code: for the browser of the newest request."""

        async def newest_browser() -> str:
            async with self.store.reading() as conn:
                drafts = (
                    await conn.execute(select(outbound.c.draft).where(outbound.c.draft.is_not(None)))
                ).scalars()
                asked = [json.loads(d) for d in drafts]
            mine = [d for d in asked if d["template"] == "download_code" and d["actor"] == address]
            return mine[-1]["args"]["browser"] if mine else ""

        browser = self.call(newest_browser())
        return self.call(self.store.shares.set_code(QID, address, code, time.time(), browser=browser))
