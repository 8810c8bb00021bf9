"""The fix a hold's reasons ask for (issue 18): the sender's page offers it as the primary
action, so that the button a hurried salesperson presses corrects the mistake instead of
sending it.

- external recipients visible in To/Cc (the Bcc mistake): move them to Bcc;
- a look-alike (typo) domain, a suppressed (unsubscribed) recipient, a client named where the
  recipients are another client's: remove those recipients;
- a finding carried only by attachments (a customer list, an encrypted archive): send the
  attachments as download links (issue 19, 脱PPAP: the recipient confirms the address with a
  code), or remove them; another client's document, or a file the guard could not read:
  remove it (links do not answer those: rules/decide.py), the links only offered;
- any message with attachments and a recipient outside: the links, as an option.

Pure: the stored decision, recipients and attachments in, a suggestion out. Nothing here knows
the web or the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import getaddresses

from inspectors.base import Finding, domain_of
from inspectors.codes import CLIENT_MISMATCH, LOOKALIKE_DOMAIN, SUPPRESSED, VISIBLE_EXTERNAL
from inspectors.recipients import mask_address
from rules.decide import LINKS_DO_NOT_ANSWER
from rules.model import Action, Decision

from .rewrite import _split_header

Attachment = tuple[str, str, int, str]  # Summary.attachments: name, type, size, MIME part


@dataclass(frozen=True, kw_only=True)
class SuggestedFix:
    remove: tuple[str, ...] = ()  # recipient addresses, as the envelope has them
    drop: tuple[tuple[str, str], ...] = ()  # (file name, MIME part path)
    to_bcc: bool = False
    # The attachments may go as download links instead (issue 19): the message has some and a
    # recipient outside. With `drop`, the links are the primary fix and dropping the second.
    links: bool = False
    # Whether the links answer every reason the attachments carry: not another client's
    # document nor a file that could not be read (rules/decide.py); then dropping is primary.
    links_answer: bool = True

    @property
    def fixes(self) -> bool:
        """Whether a fix answers the hold's reasons (the links alone are only offered)."""
        return bool(self.remove or self.drop or self.to_bcc)

    @property
    def links_primary(self) -> bool:
        """The primary fix sends the attachments as links instead of removing them."""
        return self.links and self.links_answer and bool(self.drop)

    @property
    def label(self) -> str:
        """The i18n key of the primary button: the one fix by name, several as "fix these"."""
        files = ("links", self.drop) if self.links_primary else ("drop", self.drop)
        kinds = [k for k, on in (("bcc", self.to_bcc), ("remove", self.remove), files) if on]
        return f"fix.primary.{kinds[0]}" if len(kinds) == 1 else "fix.primary.several"

    @property
    def drop_label(self) -> str:
        """The second button's key, when the primary sends links: the same fix, dropping."""
        return "fix.primary.drop" if not (self.to_bcc or self.remove) else "fix.secondary.drop"


def suggest(
    decision: Decision,
    rcpt_tos: tuple[str, ...],
    attachments: Iterable[Attachment],
    is_external: Callable[[str], bool],
) -> SuggestedFix | None:
    """The fix for what held the message, or None when no fix of ours answers a reason (a
    body full of personal data is the sender's to rewrite). At least one recipient stays."""
    files = [a for a in attachments if a[3]]
    remove: dict[str, None] = {}
    drop: dict[tuple[str, str], None] = {}
    to_bcc = False
    links_answer = True
    for f in (f for m in decision.deciding for f in m.findings):
        carriers = _carried_by(f, files)
        if f.code == VISIBLE_EXTERNAL:
            to_bcc = True
        elif carriers:
            drop.update(dict.fromkeys((a[0], a[3]) for a in carriers))
            links_answer = links_answer and f.code not in LINKS_DO_NOT_ANSWER
        elif f.code == LOOKALIKE_DOMAIN:
            bad = {e.split(" ", 1)[0].lower() for e in f.evidence}
            remove.update(dict.fromkeys(r for r in rcpt_tos if domain_of(r) in bad))
        elif f.code == SUPPRESSED:
            masked = {e.removesuffix(" (domain entry)").lower() for e in f.evidence}
            remove.update(dict.fromkeys(r for r in rcpt_tos if mask_address(r).lower() in masked))
        elif f.code == CLIENT_MISMATCH:
            # Named in the subject or the body while every recipient outside is someone else's:
            # the recipients outside are the ones the message was not meant for.
            remove.update(dict.fromkeys(r for r in rcpt_tos if is_external(r)))
    if len(remove) >= len(rcpt_tos):
        remove = {}  # removing everyone is no fix: the sender cancels instead
    # Not when a rule already sends them as links: that choice is made.
    links = (
        bool(files)
        and Action.LINK_ATTACHMENTS not in decision.rewrites
        and any(is_external(r) for r in rcpt_tos if r not in remove)
    )
    if not (remove or drop or to_bcc or links):
        return None
    return SuggestedFix(
        remove=tuple(remove), drop=tuple(drop), to_bcc=to_bcc, links=links, links_answer=links_answer
    )


def _carried_by(finding: Finding, files: list[Attachment]) -> list[Attachment]:
    """The attachments that hold every place of the finding; none when any place is outside
    them (the subject, the body, the envelope): removing files would not answer it then."""
    if not finding.where:
        return []
    carriers: list[Attachment] = []
    for where in finding.where:
        hit = next(
            (a for a in files if where == f"attachment:{a[0]}" or where.startswith(f"attachment:{a[0]}!")),
            None,
        )
        if hit is None:
            return []
        if hit not in carriers:
            carriers.append(hit)
    return carriers


def recipient_fields(raw: bytes, rcpt_tos: tuple[str, ...]) -> dict[str, str]:
    """Each envelope recipient's field: "To" or "Cc" when its header names it, else "Bcc"
    (delivered without being shown). `raw` may be the message's first bytes only
    (Store.head_of): the header is all that is read."""
    fields, _ = _split_header(raw)
    named: dict[str, str] = {}
    for field in fields:
        name, _, value = field.partition(b":")
        key = name.strip().lower()
        if key not in (b"to", b"cc"):
            continue
        text = value.decode("utf-8", "replace").replace("\r", "").replace("\n", "")
        for _, address in getaddresses([text]):
            named.setdefault(address.lower(), "To" if key == b"to" else "Cc")
    return {r: named.get(r.lower(), "Bcc") for r in rcpt_tos}
