"""A finding's parts made fit to show to a person: text that came from a message (a file
name, a client name, a domain) as one line, no control or bidirectional characters, a bounded
length; its `where` ("attachment:顧客.zip!顧客.csv!A2:D13") as a place a sender knows; its
evidence read back as the inspectors write it — named fields ("client=株式会社ビー") and masked
samples ("090-****-5601"; tallies "third_parties=12" are read by rules.decide.tally, as the
rules read them).

Escaping is the templates' (Jinja autoescape); this module keeps a value from lying about
itself: U+202E RIGHT-TO-LEFT OVERRIDE shows "invoice\u202excod.exe" as "invoiceexe.docx", and a
2,000-character name would push the page's buttons off a phone's screen.
"""

from __future__ import annotations

import re
import unicodedata

Said = tuple[str, str]  # (ja, en)

# Format characters (Cf: bidi overrides and isolates, zero-width joiners), controls (Cc: CR,
# LF, NEL…), line and paragraph separators (Zl, Zp), lone surrogates (Cs: undecodable bytes).
UNSAFE = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
_SPACES = re.compile(r"\s+")
_FIELD = re.compile(r"([a-z_]+)=(.*)", re.S)
NAME_LIMIT = 60  # characters of a file name in a sentence
VALUE_LIMIT = 80  # characters of any other value taken from a message

# A path component that is a file (has an extension), not a sheet, a cell range or a line.
_FILE = re.compile(r".\.[A-Za-z0-9]{1,8}$")
_NOT_FILE = re.compile(r"^(lines? \d|records? \d|[A-Z]{1,3}\d+(:[A-Z]{1,3}\d+)?$|table\d|page\d|slide\d)")


def clean(value: object, limit: int = VALUE_LIMIT) -> str:
    """One safe line of at most `limit` characters (an ellipsis says where it was cut)."""
    text = "".join(" " if unicodedata.category(c) in UNSAFE else c for c in str(value or ""))
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_QUOTES = str.maketrans({"『": "「", "』": "」", '"': "'", "“": "'", "”": "'"})


