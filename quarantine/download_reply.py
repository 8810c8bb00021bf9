"""What the download pages (download_pages.py) send besides pages: a file as an attachment
under a name no browser misreads, the sizes people read, an address shown masked.

The file's name came from the sender's mail client, or from whoever wrote the message: it
may hold quotes, CR LF, path separators, bidi overrides. Content-Disposition carries it twice
(RFC 6266): `filename*` percent-encoded UTF-8 (RFC 5987) for today's browsers, `filename` a
quoted ASCII stand-in for the others; neither can end the header or name a directory.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal
from urllib.parse import quote

from starlette.responses import Response

from .display import UNSAFE
from .rendering import headers

NAME_MAX = 150  # characters of a downloaded file's name (file systems take 255 bytes)
_FALLBACK = "download"
_PATH = re.compile(r"[\\/]")


def safe_name(name: str) -> str:
    """The name's last path component, without control, format or separator characters, not
    hidden (no leading dot), at most NAME_MAX characters with its extension kept."""
    base = _PATH.split(name or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in UNSAFE).strip().lstrip(". ")
    if len(base) > NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        keep = dot + ext if stem and len(ext) <= 10 else ""
        base = base[: NAME_MAX - len(keep)] + keep
    return base or _FALLBACK


def ascii_name(name: str) -> str:
    """The ASCII stand-in: what cannot be written plainly in a quoted string becomes "_"."""
    return "".join(c if " " <= c <= "~" and c not in '"\\%' else "_" for c in name)


def disposition(name: str) -> str:
    safe = safe_name(name)
    return f"attachment; filename=\"{ascii_name(safe)}\"; filename*=UTF-8''{quote(safe, safe='')}"


def file_response(name: str, data: bytes) -> Response:
    """The bytes as a download: never shown inline, never sniffed, never cached."""
    return Response(
        data,
        media_type="application/octet-stream",
        headers=headers({"Content-Disposition": disposition(name), "Cache-Control": "no-store"}),
    )


def size_text(size: int) -> str:
    """ "512 bytes", "12.3 KB", "3.4 MB" (1 KB = 1024 bytes), as the link notices write them."""
    if size < 1024:
        return f"{size} bytes"
    kb = size / 1024
    return f"{kb:.1f} KB" if kb < 1024 else f"{kb / 1024:.1f} MB"


def masked(address: str) -> str:
    """ "t***@client.example": the recipient knows the address; whoever else holds the link
    learns only its domain."""
    local, at, domain = address.rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def set_cookie(
    response: Response,
    name: str,
    value: str,
    token: str,
    max_age: int | None,
    secure: bool,
    samesite: Literal["strict", "lax"] = "strict",
) -> None:
    """A cookie of one link: Path=/d/{token} (another link in the same browser has its own),
    HttpOnly, Secure when web.public_url is https. SameSite=Strict (never sent with a request
    another site starts) for the CSRF cookie; the session's is Lax, so that a recipient who
    opens the link again from webmail (a click from another site) still finds the downloads
    open — every download is a POST, which Lax does not carry from another site."""
    response.set_cookie(
        name, value, max_age=max_age, path=f"/d/{token}", secure=secure, httponly=True, samesite=samesite
    )
