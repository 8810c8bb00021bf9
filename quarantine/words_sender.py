"""The sender's hold page in Japanese and English (issue 18): the fix the reasons ask for,
what a fix did, the recipients' fields, the attachments' kinds."""

from __future__ import annotations

SENDER_WORDS: dict[str, tuple[str, str]] = {  # key -> (ja, en)
    "me.back": ("自分のメールの一覧へ", "Back to my messages"),  # a signed-in sender's page (me_pages.py)
    "fix.primary.bcc": ("Bccに移して送信", "Move to Bcc and send"),
    "fix.primary.remove": ("この宛先を外して送信", "Remove these recipients and send"),
    "fix.primary.drop": ("添付を外して送信", "Remove the attachment and send"),
    "fix.primary.several": ("指摘された点を直して送信", "Fix what was found and send"),
    # Attachments as download links (issue 19, 脱PPAP)
    "fix.primary.links": (
        "添付ファイルをダウンロードリンクにして送る",
        "Send the attachments as download links",
    ),
    "fix.secondary.drop": ("代わりに添付を外して送信", "Remove the attachments instead and send"),
    "fix.will.links": ("ダウンロードリンクにする添付ファイル", "Attachments sent as download links"),
    "fix.links.hint": (
        "社外の宛先には、添付ファイルの代わりにダウンロードリンクが届きます。受け取った人はメールで届く確認コードで"
        "自分のアドレスを確かめてからダウンロードします。リンクの有効期限は7日間です。"
        "ダウンロードの記録を見たり、リンクを止めたりできます。",
        "Recipients outside get a download link instead of the attachments; they confirm their "
        "address with a code sent by mail before downloading. The links expire in 7 days. You can "
        "see the downloads and stop the links.",
    ),
    "fix.links.check": (
        "添付ファイルをダウンロードリンクにして送る",
        "Send the attachments as download links",
    ),
    "fixed.links": (
        "添付ファイルをダウンロードリンクにして送りました",
        "The attachments were sent as download links",
    ),
    "fixed.links.later": (
        "添付ファイルは、送信するときにダウンロードリンクにします",
        "The attachments will go as download links when the message is sent",
    ),
    "fix.suggested": (
        "保留の理由に合わせた修正です。修正したメールは送信前にもう一度検査されます。",
        "The fix the reasons ask for. The fixed message is inspected again before it goes.",
    ),
    "fix.will.remove": ("外す宛先", "Recipients to remove"),
    "fix.will.bcc": ("To/Cc から Bcc に移す宛先", "Recipients moved from To/Cc to Bcc"),
    "fix.will.drop": ("外す添付ファイル", "Attachments to remove"),
    "fix.other": ("ほかの修正をして送信", "Other fixes, then send"),
    "fix_empty": (
        "修正する項目が選ばれていません。外す宛先か添付ファイル、Bcc への移動、またはダウンロードリンクを選んでください。",
        "Nothing was chosen: pick recipients or attachments to remove, moving to Bcc, or download links.",
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
    # Supervisor Bcc (rules add_bcc, issue 19): the envelope gets them, the header does not.
    "add_bcc.before": ("上長（", "A Bcc copy also goes to your supervisor ("),
    "add_bcc.after": ("）にも Bcc で送られます。", ")."),
}
