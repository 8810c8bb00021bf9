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
    token = new_token()
    template = await store.shares.template(message_id)
    if template is None or not await store.shares.add_link(message_id, draft.actor, token):
        # The sender stopped the links (or they ran out) before this copy went: nothing
        # failed, nobody is to be told; the copy is dropped.
        raise Unsendable("links revoked/expired", "links_ended", settles=False)
    args = draft.args
    block = link_mime.LinkBlock(
        url=f"{draft.base_url}/d/{token}",
        expires_text=str(args["expires_text"]),
        files=tuple((str(name), int(size)) for name, size in args["files"]),
        max_downloads=int(args["max_downloads"]),
    )
    return link_mime.with_links(template, block)
