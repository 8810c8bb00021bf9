"""The sender's fixes to a held message: recipients removed, attachments dropped, external
recipients moved to Bcc, attachments sent as links — as new bytes that are then inspected again before anything is sent.

Header changes are made on the bytes (quarantine.rewrite), so everything else stays as it was;
only dropping an attachment re-serialises the MIME tree, which then stays intact around the hole.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO

from inspectors.extract.parser import read_message

from .errors import QuarantineError
from .rewrite import move_external_to_bcc

_POLICY = email.policy.compat32.clone(linesep="\r\n", max_line_length=0)


class FixError(QuarantineError, ValueError):
    """The requested fix would leave nothing sensible to send."""


@dataclass(frozen=True, kw_only=True)
class Fix:
    remove: frozenset[str] = frozenset()  # recipient addresses, lower-case
    drop_parts: frozenset[str] = frozenset()  # MIME part paths of attachments, e.g. "1.2"
    to_bcc: bool = False  # move external To/Cc recipients to Bcc
    # Send the attachments to recipients outside as download links (issue 19). The bytes stay
    # as they are: the delivery splits the attachments off (quarantine/link_delivery.py), and
    # the rules judge the message with link_attachments (Judge(links=True)).
    links: bool = False

    @property
    def empty(self) -> bool:
        return not (self.remove or self.drop_parts or self.to_bcc or self.links)


def apply(
    raw: bytes, rcpt_tos: tuple[str, ...], fix: Fix, is_external: Callable[[str], bool]
) -> tuple[bytes, tuple[str, ...]]:
    """The fixed bytes and envelope recipients."""
    kept = tuple(r for r in rcpt_tos if r.lower() not in fix.remove)
    if not kept:
        raise FixError("at least one recipient must remain")

    def hidden(address: str) -> bool:
        return address.lower() in fix.remove or (fix.to_bcc and is_external(address))

    raw = move_external_to_bcc(raw, hidden)
    if fix.drop_parts:
        raw = _drop_parts(raw, fix.drop_parts)
    return raw, kept


def _drop_parts(raw: bytes, paths: frozenset[str]) -> bytes:
    message = read_message(raw)  # without message_from_bytes's memory peak
    if not _prune(message, "1", paths):
        raise FixError("no such attachment")
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_POLICY).flatten(message)
    return out.getvalue()


def _prune(part: Message, path: str, paths: frozenset[str]) -> bool:
    """Remove the children of `part` whose paths are listed; True if anything was removed.

    Paths are numbered as inspectors.message numbers them: the root is "1", children "1.1"…
    """
    if not part.is_multipart():
        return False
    children = part.get_payload()
    kept, removed = [], False
    for i, child in enumerate(children, 1):
        child_path = f"{path}.{i}"
        if child_path in paths:
            removed = True
            continue
        removed = _prune(child, child_path, paths) or removed
        kept.append(child)
    part.set_payload(kept)
    return removed
