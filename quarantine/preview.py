"""What an approver sees of the message he approves (issue 18, item 7): its text body, and
each attachment opened in the browser or downloaded.

The message is read with the inspectors' own walk (inspectors/extract/mail.py), so a body is
decoded exactly as the rules read it (Japanese charsets as they are really used, HTML turned
into text). An attachment's real type is sniffed from its bytes (libmagic), never taken from
what the message declares: only plain text (served as text/plain after decoding), PDF and
raster images open inline, each under a sandboxing CSP and nosniff, so that a hostile file
cannot run script in the guard's origin. HTML, SVG, XML and everything else is a download.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from starlette.responses import Response

from inspectors.charsets import decode_bytes
from inspectors.extract import mail
from inspectors.extract.parser import read_lazily
from inspectors.extract.pieces import Member, TextChunk
from inspectors.limits import Limits

from .display import file_name
from .rendering import headers

BODY_LIMIT = 20_000  # characters of the body the page shows
TEXT_LIMIT = 1_000_000  # characters of a text attachment's preview
PART = re.compile(r"[0-9]{1,4}(\.[0-9]{1,4}){0,15}")  # a MIME part path: "2", "1.3.2"

IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
# Text that a browser could run (markup, scripts it renders) is never shown inline, whatever
# it is served as: it is downloaded.
ACTIVE = ("html", "xml", "svg", "xhtml", "javascript", "ecmascript")
ACTIVE_NAMES = re.compile(r"\.(x?html?|svgz?|xml|xsl|xht|mht(ml)?|js|mjs)$", re.I)

# The part responses: nothing they contain may run or load anything, in a unique origin.
PART_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True, kw_only=True)
class Body:
    text: str
    cut: bool  # longer than BODY_LIMIT: only its start is shown


@dataclass(frozen=True, kw_only=True)
class Part:
    part: str  # the MIME part path, as the page's link names it
    name: str
    size: int
    inline: bool  # opens in the browser (text, PDF, image); else downloaded
    mime: str  # the type it is served as


def _walk(raw: bytes):
    message, stand_ins = read_lazily(raw)
    return mail.parts(message, Limits(), stand_ins)


def body_and_parts(raw: bytes, wanted: tuple[str, ...]) -> tuple[Body, list[Part]]:
    """The first text body, and how each of the `wanted` parts (the message's own
    attachments, as its summary lists them) would be served."""
    body: Body | None = None
    parts: dict[str, Part] = {}
    for piece in _walk(raw):
        if isinstance(piece, TextChunk) and body is None and piece.where == "body":
            text = _shown(piece.text)
            body = Body(text=text[:BODY_LIMIT], cut=len(text) > BODY_LIMIT)
        elif isinstance(piece, Member) and piece.part in wanted and piece.part not in parts:
            mime, inline = served_as(piece.data, piece.name, piece.declared_type)
            parts[piece.part] = Part(
                part=piece.part, name=piece.name, size=len(piece.data), inline=inline, mime=mime
            )
    return body or Body(text="", cut=False), [parts[p] for p in wanted if p in parts]


def member(raw: bytes, part: str) -> Member | None:
    """The attachment at MIME part path `part`, decoded from its transfer encoding."""
    for piece in _walk(raw):
        if isinstance(piece, Member) and piece.part == part:
            return piece
    return None


def served_as(data: bytes, name: str = "", declared: str = "") -> tuple[str, bool]:
    """(content type, inline) for an attachment: by its sniffed type only. A file whose name
    or declared type says markup is downloaded even when its bytes look like plain text."""
    import magic

    try:
        sniffed = magic.from_buffer(data[: 1 << 20], mime=True) if data else "application/x-empty"
    except Exception:  # libmagic's own errors: an unknown file
        sniffed = "application/octet-stream"
    markup = any(word in f"{sniffed} {declared.lower()}" for word in ACTIVE) or ACTIVE_NAMES.search(name)
    if markup:
        return "application/octet-stream", False
    if sniffed.startswith("text/"):
        return "text/plain; charset=utf-8", True
    if sniffed == "application/pdf" or sniffed in IMAGES:
        return sniffed, True
    return "application/octet-stream", False


def part_response(piece: Member) -> Response:
    """The attachment as the browser gets it: inline only for what served_as allows."""
    mime, inline = served_as(piece.data, piece.name, piece.declared_type)
    data = piece.data
    if inline and mime.startswith("text/"):
        text = decode_bytes(data)
        data = (text[:TEXT_LIMIT] + ("\n…" if len(text) > TEXT_LIMIT else "")).encode("utf-8")
    name = file_name(piece.name, 120) or "attachment"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80] or "attachment"
    disposition = (
        f'{"inline" if inline else "attachment"}; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    return Response(
        data,
        media_type=mime,
        headers=headers({**PART_HEADERS, "Content-Disposition": disposition}),
    )


def _shown(text: str) -> str:
    """The body as lines of text: no control, bidi or other format characters (they could
    make a line lie about itself), tabs and line breaks kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        c if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp") else " "
        for c in text
    )
