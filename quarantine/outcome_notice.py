"""The sender's notices of an outcome: what an approver or an administrator decided about
his held message (with the comment or the reason they gave), and a delivery that failed.
Everything in them that someone else wrote is made one line or quoted (notice.py)."""

from __future__ import annotations

from .notice import NOTICE_NAME, notice_mail, one_line, quoted


def approval_result(
    *,
    notice_from: str,
    sender: str,
    subject: str,
    approver: str,
    approved: bool,
    note: str,
    notice_name: str = NOTICE_NAME,
) -> bytes:
    subject, approver, note_lines = one_line(subject), one_line(approver), quoted(note)
    ja = "承認されました。メールは送信されます。" if approved else "却下されました。メールは送信されません。"
    en = "was approved and is being sent." if approved else "was rejected and will not be sent."
    # A rejection always carries its reason (approver_pages.py asks for one).
    label_ja, label_en = ("コメント:", "Comment:") if approved else ("却下の理由:", "Reason:")
    body = _decided(
        f"件名「{subject}」のメールは {approver} さんにより{ja}",
        f'Your message "{subject}" {en} ({approver})',
        note_lines,
        (label_ja, label_en),
        then_ja=() if approved else ("", "内容を修正のうえ、あらためて送信してください。"),
    )
    tag = "[承認 / Approved]" if approved else "[却下 / Rejected]"
    return notice_mail(notice_from, notice_name, sender, f"{tag} {subject}", body)


def _decided(
    ja: str, en: str, note_lines: list[str], labels: tuple[str, str], then_ja: tuple[str, ...] = ()
) -> str:
    """The body of a notice of someone's decision: the Japanese sentence, the note under its
    label, anything else the Japanese says; then the same in English."""
    lines = [ja]
    if note_lines:
        lines += [labels[0], *note_lines]
    lines += [*then_ja, "", "-- ", en]
    if note_lines:
        lines += [labels[1], *note_lines]
    return "\n".join(lines) + "\n"


def failure_notice(
    *, notice_from: str, sender: str, subject: str, error: str, notice_name: str = NOTICE_NAME
) -> bytes:
    subject, error = one_line(subject), one_line(error, 300)  # the error: a remote server's words
    body = "\n".join(
        [
            "送信が決定されたメールを、宛先に配送できませんでした（配送先のサーバーが受け付けなかったか、"
            "再試行の上限に達しました）。原因が解消しましたら、管理者が再送できます。"
            "必要な場合は、管理者にご連絡ください。",
            f"件名: {subject}",
            f"サーバーの応答: {error}",
            "",
            "-- ",
            "The message you released could not be delivered: the receiving server refused it, or "
            "the retries ran out. An administrator can send it again once the cause is fixed.",
            f"Subject: {subject}",
            f"Server reply: {error}",
            "",
        ]
    )
    return notice_mail(notice_from, notice_name, sender, f"[配送失敗 / Undeliverable] {subject}", body)


def admin_decision(
    *,
    notice_from: str,
    sender: str,
    subject: str,
    admin: str,
    released: bool,
    note: str,
    notice_name: str = NOTICE_NAME,
) -> bytes:
    """The sender's notice that an administrator decided his held message, with the reason."""
    subject, admin, note_lines = one_line(subject), one_line(admin), quoted(note)
    ja = "送信しました。宛先に配送されます。" if released else "取り消しました。メールは送信されません。"
    en = "released it; it is being delivered." if released else "cancelled it; it will not be sent."
    body = _decided(
        f"件名「{subject}」の保留中のメールを、管理者（{admin}）が{ja}",
        f'Your held message "{subject}": an administrator ({admin}) {en}',
        note_lines,
        ("理由:", "Reason:"),
    )
    tag = (
        "[管理者が送信 / Released by an administrator]"
        if released
        else "[管理者が取り消し / Cancelled by an administrator]"
    )
    return notice_mail(notice_from, notice_name, sender, f"{tag} {subject}", body)
