"""The mails the quarantine sends: hold notices, approval requests and results, delivery
failures — Japanese first, then English.

Notices carry rule reasons, finding codes and counts — never the personal data itself.
Everything in them that someone else wrote (subject, addresses, an approver's comment, a
server's reply) is untrusted: it goes through `one_line` (or `quoted`, for a comment), so it
can neither break a header nor put a line of its own into our text.
"""

from __future__ import annotations

from collections.abc import Callable
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from rules.model import Action, Decision

from .display import clean
from .explain import reasons

Said = tuple[str, str]  # (ja, en)
LINE_LIMIT = 200  # characters of one untrusted value in a notice
NOTICE_NAME = "誤送信防止システム"  # the From: display name (quarantine.notice_name)


def one_line(value: object, limit: int = LINE_LIMIT) -> str:
    """Any untrusted value as one safe line of display text (display.clean: no line breaks of
    any kind, no control or bidi characters, at most `limit` characters), and no encoded word:
    an RFC 2047 "=?…?=" in the text would be decoded a second time by the header parser and by
    the reader's mail program — into line breaks, or a header of its own. Defanged first:
    clean only turns characters into spaces and cuts, so it cannot make a "=?" again."""
    return clean(str(value or "").replace("=?", "= ?"), limit)


def quoted(value: object, limit_lines: int = 20) -> list[str]:
    """A multi-line comment (an approver's) for a notice body: it keeps its lines, each made
    safe and quoted with "> ", so that none of them can pass for our own text."""
    lines = [one_line(line, 500) for line in str(value or "").splitlines()]
    lines = [line for line in lines if line][:limit_lines]
    return [f"> {line}" for line in lines]


def letter(
    *, lead: Said, subject: str, decision: Decision, page: Said, link: str, end: Said, queue: bool = False
) -> str:
    """A notice's body: in Japanese, then in English, the lead, the subject, the reasons, the
    page's link (`queue`: and the approver's list of what waits for him), and what happens at
    the end."""
    lines: list[str] = []
    for i, (lang, bullet, said, why, waiting) in enumerate(_HEADINGS):
        lines += ["-- "] if i else []
        lines += [
            lead[i],
            "",
            f"{said}: {subject}",
            why,
            *_reasons(decision, lang, bullet),
            "",
            page[i],
            link,
            "",
        ]
        lines += [waiting, f"{link}/queue", ""] if queue else []
        lines += [end[i], ""]
    return "\n".join(lines)


_HEADINGS = (
    ("ja", "・", "件名", "理由:", "あなたの承認を待っているメールの一覧:"),
    ("en", "- ", "Subject", "Why:", "Everything waiting for your approval:"),
)
REVIEW_PAGE: Said = (
    "確認ページ（このリンクを開いただけでは、送信も取り消しも行われません）:",
    "Review page (opening the link changes nothing):",
)


def approval_end(when_text: str) -> Said:
    return (
        f"{when_text} までに承認されない場合、このメールは送信されずに取り消されます。",
        f"Unless approved by {when_text}, it is cancelled, not sent.",
    )


def hold_notice(
    *,
    notice_from: str,
    sender: str,
    subject: str,
    link: str,
    decision: Decision,
    kind: Action,
    when_text: str,
    approvers: tuple[str, ...] = (),
    notice_name: str = NOTICE_NAME,
) -> bytes:
    """To the sender. `when_text`: when the hold ends (cancelled, or sent for a delay)."""
    subject = one_line(subject)
    ja, en = _LEADS[kind]
    if kind == Action.HOLD_FOR_APPROVAL:
        names = one_line(", ".join(approvers))
        ja, en = ja.format(names or "管理者"), en.format(names or "the administrator")
    body = letter(
        lead=(ja, en),
        subject=subject,
        decision=decision,
        page=REVIEW_PAGE,
        link=link,
        end=(_ENDS[kind][0].format(when_text), _ENDS[kind][1].format(when_text)),
    )
    return notice_mail(notice_from, notice_name, sender, f"{_SUBJECTS[kind]} {subject}", body)


