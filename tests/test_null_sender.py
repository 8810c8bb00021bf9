"""Issue 15, item 1: the null sender (MAIL FROM:<>) — bounces, delivery reports, read
receipts, auto-replies — is relayed with MAIL FROM:<>, inspected like any other mail, and its
holds go to the admins (nobody can be asked at "<>")."""

from __future__ import annotations

import quopri
import re
import smtplib
import time

import httpx
import pytest

from proxy.auth import add_user

from .support import LINK, MY_NUMBER_BODY, message, sales_approval
from .test_smtp_security import PASSWORD, _plain, _tls_client, _tls_guard

ADMIN = "admin@example.co.jp"
BOUNCE = (
    b"From: MAILER-DAEMON@example.co.jp\r\nTo: taro@example.co.jp\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
    b"The mail system could not deliver your message.\r\n"
)


def _send_null(guard, rcpt: str, raw: bytes) -> tuple[int, bytes]:
    with guard.smtp() as client:
        client.ehlo()
        assert client.mail("<>")[0] == 250
        assert client.rcpt(rcpt)[0] == 250
        return client.data(raw)


def test_bounces_and_auto_replies_are_relayed_with_the_null_reverse_path(guard, upstream):
    code, text = _send_null(guard, "taro@example.co.jp", BOUNCE)
    assert code == 250, text  # on main: 451 4.3.0, for ever
    auto_reply = message(
        "Re: 打ち合わせ (不在)",
        "不在にしております。",
        to="partner@client.example",
        extra_headers="Auto-Submitted: auto-replied\r\n",
    )
    assert _send_null(guard, "partner@client.example", auto_reply)[0] == 250
    upstream.recorder.wait_for(2)
    time.sleep(0.5)  # a third message (a notice, a second copy) would be out by now
    assert [(m.mail_from, m.rcpt_tos, m.data) for m in upstream.recorder.messages] == [
        ("<>", ["taro@example.co.jp"], BOUNCE),
        ("<>", ["partner@client.example"], auto_reply),
    ]
    assert "from_domain=- " in guard.log and "action=pass" in guard.log
    # RCPT TO:<> is not a path (RFC 5321 §4.1.1.3): never taken for the null sender.
    with guard.smtp() as client:
        client.ehlo()
        client.mail("<>")
        assert client.rcpt("<>")[0] == 501
        with pytest.raises(smtplib.SMTPException):
            client.data(BOUNCE)


def test_an_authenticated_user_may_send_with_the_null_sender(
    ca,
    tmp_path,
    guard_factory,
    upstream,
):
    # RFC 3834 §3.3 (auto-replies), RFC 8098 (MDNs): the null path claims no address.
    guard = _tls_guard(ca, tmp_path, guard_factory)
    with _tls_client(guard, tmp_path) as client:
        assert client.docmd("AUTH", _plain("taro@example.co.jp", PASSWORD))[0] == 235
        assert client.mail("<>")[0] == 250  # on main: 553 5.7.1
        assert client.rcpt("partner@client.example")[0] == 250
        code, _ = client.data(message("Read: 見積", "Your message was read."))
        assert code == 250
        assert client.mail("ceo@example.co.jp")[0] == 553, "another address is still refused"
    [got] = upstream.recorder.wait_for(1)
    assert got.mail_from == "<>"


def test_a_logged_in_users_null_sender_mail_meets_the_rules_scoped_to_them(
    ca,
    tmp_path,
    guard_factory,
    upstream,
):
    """`MAIL FROM:<>` is no way around a rule scoped to the login's group: the rules see the
    login as the sender (the envelope keeps `<>`)."""
    sections = sales_approval(tmp_path, ADMIN)
    cert_guard = _tls_guard(ca, tmp_path, lambda **kw: guard_factory(**sections, **kw))
    with _tls_client(cert_guard, tmp_path) as client:
        assert client.docmd("AUTH", _plain("taro@example.co.jp", PASSWORD))[0] == 235
        assert client.mail("<>")[0] == 250
        assert client.rcpt("buyer@client.example")[0] == 250
        code, text = client.data(message("御見積", "Please find the quote."))
    assert code == 250 and b"Held for approval" in text, text
    [notice] = upstream.recorder.wait_for(1)
    assert notice.rcpt_tos == [ADMIN]  # the group's approver is asked; nothing went out


def test_an_unauthenticated_untrusted_client_gets_no_null_sender(ca, tmp_path, guard_factory):
    guard = _tls_guard(ca, tmp_path, guard_factory)
    with _tls_client(guard, tmp_path) as client:
        assert client.mail("<>")[0] == 530


def _links(data: bytes) -> list[str]:
    return [m.decode() for m in LINK.findall(quopri.decodestring(data))]


def test_a_held_auto_reply_goes_to_the_admins_and_an_admin_releases_it(guard_factory, upstream, tmp_path):
    users = tmp_path / "users"
    add_user(users, ADMIN, "an admin's long password", "admin")
    guard = guard_factory(smtp={"users_file": str(users)}).start()
    raw = message(
        "Re: 年末調整 (自動応答)",
        MY_NUMBER_BODY,
        to="partner@client.example",
        extra_headers="Auto-Submitted: auto-replied\r\n",
    )
    code, text = _send_null(guard, "partner@client.example", raw)
    assert code == 250 and b"Held for approval" in text, text  # inspected like any mail
    [notice] = upstream.recorder.wait_for(1)
    time.sleep(1.0)  # a notice to "<>" or "", if there were one, would be out by now
    assert [m.rcpt_tos for m in upstream.recorder.messages] == [[ADMIN]]
    assert notice.mail_from != "<>" and "@" in notice.mail_from
    [link] = set(_links(notice.data))
    page = httpx.get(link)
    assert page.status_code == 200 and 'value="approve"' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert httpx.post(link, data={"action": "approve", "csrf": csrf}).status_code == 303
    released = upstream.recorder.wait_for(2)
    time.sleep(2.5)  # the worker's next poll would send a duplicate
    sent = [m for m in upstream.recorder.messages if m.rcpt_tos == ["partner@client.example"]]
    assert len(sent) == 1 and len(upstream.recorder.messages) == 2, released
    assert sent[0].mail_from == "<>" and sent[0].data == raw  # the worker's send, MAIL FROM:<>
    assert "event=release_sent" in guard.log and "partner@client.example" not in guard.log


def test_a_held_bounce_with_no_admin_waits_in_the_console(guard, upstream):
    code, text = _send_null(
        guard, "partner@client.example", message("Returned mail", MY_NUMBER_BODY, to="partner@client.example")
    )
    assert code == 250 and b"Held" in text
    time.sleep(1.5)  # a notice or a release, if there were one, would be out by now
    assert upstream.recorder.messages == [], "nobody to tell, and nothing sent"
    assert "event=no_approver_configured" in guard.log
