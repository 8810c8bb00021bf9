"""The mails the quarantine sends to senders: hold notices and delivery failures (ja + en).

Notices carry rule reasons, finding codes and counts — never the personal data itself.
"""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from rules.model import Decision


def hold_notice(*, notice_from: str, sender: str, subject: str, link: str, decision: Decision,
                expires_text: str) -> bytes:
    reasons_ja = [f"・{m.reason.get('ja') or m.id}" for m in decision.enforced]
    reasons_en = [f"- {m.reason.get('en') or m.id}" for m in decision.enforced]
    body = "\n".join([
        "送信したメールを一時保留しました。内容を確認し、送信または取り消しを選んでください。",
        "",
        f"件名: {subject}",
        "理由:", *reasons_ja,
        "",
        "確認ページ（このリンクを開くだけでは送信されません）:",
        link,
        "",
        f"{expires_text} までに操作がない場合、このメールは送信されずに取り消されます。",
        "",
        "-- ",
        "Your message has been held. Please review it and release or cancel it.",
        "",
        f"Subject: {subject}",
        "Why:", *reasons_en,
        "",
        "Review page (opening the link sends nothing):",
        link,
        "",
        f"If nothing is done by {expires_text}, the message is cancelled, not sent.",
        "",
    ])
    return _mail(notice_from, sender, f"[送信保留 / Held] {subject}", body)


def failure_notice(*, notice_from: str, sender: str, subject: str, error: str) -> bytes:
    body = "\n".join([
        "確認後に送信したメールを、配送先のサーバーが受け付けませんでした。",
        f"件名: {subject}",
        f"サーバーの応答: {error}",
        "",
        "-- ",
        "The message you released could not be delivered: the receiving server refused it.",
        f"Subject: {subject}",
        f"Server reply: {error}",
        "",
    ])
    return _mail(notice_from, sender, f"[配送失敗 / Undeliverable] {subject}", body)


def _mail(notice_from: str, to: str, subject: str, body: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Misdelivery Guard <{notice_from}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=notice_from.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"   # RFC 3834 §5: no auto-replies to this
    # Quoted-printable keeps the link greppable and copyable; lines stay short enough
    # that the link is never soft-wrapped.
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