def approval_request(
    *,
    notice_from: str,
    approver: str,
    sender: str,
    subject: str,
    link: str,
    decision: Decision,
    when_text: str,
    notice_name: str = NOTICE_NAME,
) -> bytes:
    subject, sender = one_line(subject), one_line(sender)
    body = letter(
        lead=(
            f"{sender} さんが送信したメールが、承認をお待ちしています。"
            "内容をご確認のうえ、承認または却下してください。",
            f"A message from {sender} is waiting for your approval.",
        ),
        subject=subject,
        decision=decision,
        page=("承認ページ（このリンクを開いただけでは、承認も却下も行われません）:", "Approval page:"),
        link=link,
        end=approval_end(when_text),
        queue=True,
    )
    return notice_mail(notice_from, notice_name, approver, f"[承認依頼 / Approval needed] {subject}", body)


# The notices that carry a link: the worker renders them when it sends (see LinkedNotice).
TEMPLATES: dict[str, Callable[..., bytes]] = {
    "hold_notice": hold_notice,
    "approval_request": approval_request,
}


def render(template: str, args: dict, link: str) -> bytes:
    """A stored notice draft (its arguments as JSON), now with its freshly minted link."""
    # The reminders' and the download links' templates live in their own modules, which
    # import this one.
    from .link_notice import TEMPLATES as LINKS
    from .reminder_notice import TEMPLATES as REMINDERS

    args = dict(args)
    if "decision" in args:  # the link notices have none
        args["decision"] = Decision.from_dict(args["decision"])
    if "approvers" in args:
        args["approvers"] = tuple(args["approvers"])
    return {**TEMPLATES, **REMINDERS, **LINKS}[template](**args, link=link)


_SUBJECTS = {
    Action.HOLD: "[送信保留 / Held]",
    Action.DELAY: "[送信予約 / Delayed]",
    Action.HOLD_FOR_APPROVAL: "[承認待ち / Awaiting approval]",
}
_LEADS = {
    Action.HOLD: (
        "送信されたメールを、送信前の確認のため一時的に保留しています。"
        "内容をご確認のうえ、送信するか取り消すかを選んでください。",
        "Your message has been held. Please review it and release or cancel it.",
    ),
    Action.DELAY: (
        "送信されたメールは、送信前の確認のため、少し時間をおいてから送信されます。"
        "送信を取り消す場合は、期限までに下記のページから操作してください。",
        "Your message will be sent after a short delay; you can still cancel it.",
    ),
    Action.HOLD_FOR_APPROVAL: (
        "送信されたメールは、承認者（{}）の承認をお待ちしています。承認されると送信されます。",
        "Your message is waiting for approval by {}.",
    ),
}
_ENDS = {
    Action.HOLD: (
        "{} までに操作がない場合、このメールは送信されずに取り消されます。",
        "If nothing is done by {}, the message is cancelled, not sent.",
    ),
    Action.DELAY: (
        "取り消しの操作がない場合、このメールは {} に自動的に送信されます。",
        "Unless you cancel it, it is sent at {}.",
    ),
    Action.HOLD_FOR_APPROVAL: (
        "{} までに承認されない場合、このメールは送信されずに取り消されます。",
        "Unless approved by {}, it is cancelled, not sent.",
    ),
}


def _reasons(decision: Decision, lang: str, bullet: str) -> list[str]:
    """Each rule's reason, then what was found in the sentences of the sender's page."""
    lines = []
    for m in decision.deciding:
        lines.append(f"{bullet}{one_line(m.reason.get(lang) or m.id)}")
        # A file name may hold a URL: defanged, so that no link in a notice is but ours.
        lines += [
            f"    {one_line(s, 400).replace('://', ':/ /')}"
            for s in reasons(m.findings, lang)[:_SENTENCES_PER_REASON]
        ]
    return lines


_SENTENCES_PER_REASON = 5


def notice_mail(notice_from: str, notice_name: str, to: str, subject: str, body: str) -> bytes:
    msg = EmailMessage()
    # The name may be Japanese: the header registry writes it as an RFC 2047 encoded word.
    # It is the configuration's, and still made one clean line (no header of its own).
    user, _, domain = notice_from.rpartition("@")
    msg["From"] = Address(display_name=one_line(notice_name, 100), username=user, domain=domain)
    msg["To"] = one_line(to)
    msg["Subject"] = one_line(subject, LINE_LIMIT + 40)  # our tag and the capped subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=notice_from.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834 §5: no auto-replies to this
    # Quoted-printable keeps the link greppable and copyable; lines stay short enough
    # that the link is never soft-wrapped.
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# --- issue 18 (item 12): an administrator released or cancelled a hold ------------------------
