"""What the sender's held-message page adds to the record (issue 18): each recipient's field
(To/Cc/Bcc, read from the stored header), recipients grouped by client name, the fix the
reasons ask for, and, after a fix, what it did and what the re-inspection found."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from inspectors.clients import Client

from .fix_outcome import FixOutcome, read
from .hold_view import client_names, organisations
from .records import HoldState
from .sender_fix import recipient_fields, suggest
from .store import Store

Clients = Callable[[], Awaitable[tuple[Client, ...]]]

_KINDS = (  # file extension -> the i18n key of its short kind (shown instead of a MIME type)
    (re.compile(r"\.(xlsx|xlsm|xls|xlsb|ods)$"), "kind.excel"),
    (re.compile(r"\.(docx|docm|doc|odt|rtf)$"), "kind.word"),
    (re.compile(r"\.(pptx|pptm|ppt|odp)$"), "kind.powerpoint"),
    (re.compile(r"\.pdf$"), "kind.pdf"),
    (re.compile(r"\.(csv|tsv)$"), "kind.csv"),
    (re.compile(r"\.(zip|7z|rar|lzh|gz|tgz|tar)$"), "kind.archive"),
    (re.compile(r"\.(png|jpe?g|gif|bmp|tiff?|webp|heic)$"), "kind.image"),
    (re.compile(r"\.(txt|log|md)$"), "kind.text"),
    (re.compile(r"\.(eml|msg)$"), "kind.mail"),
)


def file_kind(name: str, content_type: str) -> str:
    """The i18n key of an attachment's kind: 「Excel」「PDF」… rather than its MIME type."""
    lower = name.lower().strip()
    for pattern, key in _KINDS:
        if pattern.search(lower):
            return key
    major = content_type.split("/", 1)[0].lower()
    return {"image": "kind.image", "text": "kind.text", "message": "kind.mail"}.get(major, "kind.other")


async def sender_context(
    store: Store,
    record,
    actions: tuple[str, ...],
    is_external: Callable[[str], bool],
    clients: Clients | None,
    fixed: bool,
) -> dict:
    """The page's extra context; of the stored message only its first bytes are read, for
    the header (a finished hold past its grace never gets here)."""
    head = await store.head_of(record.id)  # b"" once retention has emptied it: fields unknown
    fields = recipient_fields(head, record.rcpt_tos) if head else {}
    client_of = client_names(await clients()) if clients is not None else (lambda domain: "")
    suggestion = (
        suggest(record.decision, record.rcpt_tos, record.summary.attachments, is_external)
        if "release" in actions and record.kind == "hold"
        else None
    )
    return {
        "organisations": organisations(record.rcpt_tos, is_external, record.findings, fields, client_of),
        "fields": fields,
        "suggestion": suggestion,
        "bcc_moves": [r for r in record.rcpt_tos if is_external(r) and fields.get(r) in ("To", "Cc")],
        "outcome": await _outcome(store, record) if fixed else None,
        "outcome_key": _outcome_key(record),
        "file_kind": file_kind,
    }


async def _outcome(store: Store, record) -> FixOutcome | None:
    """The latest fix of this message, as its audit row recorded it."""
    for entry in reversed(await store.audit_trail(record.id)):
        if entry.action == "modified" and entry.actor == "sender":
            return read(entry.detail)
    return None


def _outcome_key(record) -> str:
    """What the re-inspection found, as the hold stands now."""
    if record.state == HoldState.RELEASED:
        return "fixed.sent"
    if record.state == HoldState.HELD:
        return {"hold_for_approval": "fixed.approval", "delay": "fixed.delay"}.get(record.kind, "refixed")
    return "fixed.stopped"
