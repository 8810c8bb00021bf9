"""Japanese and English for the sender's pages: Accept-Language decides, ?lang= switches."""

from __future__ import annotations

from starlette.requests import Request

from inspectors.codes import lookup
from inspectors.extract.technical import FORMATS

from .records import HoldState

LANGS = ("ja", "en")

MESSAGES: dict[str, tuple[str, str]] = {  # key -> (ja, en)
    "title": ("送信保留", "Held message"),
    "state.held.hold": ("送信を保留しています", "This message is on hold"),
    "state.held.delay": ("まもなく送信されます", "This message will be sent shortly"),
    "state.held.hold_for_approval": ("承認待ちです", "This message is waiting for approval"),
    "state.released": ("送信しました", "Released for delivery"),
    "state.cancelled": ("取り消しました", "Cancelled"),
    "state.expired": ("期限切れで取り消されました", "Expired and cancelled"),
    "state.delivery_failed": ("配送できませんでした", "Could not be delivered"),
    "delivery_failed_text": (
        "送信が決定されましたが、配送先のサーバーが受け付けなかったか、再試行を続けても配送できませんでした。"
        "理由は下の履歴にあります。宛先などの問題が解決すれば、管理者がもう一度送信できます。"
        "必要な場合は管理者に連絡してください。",
        "This message was released, but the receiving server refused it, or it could not be "
        "delivered after repeated attempts. The reason is in the history below. Once the problem "
        "(a wrong address, for instance) is solved, an administrator can send it again: contact "
        "your administrator if it still needs to go.",
    ),
    "badge.held": ("保留中", "held"),
    "badge.released": ("送信済み", "released"),
    "badge.cancelled": ("取消済み", "cancelled"),
    "badge.expired": ("期限切れ", "expired"),
    "badge.delivery_failed": ("配送失敗", "delivery failed"),
    "expires": ("期限", "Expires"),
    "acted": ("操作", "Decided"),
    "subject": ("件名", "Subject"),
    "from": ("差出人", "From"),
    "received": ("受付", "Received"),
    "none": ("なし", "none"),
    "why": ("保留の理由", "Why it was held"),
    "recipients": ("宛先", "Recipients"),
    "external": ("社外", "external"),
    "internal": ("社内", "internal"),
    "attachments": ("添付ファイル", "Attachments"),
    "found_here": ("検出", "Found"),
    "decide": ("操作", "Decide"),
    "prefetch": ("このページを開いただけでは何も変わりません。", "Opening this page changes nothing."),
    "release": ("送信する", "Release"),
    "cancel": ("送信を取り消す", "Cancel"),
    "approve": ("承認して送信", "Approve"),
    "reject": ("却下", "Reject"),
    "comment": ("コメント", "Comment"),
    "reject_reason": ("却下の理由", "Reason"),
    "waiting_approval": ("承認者の承認を待っています。", "Waiting for the approver's decision."),
    "sender": ("送信者", "Sender"),
    "approvers": ("承認者", "Approvers"),
    "no_approver": (
        "承認者が設定されていないため、管理者が管理画面で判断します。",
        "No approver is configured: an administrator decides in the admin console.",
    ),
    "checklist": (
        "送信する前に、次の各項目を確認してチェックしてください。",
        "Before releasing, check and tick each item below.",
    ),
    "checklist_missing": (
        "確認していない項目があります。すべてチェックしてください。",
        "Some items are not ticked yet; tick each one to release.",
    ),
    "fix": ("修正して送信", "Fix, then send"),
    "fix_help": (
        "間違った宛先や添付ファイルを外してから送信できます。修正したメールは送信前にもう一度検査されます。",
        "Remove wrong recipients or attachments, then send. The fixed message is inspected again before it goes.",
    ),
    "remove": ("外す", "remove"),
    "to_bcc": ("社外の宛先を To/Cc から Bcc に移す", "Move external To/Cc recipients to Bcc"),
    "apply_fix": ("修正して送信する", "Apply and send"),
    "refixed": (
        "修正後のメールを再検査した結果、まだ確認が必要です。",
        "The fixed message still needs your review.",
    ),
    "history": ("履歴", "History"),
    "fix_stale": (
        "このメールはその間に操作されました。現在の状態を表示しています。",
        "This message was acted on meanwhile; here is where it stands now.",
    ),
    "fix_busy": (
        "修正の要求が多すぎます。少し待ってからやり直してください。",
        "Too many fix requests for this message; wait a minute and try again.",
    ),
    "details_gone": (
        "このメールの処理は終わりました。詳細（宛先・検出内容など）は表示期間を過ぎたため表示しません。",
        "This message is finished. Its details (recipients, findings) are no longer shown.",
    ),
    "fix_invalid": (
        "その修正はできません（宛先を少なくとも1件残してください）。",
        "That fix is not possible (keep at least one recipient).",
    ),
    "where.body": ("本文", "body"),
    "where.subject": ("件名", "subject"),
    "where.envelope": ("宛先", "recipients"),
    "where.header": ("ヘッダー", "header"),
    # Places inside a document (hold_view.where_text): what the extractors name them.
    "where.in.tracked-changes": ("変更履歴", "tracked changes"),
    "where.in.comments": ("コメント", "comments"),
    "where.in.hidden-text": ("隠し文字", "hidden text"),
    "not_found": ("ページが見つかりません", "Not found"),
    "not_found_text": (
        "リンクが正しくないか、すでに削除されています。",
        "The link is not valid, or what it pointed to no longer exists.",
    ),
    "refused": ("操作できませんでした", "The request was refused"),
    "refused_text": (
        "フォームの有効期限が切れたか、正しくない操作です。確認ページを開き直してください。",
        "The form was stale or not valid. Please open the review page again.",
    ),
    "switch": ("English", "日本語"),
    "details": ("詳細（管理者向けの技術情報）", "Details (technical, for administrators)"),
    # issue 18: the sender's hold page
    "fix.primary.bcc": ("Bccに移して送信", "Move to Bcc and send"),
    "fix.primary.remove": ("この宛先を外して送信", "Remove these recipients and send"),
    "fix.primary.drop": ("添付を外して送信", "Remove the attachment and send"),
    "fix.primary.several": ("指摘された点を直して送信", "Fix what was found and send"),
    "fix.suggested": (
        "保留の理由に合わせた修正です。修正したメールは送信前にもう一度検査されます。",
        "The fix the reasons ask for. The fixed message is inspected again before it goes.",
    ),
    "fix.will.remove": ("外す宛先", "Recipients to remove"),
    "fix.will.bcc": ("To/Cc から Bcc に移す宛先", "Recipients moved from To/Cc to Bcc"),
    "fix.will.drop": ("外す添付ファイル", "Attachments to remove"),
    "fix.other": ("ほかの修正をして送信", "Other fixes, then send"),
    "fix_empty": (
        "修正する項目が選ばれていません。外す宛先か添付ファイル、または Bcc への移動を選んでください。",
        "Nothing was chosen: pick recipients or attachments to remove, or moving to Bcc.",
    ),
    "send_unchanged": ("修正せずにこのまま送信", "Send unchanged"),
    "send_unchanged_help": (
        "指摘された点を修正しないで送る場合だけ使ってください。",
        "Only if the message should go as it is, without fixing what was found.",
    ),
    "confirm_unchanged": (
        "指摘された内容を確認し、修正せずに送信します",
        "I have checked what was found and send the message unchanged",
    ),
    "confirm_missing": (
        "修正せずに送信するには、確認欄にチェックしてください。",
        "To send the message unchanged, tick the confirmation box.",
    ),
    "fixed.title": ("修正しました", "Your fix was applied"),
    "fixed.removed": ("宛先を外しました", "Recipients removed"),
    "fixed.dropped": ("添付ファイルを外しました", "Attachments removed"),
    "fixed.bcc": (
        "社外の宛先を To/Cc から Bcc に移しました。",
        "External recipients were moved from To/Cc to Bcc.",
    ),
    "fixed.sent": (
        "修正後のメールを再検査した結果、問題は見つからなかったため送信しました。",
        "The fixed message was inspected again, nothing was found, and it was sent.",
    ),
    "fixed.still": (
        "残っている理由は下の「保留の理由」にあります。",
        "What is left is under 'Why it was held' below.",
    ),
    "fixed.approval": (
        "修正後のメールを再検査した結果、承認が必要になりました。承認者の判断を待っています。",
        "The fixed message was inspected again and now needs approval; it waits for the approver.",
    ),
    "fixed.delay": (
        "修正後のメールを再検査した結果、少し時間をおいてから送信されます。",
        "The fixed message was inspected again and will be sent after a short delay.",
    ),
    "fixed.stopped": (
        "修正後のメールを再検査した結果、送信できない内容だったため取り消されました。",
        "The fixed message was inspected again and could not be sent: it was cancelled.",
    ),
    "kind.excel": ("Excel", "Excel"),
    "kind.word": ("Word", "Word"),
    "kind.powerpoint": ("パワーポイント", "PowerPoint"),
    "kind.pdf": ("PDF", "PDF"),
    "kind.csv": ("CSV", "CSV"),
    "kind.archive": ("圧縮ファイル", "archive"),
    "kind.image": ("画像", "image"),
    "kind.text": ("テキスト", "text"),
    "kind.mail": ("メール", "email"),
    "kind.other": ("ファイル", "file"),
    "actor.other": ("その他", "other"),
    # end of issue 18: the sender's hold page
    "reason.generic": (
        "管理者が設定したルールにより保留されました。",
        "A rule set by your administrator held this message.",
    ),
    # issue 18: the delay page (templates/delay.html, delay_confirm.html): a delay is not
    # held; it waits to be sent, and cancelling in time is what the page is for.
    "delay.title": ("送信待ち", "Waiting to be sent"),
    "delay.heading": ("このメールはまもなく送信されます", "This message will be sent shortly"),
    "delay.badge": ("送信待ち", "waiting to be sent"),
    "delay.at": ("送信予定", "Sends at"),
    "delay.left": ("残り {}", "{} left"),
    "delay.about": ("約{m}分", "about {m} min"),
    "delay.min_sec": ("{m}分{s}秒", "{m} min {s} s"),
    "delay.sec": ("{s}秒", "{s} s"),
    "delay.cancel": ("送信を取り消す", "Cancel sending"),
    "delay.send_now": ("今すぐ送信", "Send now"),
    "delay.hint": (
        "宛先や添付ファイルに誤りがあれば、送信予定の時刻までに「送信を取り消す」を押してください。"
        "何もしなければ、予定の時刻に自動的に送信されます。",
        'If a recipient or an attachment is wrong, press "Cancel sending" before the time above. '
        "Otherwise the message is sent automatically at that time.",
    ),
    "delay.why": ("送信前に確認してほしい点", "Please check before it is sent"),
    "delay.due": ("送信時刻になりました", "The time to send has come"),
    "delay.due_text": (
        "まもなく送信されます。このページからは取り消せません。",
        "The message is being sent; it can no longer be cancelled from this page.",
    ),
    "delay.released": ("送信しました", "Sent"),
    "delay.cancelled": ("送信を取り消しました", "Sending cancelled"),
    "delay.cancelled_text": (
        "このメールはどの宛先にも送信されていません。"
        "送ったメールは、お使いのメールソフトの「送信済み」フォルダーに残っています。"
        "内容を直してから、もう一度送信してください。",
        "This message was not sent to anyone. Your copy is still in your mail program's Sent "
        "folder: correct it there, then send it again.",
    ),
    "delay.confirm_title": ("送信を取り消しますか？", "Cancel sending this message?"),
    "delay.confirm_text": (
        "取り消すと、このメールはどの宛先にも送信されません。直したメールは、お使いのメールソフトから送り直せます。",
        "If you cancel, the message goes to none of its recipients. You can send a corrected one "
        "from your mail program.",
    ),
    "delay.confirm_yes": ("はい、送信を取り消す", "Yes, cancel sending"),
    "delay.confirm_back": ("取り消さずに戻る", "Go back without cancelling"),
    "delay.queued": ("送信待ちにしました", "queued to be sent after a delay"),
    "delay.rcpt_count": ("宛先の数", "Recipients"),
    # end of issue 18: the delay page
}