def file_name(value: object, limit: int = NAME_LIMIT) -> str:
    """A file name cut in the middle, so that its extension (what the file really is) shows."""
    # The sentences quote a name in 『』 / "": a name holding them could close the quote and
    # write a sentence of its own ("a.csv』は確認済みです。『b") on the page an approver reads.
    raw = str(value or "").translate(_QUOTES)
    if len(raw) > 64 * limit:  # the head and the tail are all that can show
        raw = raw[: 32 * limit] + " " + raw[-32 * limit :]
    text = clean(raw, len(raw))
    if len(text) <= limit:
        return text
    tail = max(8, limit // 4)
    return text[: limit - tail - 1].rstrip() + "…" + text[-tail:]


def files_in(where: str) -> tuple[str, ...]:
    """The attachment a `where` names, then the archive members inside it down to the file
    concerned: "attachment:a.zip!data/b.csv!A2:D9" -> ("a.zip", "data/b.csv")."""
    kind, _, rest = where.partition(":")
    if kind != "attachment" or not rest:
        return ()
    first, *inside = rest.split("!")
    return (first, *(part for part in inside if _FILE.search(part) and not _NOT_FILE.match(part)))


def file_phrase(where: str) -> tuple[str, str] | None:
    """(ja, en) naming the file a `where` concerns: "『a.zip』の中の『b.csv』" / '"b.csv" in "a.zip"'."""
    files = files_in(where)
    if not files:
        return None
    name = file_name(files[-1])
    ja_in, en_in = _inside(where)
    if len(files) == 1:
        return f"『{name}』{ja_in}", f'"{name}"{en_in}'
    outer = file_name(files[0], NAME_LIMIT // 2)
    return f"『{outer}』の中の『{name}』{ja_in}", f'"{name}"{en_in} in "{outer}"'


# Places inside a document that the sender does not see on opening it (extract/revisions.py,
# odf_markup.py): the sentence says where to look.
_INSIDE = {
    "tracked-changes": ("の変更履歴", " (tracked changes)"),
    "comments": ("のコメント", " (comments)"),
    "hidden-text": ("の隠し文字", " (hidden text)"),
}


def _inside(where: str) -> tuple[str, str]:
    for part in where.split("!")[1:]:
        said = _INSIDE.get(part.rstrip("0123456789"))
        if said:
            return said
    return "", ""


def location(where: str) -> tuple[str, str]:
    """(ja, en) naming the place: "添付ファイル『a.zip』の中の『b.csv』" / 'the attachment "b.csv" in "a.zip"'."""
    named = file_phrase(where)
    if named:
        return f"添付ファイル{named[0]}", f"the attachment {named[1]}"
    head, _, name = where.split("!", 1)[0].partition(":")
    if head == "header" and name.lower() in _HEADERS:  # "header:subject" of an unreadable one
        return _HEADERS[name.lower()]
    return _PLACES.get(head, ("メール", "the message"))


_PLACES = {
    "subject": ("件名", "the subject"),
    "body": ("本文", "the message body"),
    "part": ("メールの一部", "a part of the message"),
    "message": ("メール全体", "the message as a whole"),
    "envelope": ("宛先", "the recipients"),
    "header": ("宛先", "the recipients"),
    "attachment": ("添付ファイル", "an attachment"),
}
_HEADERS = {"subject": ("件名", "the subject"), "from": ("差出人", "the sender's address")}


def locations(wheres: tuple[str, ...], most: int = 2) -> tuple[str, str]:
    """The distinct places of a finding, the first `most` by name: "件名と本文ほか 2 か所",
    "添付ファイル『a.csv』と『b.csv』"."""
    files = list(dict.fromkeys(p for p in (file_phrase(w) for w in wheres) if p))
    others = list(dict.fromkeys(location(w) for w in wheres if not files_in(w)))
    if not files and not others:
        others = [("メール", "the message")]
    shown: list[tuple[str, str]] = others[:most]
    if files and len(shown) < most:
        named = files[: most - len(shown)]
        shown.append(
            (
                "添付ファイル" + "と".join(f[0] for f in named),
                ("the attachment " if len(named) == 1 else "the attachments ")
                + " and ".join(f[1] for f in named),
            )
        )
    more = len(files) + len(others) - min(most, len(files) + len(others))
    ja = "と".join(p[0] for p in shown) + (f"ほか {more} か所" if more > 0 else "")
    en = " and ".join(p[1] for p in shown) + (f" and {more} more places" if more > 0 else "")
    return ja, en


def listed(values: list[str], most: int = 3, limit: int = VALUE_LIMIT) -> tuple[str, str]:
    """A few values, cleaned, for a sentence: ("a、b ほか 2 件", "a, b and 2 more")."""
    shown = [clean(v, limit) for v in values[:most]]
    more = len(values) - most
    return (
        "、".join(shown) + (f" ほか {more} 件" if more > 0 else ""),
        ", ".join(shown) + (f" and {more} more" if more > 0 else ""),
    )


def fields(evidence: tuple[str, ...]) -> dict[str, str]:
    """name -> value for every "name=value" item; the first one of a name counts."""
    out: dict[str, str] = {}
    for item in evidence:
        m = _FIELD.fullmatch(item)
        if m:
            out.setdefault(m.group(1), m.group(2))
    return out


def samples(evidence: tuple[str, ...]) -> list[str]:
    """The items that are not "name=…": masked samples, domains, reasons."""
    return [item for item in evidence if not _FIELD.fullmatch(item)]


def plural(n: int, many: str = "s", one: str = "") -> str:
    """The English ending for n things: plural(2) == "s", plural(1, "ies", "y") == "y"."""
    return one if n == 1 else many
