"""Whom a document is addressed to: the client named at its head with 御中, 様, Bill to ….

A quote, an invoice or a delivery note says at its top whose it is (「株式会社エー 御中」,
「請求先: エー」, "Bill to: A Corp"). A reply-all that still copies client B sends client A's
document to B although every client it names is among the recipients; the addressee is what
tells the two apart (`inspectors.client_mismatch` weighs it). Only the head is read — the
first lines of a text, the first rows of a sheet, the first page of a PDF — because further
down a name with 様 is a contact, a site or a subcontractor, not the addressee.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .clients import ClientDirectory
from .extract.revisions import HIDDEN, TRACKED
from .message import Table

HEAD_LINES = 8  # non-empty lines of a text, rows of a table: a letterhead is no longer
HEAD_CHARS = 4000  # of a text chunk; the head of a hostile 1 GB line costs no more
HEAD_CELLS = 30  # cells of a head row, each cut to HEAD_CELL_CHARS
HEAD_CELL_CHARS = 200

# A label that makes the name after it (or on the next line) the addressee. Matched on the
# NFKC form of a line's start, so ＢＩＬＬ ＴＯ： and 請求先： count too.
_LABEL = re.compile(
    r"\s*(?:(?:bill(?:ed)?\s+to|invoice\s+to|sold\s+to|attn\.?|attention|dear|messrs\.?)\b|to\s*:|"
    r"請求先|見積先|納品先|発注先|宛先|宛名|送付先|お客様名?|貴社名)\s*:?",
    re.IGNORECASE,
)
_BARE_LABEL = re.compile(_LABEL.pattern + r"\s*", re.IGNORECASE)
# A cell or line ending in an honorific: 「株式会社エー 営業部 田中様」 addresses エー through its
# person (the name's own honorific check sees only 田中).
_ENDS_HONORIFIC = re.compile(r"(?:様|殿|さま|御中|御担当者?|ご担当者?)\s*(?:\t|$)")

# What a document is, by the first of these words at its head: (key, ja, en, pattern). The
# key goes into the evidence; the sender's page words it (quarantine.explain).
DOCUMENT_KINDS = (
    ("quotation", "見積書", "quotation", r"見積|\b(?:quotation|estimate|quote)\b"),
    ("invoice", "請求書", "invoice", r"請求書|\binvoice\b"),
    ("delivery_note", "納品書", "delivery note", r"納品書|\bdelivery\s+note\b"),
    ("order", "注文書", "order", r"注文書|発注書|注文請書|\bpurchase\s+order\b"),
    ("contract", "契約書", "contract", r"契約書|覚書|\b(?:contract|agreement)\b"),
    ("statement", "明細書", "statement", r"明細書|\bstatement\b"),
    ("minutes", "議事録", "minutes", r"議事録|\bminutes\b"),
    ("report", "報告書", "report", r"報告書|\breport\b"),
)
_KIND = re.compile("|".join(f"(?P<{key}>{pattern})" for key, _, _, pattern in DOCUMENT_KINDS), re.I)
KIND_WORDS = {key: (ja, en) for key, ja, en, _ in DOCUMENT_KINDS}
# Parts of a file that are not its head: pages and slides after the first, a Word file's tables
# after the second (its first ones are the letterhead's), footers, properties, comments, notes,
# revisions, and a forwarded mail's headers and body (the conversation, not a document).
_NOT_HEAD = re.compile(
    r"(?:page|slide|header)(?!1$)\d+|table(?![12]$)\d+|footer\d*|properties|comments?|notes?|"
    rf"footnotes|endnotes|annotations|more-text|headers|body(?::.*)?|{TRACKED}|{HIDDEN}",
    re.I,
)


@dataclass
class Head:
    """One document's head: the clients it is addressed to, and what kind of document it is."""

    clients: set[int] = field(default_factory=set)
    kind: str = ""
    where: list[str] = field(default_factory=list)  # where the addressee stands


class Addressees:
    """Reads the heads of a message's documents as extraction gives them, per `where`."""

    def __init__(self, directory: ClientDirectory) -> None:
        self._directory = directory
        self.heads: dict[str, Head] = {}  # a chunk's or table's where -> its head

    def text(self, where: str, text: str) -> None:
        if is_head(where):
            lines = [line for line in text[:HEAD_CHARS].splitlines() if line.strip()]
            self._read(where, [(where, line) for line in lines[:HEAD_LINES]])

    def table(self, table: Table) -> None:
        if is_head(table.where):
            rows = [
                (f"{table.where}!{table.ref(r, 0)}", _row_line(row))
                for r, row in enumerate(table.rows[:HEAD_LINES])
            ]
            self._read(table.where, [(where, line) for where, line in rows if line.strip()])

    def subject(self, subject: str) -> Head:
        """The subject's addressees: 【エー様】 tells whose the attachments are."""
        kind = _KIND.search(unicodedata.normalize("NFKC", subject))
        head = Head(kind=kind.lastgroup or "" if kind else "")
        for mention in self._directory.mentions(subject, "subject"):
            if mention.honorific:
                head.clients.update(mention.clients)
                head.where[:] = ["subject"]
        return head

    def _read(self, key: str, lines: list[tuple[str, str]]) -> None:
        head = Head()
        labelled_next = False
        for where, line in lines:
            plain = unicodedata.normalize("NFKC", line)
            if not head.kind and (kind := _KIND.search(plain)):
                head.kind = kind.lastgroup or ""
            labelled = labelled_next or bool(_LABEL.match(plain) or _ENDS_HONORIFIC.search(plain))
            labelled_next = bool(_BARE_LABEL.fullmatch(plain.replace("\t", " ")))
            for mention in self._directory.mentions(line, where):
                if not (mention.honorific or labelled):
                    continue
                head.clients.update(mention.clients)
                if where not in head.where:
                    head.where.append(where)
        self.heads[key] = head


def is_head(where: str) -> bool:
    """Whether a part of an attachment may hold its addressee (the body and the subject are
    the conversation, not a document: they are read elsewhere)."""
    if not where.startswith("attachment:"):
        return False
    return not any(_NOT_HEAD.fullmatch(part) for part in where.split("!")[1:])


def _row_line(row: tuple[str, ...]) -> str:
    return "\t".join(str(cell)[:HEAD_CELL_CHARS] for cell in row[:HEAD_CELLS]).rstrip("\t")