def language(request: Request) -> str:
    """?lang= wins, then Accept-Language's first supported language; Japanese by default."""
    asked = request.query_params.get("lang", "")
    if asked in LANGS:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGS:
            return tag
    return "ja"


def translator(lang: str):
    index = LANGS.index(lang)

    def t(key: str) -> str:
        pair = MESSAGES.get(key)
        return pair[index] if pair else key

    return t


def code_label(code: str, lang: str) -> str:
    """A short name for a finding code; never the code itself (internal notation)."""
    entry = lookup(code)
    pair = _OTHER_CODE if entry is None else (entry.ja, entry.en)
    return pair[LANGS.index(lang)]


_OTHER_CODE = ("要確認", "needs checking")


def format_note(fmt: str, lang: str) -> str:
    """What the page says of an attachment in a technical format (issue 17)."""
    ja, en = FORMATS.get(fmt, (fmt, fmt))
    if lang == "ja":
        return (
            f"{ja}：区切りのない数字だけでは電話番号・カード番号と数えていません"
            "（090-1234-5678 のような書き方、見出しや氏名のあるものは数えます）"
        )
    return (
        f"{en}: bare digits are not counted as phone or card numbers (numbers written as people"
        " write them, such as 090-1234-5678, labelled ones and ones next to a name are)"
    )


