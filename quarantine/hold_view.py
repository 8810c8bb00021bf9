"""What the held-message page shows, worked out from the stored record: recipients grouped by
organisation with their marks, findings per attachment, locations in words, the checklist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from inspectors.base import Finding, domain_of
from inspectors.clients import Client
from inspectors.codes import CLIENT_MISMATCH, FIRST_TIME, FREEMAIL, LOOKALIKE_DOMAIN, SUPPRESSED
from inspectors.recipients import mask_address
from rules.model import Action, Decision

from .display import clean, file_name
from .records import HoldState

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
    field: str = ""  # "To", "Cc" or "Bcc" (issue 18: which the recipients see)


@dataclass
class Organisation:
    domain: str  # the domains, ", "-joined when a client has several
    external: bool
    rows: list[RecipientRow]
    client: str = ""  # the directory's name for it (issue 18), "" when unknown


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


def client_names(clients: tuple[Client, ...]) -> Callable[[str], str]:
    """domain -> the directory's client name ("" when no client has it); a subdomain is its
    parent's (mail.a-corp.co.jp is 株式会社エー's when a-corp.co.jp is)."""
    names = {d.lower().strip("."): c.name for c in reversed(clients) for d in c.domains}

    def name_of(domain: str) -> str:
        labels = domain.split(".")
        return next(
            (names[".".join(labels[i:])] for i in range(len(labels)) if ".".join(labels[i:]) in names), ""
        )

    return name_of


def organisations(
    rcpts: tuple[str, ...],
    is_external: Callable[[str], bool],
    findings: tuple[Finding, ...],
    fields: dict[str, str] | None = None,
    client_of: Callable[[str], str] = lambda domain: "",
) -> list[Organisation]:
    """Recipients grouped by client where the directory knows the domain, else by domain."""
    groups: dict[str, Organisation] = {}
    for address in rcpts:
        domain = domain_of(address)
        row = RecipientRow(
            address=address,
            external=is_external(address),
            marks=[f.code for f in findings if f.code in RECIPIENT_MARKS and _names(f, address, domain)],
            field=(fields or {}).get(address, ""),
        )
        client = client_of(domain) if row.external else ""
        group = groups.setdefault(
            f"client:{client}" if client else domain,
            Organisation(domain="", external=row.external, rows=[], client=client),
        )
        group.rows.append(row)
        if domain not in group.domain.split(", "):
            group.domain = ", ".join(d for d in (group.domain, domain) if d)
    # External organisations first: they are what the sender must look at; named clients
    # before bare domains.
    return sorted(groups.values(), key=lambda g: (not g.external, not g.client, g.client or g.domain))


def _names(finding: Finding, address: str, domain: str) -> bool:
    if finding.code == SUPPRESSED:  # its evidence is masked addresses: a domain names nobody
        return any(
            e.removesuffix(" (domain entry)").lower() == mask_address(address).lower()
            for e in finding.evidence
        )
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
    one per client named where it should not be, one per look-alike domain, one per
    suppressed (unsubscribed) recipient (masked, as the finding has it)."""
    items: list[tuple[str, Finding, str]] = []
    for m in decision.deciding:
        for f in m.findings:
            if f.code == CLIENT_MISMATCH:
                named = dict(e.split("=", 1) for e in f.evidence if "=" in e)
                # A document addressed to one client going to another: the other is the item.
                things = [named.get("client") or named.get("other_clients") or ", ".join(f.where)]
            elif f.code == LOOKALIKE_DOMAIN:
                # "a-c0rp.co.jp resembles a-corp.co.jp (homoglyph)": the domain, not the notation
                things = [e.split(" resembles ", 1)[0] for e in f.evidence if "=" not in e] or list(f.where)
            elif f.code == SUPPRESSED:
                things = [e.removesuffix(" (domain entry)") for e in f.evidence if "=" not in e] or list(
                    f.where
                )
            else:
                continue
            for thing in things:
                key = f"{f.code}:{thing}"
                if all(k != key for k, _, _ in items):
                    items.append((key, f, thing))
    return items


def unconfirmed_cancel(record, action: str, form) -> bool:
    """A delay's cancel is asked twice, on the server: a form posted without confirm=1 (a
    stray tap, a script) only gets the question."""
    return (
        record.kind == Action.DELAY
        and action == "cancel"
        and record.state == HoldState.HELD
        and form.get("confirm") != "1"
    )


def all_ticked(record, acks: list) -> bool:
    """Every item of the checklist ticked: the server checks what the page's script does."""
    return {key for key, _, _ in checklist(record.decision)} <= {str(a) for a in acks}
