"""The "convert to Bcc" rewrite: external addresses leave To/Cc, every other byte stays."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from inspectors.base import Envelope
from inspectors.freemail import FreemailDomains
from inspectors.message import parse
from inspectors.recipients import ExternalRecipients, Organisations, VisibleExternalRecipients
from quarantine.rewrite import move_external_to_bcc

EXTERNAL = ExternalRecipients(["example.co.jp"]).is_external


def header_and_body(raw: bytes) -> tuple[bytes, bytes]:
    head, sep, body = raw.partition(b"\r\n\r\n")
    return head, sep + body


def test_seminar_invitation_keeps_internal_recipients_and_display_names():
    raw = (
        b"From: sato@example.co.jp\r\n"
        b'To: =?UTF-8?B?5bGx55Sw?= <yamada@gmail.com>, "Kato, Jiro" <kato@example.co.jp>,\r\n'
        b" suzuki@docomo.ne.jp (Suzuki, mobile)\r\n"
        b"Cc: Ito <ito@b-corp.co.jp>\r\n"
        b"Subject: =?UTF-8?B?44K744Of44OK44O8?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"To: not-a-header@gmail.com\r\n\xe6\x9c\xac\xe6\x96\x87\r\n"
    )
    new = move_external_to_bcc(raw, EXTERNAL)
    assert new == raw.replace(
        b'To: =?UTF-8?B?5bGx55Sw?= <yamada@gmail.com>, "Kato, Jiro" <kato@example.co.jp>,\r\n'
        b" suzuki@docomo.ne.jp (Suzuki, mobile)\r\nCc: Ito <ito@b-corp.co.jp>\r\n",
        b'To: "Kato, Jiro" <kato@example.co.jp>\r\n',
    )
    assert header_and_body(new)[1] == header_and_body(raw)[1]
    msg = email.message_from_bytes(new, policy=email.policy.default)
    assert msg["To"].addresses[0].display_name == "Kato, Jiro" and msg["Cc"] is None


def test_all_external_to_becomes_an_empty_group():
    raw = b"From: sato@example.co.jp\r\nTo: a@gmail.com,\r\n\tb@gmail.com\r\nSubject: x\r\n\r\nbody\r\n"
    new = move_external_to_bcc(raw, EXTERNAL)
    assert new == b"From: sato@example.co.jp\r\nTo: undisclosed-recipients:;\r\nSubject: x\r\n\r\nbody\r\n"
    assert parse(new, Envelope(mail_from="", rcpt_tos=())).header_to == ()


@pytest.mark.parametrize(
    "raw,expected",
    [
        pytest.param(
            b"To: a@gmail.com\r\nCc: kato@example.co.jp, b@gmail.com\r\n\r\nbody",
            b"To: undisclosed-recipients:;\r\nCc: kato@example.co.jp\r\n\r\nbody",
            id="to_emptied_but_cc_internal",
        ),
        pytest.param(
            b'To: "Ext, Person" <p@gmail.com>, (Sales, Tokyo) kato@example.co.jp,'
            b" <@relay.example:q@gmail.com>\r\n\r\n",
            b"To: (Sales, Tokyo) kato@example.co.jp\r\n\r\n",
            id="quoted_commas_comments_and_route_addresses_are_not_separators",
        ),
        pytest.param(
            b"TO: a@gmail.com\ncc: kato@example.co.jp\nsubject: s\n\nbody\n",
            b"TO: undisclosed-recipients:;\ncc: kato@example.co.jp\nsubject: s\n\nbody\n",
            id="case_of_field_names_and_bare_lf_messages",
        ),
        pytest.param(
            b"To: a@gmail.com\r\nTo: kato@example.co.jp\r\n\r\n",
            b"To: kato@example.co.jp\r\n\r\n",
            id="a_second_to_field_that_keeps_addresses_needs_no_placeholder",
        ),
        pytest.param(
            "To: 山田 <yamada@gmail.com>, 加藤 <kato@example.co.jp>\r\n\r\n本文".encode(),
            "To: 加藤 <kato@example.co.jp>\r\n\r\n本文".encode(),
            id="raw_utf8_display_names_survive",
        ),
    ],
)
def test_external_addresses_leave_to_and_cc(raw, expected):
    assert move_external_to_bcc(raw, EXTERNAL) == expected


def test_nothing_external_returns_the_same_bytes():
    raw = b"To: kato@example.co.jp\r\nCc: undisclosed-recipients:;\r\n\r\nx@gmail.com\r\n"
    assert move_external_to_bcc(raw, EXTERNAL) is raw


def test_groups_lose_only_their_external_members():
    raw = b"To: Project: kato@example.co.jp, x@gmail.com;, y@b-corp.co.jp\r\n\r\n"
    assert move_external_to_bcc(raw, EXTERNAL) == b"To: Project: kato@example.co.jp;\r\n\r\n"
    raw = b"To: Partners: x@gmail.com, y@b-corp.co.jp; (list)\r\n\r\n"
    assert move_external_to_bcc(raw, EXTERNAL) == b"To: Partners:; (list)\r\n\r\n"


def test_rewritten_message_has_no_visible_external_and_attachments_are_unchanged():
    msg = EmailMessage()
    msg["From"] = "sato@example.co.jp"
    msg["To"] = ", ".join(f"member{i}@gmail.com" for i in range(15)) + ", kato@example.co.jp"
    msg["Subject"] = "セミナーのご案内"
    msg.set_content("ご案内です。")
    msg.add_attachment(bytes(range(256)) * 40, maintype="application", subtype="pdf", filename="案内.pdf")
    raw = msg.as_bytes(policy=email.policy.SMTP)
    envelope = Envelope(mail_from="sato@example.co.jp", rcpt_tos=tuple(msg["To"].split(", ")))
    inspector = VisibleExternalRecipients(["example.co.jp"], Organisations(FreemailDomains()))
    assert [f.count for f in inspector.inspect(parse(raw, envelope))] == [15]
    new = move_external_to_bcc(raw, EXTERNAL)
    assert list(inspector.inspect(parse(new, envelope))) == []
    assert header_and_body(new)[1] == header_and_body(raw)[1]
    assert b"Bcc" not in new and parse(new, envelope).header_to == ("kato@example.co.jp",)
