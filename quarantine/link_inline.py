"""Which inline parts of a multipart/related stay in a message whose attachments go as links.

A picture the HTML shows (a signature's logo) stays in the message: sending it as a link
would break the mail for nothing. But mail programs list an unreferenced related part as an
attachment under its file name, and the inspectors read any such part as an attachment
("attachment:NAME" findings); a part kept by a declaration alone would let a zip or a
customer list leave attached. So a part stays only when all three hold:

- it is declared a raster picture (image/*, not SVG: an SVG is a document with text);
- its bytes are one, as the inspectors' type detector judges them (libmagic, archives
  inside found too), of a format with a signature: libmagic takes any bytes for a TGA;
- the HTML of its multipart/related refers to it as cid:.

Anything else is taken as a file: the safe mistake is a logo sent as a link.
"""

from __future__ import annotations

import re
from email.message import Message
from urllib.parse import unquote

from inspectors.extract.kind import TypeDetector
from inspectors.extract.mail import _is_attachment, filename
from inspectors.extract.parser import declared_type
from inspectors.extract.payload import payload_bytes

_CID = re.compile(rb"cid:([^\"'\s<>()]+)", re.IGNORECASE)
_DETECTOR = TypeDetector()
# What mail programs show inline, each known by its first bytes.
_PICTURES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/x-ms-bmp"})


def referenced(related: Message, depth: int, max_depth: int) -> frozenset[str]:
    """The Content-IDs the HTML bodies of `related` refer to (cid:...), normalised."""
    found: set[str] = set()
    _html_refs(related, depth, max_depth, found)
    return frozenset(found)


def stays_inline(part: Message, ctype: str, cids: frozenset[str] | None) -> bool:
    """Whether this part is an inline Content-ID part of a multipart/related (`cids`: the ids
    its HTML shows; None outside one) and a picture the HTML shows."""
    if cids is None or not part.get("Content-ID") or _disposition(part) == "attachment":
        return False
    if not ctype.startswith("image/") or ctype == "image/svg+xml":
        return False
    if _normal(str(part.get("Content-ID") or "")) not in cids:
        return False
    kind = _DETECTOR.detect(payload_bytes(part), filename(part) or "", ctype)
    return kind.name == "image" and kind.mime in _PICTURES


def _disposition(part: Message) -> str:
    return str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()


def _html_refs(part: Message, depth: int, max_depth: int, out: set[str]) -> None:
    ctype = declared_type(part)
    if getattr(part, "opaque", "") == "depth" or ctype.startswith("message/"):
        return
    if part.is_multipart():
        if depth < max_depth:
            for child in part.get_payload():
                if isinstance(child, Message):
                    _html_refs(child, depth + 1, max_depth, out)
        return
    if ctype == "text/html" and not (filename(part) or _is_attachment(part, ctype)):
        out.update(_normal(m.decode("ascii", "replace")) for m in _CID.findall(payload_bytes(part)))


def _normal(cid: str) -> str:
    """ "<Logo@x>" and cid:Logo%40x alike: RFC 2392's cid URL is the URL-encoded id."""
    return unquote(cid.strip().strip("<>").strip()).lower()
