"""Holds waiting for approvers, as the approver's pages see them (issue 18, items 7 and 8):
real messages with a Japanese body and hostile attachments, parsed as the guard parses them,
held under known links in a real Store, and the Pages the guard serves them with.

The scene: A1 waits for boss (links appr-A1, the sender's snd-A1); A2 waits for boss and
other (appr-A2); B1 waits for other only (other-B1); N1 is a plain hold (snd-N1); F1 waited
for boss and was released (appr-F1).
"""

from __future__ import annotations

import struct
import time
import zlib
from email.message import EmailMessage

from inspectors.base import Envelope, Finding
from inspectors.message import Summary, parse
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.judgement import Judgement
from quarantine.records import HeldMessage
from quarantine.store import Store
from quarantine.web import Pages
from rules.model import Action, Decision, MatchedRule, Mode

from .pdf_file import pdf_file
from .sender_page import guard_pages

BOSS, OTHER, SENDER = "boss@example.co.jp", "other@example.co.jp", "hanako@example.co.jp"
BODY = "田中様\n\nお見積書をお送りします。ご確認ください。\n営業部 花子"
MEMO = "社内メモ：値引きは15%まで"
HTML = b"<html><body><script>alert(document.domain)</script>hi</body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def mail(subject: str = "お見積書の送付", *, with_files: bool = True, body: str = BODY) -> bytes:
    """A body in ISO-2022-JP and the attachments: a cp932 memo, a PDF, a PNG; HTML declared as
    text/plain, SVG declared as a PNG, and an executable."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = SENDER, "tanaka@client.example", subject
    m.set_content(body, charset="iso-2022-jp")
    if with_files:
        m.add_attachment(MEMO.encode("cp932"), maintype="text", subtype="plain", filename="メモ.txt")
        m.add_attachment(
            pdf_file([b"<< /Type /Catalog >>"]), maintype="application", subtype="pdf", filename="見積書.pdf"
        )
        m.add_attachment(png(), maintype="image", subtype="png", filename="印影.png")
        m.add_attachment(HTML, maintype="text", subtype="plain", filename="readme.txt")
        m.add_attachment(SVG, maintype="image", subtype="png", filename="logo.png")
        m.add_attachment(
            b"MZ\x90\x00" + b"\x00" * 60, maintype="application", subtype="octet-stream", filename="tool.exe"
        )
    return m.as_bytes()


def held(qid: str, raw: bytes, kind: Action = Action.HOLD_FOR_APPROVAL) -> HeldMessage:
    envelope = Envelope(mail_from=SENDER, rcpt_tos=("tanaka@client.example",))
    finding = Finding(code="recipient.external", count=1, where=("envelope",), evidence=("client.example",))
    rule = MatchedRule(
        id="approve-external",
        action=kind,
        mode=Mode.ENFORCE,
        reason={"ja": "社外宛てのメールは上長の承認が必要です", "en": "External mail needs approval"},
        findings=(finding,),
    )
    return HeldMessage(
        id=qid,
        mail_from=SENDER,
        rcpt_tos=envelope.rcpt_tos,
        raw=raw,
        kind=kind,
        decision=Decision(action=kind, matched=(rule,)),
        findings=(finding,),
        summary=Summary.of(parse(raw, envelope)),
    )


async def seed(store: Store) -> None:
    later = time.time() + 3600
    for qid, approvers, subject in (
        ("A1", (BOSS,), "お見積書の送付"),
        ("A2", (BOSS, OTHER), "契約書のご確認"),
        ("B1", (OTHER,), "他部署の件"),
        ("F1", (BOSS,), "送信済みの件"),
    ):
        await store.hold(
            held(qid, mail(subject, with_files=qid == "A1")),
            csrf=f"csrf-{qid}",
            expires_at=later,
            token=f"snd-{qid}",
            approver_tokens=[(f"appr-{qid}" if BOSS in approvers else f"other-{qid}", approvers[0])]
            + ([("other-A2", OTHER)] if qid == "A2" else []),
            approvers=approvers,
        )
    await store.hold(
        held("N1", mail("普通の保留"), Action.HOLD), csrf="csrf-N1", expires_at=later, token="snd-N1"
    )
    assert await store.decide_hold("F1", "released", actor=f"approver:{BOSS}", client_addr=None)


def pages(store: Store, clock=time.time, told: list | None = None) -> Pages:
    """The guard's Pages; `told` collects what the sender is told (approval results)."""

    class Told(Quarantine):
        async def approval_decided(self, record, approver, approved, note) -> None:
            if told is not None:
                told.append((record.id, approver, approved, note))
            await super().approval_decided(record, approver, approved, note)

    async def unchanged(
        raw: bytes, envelope: Envelope, *, sender: str | None = None, links: bool = False
    ) -> Judgement:
        raise AssertionError("the approver's pages never re-judge a message")

    quarantine = Told(
        store,
        HoldPolicy(public_url="http://127.0.0.1:8025", hold_expiry=3600, notice_from="guard@example.co.jp"),
        approvers=lambda sender: (BOSS,),
        on_queued=lambda: None,
    )
    return guard_pages(store, quarantine, unchanged, "example.co.jp", clock=clock)
