"""A held message as the store keeps it: one My Number finding and the rule it matched, for the
tests of the store, its retention and its database faults."""

from __future__ import annotations

from inspectors.base import Finding
from inspectors.message import Summary
from quarantine.records import HeldMessage
from rules.model import Decision, MatchedRule

RAW = b"Subject: x\r\n\r\n\xe3\x81\x82\r\n"
ATTACHMENTS: tuple[tuple, ...] = (("a.xlsx", "application/x", 3),)  # as the store tests have always held it


def held(qid: str, raw: bytes = RAW, attachments: tuple[tuple, ...] = ATTACHMENTS) -> HeldMessage:
    finding = Finding(code="pii.my_number", count=1, where=("body",), evidence=("****-****-9018",))
    rule = MatchedRule(
        id="my-number-external",
        action="hold",
        mode="enforce",
        reason={"ja": "理由", "en": "why"},
        findings=(finding,),
    )
    return HeldMessage(
        id=qid,
        mail_from="taro@example.co.jp",
        rcpt_tos=("p@client.example",),
        raw=raw,
        decision=Decision(action="hold", matched=(rule,)),
        findings=(finding,),
        summary=Summary(subject="件名", attachments=attachments),
    )
