"""The notices of attachments sent as download links (issue 19), in the style of every notice
(notice.py): Japanese first, then English; whatever someone else wrote (subject, addresses,
file names) through one_line; the link or the code given only when the worker sends them.

- links_sent (to the sender): the attachments went as links; the page of their downloads.
- first_download (to the sender): someone downloaded a file of the share for the first time.
- download_code (to a recipient, who may not read Japanese): the code, alone on its line, and
  no link at all — a mail that carried one could be made to phish for the next code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .notice import NOTICE_NAME, notice_mail, one_line

FILES_SHOWN = 20  # file lines in a notice; the page lists them all
RECIPIENTS_SHOWN = 20
LINKS_PAGE: tuple[str, str] = (
    "ダウンロードの履歴と、リンクの停止・期限の延長（このリンクを開いただけでは、何も変わりません）:",
    "Downloads so far, and to stop the links or extend them (opening the link changes nothing):",
)


def size_text(size: object) -> str:
    """A file's size as people read it: "850 bytes", "12.4 KB", "3.1 MB" (1 KB = 1024 bytes)."""
    n = float(size) if isinstance(size, int | float) and size >= 0 else 0.0
    if n < 1024:
        return f"{int(n)} bytes"
    for unit in ("KB", "MB"):
        n /= 1024
        if n < 1024:
            return f"{n:.1f} {unit}"
    return f"{n / 1024:.1f} GB"


def _safe(value: object, limit: int = 200) -> str:
    """An untrusted name made one line, with any URL in it defanged: the only link in a
    notice is ours (as notice._reasons does with file names)."""
    return one_line(value, limit).replace("://", ":/ /")


def _file_lines(files: Sequence[Sequence[object]], bullet: str, more: str) -> list[str]:
    lines = []
    for entry in list(files)[:FILES_SHOWN]:
        name, size = (list(entry) + ["", 0])[:2]
        lines.append(f"{bullet}{_safe(name, 120)} ({size_text(size)})")
    if len(files) > FILES_SHOWN:
        lines.append(more.format(len(files) - FILES_SHOWN))
    return lines


def links_sent(
    *,
    notice_from: str,
    sender: str,
    subject: str,
    recipients: Sequence[str],
    files: Sequence[Sequence[object]],
    when_text: str,
    link: str,
    notice_name: str = NOTICE_NAME,
) -> bytes:
    """To the sender: his attachments left as download links. `link`: his hold link; the
    download log is its /links page. `when_text`: when the links stop working."""
    subject = _safe(subject)
    shown = [_safe(r) for r in list(recipients)[:RECIPIENTS_SHOWN]]
    extra = len(recipients) - len(shown)
    n = len(recipients)
    page = f"{link}/links"
    body = [
        f"送信されたメールの添付ファイルは、メールから外してダウンロード用のリンクに置き換え、"
        f"社外の宛先 {n} 件にお送りしました。受信者は、メールで届く確認コードを入力してからダウンロードします。",
        "",
        f"件名: {subject}",
        "宛先:",
        *[f"・{r}" for r in shown],
        *([f"・ほか {extra} 件"] if extra > 0 else []),
        "ファイル:",
        *_file_lines(files, "・", "・ほか {} 件"),
        f"リンクの有効期限: {when_text}",
        "",
        LINKS_PAGE[0],
        page,
        "",
        "期限を過ぎると、ファイルはシステムから削除されます。",
        "",
        "-- ",
        f"The attachments of your message were taken out and sent as download links to {n} "
        f"external recipient{'s' if n != 1 else ''}. Each recipient enters a code sent by mail "
        "before downloading.",
        "",
        f"Subject: {subject}",
        "Recipients:",
        *[f"- {r}" for r in shown],
        *([f"- and {extra} more"] if extra > 0 else []),
        "Files:",
        *_file_lines(files, "- ", "- and {} more"),
        f"The links work until: {when_text}",
        "",
        LINKS_PAGE[1],
        page,
        "",
        "After that, the files are deleted from the system.",
        "",
    ]
    tag = "[リンクで送信 / Sent as links]"
    return notice_mail(notice_from, notice_name, sender, f"{tag} {subject}", "\n".join(body))


def first_download(
    *,
    notice_from: str,
    sender: str,
    subject: str,
    recipient: str,
    file_name: str,
    when_text: str,
    link: str,
    notice_name: str = NOTICE_NAME,
) -> bytes:
    """To the sender: the first download of his share (LinkTerms.notify); later ones are on
    the page only, so that a busy share sends one mail, not one per download."""
    subject, recipient, name = _safe(subject), _safe(recipient), _safe(file_name, 120)
    page = f"{link}/links"
    body = [
        f"リンクでお送りした添付ファイルが、{when_text} に {recipient} さんによりダウンロードされました。",
        "",
        f"件名: {subject}",
        f"ファイル: {name}",
        "",
        "これ以降のダウンロードは通知しません。すべての履歴は次のページでご確認いただけます。",
        LINKS_PAGE[0],
        page,
        "",
        "-- ",
        f"{recipient} downloaded a file you sent as a link, at {when_text}.",
        "",
        f"Subject: {subject}",
        f"File: {name}",
        "",
        "Later downloads are not mailed; the page below lists them all.",
        LINKS_PAGE[1],
        page,
        "",
    ]
    tag = "[ダウンロードされました / Downloaded]"
    return notice_mail(notice_from, notice_name, sender, f"{tag} {subject}", "\n".join(body))


def download_code(
    *,
    notice_from: str,
    sender: str,
    subject: str,
    minutes: int = 10,
    link: str,
    recipient: str = "",
    notice_name: str = NOTICE_NAME,
) -> bytes:
    """To a recipient who asked for a code on the download page. `link` is the code itself
    (the worker mints it when it sends; only its hash is stored). No URL: the recipient goes
    back to the page he came from, and a code mail that never links is one a phisher cannot
    copy convincingly. He may not read Japanese: the code comes first, alone on its line,
    under a heading in both languages. `recipient`: his address for To: (the envelope has
    it in any case)."""
    code = one_line(link, 12)
    subject, sender = _safe(subject), _safe(sender)
    minutes = int(minutes) if isinstance(minutes, int | float) and 0 < minutes <= 60 else 10
    body = [
        "ダウンロード用の確認コード / Your download code:",
        "",
        f"    {code}",
        "",
        f"ダウンロードのページでこのコードを入力してください。コードの有効期限は {minutes} 分です。",
        f"差出人 {sender} さんのメール「{subject}」の添付ファイルのためのコードです。",
        "お心当たりのない場合は、このメールを無視してください。コードを他の人に伝えないでください。",
        "",
        "-- ",
        "Enter this code on the download page. It is valid for "
        f"{minutes} minute{'s' if minutes != 1 else ''}.",
        f'It is for the attachments of the message from {sender}: "{subject}".',
        "If you did not ask for it, ignore this mail. Never give the code to anyone.",
        "",
    ]
    # The subject never holds the code: a lock screen's preview would show it to anyone.
    tag = "[確認コード / Download code]"
    to = recipient or "undisclosed-recipients:;"
    return notice_mail(notice_from, notice_name, to, f"{tag} {subject}", "\n".join(body))


TEMPLATES: dict[str, Callable[..., bytes]] = {
    "links_sent": links_sent,
    "first_download": first_download,
    "download_code": download_code,
}
