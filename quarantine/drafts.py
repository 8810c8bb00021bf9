"""A queued draft made into bytes when the worker sends it, by whose it is (its role).

A draft carries no secret: the worker mints it now and stores only its hash, so the text with
a working link or code exists only in memory, on its way to the upstream.
- "sender", "approver": a notice with a hold link, {base_url}/h/TOKEN (hold notices, approval
  requests, reminders, "links_sent").
- "recipient": an external recipient's copy of a shared message (issue 19): the share's
  template with the link block, {base_url}/d/TOKEN. A retry mints another token; the first
  still works until the share ends (the recipient may hold either mail).
- "download_code": the recipient's 6-digit code, valid 10 minutes (Shares.set_code).
"""

from __future__ import annotations

import secrets
import time

from . import link_mime
from .errors import QuarantineError
from .notice import render
from .records import LinkedNotice
from .rendering import when
from .store import Store
from .tokens import new_token


class Unsendable(QuarantineError):
    """A draft that can no longer be sent: its job fails (error for the sender, detail for the
    audit row: codes only)."""

    def __init__(self, error: str, detail: str, *, settles: bool = True) -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail
        # False: the job ends without failing its hold (a copy of links stopped meanwhile).
        self.settles = settles


async def render_draft(store: Store, draft: LinkedNotice, message_id: str | None) -> bytes:
    if message_id is None:
        raise Unsendable("the hold is no longer stored", "hold_gone")
    if draft.role == "recipient":
        return await _copy(store, draft, message_id)
    if draft.role == "download_code":
        code = f"{secrets.randbelow(10**6):06d}"
        # The code is for the browser that asked (the hash of its nonce cookie): not a
        # template argument.
        args = dict(draft.args)
        browser = str(args.pop("browser", ""))
        if not await store.shares.set_code(message_id, draft.actor, code, time.time(), browser=browser):
            raise Unsendable("the links were revoked or have expired", "links_ended")
        return render(draft.template, args, code)
    token = new_token()
    if not await store.add_link(message_id, token, draft.role, draft.actor):
        raise Unsendable("the hold is no longer stored", "hold_gone")
    return render(draft.template, draft.args, f"{draft.base_url}/h/{token}")


async def _copy(store: Store, draft: LinkedNotice, message_id: str) -> bytes:
    """The copy's text with its link block. The files and the expiry are read from the share
    now (a draft carries neither: one per recipient, they would repeat the list each time),
    so an extended share shows its new expiry."""
    token = new_token()
    template = await store.shares.template(message_id)
    if template is None or not await store.shares.add_link(message_id, draft.actor, token):
        raise await _ended(store, message_id)
    share = await store.shares.info(message_id)
    if share is None:  # deleted by the retention since add_link: the link is gone with it
        raise await _ended(store, message_id)
    zone = store.links.zone if store.links is not None else None
    block = link_mime.LinkBlock(
        url=f"{draft.base_url}/d/{token}",
        expires_text=when(share.expires_at, zone),
        files=tuple((f.name, f.size) for f in share.files),
        max_downloads=share.max_downloads,
    )
    return link_mime.with_links(template, block)


async def _ended(store: Store, message_id: str) -> Unsendable:
    """Why a copy cannot go. Revoked (the sender's or an admin's decision): the copy is
    dropped, nobody is told. Expired or purged before it could go (the upstream refused it
    until then): a failed delivery, the sender is told and the hold waits for an admin."""
    share = await store.shares.info(message_id)
    if share is not None and share.revoked_at is not None:
        return Unsendable("links revoked", "links_revoked", settles=False)
    return Unsendable("the download links expired before this copy could be delivered", "links_expired")
