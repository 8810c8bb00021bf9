"""The words a recipient reads where the attachments were: the download link, its expiry and
the files, in Japanese then in English, as plain text and as HTML (quarantine/link_mime.py
puts them into each body part).

File names come from the sender's message and are hostile: control characters are dropped
from the text version (a name cannot start a line of its own) and everything is escaped in
the HTML one."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


@dataclass(frozen=True, kw_only=True)
class LinkBlock:
    url: str
    expires_text: str  # e.g. "2026-12-10 17:00 (JST)"
    files: tuple[tuple[str, int], ...]  # (name, size)
    max_downloads: int


def size_text(size: int) -> str:
    """1.2 MB, 340 KB, 12 B: binary units, as file managers show them."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def _sentences(block: LinkBlock) -> tuple[str, str, str, str]:
    expires, n = _clean(block.expires_text), block.max_downloads
    return (
        f"添付ファイルはダウンロードリンクでお送りします（有効期限: {expires}、各ファイル {n} 回まで）。",
        "ダウンロードの際、このメールの宛先に確認コードをお送りします。",
        f"The attachments are sent as a download link (expires {expires}, up to {n} downloads per file).",
        "A confirmation code will be sent to this address when you download.",
    )


def _files(block: LinkBlock) -> list[str]:
    return [f"{_clean(name) or '-'} ({size_text(size)})" for name, size in block.files]


def plain(block: LinkBlock, newline: str = "\r\n") -> str:
    """The block for a text/plain part: the URL alone on its line, for clients to make
    clickable."""
    ja, ja_code, en, en_code = _sentences(block)
    url = _clean(block.url)
    lines = ["", "----", ja, url, *(f"・{f}" for f in _files(block)), ja_code, "", en, url, en_code, ""]
    return newline.join(lines)


def as_html(block: LinkBlock) -> str:
    """The block for a text/html part; every piece of text escaped."""
    ja, ja_code, en, en_code = (html.escape(s) for s in _sentences(block))
    url = html.escape(_clean(block.url), quote=True)
    link = f'<a href="{url}">{url}</a>'
    files = "".join(f"<li>{html.escape(f)}</li>" for f in _files(block))
    return (
        '\r\n<div class="download-links"><hr>'
        f"<p>{ja}<br>{link}</p><ul>{files}</ul><p>{ja_code}</p>"
        f"<p>{en}<br>{link}<br>{en_code}</p></div>\r\n"
    )
