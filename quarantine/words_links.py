"""The sender's download-log page in Japanese and English (issue 19; links_page.py,
templates/links.html, links_confirm.html), and the history's words for the links' audit rows."""

from __future__ import annotations

LINKS_WORDS: dict[str, tuple[str, str]] = {  # key -> (ja, en)
    "links.title": ("リンクで送った添付ファイル", "Attachments sent as links"),
    "links.on_hold_page": (
        "このメールの添付ファイルは、ダウンロード用のリンクで送りました。",
        "The attachments of this message were sent as download links.",
    ),
    "links.open": ("ダウンロードの履歴とリンクの停止", "Downloads, and stopping the links"),
    "links.state.active": ("ダウンロードできます", "The links work"),
    "links.state.expired": ("有効期限が切れました", "The links have expired"),
    "links.state.revoked": ("リンクは停止されています", "The links are stopped"),
    "links.state.purged": ("ファイルは削除されました", "The files were removed"),
    "links.badge.active": ("有効", "active"),
    "links.badge.expired": ("期限切れ", "expired"),
    "links.badge.revoked": ("停止済み", "stopped"),
    "links.badge.purged": ("削除済み", "removed"),
    "links.purged_text": (
        "有効期限が過ぎたか停止されたため、ファイルはシステムから削除されました。ダウンロードの履歴は残っています。",
        "The links expired or were stopped, so the files were removed from the system. "
        "The download log below is kept.",
    ),
    "links.stopped_text": (
        "リンクは使えなくなりました。ファイルはまもなくシステムから削除されます。",
        "The links no longer work. The files will soon be removed from the system.",
    ),
    "links.sent_at": ("送信", "Sent"),
    "links.expires": ("有効期限", "Works until"),
    "links.max": ("ダウンロードの上限", "Download limit"),
    "links.max_value": ("ファイルごと・宛先ごとに {} 回", "{} per file and recipient"),
    "links.files": ("ファイル", "Files"),
    "links.size": ("サイズ", "Size"),
    "links.recipients": ("宛先と残りのダウンロード回数", "Recipients and downloads left"),
    "links.left": ("残り {} 回", "{} left"),
    "links.log": ("ダウンロードの履歴", "Download log"),
    "links.log_none": ("まだダウンロードされていません。", "Nothing has been downloaded yet."),
    "links.log_more": (
        "新しいものから {} 件を表示しています（全 {} 件）。",
        "The latest {} of {} downloads are shown.",
    ),
    "links.when": ("日時", "Time"),
    "links.file": ("ファイル", "File"),
    "links.who": ("受信者", "Recipient"),
    "links.client": ("接続元", "Client address"),
    "links.act": ("リンクの操作", "Manage the links"),
    "links.revoke": ("リンクを停止する", "Stop the links"),
    "links.revoke_help": (
        "停止すると、すべての受信者がダウンロードできなくなります。元に戻すことはできません。",
        "Once stopped, no recipient can download the files. This cannot be undone.",
    ),
    "links.confirm_title": ("リンクを停止しますか？", "Stop the links?"),
    "links.confirm_text": (
        "停止すると、まだダウンロードしていない受信者もファイルを受け取れなくなります。"
        "元に戻すことはできません。必要な場合は、メールを送り直してください。",
        "Recipients who have not downloaded the files yet will no longer be able to. "
        "This cannot be undone: if they still need the files, send the message again.",
    ),
    "links.confirm_yes": ("停止する", "Stop the links"),
    "links.confirm_back": ("戻る（停止しない）", "Back (keep the links)"),
    "links.extend": ("有効期限を延長する", "Extend the links"),
    "links.extend_by": ("延長する日数", "Extend by"),
    "links.days": ("{} 日", "{} days"),
    "links.day": ("{} 日", "{} day"),
    "links.to_max": ("最長まで（{}）", "As long as allowed ({})"),
    "links.extend_max": (
        "有効期限は、送信から最長 31 日（{}）まで延長できます。",
        "The links can work at most 31 days after sending (until {}).",
    ),
    "links.at_max": (
        "有効期限は、すでに最長（送信から 31 日）です。",
        "The links already work as long as allowed (31 days after sending).",
    ),
    "links.extended": ("有効期限を延長しました。", "The links now work longer."),
    "links.revoked": ("リンクを停止しました。", "The links were stopped."),
    "links.unlocked": ("確認コードの入力を再開しました。", "The recipient may enter codes again."),
    "links.code_stopped": ("コード入力の失敗が多いため停止中", "Stopped: too many wrong codes"),
    "links.unlock_help": (
        "確認コードの入力を何度も間違えたため、この宛先ではコードを受け付けていません。"
        "リンクを他の人に知られた可能性があります。ご本人からの依頼を確かめてから再開してください。",
        "Too many wrong codes were entered for this recipient, so no code is taken: someone else "
        "may have the link. Check with the recipient before you allow codes again.",
    ),
    "links.unlock": ("コードの入力を再開する", "Allow codes again"),
    "links.error.days": ("延長する日数を選んでください。", "Choose how many days to extend by."),
    "links.error.stale": (
        "リンクはすでに停止されたか、ファイルが削除されています。",
        "The links were already stopped, or the files were removed.",
    ),
    "links.error.at_max": (
        "これ以上は延長できません（送信から最長 31 日です）。",
        "The links cannot be extended further (31 days after sending at most).",
    ),
    "links.back": ("メールの確認ページへ戻る", "Back to the message's page"),
}

# The history's words for the links' audit rows (shares.py, link_delivery.py, download pages).
LINK_ACTIONS: dict[str, tuple[str, str]] = {
    "links_created": (
        "添付ファイルをダウンロード用のリンクに置き換えました",
        "attachments replaced by download links",
    ),
    "link_sent": ("ダウンロード用のリンクを送りました", "download link sent"),
    "download_code_requested": ("受信者が確認コードを求めました", "a recipient asked for a code"),
    "download_code_sent": ("確認コードのメールを送りました", "code mail sent"),
    "download_code_failed": ("確認コードが正しくありませんでした", "a wrong code was entered"),
    "download_code_verified": ("受信者が確認コードで本人確認をしました", "a recipient confirmed with a code"),
    "downloaded": ("ファイルがダウンロードされました", "a file was downloaded"),
    "links_failed": (
        "添付ファイルをリンクにできず、送信しませんでした",
        "attachments could not be made into links; not sent",
    ),
    "link_copy_dropped": (
        "リンク停止のため、宛先への送信を取りやめました",
        "a recipient's copy was not sent: the links were stopped",
    ),
    "links_revoked": ("リンクを停止しました", "links stopped"),
    "links_extended": ("リンクの有効期限を延長しました", "links extended"),
    "links_purged": ("期限後、ファイルを削除しました", "files removed after the links ended"),
    "links_unlocked": ("確認コードの入力を再開しました", "codes allowed again"),
}
