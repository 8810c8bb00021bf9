"""The delay page in Japanese and English (issue 18; templates/delay.html, delay_confirm.html):
a delay is not held; it waits to be sent, and cancelling in time is what the page is for."""

from __future__ import annotations

DELAY_WORDS: dict[str, tuple[str, str]] = {  # key -> (ja, en)
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
}
