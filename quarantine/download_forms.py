"""The forms of the download pages (/d/, the part of the guard open to the internet), read
with bounds before anything else is done: a POST there carries a CSRF value and perhaps a
code, nothing more.

A body over BODY_MAX is refused (413) by its Content-Length, and while it streams for a
sender that gives none or lies; the form is parsed from the bytes kept, with no file part
(Starlette would spool files to disk), at most FIELDS_MAX fields of PART_MAX bytes each.
All of it before the link is looked up: no database work for a junk POST.
"""

from __future__ import annotations

import re
import unicodedata

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message

BODY_MAX = 16 * 1024  # bytes of a /d/ POST body
FIELDS_MAX = 8  # csrf, code, and room for a browser's extras
PART_MAX = 4096  # bytes of one field
_CODE = re.compile(r"[0-9]{6}")
_CODE_FIELD_MAX = 40  # characters of a code field looked at (spaces included)


async def read_form(request: Request) -> FormData | int:
    """The posted form, or the status that refuses it: 413 too large, 400 not a form."""
    length = request.headers.get("content-length")
    if length is not None and (not (length.isascii() and length.isdigit()) or int(length) > BODY_MAX):
        return 413 if length.isascii() and length.isdigit() else 400
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > BODY_MAX:
            return 413
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:  # as a client that went away
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    try:
        return await Request(request.scope, replay).form(
            max_files=0, max_fields=FIELDS_MAX, max_part_size=PART_MAX
        )
    except (HTTPException, MultiPartException):  # a file part, too many fields, a bad body
        return 400


def code_value(value: object) -> str | None:
    """Six digits as typed: spaces and hyphens dropped, full-width digits (a Japanese phone
    keyboard's) read as ASCII; None for anything else."""
    if not isinstance(value, str) or len(value) > _CODE_FIELD_MAX:
        return None
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"[\s-]", "", text)
    return text if _CODE.fullmatch(text) else None
