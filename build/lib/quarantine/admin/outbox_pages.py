"""The embedded Maildir outbox (`upstream: maildir:PATH`), inside the console.

It holds every delivered message and every notice, with its working release and approval
links: only an admin may read it. Without the Maildir upstream there is no outbox (404).
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from inspectors.charsets import decode_header_value

from ..maildir import Maildir
from ..rendering import headers
from .console import Console

SHOWN = 200


class OutboxPages:
    def __init__(self, console: Console, outbox: Path | None) -> None:
        self.console = console
        self.outbox = Maildir(outbox) if outbox is not None else None

    async def index(self, request: Request, session, form) -> Response:
        if self.outbox is None:
            return self.console.refuse(404, "not_found", session)
        items = [{"name": path.name, **_headers_of(path)} for path in self.outbox.latest(SHOWN)]
        return self.console.render("outbox.html", session=session, nav="outbox", items=items)

    async def item(self, request: Request, session, form) -> Response:
        path = self.outbox.message(request.path_params["name"]) if self.outbox else None
        if path is None:
            return self.console.refuse(404, "not_found", session)
        return PlainTextResponse(path.read_bytes().decode("utf-8", "replace"), headers=headers())


def _headers_of(path: Path) -> dict:
    with open(path, "rb") as f:
        head = f.read(64 * 1024).split(b"\r\n\r\n", 1)[0]
    msg = email.message_from_bytes(head + b"\r\n\r\n", policy=email.policy.compat32)
    # raw_items keeps 8-bit header bytes (as surrogates) for the decoder; get() would not.
    values = {name.lower(): value for name, value in reversed(list(msg.raw_items()))}
    return {
        key: decode_header_value(values.get(key.lower(), "")) for key in ("From", "To", "Subject", "Date")
    }
