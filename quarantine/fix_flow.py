"""Fix, then send (issue 18): the fix a sender's form asks for, bounded to what the message
has, applied to the stored bytes, inspected again and stored in the hold's place; then the
redirect to the page that says what was done (`?fixed=1`, read back by hold_page from the
audit row this writes: counts and masked samples, fix_outcome)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from inspectors.base import Envelope

from .fix_outcome import write as fix_detail
from .i18n import LANGS
from .rebuild import Fix, FixError, apply
from .records import HeldRecord
from .rendering import headers

if TYPE_CHECKING:
    from .web import Pages


async def fixed(
    pages: Pages,
    request: Request,
    record: HeldRecord,
    form: FormData,
    show: Callable[[str], Awaitable[Response]] | None = None,
) -> Response:
    """The fix the form asks for, applied, judged again and stored; the page that says so
    (`show(error)`: the hold's page with an error; the link's page by default)."""
    show = show or (lambda error: pages.show_hold(request, error=error))
    # Only what the message has counts: a forged or stale value is no fix at all.
    rcpts = {r.lower() for r in record.rcpt_tos}
    parts = {a[3]: a[0] for a in record.summary.attachments if a[3]}
    fix = Fix(
        remove=frozenset(str(a).lower() for a in form.getlist("remove")[:1000]) & rcpts,
        drop_parts=frozenset(str(p) for p in form.getlist("drop")[:1000]) & parts.keys(),
        to_bcc=form.get("bcc") == "1",
        # Links only for a message with attachments to someone outside: else nothing to link.
        links=form.get("links") == "1" and bool(parts) and any(pages.is_external(r) for r in record.rcpt_tos),
    )
    if fix.empty:
        return await show("fix_empty")
    try:
        raw, rcpts_left = apply(await pages.store.raw_of(record.id), record.rcpt_tos, fix, pages.is_external)
    except FixError:
        return await show("fix_invalid")
    # With links the bytes keep their attachments: the delivery links them (enqueue_release,
    # from the stored decision's rewrites), and the rules judge the message as sent that way.
    judged = await pages.judge(
        raw, Envelope(mail_from=record.mail_from, rcpt_tos=rcpts_left), links=fix.links
    )
    client = request.client.host if request.client else None
    detail = fix_detail(
        [r for r in record.rcpt_tos if r.lower() in fix.remove],
        [parts[p] for p in sorted(fix.drop_parts)],
        fix.to_bcc,
        str(judged.decision.verdict),
        links=fix.links,
    )
    if not await pages.quarantine.refix(
        record, judged, rcpt_tos=rcpts_left, client_addr=client, detail=detail
    ):
        return await show("fix_stale")
    # The page after the redirect reads what was done from the audit row (fix_outcome).
    lang = request.query_params.get("lang")
    back = request.url.path.removesuffix("/fix") + "?fixed=1" + (f"&lang={lang}" if lang in LANGS else "")
    return RedirectResponse(back, status_code=303, headers=headers())
