"""The reminders of a forgotten hold (reminders.py), in the style of every notice (notice.py):
Japanese first, then English; untrusted values through one_line; the link minted when sent."""

from __future__ import annotations

from collections.abc import Callable

from rules.model import Action, Decision

from .notice import _ENDS, _SUBJECTS, NOTICE_NAME, REVIEW_PAGE, approval_end, letter, notice_mail, one_line

TAG = "[再通知 / Reminder]"


def hold_reminder(
    *,
    notice_from: str,
    sender: str,
    subject: str,
    link: str,
    decision: Decision,
    kind: Action,
    when_text: str,
    created_text: str,
    approvers: tuple[str, ...] = (),
    notice_name: str = NOTICE_NAME,
) -> bytes:
    """To the sender: his hold still waits for him, or (an approval hold) for its approvers."""
    subject = one_line(subject)
    if kind == Action.HOLD_FOR_APPROVAL:
        names = one_line(", ".join(approvers))
        ja = (
            f"{created_text} に送信されたメールは、現在も承認者（{names or '管理者'}）の承認を"
            "お待ちしています。お急ぎの場合は、承認者にご連絡ください。"
            "送信をおやめになる場合は、下記のページから取り消すことができます。"
        )
        en = (
            f"Your message of {created_text} is still waiting for approval by "
            f"{names or 'the administrator'}. If it is urgent, please contact them; "
            "to withdraw it, use the page below."
        )
        page_ja = "確認ページ（このリンクを開いただけでは、取り消しは行われません）:"
    else:
        ja = (
            f"{created_text} に送信されたメールが、ご確認をお待ちしたまま保留されています。"
            "内容をご確認のうえ、送信するか取り消すかを選んでください。"
        )
        en = (
            f"Reminder: your message held on {created_text} is still waiting for you. "
            "Please review it and release or cancel it."
        )
        page_ja = "確認ページ（このリンクを開いただけでは、送信も取り消しも行われません）:"
    body = letter(
        lead=(ja, en),
        subject=subject,
        decision=decision,
        page=(page_ja, REVIEW_PAGE[1]),
        link=link,
        end=(_ENDS[kind][0].format(when_text), _ENDS[kind][1].format(when_text)),
    )
    return notice_mail(notice_from, notice_name, sender, f"{TAG} {_SUBJECTS[kind]} {subject}", body)


def approval_reminder(
    *,
    notice_from: str,
    approver: str,
    sender: str,
    subject: str,
    link: str,
    decision: Decision,
    when_text: str,
    created_text: str,
    notice_name: str = NOTICE_NAME,
) -> bytes:
    """To an approver: a message still waits for his decision."""
    subject, sender = one_line(subject), one_line(sender)
    body = letter(
        lead=(
            f"{sender} さんが {created_text} に送信したメールが、まだ承認をお待ちしています。"
            "お手数ですが、内容をご確認のうえ、承認または却下してください。",
            f"Reminder: a message {sender} sent on {created_text} is still waiting for your approval.",
        ),
        subject=subject,
        decision=decision,
        page=(
            "承認ページ（このリンクを開いただけでは、承認も却下も行われません）:",
            "Approval page (opening the link changes nothing):",
        ),
        link=link,
        end=approval_end(when_text),
        queue=True,
    )
    return notice_mail(
        notice_from, notice_name, approver, f"{TAG} [承認依頼 / Approval needed] {subject}", body
    )


TEMPLATES: dict[str, Callable[..., bytes]] = {
    "hold_reminder": hold_reminder,
    "approval_reminder": approval_reminder,
}