# The history table's actions as the trail records them (trail.record: the hold's state
# transitions, then "<job kind>_<outcome>" of the outbound queue).
ACTIONS: dict[str, tuple[str, str]] = {
    HoldState.HELD: ("保留しました", "held for review"),
    "modified": ("修正して再検査しました", "fixed and inspected again"),
    HoldState.RELEASED: ("送信を決定しました", "released for delivery"),
    HoldState.CANCELLED: ("取り消しました", "cancelled, not sent"),
    HoldState.EXPIRED: ("期限切れで取り消しました", "expired and cancelled"),
    "notice_sent": ("通知メールを送りました", "notice sent"),
    "notice_deferred": ("通知メールの送信を再試行します", "notice delayed, will retry"),
    "notice_failed": ("通知メールを送れませんでした", "notice could not be sent"),
    "release_sent": ("宛先に配送しました", "delivered to the recipients"),
    "release_deferred": (
        "配送先のサーバーが一時的に受け付けず、再試行します",
        "delivery delayed, will retry",
    ),
    "release_failed": (
        "配送先のサーバーが受け付けませんでした（または再試行を打ち切りました）",
        "delivery refused by the receiving server (or given up after retries)",
    ),
    "delivery_retried": ("管理者が再送を指示しました", "queued for delivery again by an administrator"),
    # A send whose outcome was never learnt (the upstream's reply lost) or never recorded (the
    # guard stopped mid-send) is sent again: the recipients may get the message twice
    # (at-least-once delivery, README).
    "possible_duplicate": (
        "配送を再試行しました。宛先に2通届いた可能性があります",
        "delivery tried again; the recipients may have received it twice",
    ),
    "other": ("その他の操作", "other event"),
}
_ACTORS = {"system": ("自動処理", "automatic"), "sender": ("送信者", "the sender")}


def action_label(action: str, lang: str) -> str:
    """A history entry's action in words; never the stored name (internal notation)."""
    return ACTIONS.get(action, ACTIONS["other"])[LANGS.index(lang)]


def actor_label(actor: str, lang: str) -> str:
    """Who acted: "system" -> "automatic", "approver:a@x" -> "approver a@x", "admin:root" ->
    "administrator root" (the roles' prefixes are the store's notation)."""
    index = LANGS.index(lang)
    if actor in _ACTORS:
        return _ACTORS[actor][index]
    if not actor:
        return ""
    role, _, name = actor.partition(":")
    words = _ROLES.get(role)
    if words is None:  # never the stored notation itself (issue 18)
        return MESSAGES["actor.other"][index]
    return f"{words[index]} {name}" if name and name != "?" else words[index]


_ROLES = {"approver": ("承認者", "approver"), "admin": ("管理者", "administrator")}


# issue 18: the approver — his own page (approval.html), the attachments he opens, a rejection
# that needs its reason and is shown as 却下, and the list of what waits for him (approvals.html).
MESSAGES.update(
    {
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
)
ACTIONS[HoldState.REJECTED] = ("却下しました（送信されません）", "rejected by the approver, not sent")
