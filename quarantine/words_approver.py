"""The approver's pages in Japanese and English (issue 18): his own page (approval.html), the
attachments he opens, a rejection that needs its reason and is shown as 却下, and the list of
what waits for him (approvals.html)."""

from __future__ import annotations

APPROVER_WORDS: dict[str, tuple[str, str]] = {  # key -> (ja, en)
    "state.rejected": ("却下されました（送信されません）", "Rejected, not sent"),
    "badge.rejected": ("却下", "rejected"),
    "approval.title": ("承認依頼", "Approval request"),
    "approval.waiting_you": ("あなたの承認を待っています。", "Waiting for your approval."),
    "approval.rejected_text": (
        "このメールは却下され、送信されません。送信者に理由を知らせました。",
        "This message was rejected and will not be sent; the sender was told the reason.",
    ),
    "approval.body": ("本文", "Message body"),
    "approval.body_none": ("本文（テキスト）はありません。", "The message has no text body."),
    "approval.body_cut": (
        "本文が長いため、先頭の {:,} 文字だけを表示しています。",
        "The body is long: only its first {:,} characters are shown.",
    ),
    "approval.open": ("開く", "Open"),
    "approval.download": ("ダウンロード", "Download"),
    "approval.open_help": (
        "テキスト・PDF・画像はブラウザーで開きます。それ以外の形式は安全のためダウンロードになります。",
        "Text, PDF and images open in the browser; other files are downloaded, for safety.",
    ),
    "approval.comment_label": ("コメント（任意）", "Comment (optional)"),
    "approval.reason_label": ("却下の理由（必須）", "Reason for rejecting (required)"),
    "approval.reason_missing": (
        "却下するには理由を入力してください。理由は送信者に伝えられます。",
        "Enter a reason to reject: the sender is told it.",
    ),
    "approval.note_too_long": (
        "コメント・理由は1000文字以内で入力してください。",
        "Keep the comment or reason within 1,000 characters.",
    ),
    "approval.reason": ("却下の理由", "Reason for rejecting"),
    "approval.queue": ("あなたの承認を待っているメール", "Messages waiting for your approval"),
    "approval.queue_link": ("承認待ちの一覧を見る", "Everything waiting for your approval"),
    "approval.queue_none": (
        "あなたの承認を待っているメールはありません。",
        "Nothing is waiting for your approval.",
    ),
    "approval.queue_count": ("{} 件", "{} waiting"),
    "approval.queue_more": ("ほかに {} 件あります。", "{} more are not shown."),
    "approval.queue_this": ("（このリンクのメール）", "(this link's message)"),
}
