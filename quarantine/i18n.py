"""Japanese and English for the sender's pages: Accept-Language decides, ?lang= switches."""

from __future__ import annotations

from starlette.requests import Request

from inspectors.codes import lookup
from inspectors.extract.technical import FORMATS

from .records import HoldState
from .words_approver import APPROVER_WORDS
from .words_delay import DELAY_WORDS
from .words_download import DOWNLOAD_WORDS
from .words_links import LINK_ACTIONS, LINKS_WORDS
from .words_sender import SENDER_WORDS

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
    "reminder.next": ("操作がない場合の再通知", "Reminder if nothing is done"),
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
    "reason.generic": (
        "管理者が設定したルールにより保留されました。",
        "A rule set by your administrator held this message.",
    ),
}

# Each page's own words (issue 18) live beside it.
MESSAGES.update({**SENDER_WORDS, **DELAY_WORDS, **APPROVER_WORDS, **DOWNLOAD_WORDS, **LINKS_WORDS})


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
    HoldState.REJECTED: ("却下しました（送信されません）", "rejected by the approver, not sent"),
    HoldState.EXPIRED: ("期限切れで取り消しました", "expired and cancelled"),
    "notice_sent": ("通知メールを送りました", "notice sent"),
    "notice_deferred": ("通知メールの送信を再試行します", "notice delayed, will retry"),
    "notice_failed": ("通知メールを送れませんでした", "notice could not be sent"),
    "reminder_sent": (
        "操作のない保留について、再通知のメールを送りました",
        "reminder sent: nobody had acted on the hold",
    ),
    "reminder_dropped": (
        "保留が終わっていたため、再通知のメールは送りませんでした",
        "reminder not sent: the hold had ended",
    ),
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
    # A release that adds a supervisor Bcc (rules add_bcc): the count only, never the addresses.
    "bcc_added": ("上長などを Bcc の宛先に加えました", "supervisor Bcc added to the recipients"),
    # Stored Bcc addresses that today's internal domains no longer cover: left out, counted.
    "bcc_dropped": (
        "社外になった上長Bcc の宛先を除きました",
        "supervisor Bcc addresses outside the internal domains left out",
    ),
    **LINK_ACTIONS,  # attachments sent as download links (words_links.py)
    "other": ("その他の操作", "other event"),
}
_ACTORS = {
    "system": ("自動処理", "automatic"),
    "sender": ("送信者", "the sender"),
    "recipient": ("受信者", "a recipient"),
}


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
