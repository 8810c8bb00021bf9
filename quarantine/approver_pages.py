"""The approver's pages (issue 18, items 7 and 8): his own approval page with the body and the
attachments, a rejection that needs a reason, and the list of what waits for him.

Every page here is opened through an approver's link (the token a notice carried; only its
hash is stored). The list and its entries use that token's authority and no other: the list
shows the holds still waiting whose approvers name the link's own approver, and an entry
(/h/{token}/queue/{id}) opens only such a hold. Nothing new is minted, nothing secret stored.
A link whose own hold is finished and past the page grace lists nothing, as its page shows
nothing: a link found later in a mailbox reveals no other mail.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rules.model import Action

from .hold_view import organisations
from .preview import PART, body_and_parts, member, part_response
from .records import STATE_AFTER, HeldRecord, HoldState, Link
from .rendering import headers
from .schema import held
from .tokens import same

if TYPE_CHECKING:
    from .web import Pages

NOTE_LIMIT = 1000  # characters of a comment or a reason
QUEUE_LIMIT = 100  # holds the list shows
SIGNED_IN_LIST = "/admin/me"  # a signed-in approver's list of what waits for him (me_pages.py)
_RECORD = [column for column in held.c if column.name != "raw"]


def asks(record: HeldRecord, address: str) -> bool:
    """Whether `record` is a hold for approval whose approvers name `address`."""
    wanted = address.strip().lower()
    return record.kind == Action.HOLD_FOR_APPROVAL and any(
        a.strip().lower() == wanted for a in record.approvers or ()
    )


class Approvals:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.store = pages.store

    def routes(self) -> list[Route]:
        return [
            Route("/h/{token}/part/{part}", self.part, methods=["GET"]),
            Route("/h/{token}/queue", self.queue, methods=["GET"]),
            Route("/h/{token}/queue/{hold_id}", self.entry, methods=["GET"]),
            Route("/h/{token}/queue/{hold_id}", self.act_on_entry, methods=["POST"]),
            Route("/h/{token}/queue/{hold_id}/part/{part}", self.part, methods=["GET"]),
        ]

    async def _link(self, request: Request) -> Link | None:
        """The approver's link the request names, on its own hold or, for a queue entry, on
        another hold that waits for the same approver; None for anything else."""
        link = await self.store.by_link(request.path_params["token"])
        if link is None or link.role != "approver":
            return None
        hold_id = request.path_params.get("hold_id")
        if hold_id is None:
            return link
        if self.pages._past_grace(link.record) or len(hold_id) > 64:
            return None
        record = await self.store.get(hold_id)
        if record is None or not asks(record, link.actor):
            return None
        return Link(record=record, role="approver", actor=link.actor)

    def _unknown(self, request: Request) -> Response:
        return self.pages.render("unknown.html", status=404, request=request)

    async def page(
        self, request: Request, link: Link, error: str | None = None, posted: tuple[str, str] = ("", "")
    ) -> Response:
        """The approval page; after a refused decision, with its error and what was typed
        (`posted`: the action and its note), so that nothing typed is lost."""
        record = link.record
        if self.pages._past_grace(record):
            return self.pages.render(
                "hold_done.html", request=request, status=400 if error else 200, record=record
            )
        held_now = record.state == HoldState.HELD
        wanted = tuple(a[3] for a in record.summary.attachments if a[3])
        body, parts = await asyncio.to_thread(body_and_parts, await self.store.raw_of(record.id), wanted)
        token = request.path_params.get("token")  # none on a signed-in approver's page (me_pages.py)
        return self.pages.render(
            "approval.html",
            request=request,
            status=400 if error else 200,
            record=record,
            link=link,
            actions=("approve", "reject") if held_now and record.kind == Action.HOLD_FOR_APPROVAL else (),
            error=error,
            posted=posted,
            body=body,
            parts=parts,
            page_path=request.url.path.removesuffix("/"),
            queue_path=f"/h/{token}/queue" if token else SIGNED_IN_LIST,
            organisations=organisations(record.rcpt_tos, self.pages.is_external, record.findings),
            trail=await self.store.audit_trail(record.id),
        )

    async def decide(self, request: Request, link: Link, form: FormData) -> Response:
        """Approve or reject (the CSRF token and the action are checked by the caller): a
        rejection needs its reason, and either is told to the sender."""
        action, record = str(form.get("action", "")), link.record
        if record.state != HoldState.HELD:  # decided meanwhile: the page says how
            return RedirectResponse(request.url.path, status_code=303, headers=headers())
        raw_note = str(form.get("note", "")).strip()
        if len(raw_note) > NOTE_LIMIT:
            return await self.page(request, link, "approval.note_too_long", (action, raw_note[:NOTE_LIMIT]))
        if action == "reject" and not raw_note:
            return await self.page(request, link, "approval.reason_missing", (action, ""))
        client = request.client.host if request.client else None
        if await self.store.decide_hold(
            record.id,
            STATE_AFTER[action],
            actor=f"approver:{link.actor}",
            client_addr=client,
            note=raw_note or None,
        ):
            await self.pages.quarantine.approval_decided(record, link.actor, action == "approve", raw_note)
        return RedirectResponse(request.url.path, status_code=303, headers=headers())

    async def entry(self, request: Request) -> Response:
        link = await self._link(request)
        if link is None:
            return self._unknown(request)
        return await self.page(request, link)

    async def act_on_entry(self, request: Request) -> Response:
        try:
            link = await self._link(request)
            if link is None:
                return self._unknown(request)
            form = await request.form()
            action = str(form.get("action", ""))
            if not same(str(form.get("csrf", "")), link.record.csrf) or action not in ("approve", "reject"):
                return self.pages.render("unknown.html", status=403, request=request, forbidden=True)
            return await self.decide(request, link, form)
        finally:
            await request.close()

    async def part(self, request: Request) -> Response:
        """An attachment of a hold the link may show: still held, or finished within the
        page grace, and only a part the message's summary lists."""
        return await self.part_of(request, await self._link(request))

    async def part_of(self, request: Request, link: Link | None) -> Response:
        """The attachment the request names of `link`'s hold (the approver's link, or a
        signed-in approver's page: me_pages.py)."""
        name = request.path_params["part"]
        if link is None or self.pages._past_grace(link.record) or not PART.fullmatch(name):
            return self._unknown(request)
        if name not in {a[3] for a in link.record.summary.attachments if a[3]}:
            return self._unknown(request)
        piece = await asyncio.to_thread(member, await self.store.raw_of(link.record.id), name)
        if piece is None:
            return self._unknown(request)
        # Sniffing and decoding a large attachment: off the loop that also serves SMTP.
        return await asyncio.to_thread(part_response, piece)

    async def queue(self, request: Request) -> Response:
        link = await self._link(request)
        if link is None or self.pages._past_grace(link.record):
            return self._unknown(request)
        token = request.path_params["token"]
        waiting = await self.waiting_for(link.actor)
        return self.pages.render(
            "approvals.html",
            request=request,
            approver=link.actor,
            waiting=waiting[:QUEUE_LIMIT],
            more=max(0, len(waiting) - QUEUE_LIMIT),
            own=link.record.id,
            token=token,
        )

    async def waiting_for(self, address: str) -> list[HeldRecord]:
        """The holds still waiting for `address`'s approval, the soonest to expire first."""
        async with self.store.reading() as conn:
            rows = await conn.execute(
                select(*_RECORD)
                .where(
                    held.c.state == HoldState.HELD,
                    held.c.kind == Action.HOLD_FOR_APPROVAL,
                    held.c.approvers.is_not(None),
                )
                .order_by(held.c.expires_at, held.c.id)
            )
            records = [HeldRecord.from_row(r) for r in rows]
        return [r for r in records if asks(r, address)]
