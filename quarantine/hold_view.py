"""What the held-message page shows, worked out from the stored record: recipients grouped by
organisation with their marks, findings per attachment, locations in words, the checklist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from inspectors.base import Finding, domain_of
from inspectors.codes import CLIENT_MISMATCH, FIRST_TIME, FREEMAIL, LOOKALIKE_DOMAIN, SUPPRESSED
from rules.model import Decision

from .display import clean, file_name

# Recipient findings whose evidence names the recipients or domains concerned.
RECIPIENT_MARKS = (
    LOOKALIKE_DOMAIN,
    SUPPRESSED,
    FIRST_TIME,
    FREEMAIL,
    CLIENT_MISMATCH,
)


@dataclass
class RecipientRow:
    address: str
    external: bool
    marks: list[str] = field(default_factory=list)  # finding codes that concern it


@dataclass
class Organisation:
    domain: str
    external: bool
    rows: list[RecipientRow]


def where_text(where: str, t: Callable[[str], str]) -> str:
    """ "attachment:顧客.xlsx!顧客!D2:D120" -> "顧客.xlsx › 顧客 › D2:D120"; "body!line 3" -> "本文 › line 3";
    "attachment:契約書.docx!tracked-changes" -> "契約書.docx › 変更履歴" (a place the extractors name)."""
    head, *inside = where.split("!")
    inside = [_inside(clean(part), t) for part in inside[:8]]
    kind, _, name = head.partition(":")
    if kind == "attachment":
        first = file_name(name)
    elif kind == "header":
        first = f"{name} {t('where.header')}"
    else:
        label = t(f"where.{kind}")
        first = label if label != f"where.{kind}" else clean(head)
    return " › ".join(part for part in (first, *inside) if part)


def _inside(part: str, t: Callable[[str], str]) -> str:
    """A place inside a document in words ("comments2" -> "コメント2"); anything else as it is."""
    word = part.rstrip("0123456789")
    label = t(f"where.in.{word}")
    return label + part[len(word) :] if word and label != f"where.in.{word}" else part


def organisations(
    rcpts: tuple[str, ...], is_external: Callable[[str], bool], findings: tuple[Finding, ...]
) -> list[Organisation]:
    groups: dict[str, Organisation] = {}
    for address in rcpts:
        domain = domain_of(address)
        row = RecipientRow(
            address=address,
            external=is_external(address),
            marks=[f.code for f in findings if f.code in RECIPIENT_MARKS and _names(f, address, domain)],
        )
        groups.setdefault(domain, Organisation(domain=domain, external=row.external, rows=[])).rows.append(
            row
        )
    # External organisations first: they are what the sender must look at.
    return sorted(groups.values(), key=lambda g: (not g.external, g.domain))


def _names(finding: Finding, address: str, domain: str) -> bool:
    text = " ".join(finding.evidence + finding.where).lower()
    return address.lower() in text or (bool(domain) and domain in text)


def per_attachment(findings: tuple[Finding, ...], filenames: list[str]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {name: [] for name in filenames}
    for f in findings:
        for name in filenames:
            if any(w == f"attachment:{name}" or w.startswith(f"attachment:{name}!") for w in f.where):
                out[name].append(f)
                break
    return out


def checklist(decision: Decision) -> list[tuple[str, Finding, str]]:
    """(key, finding, item) for each flagged item of a high-risk hold, in a stable order:
    one per client named where it should not be, one per look-alike domain."""
    items: list[tuple[str, Finding, str]] = []
    for m in decision.deciding:
        for f in m.findings:
            if f.code == CLIENT_MISMATCH:
                named = dict(e.split("=", 1) for e in f.evidence if "=" in e)
                # A document addressed to one client going to another: the other is the item.
                things = [named.get("client") or named.get("other_clients") or ", ".join(f.where)]
            elif f.code == LOOKALIKE_DOMAIN:
                things = [e for e in f.evidence if "=" not in e] or list(f.where)
            else:
                continue
            for thing in things:
                key = f"{f.code}:{thing}"
                if all(k != key for k, _, _ in items):
                    items.append((key, f, thing))
    return items
