"""The words a recipient reads where the attachments were: the download link, its expiry and
the files, in Japanese then in English, as plain text and as HTML, and their writing into one
body part (quarantine/link_mime.py finds the parts).

The block is appended as bytes in the part's own charset, so the sender's text keeps its
bytes (a re-encoding could lose the characters a mailer's charset variant has and Python's
lacks); a charset that cannot write the block, or that the body does not really use, turns
the part to UTF-8. The transfer encoding is kept; 7-bit, which cannot carry 8-bit bytes,
becomes quoted-printable.

File names come from the sender's message and are hostile: control characters become spaces
in the text version (a name cannot start a line of its own) and everything is escaped in
the HTML one."""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
from dataclasses import dataclass
from email.message import Message

from inspectors.charsets import decode_bytes
from inspectors.extract.parser import declared_type
from inspectors.extract.payload import payload_bytes
from inspectors.extract.text import html_charset

_NAME_MAX = 120
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_CP932 = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
}
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
    """One line per file; a long name shortened (a line stays far below SMTP's 998 bytes)."""
    names = [_clean(name) or "-" for name, _ in block.files]
    names = [n if len(n) <= _NAME_MAX else n[: _NAME_MAX - 1] + "…" for n in names]
    return [f"{name} ({size_text(size)})" for name, (_, size) in zip(names, block.files, strict=True)]


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


def write_block(part: Message, block: LinkBlock) -> None:
    """The block added at the end of one text/plain or text/html part (before </body>)."""
    data = payload_bytes(part)
    is_html = declared_type(part) == "text/html"
    declared = part.get_content_charset()
    charset = (declared or (html_charset(data) if is_html else None) or "us-ascii").lower()
    newline = "\n" if b"\n" in data and b"\r\n" not in data else "\r\n"
    text = as_html(block) if is_html else plain(block, newline)
    added = _encoded(data, text, charset)
    if added is None:
        data = decode_bytes(data, charset).encode("utf-8")
        added = text.encode("utf-8")
        part.set_param("charset", "utf-8")
    elif declared is None and not added.isascii():
        part.set_param("charset", charset)  # the page's <meta> said it: the header says it too
    ends = list(_BODY_END.finditer(data)) if is_html else []
    if ends:
        data = data[: ends[-1].start()] + added + data[ends[-1].start() :]
    else:
        data += added
    _set_body(part, data)


def _encoded(data: bytes, text: str, charset: str) -> bytes | None:
    """`text` in the body's charset; None when it cannot be (or the body is not in it)."""
    try:
        codec = codecs.lookup(_CP932.get(charset, charset))
        if codec.encode("<a>\n")[0] != b"<a>\n":
            return None  # UTF-16 and the like: appended bytes would not line up
        codec.decode(data)
        added = codec.encode(text)[0]
    except (LookupError, UnicodeError, ValueError):
        return None
    if codec.name == "iso2022_jp" and b"\x1b" in data:
        added = b"\x1b(B" + added  # back to ASCII, should the body have ended in kanji
    return added


def _set_body(part: Message, data: bytes) -> None:
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte not in ("base64", "quoted-printable", "8bit", "binary") and not data.isascii():
        cte = "quoted-printable"
        if "Content-Transfer-Encoding" in part:
            part.replace_header("Content-Transfer-Encoding", cte)
        else:
            part["Content-Transfer-Encoding"] = cte
    if cte == "base64":
        encoded = base64.encodebytes(data).decode("ascii")
    elif cte == "quoted-printable":
        encoded = binascii.b2a_qp(data, istext=True).decode("ascii")
    else:
        encoded = data.decode("ascii", "surrogateescape")  # 8-bit bytes written back as they are
    part.set_payload(encoded)
