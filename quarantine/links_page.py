"""The sender's page of his attachments sent as links (issue 19): /h/{token}/links, opened from
the hold page or the links_sent notice. It shows the files, whom they went to, how many
downloads each recipient has left, and every download (file, time, recipient, client address);
the sender may stop the links (asked twice, on the server) or make them work longer. A
recipient stopped by too many wrong codes (share_codes.MAX_FAILURES: someone else may hold his
link) is marked so, and the sender may let him enter codes again (audited "links_unlocked").

The sender's link only. An approver's link opens a hold for a decision and stops showing it
after the page grace; the download log (recipients' client addresses) and stopping or extending
the sender's share are the sender's business, and the console's (/admin/links) for oversight.
The page stays while the share exists, whatever the hold page's grace: a sender must be able
to stop a link he finds was misdirected days later. After the purge it says the files are gone
and keeps the log. GET changes nothing; every POST carries the hold's CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .link_notice import size_text
from .records import Link
from .rendering import headers
from .schema import shares
from .share_records import ACTIVE, PURGED, REVOKED, ShareLog
from .shares import MAX_LIFETIME
from .tokens import same

if TYPE_CHECKING:
    from .web import Pages

LOG_SHOWN = 500  # downloads the page lists, the latest first
DAY = 86400.0
CHOICES = ("1", "3", "7", "max")  # the extension a sender may choose, in days
DONE = ("extended", "revoked", "unlocked")  # what a redirect after a POST tells (?done=)


@dataclass(frozen=True, kw_only=True)
class Extension:
    """What the extend form offers: (choice, the new expiry) and the furthest expiry."""

    options: tuple[tuple[str, float], ...]
    furthest: float


def share_state(share, now: float) -> str:
    """active, expired (past its expiry, not yet purged), revoked or purged."""
    if share.state in (PURGED, REVOKED):
        return share.state
    return ACTIVE if now < share.expires_at else "expired"


def extension(share, now: float) -> Extension:
    """The choices that still make the links work longer, each no later than 31 days after
    sending (Shares.extend cuts anything later to that)."""
    furthest = share.created_at + MAX_LIFETIME
    base = max(share.expires_at, now)
    options = [(c, base + int(c) * DAY) for c in CHOICES[:-1] if base + int(c) * DAY < furthest]
    if furthest > share.expires_at and furthest > now:
        options.append(("max", furthest))
    return Extension(options=tuple(options), furthest=furthest)


def downloads_left(log: ShareLog) -> list[tuple[str, list[tuple[str, int]]]]:
    """Each recipient with, per file, the downloads he has left."""
    used: dict[tuple[str, int], int] = {}
    for d in log.downloads:
        used[(d.address, d.file_n)] = used.get((d.address, d.file_n), 0) + 1
    return [
        (r, [(f.name, max(0, log.share.max_downloads - used.get((r, f.n), 0))) for f in log.share.files])
        for r in log.recipients
    ]


class LinksPage:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.store = pages.store
        pages.env.filters.setdefault("size", size_text)

    def routes(self) -> list[Route]:
        return [
            Route("/h/{token}/links", self.show, methods=["GET"]),
            Route("/h/{token}/links/revoke", self.revoke, methods=["POST"]),
            Route("/h/{token}/links/extend", self.extend, methods=["POST"]),
            Route("/h/{token}/links/unlock", self.unlock, methods=["POST"]),
        ]

    async def path_for(self, link: Link, token: str) -> str | None:
        """The hold page's way to this page: for the sender's link of a message whose
        attachments went as links (a share exists only once it was released)."""
        if link.role != "sender" or link.record.state == "held":
            return None
        async with self.store.reading() as conn:
            found = (await conn.execute(select(shares.c.id).where(shares.c.id == link.record.id))).first()
        return f"/h/{token}/links" if found is not None else None

    async def _opened(self, request: Request) -> tuple[Link, ShareLog] | None:
        link = await self.store.by_link(request.path_params["token"])
        if link is None or link.role != "sender":
            return None
        log = await self.store.shares.log(link.record.id)
        return None if log is None else (link, log)

    async def show(self, request: Request, error: str | None = None, status: int = 200) -> Response:
        opened = await self._opened(request)
        if opened is None:
            return self.pages.render("unknown.html", status=404, request=request)
        link, log = opened
        now = self.pages.clock()
        state = share_state(log.share, now)
        done = request.query_params.get("done", "")
        shown = tuple(reversed(log.downloads))[:LOG_SHOWN]
        return self.pages.render(
            "links.html",
            request=request,
            status=status,
            record=link.record,
            share=log.share,
            state=state,
            recipients=downloads_left(log),
            stopped=set(log.stopped),
            downloads=shown,
            total=len(log.downloads),
            extension=extension(log.share, now) if log.share.state == ACTIVE else None,
            error=error,
            done=done if done in DONE and error is None else "",
            page_path=f"/h/{request.path_params['token']}/links",
            hold_path=f"/h/{request.path_params['token']}",
        )

    async def _posted(self, request: Request) -> tuple[Link, ShareLog, dict[str, str]] | Response:
        """The sender's link, its share and the form of a POST carrying the hold's CSRF token;
        else the page that refuses it (404, 403)."""
        opened = await self._opened(request)
        if opened is None:
            return self.pages.render("unknown.html", status=404, request=request)
        link, log = opened
        try:
            form = await request.form(max_files=0, max_fields=8)
        except HTTPException:  # a file, too many fields, a malformed body: refused like a stale form
            form = None
        fields = {k: str(v)[:64] for k, v in form.items()} if form is not None else {}
        if not same(fields.get("csrf", ""), link.record.csrf):
            return self.pages.render("unknown.html", status=403, request=request, forbidden=True)
        return link, log, fields

    def _done(self, request: Request, what: str) -> Response:
        """Post/Redirect/Get: the page then says what happened, and a reload does nothing."""
        lang = request.query_params.get("lang", "")
        query = f"?done={what}" + (f"&lang={lang}" if lang in ("ja", "en") else "")
        path = request.url.path.rsplit("/", 1)[0]
        return RedirectResponse(path + query, status_code=303, headers=headers())

    async def revoke(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        link, log, form = posted
        if log.share.state != ACTIVE:
            return await self.show(request, error="links.error.stale", status=409)
        if form.get("confirm") != "1":
            # Asked twice, here on the server: a stray tap or a script only gets the question.
            return self.pages.render(
                "links_confirm.html",
                request=request,
                record=link.record,
                share=log.share,
                recipients=log.recipients,
                back=f"/h/{request.path_params['token']}/links",
            )
        client = request.client.host if request.client else None
        if not await self.store.shares.revoke(log.share.id, "sender", client, self.pages.clock()):
            return await self.show(request, error="links.error.stale", status=409)
        return self._done(request, "revoked")

    async def extend(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        _, log, form = posted
        now = self.pages.clock()
        if log.share.state != ACTIVE:
            return await self.show(request, error="links.error.stale", status=409)
        choice, offered = form.get("days", ""), extension(log.share, now)
        if choice not in CHOICES:
            return await self.show(request, error="links.error.days", status=400)
        if not offered.options:
            return await self.show(request, error="links.error.at_max", status=400)
        # A form older than the page may ask past the furthest expiry: cut to it, as the store does.
        later = max(log.share.expires_at, now) + (int(choice) * DAY if choice != "max" else MAX_LIFETIME)
        chosen = min(later, offered.furthest)
        client = request.client.host if request.client else None
        if not await self.store.shares.extend(log.share.id, chosen, "sender", client, now):
            return await self.show(request, error="links.error.stale", status=409)
        return self._done(request, "extended")

    async def unlock(self, request: Request) -> Response:
        """Codes again for a recipient stopped by too many wrong ones (`n`: his place in the
        list; an address would not fit the form's bounded fields)."""
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        _, log, form = posted
        if log.share.state != ACTIVE:
            return await self.show(request, error="links.error.stale", status=409)
        n = form.get("n", "")
        if not (n.isascii() and n.isdigit()) or not 1 <= int(n) <= len(log.recipients):
            return await self.show(request, error="links.error.stale", status=400)
        address = log.recipients[int(n) - 1]
        client = request.client.host if request.client else None
        if address not in log.stopped or not await self.store.shares.unlock(
            log.share.id, address, "sender", client
        ):
            return await self.show(request, error="links.error.stale", status=409)
        return self._done(request, "unlocked")
