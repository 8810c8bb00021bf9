"""The recipient's download pages in Japanese and English (issue 19; templates/download*.html).
The reader is outside the company, perhaps not Japanese: every sentence says what to do next."""

from __future__ import annotations

DOWNLOAD_WORDS: dict[str, tuple[str, str]] = {  # key -> (ja, en)
    "download.title": ("ファイルのダウンロード", "File download"),
    "download.heading": ("ファイルが届いています", "Files were shared with you"),
    "download.from": ("送信者", "From"),
    "download.expires": ("有効期限", "Available until"),
    "download.files": ("ファイル", "Files"),
    "download.left": ("残り {left} / {max} 回", "{left} of {max} downloads left"),
    "download.size": ("サイズ", "Size"),
    "download.button": ("ダウンロード", "Download"),
    "download.used_up": ("ダウンロード回数の上限に達しました", "No downloads left"),
    "download.protect": (
        "ファイルを守るため、ダウンロードの前に {address} 宛てに確認コードをメールでお送りします。"
        "コードの有効期限は{minutes}分です。",
        "To protect these files, we first email a confirmation code to {address}. "
        "The code is valid for {minutes} minutes.",
    ),
    "download.send_code": ("確認コードを送る", "Email me a code"),
    "download.have_code": ("確認コードをお持ちの場合", "Already have a code?"),
    "download.prefetch": (
        "このページを開いただけでは、コードの送信やダウンロードの回数は数えられません。",
        "Opening this page sends no code and counts no download.",
    ),
    "download.verified": (
        "確認が済みました。下のボタンからダウンロードできます（30分間有効）。",
        "You are verified: download the files with the buttons below (for 30 minutes).",
    ),
    # The code form
    "download.code_title": ("確認コードの入力", "Enter the code"),
    "download.code_sent": ("確認コードを送りました", "We sent you a code"),
    "download.code_sent_text": (
        "{address} 宛てに6桁の確認コードをお送りしました。{minutes}分以内に下に入力してください。",
        "We emailed a 6-digit code to {address}. Enter it below within {minutes} minutes.",
    ),
    "download.code_label": ("確認コード（6桁の数字）", "Code (6 digits)"),
    "download.verify": ("確認する", "Verify"),
    "download.no_code": (
        "メールが届かない場合は、迷惑メールのフォルダーを確認するか、コードをもう一度送ってください。",
        "No email? Check your spam folder, or send the code again.",
    ),
    "download.resend": ("コードをもう一度送る", "Send the code again"),
    "download.back": ("ファイルの一覧に戻る", "Back to the files"),
    # What went wrong
    "download.bad_format": (
        "確認コードは6桁の数字です。メールに書かれた数字をそのまま入力してください。",
        "The code is 6 digits: type the number from the email.",
    ),
    "download.wrong": (
        "確認コードが正しくありません。あと {left} 回入力できます。",
        "That code is not right. You can try {left} more times.",
    ),
    "download.wrong_last": (
        "確認コードが正しくありません。",
        "That code is not right.",
    ),
    "download.code_expired": (
        "確認コードの有効期限が切れました。新しいコードを送ってください。",
        "The code has expired. Send yourself a new one.",
    ),
    "download.locked": (
        "確認コードを何度も間違えたため、このコードは使えなくなりました。新しいコードを送ってください。",
        "Too many wrong codes: this code no longer works. Send yourself a new one.",
    ),
    "download.no_code_yet": (
        "まだ確認コードが送られていません。まずコードを送ってください。",
        "No code has been sent yet. Send yourself a code first.",
    ),
    "download.too_many": ("確認コードの送信が多すぎます", "Too many codes requested"),
    "download.too_many_text": (
        "短い時間に何度もコードが求められました。1時間ほど待ってから、もう一度お試しください。",
        "Codes were requested too often. Please wait about an hour, then try again.",
    ),
    "download.stopped": ("確認コードを受け付けられません", "Codes are stopped for this link"),
    "download.stopped_text": (
        "確認コードの入力の失敗が多いため、このリンクでは確認コードを停止しています。"
        "送信者に連絡して、再開を依頼してください。",
        "Too many wrong codes were entered, so this link takes no more codes. "
        "Ask the sender to turn them back on.",
    ),
    "download.limit": ("ダウンロード回数の上限に達しました", "The download limit was reached"),
    "download.limit_text": (
        "このファイルは、これ以上ダウンロードできません。必要な場合は送信者に連絡してください。",
        "This file cannot be downloaded again. Contact the sender if you still need it.",
    ),
    "download.refused": ("操作できませんでした", "The request was refused"),
    "download.refused_text": (
        "ページが古くなっているか、正しくない操作です。ファイルの一覧を開き直してから、もう一度お試しください。",
        "The page was out of date or the request was not valid. Open the files again, then retry.",
    ),
    "download.not_verified": ("確認が必要です", "Please verify first"),
    "download.not_verified_text": (
        "確認の有効期限が切れたか、ページが古くなっています。ファイルの一覧を開き直し、確認コードを送ってください。",
        "Your verification has expired or the page is out of date. Open the files again and "
        "send yourself a code.",
    ),
    # Links that no longer work: nothing about the files is shown
    "download.revoked": ("送信者がこのリンクを停止しました", "The sender has stopped this link"),
    "download.revoked_text": (
        "このリンクからはダウンロードできません。必要な場合は送信者に連絡してください。",
        "Nothing can be downloaded from this link. Contact the sender if you need the files.",
    ),
    "download.expired": ("有効期限が切れました", "This link has expired"),
    "download.expired_text": (
        "ダウンロードの期限が過ぎたため、ファイルは削除されたか、まもなく削除されます。"
        "必要な場合は送信者に連絡してください。",
        "The time to download has passed; the files are or will soon be deleted. Contact the "
        "sender if you still need them.",
    ),
    "download.unknown": ("リンクが見つかりません", "This link is not valid"),
    "download.unknown_text": (
        "リンクが正しくありません。メールに書かれたリンクを、途中で切れないようにそのまま開いてください。",
        "The link is not valid. Open the link from the email exactly as it is written, "
        "without a part cut off.",
    ),
}
